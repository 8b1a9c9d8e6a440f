"""The effects of timed work: check-in rounds and their asks, due rows, shift reminders,
scheduled broadcasts and roll calls (decided in domain/timed.py and domain/fanout.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.jobs import DueKind


@dataclass(frozen=True)
class MoveAsk:
    """A check-in ask follows the role: closed (unfilled if `vacant`), `to` asked instead."""

    ask_id: int
    to: tuple[int, ...]
    vacant: bool


@dataclass(frozen=True)
class ScheduleDue:
    """Timed work of this kind falls due at `at` (domain/jobs.py); `ref` says which round,
    check-in, broadcast or roll call."""

    kind: DueKind
    hub_id: int | None
    ref: str
    at: datetime


@dataclass(frozen=True)
class StartRound:
    """A check-in round opens with these asks: (person, role), no person when nobody holds the
    role. Its first silent window ends at `step_at`."""

    hub_id: int
    checkin: str
    asks: tuple[tuple[int | None, str], ...]
    step_at: datetime


@dataclass(frozen=True)
class AdvanceRound:
    """A round takes one escalation step; `close`: it is over and its waiting asks fall silent."""

    round_id: int
    close: bool


@dataclass(frozen=True)
class MarkReminded:
    """The holder of this role assignment was reminded to hand over: not again this shift."""

    assignment_id: int


@dataclass(frozen=True)
class SendBroadcast:
    """A stored broadcast goes out now, to its audience as it is now (domain/fanout.py)."""

    broadcast_id: int


@dataclass(frozen=True)
class CloseRollcall:
    rollcall_id: int
