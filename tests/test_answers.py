"""Reading check-in and roll-call answers: only a clear "fine" is fine, the rest reaches a human."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from hubbot.domain.answers import Awaiting, AwaitKind, Reading, newest, read_answer, restates
from hubbot.domain.playbook import Playbook

HELP = [
    "2",
    "2 eau dans le sous-sol, je suis coincée",
    "2 - coincé au 2e étage",
    "aide",
    "help",
    "SOS",
    "We are stuck on the roof",
    "Besoin de renforts a l'accueil",
    "ok but we need help with the generator",
    "ça va mais on est bloqués par l'eau",
]
UNCLEAR = [
    "pas vraiment",
    "bof",
    "not sure",
    "pas bien",
    "not ok",
    "ok mais inquiet pour mon voisin",
    "ça ne va pas",
    "12 personnes ici",
    "hmm",
    "Tout va bien sauf le chauffage",
]
FINE = [
    "ok",
    "OK!",
    "1",
    "okay",
    "tout va bien",
    "Ça va",
    "all good",
    "fine thanks",
    "busy but fine, radio working",
    "no problem",
    "pas de problème",
    "Rien à signaler",
    "1 tout roule",
    "pas besoin d'aide, tout va bien",
]


@pytest.mark.parametrize("text", HELP)
def test_an_answer_that_asks_for_help_counts_as_help(text: str, playbooks: dict[str, Playbook]):
    answer = read_answer(text, playbooks["community-hub"])
    assert answer.reading is Reading.HELP and answer.needs_a_human
    assert answer.text == text, "the person's own words are kept for the lead"


@pytest.mark.parametrize("text", UNCLEAR)
def test_an_answer_that_is_not_clearly_fine_is_unclear_never_fine(
    text: str, playbooks: dict[str, Playbook]
) -> None:
    answer = read_answer(text, playbooks["community-hub"])
    assert answer.reading is Reading.UNCLEAR and answer.needs_a_human


@pytest.mark.parametrize("text", FINE)
def test_a_clear_fine_in_either_language_is_fine(text: str, playbooks: dict[str, Playbook]):
    assert read_answer(text, playbooks["community-hub"]).reading is Reading.FINE


def test_a_life_safety_word_in_an_otherwise_fine_answer_runs_the_life_safety_path(
    playbooks: dict[str, Playbook],
) -> None:
    answer = read_answer("ok mais mon voisin ne respire pas", playbooks["community-hub"])
    assert answer.reading is Reading.HELP and answer.life_safety
    assert not read_answer("2 coincée", playbooks["community-hub"]).life_safety


def test_a_playbook_chooses_its_own_fine_words(playbooks: dict[str, Playbook]) -> None:
    shipped = playbooks["community-hub"]
    custom = dataclasses.replace(shipped, fine_words={"fr": ("impeccable",), "en": ()})
    assert read_answer("impeccable", custom).reading is Reading.FINE
    assert read_answer("impeccable", shipped).reading is Reading.UNCLEAR
    assert read_answer("ok", custom).reading is Reading.FINE, "OK and 1 are always fine"


def test_only_text_starting_with_ok_1_or_2_restates_an_answer() -> None:
    assert restates("2 finalement, l'eau monte") and restates("OK now") and restates("1")
    assert not restates("Il reste des couvertures ?") and not restates("12 personnes")


def test_a_bare_ok_settles_the_last_thing_the_person_was_asked() -> None:
    at = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    checkin = Awaiting(AwaitKind.CHECKIN, 1, at)
    alert = Awaiting(AwaitKind.ALERT, 7, at + timedelta(minutes=5), "N3")
    broadcast = Awaiting(AwaitKind.BROADCAST, 2, at + timedelta(minutes=1), "B2")
    assert newest((checkin, alert, broadcast)) == alert
    assert newest((checkin, broadcast)) == broadcast
    assert newest(()) is None
