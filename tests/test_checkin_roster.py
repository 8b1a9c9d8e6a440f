"""Check-in asks follow the roster: who is asked in whose place, and which roles fall vacant."""

from __future__ import annotations

from hubbot.domain.checkins import Ask, Move, follow_roster

ANA, BEN, CLO = 1, 2, 3


def test_an_ask_whose_person_still_holds_the_role_stays_as_it_is() -> None:
    asks = [Ask(10, ANA, "reception", "waiting")]
    assert follow_roster(asks, {"reception": (ANA, BEN)}) == []


def test_a_waiting_ask_moves_to_the_new_holder_who_gets_the_prompt() -> None:
    asks = [Ask(10, ANA, "reception", "waiting")]
    assert follow_roster(asks, {"reception": (BEN,)}) == [
        Move(10, "reception", (BEN,), vacant=False, prompt=(BEN,))
    ]


def test_every_new_holder_is_asked_when_the_role_has_several() -> None:
    asks = [Ask(10, ANA, "reception", "waiting")]
    assert follow_roster(asks, {"reception": (BEN, CLO)}) == [
        Move(10, "reception", (BEN, CLO), vacant=False, prompt=(BEN, CLO))
    ]


def test_with_nobody_in_the_role_the_ask_becomes_unfilled_once_per_role() -> None:
    asks = [Ask(10, ANA, "reception", "waiting"), Ask(11, BEN, "reception", "waiting")]
    assert follow_roster(asks, {}) == [
        Move(10, "reception", (), vacant=True),
        Move(11, "reception", (), vacant=False),
    ]


def test_a_co_holder_who_already_answered_for_the_role_is_not_asked_again() -> None:
    asks = [Ask(10, ANA, "reception", "waiting"), Ask(11, BEN, "reception", "ok", "OK")]
    assert follow_roster(asks, {"reception": (BEN,)}) == [Move(10, "reception", ())]


def test_someone_already_waiting_on_another_role_is_asked_without_a_second_prompt() -> None:
    asks = [Ask(10, ANA, "reception", "waiting"), Ask(11, BEN, "needs_offers", "waiting")]
    roster = {"reception": (BEN,), "needs_offers": (BEN,)}
    assert follow_roster(asks, roster) == [Move(10, "reception", (BEN,), prompt=())]


def test_answers_given_before_leaving_the_role_are_kept() -> None:
    asks = [Ask(10, ANA, "reception", "ok", "OK"), Ask(11, ANA, "facility", "help", "2")]
    assert follow_roster(asks, {}) == []


def test_a_role_nobody_held_when_the_round_began_is_asked_of_its_holder_now() -> None:
    asks = [Ask(10, None, "communications", "unfilled")]
    assert follow_roster(asks, {"communications": (CLO,)}) == [
        Move(10, "communications", (CLO,), prompt=(CLO,))
    ]


def test_a_role_still_vacant_stays_unfilled_and_is_not_reported_again() -> None:
    asks = [Ask(10, None, "communications", "unfilled"), Ask(11, ANA, "communications", "waiting")]
    assert follow_roster(asks, {}) == [Move(11, "communications", (), vacant=False)]


def test_a_role_handed_back_asks_its_first_holder_again() -> None:
    # Ana handed reception to Ben (her ask moved), then Ben handed it back.
    asks = [Ask(10, ANA, "reception", "moved"), Ask(11, BEN, "reception", "waiting")]
    assert follow_roster(asks, {"reception": (ANA,)}) == [
        Move(11, "reception", (ANA,), prompt=(ANA,))
    ]
