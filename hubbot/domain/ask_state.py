"""Check-in asks and rounds as states, and the only moves between them.

Invariants (the store writes no state these tables do not allow):
- An ask starts WAITING (someone holds the role) or UNFILLED (nobody does).
- An answer (OK, HELP, UNCLEAR) is taken while the ask waits, or replaces an earlier answer.
- Only a waiting ask falls SILENT, when its round closes; answered and unfilled asks keep
  their state, so the summary still shows them.
- When the roster changes, a waiting or unfilled ask is closed: MOVED (its role's holders are
  asked instead) or UNFILLED (nobody holds the role now).
- SILENT and MOVED are final: nothing overwrites them, not even a late answer.
- A round is OPEN, takes escalation steps while open, and is CLOSED once: never reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class AskState(StrEnum):
    WAITING = "waiting"
    OK = "ok"
    HELP = "help"
    UNCLEAR = "unclear"
    SILENT = "silent"
    UNFILLED = "unfilled"
    MOVED = "moved"


class AskEvent(StrEnum):
    OK = "ok"  # the person answered they are fine
    HELP = "help"  # they need help
    UNCLEAR = "unclear"  # an answer hubbot cannot read as fine: the lead looks
    ROUND_CLOSED = "round_closed"
    ROLE_MOVED = "role_moved"  # the role's holders changed: they are asked instead
    ROLE_VACANT = "role_vacant"  # nobody holds the role now


class RoundState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RoundEvent(StrEnum):
    STEP = "step"  # one silent window passed: repeat, tell the lead, tell the coordinators
    CLOSE = "close"


_ANSWERS = {
    AskEvent.OK: AskState.OK,
    AskEvent.HELP: AskState.HELP,
    AskEvent.UNCLEAR: AskState.UNCLEAR,
}
_ASK_MOVES: Mapping[AskState, Mapping[AskEvent, AskState]] = {
    AskState.WAITING: {
        **_ANSWERS,
        AskEvent.ROUND_CLOSED: AskState.SILENT,
        AskEvent.ROLE_MOVED: AskState.MOVED,
        AskEvent.ROLE_VACANT: AskState.UNFILLED,
    },
    AskState.OK: _ANSWERS,
    AskState.HELP: _ANSWERS,
    AskState.UNCLEAR: _ANSWERS,
    AskState.UNFILLED: {AskEvent.ROLE_MOVED: AskState.MOVED},
    AskState.SILENT: {},
    AskState.MOVED: {},
}
_ROUND_MOVES: Mapping[RoundState, Mapping[RoundEvent, RoundState]] = {
    RoundState.OPEN: {RoundEvent.STEP: RoundState.OPEN, RoundEvent.CLOSE: RoundState.CLOSED},
    RoundState.CLOSED: {},
}

FINAL = frozenset(state for state, moves in _ASK_MOVES.items() if not moves)
ANSWERED = frozenset(_ANSWERS.values())
# States in which the ask no longer stands for anyone being asked for the role in this round.
CLOSED = frozenset({AskState.MOVED, AskState.UNFILLED})


def next_state(state: AskState, event: AskEvent) -> AskState | None:
    """Where the event takes an ask in this state; None: it does not apply, nothing changes."""
    return _ASK_MOVES[AskState(state)].get(event)


def can_move(state: AskState, to: AskState) -> bool:
    return to in _ASK_MOVES[AskState(state)].values()


def moved_by(event: AskEvent) -> frozenset[AskState]:
    """Every state the event moves an ask out of: what the store may update for it."""
    return frozenset(state for state, moves in _ASK_MOVES.items() if event in moves)


def lands_on(event: AskEvent) -> AskState:
    """The one state the event moves every ask to (whatever it was), as the store writes it."""
    (state,) = {moves[event] for moves in _ASK_MOVES.values() if event in moves}
    return state


def next_round_state(state: RoundState, event: RoundEvent) -> RoundState | None:
    """Where the event takes a round; None: a closed round takes no more steps."""
    return _ROUND_MOVES[RoundState(state)].get(event)


def answer_event(state: str) -> AskEvent:
    """The event of an answer classified as ok | help | unclear (domain/answers.py)."""
    event = AskEvent(state)
    if event not in _ANSWERS:
        raise ValueError(f"not an answer: {state}")
    return event
