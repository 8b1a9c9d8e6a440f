"""A call for help that nobody at the hub takes within 5 minutes goes to the coordinators,
with the person's words and contact: one in plain words ("on est coincés"), or an answer to a
roll call (a 2, a help word, or an unclear answer) or to a check-in (a 2 or a help word).
Nothing goes once someone has confirmed it or answered the caller, or once the person has said
they are safe after all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbot.domain.messages import Confirm
from hubbot.domain.safety import CONFIRM_WITHIN, due_topic, unless_confirmed
from tests.conftest import Harness

LEAD, HELPER, COMMS = "+15145550101", "+15145550103", "+15145550104"
ANA = "+15145550111"
COORD_EN, COORD_FR = "+15145550198", "+15145550199"


async def _hub(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD_EN, locale="en")
    await harness.add_coordinator(COORD_FR, locale="fr")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0103 besoins et offres")
    await harness.text(LEAD, "ASSIGNER 514-555-0104 communications")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.tick()


def _sent_up_en(label: str, person: str, phone: str, words: str) -> list[str]:
    """What an English-speaking coordinator reads when a call about `label` goes up."""
    return [
        f"HELP NOT CONFIRMED {label} at PLATEAU: nobody confirmed it in 5 min. From {person}"
        f" ({phone}): {words}. Make sure someone checks on them. Confirm with OK."
    ]


def _sent_up_fr(label: str, person: str, phone: str, words: str) -> list[str]:
    """The same, for a French-speaking coordinator (or the lead, asked again)."""
    return [
        f"AIDE NON CONFIRMÉE {label} à PLATEAU : personne n'a confirmé en 5 min. De {person}"
        f" ({phone}) : {words}. Assurez-vous que quelqu'un va voir. Confirmez avec OK."
    ]


def _no_coordinator_told(got: dict[str, list[str]]) -> bool:
    return COORD_EN not in got and COORD_FR not in got


async def _roll_call_answer(harness: Harness, answer: str) -> str:
    """ANA answers the lead's roll call: ANA's member label."""
    await harness.text(LEAD, "APPEL")
    got = await harness.text(ANA, answer)
    assert got[LEAD][0].startswith("APPEL : "), "the lead is told at once"
    return f"M{await harness.person_id(ANA)}"


async def test_a_roll_call_help_answer_nobody_confirms_goes_to_every_coordinator(
    harness: Harness,
) -> None:
    await _hub(harness)
    ana = await _roll_call_answer(harness, "2 seule avec mon fils, plus de chauffage")
    assert await harness.tick(minutes=4, seconds=59) == {}, "the hub has 5 minutes"
    got = await harness.tick(seconds=1)
    assert got[COORD_EN] == _sent_up_en("N1", ana, ANA, "2 seule avec mon fils, plus de chauffage")
    assert got[COORD_FR] == _sent_up_fr("N1", ana, ANA, "2 seule avec mon fils, plus de chauffage")
    assert set(got) == {COORD_EN, COORD_FR}, "the hub's team is not asked twice"
    answered = await harness.text(COORD_FR, "OK")
    assert answered[COORD_FR] == ["Merci, c'est noté : vous vous occupez de N1."]
    coordinator = f"M{await harness.person_id(COORD_FR)}"
    assert answered[ANA] == [f"{coordinator} a vu l'alerte et s'en occupe (N1)."]
    rest = await harness.tick(minutes=30)
    assert _no_coordinator_told(rest), "told once"


async def test_an_unclear_roll_call_answer_is_a_call_for_help_too(harness: Harness) -> None:
    await _hub(harness)
    ana = await _roll_call_answer(harness, "bof")
    got = await harness.tick(minutes=5)
    assert got[COORD_EN] == _sent_up_en(ana, ana, ANA, "bof")


async def test_a_roll_call_help_answer_the_lead_confirmed_disturbs_nobody_else(
    harness: Harness,
) -> None:
    await _hub(harness)
    await _roll_call_answer(harness, "2")
    await harness.tick(minutes=4)
    await harness.text(LEAD, "OK")
    got = await harness.tick(minutes=1)
    assert _no_coordinator_told(got)


async def test_someone_who_says_they_are_safe_after_all_is_not_escalated(
    harness: Harness,
) -> None:
    await _hub(harness)
    await _roll_call_answer(harness, "2")
    back = await harness.text(ANA, "1")
    assert back[ANA] == ["Merci, c'est noté : en sécurité."]
    got = await harness.tick(minutes=5)
    assert _no_coordinator_told(got)


async def test_a_check_in_help_answer_nobody_confirms_goes_to_the_coordinators(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick(hours=2)  # the status check-in asks the role holders
    await harness.text(HELPER, "2 le générateur a lâché, il fait froid")
    got = await harness.tick(minutes=5)
    helper = f"M{await harness.person_id(HELPER)}"
    assert got[COORD_EN] == _sent_up_en(
        helper, helper, HELPER, "2 le générateur a lâché, il fait froid"
    )


async def test_a_check_in_status_in_words_is_not_sent_up(harness: Harness) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    got = await harness.text(HELPER, "40 personnes, génératrice en marche")
    assert "pas claire" in got[LEAD][0], "the lead still reads it"
    later = await harness.tick(minutes=5)
    assert _no_coordinator_told(later)


async def test_with_no_coordinator_the_lead_is_asked_again(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.tick()
    ana = await _roll_call_answer(harness, "2")
    got = await harness.tick(minutes=5)
    assert got[LEAD] == _sent_up_fr("N1", ana, ANA, "2")


CALL = "on est coincés au sous-sol avec grand-maman"


async def test_a_call_for_help_in_plain_words_nobody_takes_goes_to_the_coordinators(
    harness: Harness,
) -> None:
    await _hub(harness)
    got = await harness.text(ANA, CALL)
    assert "OK si vous vous en occupez" in got[LEAD][0]
    ana = f"M{await harness.person_id(ANA)}"
    assert await harness.tick(minutes=4, seconds=59) == {}
    later = await harness.tick(seconds=1)
    assert later[COORD_EN] == _sent_up_en(ana, ana, ANA, CALL)
    answered = await harness.text(COORD_EN, "OK")
    coordinator = f"M{await harness.person_id(COORD_EN)}"
    assert answered[ANA] == [f"{coordinator} a vu l'alerte et s'en occupe ({ana})."]


async def test_a_call_for_help_the_lead_answered_with_r_is_taken(harness: Harness) -> None:
    await _hub(harness)
    await harness.text(ANA, CALL)
    ana = f"M{await harness.person_id(ANA)}"
    answer = await harness.text(LEAD, f"R {ana} On arrive, 10 minutes.")
    assert any("On arrive" in t for t in answer[ANA])
    got = await harness.tick(minutes=5)
    assert _no_coordinator_told(got)


async def test_the_lead_taking_one_call_does_not_take_the_same_persons_next_one(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.text(ANA, CALL)
    taken = await harness.text(LEAD, "OK")
    ana = f"M{await harness.person_id(ANA)}"
    assert taken[ANA] == [f"M{await harness.person_id(LEAD)} a vu l'alerte et s'en occupe ({ana})."]
    await harness.tick(hours=1)
    await harness.text(ANA, "encore coincés, l'eau arrive au genou")
    got = await harness.tick(minutes=5)
    assert got[COORD_FR] == _sent_up_fr(ana, ana, ANA, "encore coincés, l'eau arrive au genou")


@pytest.mark.parametrize(
    ("kind", "label"),
    [("life_safety", "N7"), ("rollcall_help", "N7"), ("checkin_help", "M12 Marie: cuisine")],
)
def test_the_due_row_of_an_alert_names_what_it_asked_and_about_whom(kind: str, label: str) -> None:
    now = datetime(2027, 1, 14, 8, 0, tzinfo=UTC)
    due = unless_confirmed(Confirm(kind, label, 12, 3), now)
    assert (due.hub_id, due.at) == (3, now + CONFIRM_WITHIN)
    assert due_topic(due.ref) == (kind, label)


def test_a_911_case_due_row_from_before_calls_for_help_went_up_still_reads_as_one() -> None:
    assert due_topic("N7") == ("life_safety", "N7")
