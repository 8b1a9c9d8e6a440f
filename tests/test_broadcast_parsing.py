"""A broadcast that does not parse is not sent; the times people write are understood."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from hubbot.domain.broadcast import parse_when, read_clock
from hubbot.store.db import from_iso
from tests.conftest import Harness
from tests.fakes import FakeClock
from tests.test_broadcasts import COORD, LEAD, A, B, C, _hubs
from tests.test_broadcasts import OTHER as EN_MEMBER
from tests.test_broadcasts import OTHER_LEAD as EN_LEAD

ZONE = "America/Toronto"
NOW = FakeClock().now()  # 03:00 UTC: 22:00 the evening before in Montréal

FR_BAD_TIME = "Heure illisible : {}. Rien n'a été envoyé. Écrivez par ex. DIFFUSER A 18h30"
EN_BAD_TIME = "Could not read the time: {}. Nothing was sent. Write e.g. BROADCAST AT 18:30"
FR_USAGE = "Écrivez DIFFUSER [TOUS|CODE] [POSTE nom] [URGENT] [A 18h00] + message."
EN_USAGE = "Text BROADCAST [ALL|CODE] [ROLE role] [URGENT] [AT 18:00] + message."
KNOWN = "#boil_water, #power_restored, #shelter_open"


async def _nothing_went_out(harness: Harness) -> None:
    row = await harness.db.fetchone("SELECT COUNT(*) FROM broadcasts")
    assert row is not None and row[0] == 0, "no broadcast, not even a scheduled one"


@pytest.mark.parametrize(
    ("sender", "text", "reply"),
    [
        (EN_LEAD, "BROADCAST AT 25:99 x", EN_BAD_TIME.format("25:99")),
        (EN_LEAD, "BROADCAST URGENT AT 99:99", EN_BAD_TIME.format("99:99")),
        (EN_LEAD, "BROADCAST AT 6 doors close", EN_BAD_TIME.format("6")),
        (EN_LEAD, "BROADCAST AT tonight doors close", EN_BAD_TIME.format("tonight")),
        (EN_LEAD, "BROADCAST AT 13pm doors close", EN_BAD_TIME.format("13pm")),
        (LEAD, "DIFFUSER A 25:99 x", FR_BAD_TIME.format("25:99")),
        (LEAD, "DIFFUSER URGENT À 99:99", FR_BAD_TIME.format("99:99")),
        (LEAD, "DIFFUSER à 18h75 fermeture des portes", FR_BAD_TIME.format("18h75")),
    ],
)
async def test_a_time_that_does_not_read_is_named_back_and_nothing_is_sent(
    harness: Harness, sender: str, text: str, reply: str
) -> None:
    await _hubs(harness)
    got = await harness.text(sender, text)
    assert list(got) == [sender] and len(got[sender]) == 1
    assert got[sender][0].startswith(reply)
    await _nothing_went_out(harness)


@pytest.mark.parametrize(
    ("sender", "text", "reply"),
    [
        (
            LEAD,
            "DIFFUSER #nope",
            f"Modèle inconnu : #nope. Rien n'a été envoyé. Modèles : {KNOWN}.",
        ),
        (
            EN_LEAD,
            "BROADCAST #nope",
            f"Unknown template: #nope. Nothing was sent. Templates: {KNOWN}.",
        ),
        (
            EN_LEAD,
            "BROADCAST #boil_water from 6pm",
            "A template goes alone, with no text: BROADCAST #boil_water. "
            "Free text must not start with #. Nothing was sent.",
        ),
        (LEAD, "DIFFUSER URGENT", FR_USAGE),
        (LEAD, "DIFFUSER À 18h", FR_USAGE),
        (LEAD, "DIFFUSER POSTE accueil", FR_USAGE),
        (EN_LEAD, "BROADCAST URGENT", EN_USAGE),
        (EN_LEAD, "BROADCAST AT 18h", EN_USAGE),
        (EN_LEAD, "BROADCAST AT", EN_USAGE),
        (COORD, "BROADCAST ALL", EN_USAGE),
        (COORD, "DIFFUSER TOUS URGENT A 7h", FR_USAGE),
    ],
)
async def test_an_unknown_template_or_an_empty_text_gets_a_reply_and_nothing_is_sent(
    harness: Harness, sender: str, text: str, reply: str
) -> None:
    await _hubs(harness)
    assert await harness.text(sender, text) == {sender: [reply]}
    await _nothing_went_out(harness)


async def test_a_broadcast_at_6_30pm_goes_out_at_18_30_with_its_text_only(
    harness: Harness,
) -> None:
    await _hubs(harness)  # 22:00 in Montréal: 18:30 is tomorrow
    got = await harness.text(EN_LEAD, "BROADCAST AT 6:30pm doors close")
    assert got == {EN_LEAD: ["Broadcast B1 scheduled for 18:30."]}
    assert EN_MEMBER not in await harness.tick(hours=20, minutes=29)
    fired = await harness.tick(minutes=1)
    assert fired[EN_MEMBER] == ["[NEWTOWN B1] doors close\nReply OK."]


@pytest.mark.parametrize(
    ("sender", "text", "reply", "utc"),
    [
        (EN_LEAD, "BROADCAST AT 6pm x", "Broadcast B1 scheduled for 18:00.", (15, 23, 0)),
        (EN_LEAD, "BROADCAST URGENT at 7 am x", "Broadcast B1 scheduled for 07:00.", (15, 12, 0)),
        (EN_LEAD, "BROADCAST À 23h15 x", "Broadcast B1 scheduled for 23:15.", (15, 4, 15)),
        (LEAD, "DIFFUSER A 18h x", "Diffusion B1 prévue à 18:00.", (15, 23, 0)),
        (LEAD, "DIFFUSER À 6:30pm x", "Diffusion B1 prévue à 18:30.", (15, 23, 30)),
        (LEAD, "DIFFUSER POSTE accueil a 8h05 x", "Diffusion B1 prévue à 08:05.", (15, 13, 5)),
    ],
)
async def test_a_scheduled_broadcast_is_due_at_the_hubs_local_time(
    harness: Harness, sender: str, text: str, reply: str, utc: tuple[int, int, int]
) -> None:
    await _hubs(harness)  # Montréal is five hours behind UTC in January
    assert await harness.text(sender, text) == {sender: [reply]}
    row = await harness.db.fetchone("SELECT due_at FROM due WHERE kind = 'broadcast'")
    day, hour, minute = utc
    assert row is not None and from_iso(row[0]) == datetime(2026, 1, day, hour, minute, tzinfo=UTC)


async def test_a_french_time_with_a_colon_after_it_sends_the_text_without_the_colon(
    harness: Harness,
) -> None:
    await _hubs(harness)
    got = await harness.text(LEAD, "DIFFUSER À 23 h 30 : couvre-feu du centre")
    assert got == {LEAD: ["Diffusion B1 prévue à 23:30."]}
    fired = await harness.tick(hours=1, minutes=30)
    assert fired[A] == fired[B] == fired[C] == ["[PLATEAU B1] couvre-feu du centre\nRépondez OK."]


async def test_a_followed_by_a_word_is_ordinary_text_sent_at_once(harness: Harness) -> None:
    await _hubs(harness)
    got = await harness.text(LEAD, "DIFFUSER A tous : souper servi à 18h")
    assert got[LEAD] == ["Diffusion B1 : 3 messages en route, 0 exclu(s) (ARRET)."]
    assert got[A] == ["[PLATEAU B1] A tous : souper servi à 18h\nRépondez OK."]


async def test_an_english_a_before_a_number_is_just_an_article(harness: Harness) -> None:
    await _hubs(harness)
    got = await harness.text(EN_LEAD, "BROADCAST A 5-minute fire drill starts now")
    assert got[EN_MEMBER] == ["[NEWTOWN B1] A 5-minute fire drill starts now\nReply OK."]


async def test_a_template_is_found_whatever_its_case(harness: Harness) -> None:
    await _hubs(harness)
    got = await harness.text(LEAD, "DIFFUSER #BOIL_WATER")
    assert got[A][0].startswith("[PLATEAU B1] AVIS : faites bouillir l'eau")


@pytest.mark.parametrize(
    ("words", "local"),
    [
        ("AT 18:00", (15, 18, 0)),
        ("AT 18h", (15, 18, 0)),
        ("AT 18h30", (15, 18, 30)),
        ("AT 6pm", (15, 18, 0)),
        ("AT 6:30pm", (15, 18, 30)),
        ("at 6 pm", (15, 18, 0)),
        ("AT 6:30 p.m.", (15, 18, 30)),
        ("AT 7AM", (15, 7, 0)),
        ("AT 12am", (15, 0, 0)),
        ("AT 12pm", (15, 12, 0)),
        ("AT noon", (15, 12, 0)),
        ("AT 23:30", (14, 23, 30)),
        ("A 18h", (15, 18, 0)),
        ("À 18h", (15, 18, 0)),
        ("à 18 h 30", (15, 18, 30)),
        ("A 18 heures", (15, 18, 0)),
        ("A 23H45", (14, 23, 45)),
        ("à midi", (15, 12, 0)),
        ("A minuit", (15, 0, 0)),
        ("AT 22:00", (15, 22, 0)),
    ],
)
def test_every_time_form_people_write_is_the_next_such_local_time(
    words: str, local: tuple[int, int, int]
) -> None:
    split = [*words.split(), "doors", "close"]
    when = parse_when(split, NOW, ZONE, "fr")
    assert when is not None and when.at is not None
    day, hour, minute = local
    assert when.at == datetime(2026, 1, day, hour, minute, tzinfo=ZoneInfo(ZONE))
    assert split[when.used :] == ["doors", "close"], "the text is what follows the time"


@pytest.mark.parametrize("text", ["6", "18", "24:00", "25:99", "13pm", "0am", "18:", "6h75", "x"])
def test_what_is_not_a_clear_time_of_day_is_not_read_as_one(text: str) -> None:
    assert read_clock(text) is None


def test_a_plain_a_is_a_time_marker_in_french_only() -> None:
    assert parse_when(["A", "18h", "x"], NOW, ZONE, "en") is None
    assert parse_when(["À", "18h", "x"], NOW, ZONE, "en") is not None
    assert parse_when(["A", "tous", "x"], NOW, ZONE, "fr") is None
