"""Check-in asks and rounds move only as the tables in domain/ask_state.py allow."""

from __future__ import annotations

import pytest

from hubbot.domain.ask_state import (
    ANSWERED,
    FINAL,
    AskEvent,
    AskState,
    RoundEvent,
    RoundState,
    answer_event,
    can_move,
    lands_on,
    moved_by,
    next_round_state,
    next_state,
)


def test_a_waiting_ask_takes_an_answer() -> None:
    assert next_state(AskState.WAITING, AskEvent.OK) is AskState.OK
    assert next_state(AskState.WAITING, AskEvent.HELP) is AskState.HELP
    assert next_state(AskState.WAITING, AskEvent.UNCLEAR) is AskState.UNCLEAR


def test_a_later_answer_replaces_an_earlier_one() -> None:
    assert next_state(AskState.OK, AskEvent.HELP) is AskState.HELP
    assert next_state(AskState.HELP, AskEvent.OK) is AskState.OK
    assert next_state(AskState.UNCLEAR, AskEvent.OK) is AskState.OK


def test_only_a_waiting_ask_falls_silent_when_its_round_closes() -> None:
    assert next_state(AskState.WAITING, AskEvent.ROUND_CLOSED) is AskState.SILENT
    for state in (AskState.OK, AskState.HELP, AskState.UNCLEAR, AskState.UNFILLED):
        assert next_state(state, AskEvent.ROUND_CLOSED) is None, state
    assert moved_by(AskEvent.ROUND_CLOSED) == {AskState.WAITING}


def test_a_roster_change_moves_waiting_and_unfilled_asks_only() -> None:
    assert next_state(AskState.WAITING, AskEvent.ROLE_MOVED) is AskState.MOVED
    assert next_state(AskState.WAITING, AskEvent.ROLE_VACANT) is AskState.UNFILLED
    assert next_state(AskState.UNFILLED, AskEvent.ROLE_MOVED) is AskState.MOVED
    assert next_state(AskState.OK, AskEvent.ROLE_MOVED) is None, "an answer stays as it was"


@pytest.mark.parametrize("state", sorted(FINAL))
@pytest.mark.parametrize("event", list(AskEvent))
def test_a_final_state_is_never_overwritten(state: AskState, event: AskEvent) -> None:
    assert next_state(state, event) is None


def test_silent_and_moved_are_the_final_states() -> None:
    assert {AskState.SILENT, AskState.MOVED} == FINAL


def test_no_move_leads_back_to_waiting() -> None:
    assert not any(can_move(state, AskState.WAITING) for state in AskState)


def test_can_move_agrees_with_the_events() -> None:
    for state in AskState:
        reachable = {next_state(state, event) for event in AskEvent} - {None}
        assert {to for to in AskState if can_move(state, to)} == reachable, state


def test_each_event_lands_on_one_state_whatever_it_moved_from() -> None:
    assert lands_on(AskEvent.ROUND_CLOSED) is AskState.SILENT
    assert lands_on(AskEvent.ROLE_VACANT) is AskState.UNFILLED
    assert {lands_on(answer_event(s)) for s in ("ok", "help", "unclear")} == ANSWERED


def test_an_answer_may_land_on_a_waiting_or_answered_ask() -> None:
    assert moved_by(AskEvent.OK) == {AskState.WAITING} | ANSWERED


def test_a_state_that_is_no_answer_is_refused_as_one() -> None:
    with pytest.raises(ValueError):
        answer_event("silent")


def test_states_read_from_the_store_as_text_move_the_same() -> None:
    assert next_state("waiting", AskEvent.OK) is AskState.OK


def test_a_round_takes_steps_while_open_and_closes_once() -> None:
    assert next_round_state(RoundState.OPEN, RoundEvent.STEP) is RoundState.OPEN
    assert next_round_state(RoundState.OPEN, RoundEvent.CLOSE) is RoundState.CLOSED
    assert next_round_state(RoundState.CLOSED, RoundEvent.STEP) is None
    assert next_round_state(RoundState.CLOSED, RoundEvent.CLOSE) is None
