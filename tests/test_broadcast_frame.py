"""A broadcast says who sends it, which one it is and how to confirm it, within three SMS."""

from __future__ import annotations

import pytest

from hubbot.domain import fanout
from hubbot.domain.messages import Priority
from hubbot.domain.sms import segment_count
from hubbot.i18n import Renderer
from tests.conftest import Harness
from tests.test_broadcasts import COORD, LEAD, A, B, C, _hubs
from tests.test_broadcasts import OTHER as EN_MEMBER
from tests.test_broadcasts import OTHER_LEAD as EN_LEAD

TEMPLATES = frozenset({"boil_water"})


async def _acked(harness: Harness, phone: str) -> bool:
    row = await harness.db.fetchone(
        "SELECT acked_at FROM broadcast_recipients WHERE person_id = ?",
        (await harness.person_id(phone),),
    )
    return row is not None and row[0] is not None


async def test_a_lead_broadcast_names_the_hub_and_its_number_and_asks_for_ok_in_french(
    harness: Harness,
) -> None:
    await _hubs(harness)
    got = await harness.text(LEAD, "DIFFUSER Distribution d'eau à 15h devant le gymnase.")
    expected = "[PLATEAU B1] Distribution d'eau à 15h devant le gymnase.\nRépondez OK."
    assert got[A] == got[B] == got[C] == [expected]
    assert segment_count(expected) == 1


async def test_a_lead_broadcast_names_the_hub_and_its_number_and_asks_for_ok_in_english(
    harness: Harness,
) -> None:
    await _hubs(harness)
    got = await harness.text(EN_LEAD, "BROADCAST Water at 3 pm in front of the gym.")
    assert got[EN_MEMBER] == ["[NEWTOWN B1] Water at 3 pm in front of the gym.\nReply OK."]


async def test_an_urgent_broadcast_says_urgent_before_anything_else_in_both_languages(
    harness: Harness,
) -> None:
    await _hubs(harness)
    french = await harness.text(LEAD, "DIFFUSER URGENT Fermez les fenêtres, fumée au nord")
    assert french[A] == ["URGENT [PLATEAU B1] Fermez les fenêtres, fumée au nord\nRépondez OK."]
    english = await harness.text(EN_LEAD, "BROADCAST URGENT Close your windows, smoke up north")
    assert english[EN_MEMBER] == [
        "URGENT [NEWTOWN B2] Close your windows, smoke up north\nReply OK."
    ]


async def test_a_broadcast_to_every_hub_comes_from_coordination_and_to_one_hub_from_that_hub(
    harness: Harness,
) -> None:
    await _hubs(harness)
    everyone = await harness.text(COORD, "BROADCAST ALL Road 112 is closed")
    assert everyone[A] == ["[Coordination B1] Road 112 is closed\nRépondez OK."]
    assert everyone[EN_MEMBER] == ["[Coordination B1] Road 112 is closed\nReply OK."]
    one = await harness.text(COORD, "BROADCAST NEWTOWN #boil_water")
    assert one[EN_MEMBER][0].startswith("[NEWTOWN B2] NOTICE: boil tap water")
    assert A not in one


@pytest.mark.parametrize(
    ("sender", "member", "text", "thanks"),
    [
        (LEAD, A, "DIFFUSER Souper à 18h", "Merci"),
        (EN_LEAD, EN_MEMBER, "BROADCAST Supper at 6 pm", "Got it"),
    ],
)
async def test_a_plain_ok_after_a_broadcast_confirms_it_as_the_broadcast_asks(
    harness: Harness, sender: str, member: str, text: str, thanks: str
) -> None:
    await _hubs(harness)
    got = await harness.text(sender, text)
    assert got[member][0].endswith(("\nRépondez OK.", "\nReply OK."))
    assert not await _acked(harness, member)
    answer = await harness.text(member, "OK")
    assert answer[member][0].startswith(thanks) and sender not in answer
    assert await _acked(harness, member)


async def test_a_broadcast_too_long_for_three_sms_is_sent_back_with_its_length_in_french(
    harness: Harness,
) -> None:
    await _hubs(harness)
    body = "Consignes du centre : " + "apportez de l'eau, " * 25
    got = await harness.text(LEAD, f"DIFFUSER {body}")
    length = len(body.strip())
    room = 3 * 153 - fanout.FRAME_ROOM
    assert got == {
        LEAD: [
            f"Trop long pour 3 SMS : {length} caractères, max {room}. "
            "Raccourcissez-le ; rien n'a été envoyé."
        ]
    }
    assert await harness.db.fetchone("SELECT id FROM broadcasts") is None


async def test_a_long_broadcast_with_an_emoji_is_told_which_characters_shrink_the_room(
    harness: Harness,
) -> None:
    await _hubs(harness)
    body = "Water at the gym 💧 " + "bring bottles, " * 12
    got = await harness.text(EN_LEAD, f"BROADCAST {body}")
    (reply,) = got[EN_LEAD]
    assert reply.startswith("Too long for 3 SMS: ")
    assert f"max {3 * 67 - fanout.FRAME_ROOM} with 💧 (outside the SMS alphabet)" in reply
    assert f"{3 * 153 - fanout.FRAME_ROOM} without. Nothing was sent." in reply
    assert EN_MEMBER not in got


async def test_a_broadcast_at_the_limit_goes_out_whole(harness: Harness) -> None:
    await _hubs(harness)
    room = 3 * 153 - fanout.FRAME_ROOM
    body = ("Distribution d'eau au gymnase. " * 20)[: room - 1] + "!"
    got = await harness.text(LEAD, f"DIFFUSER URGENT {body}")
    (framed,) = got[A]
    assert framed.startswith("URGENT [PLATEAU B1] Distribution")
    assert "!\nRépondez OK." in framed and segment_count(framed) <= 3


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("filler", ["e", "ê"])
def test_the_longest_frame_with_a_text_that_fills_its_room_fits_three_segments(
    renderer: Renderer, locale: str, filler: str
) -> None:
    # The worst case: a 16-character code, a 9-digit id, URGENT, and the text as long as
    # on_broadcast lets through in its encoding ([ and ] cost two septets each in GSM-7).
    _, room = fanout.text_room(filler)
    text = filler * room
    assert fanout.text_room(text) == (room, room)
    msg, _, _ = fanout.broadcast_message(
        999_999_999, text, Priority.URGENT, TEMPLATES, "ABCDEFGHIJKLMNOP"
    )
    rendered = renderer.render(msg, locale)
    assert rendered.startswith("URGENT [ABCDEFGHIJKLMNOP B999999999] ")
    assert segment_count(rendered) == 3


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_template_fits_one_sms_once_framed(renderer: Renderer, locale: str) -> None:
    templates = {
        k.removeprefix("template.") for k in renderer.keys[locale] if k.startswith("template.")
    }
    for template in sorted(templates):
        msg, _, _ = fanout.broadcast_message(
            123, f"#{template}", Priority.URGENT, frozenset(templates), "PLATEAU-EST"
        )
        assert segment_count(renderer.render(msg, locale)) <= 1, template
