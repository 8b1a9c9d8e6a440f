"""Timed work as events: each kind of due row, and the facts its decision needs.

The service loads an event's facts when its row falls due (service/rounds.py,
service/alerts.py) and the core decides what follows (domain/timed.py, domain/fanout.py).
Every hub in an event is the hub as timed work sees it: holders no message reaches are left
out of its roster, so their roles count as vacant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from hubbot.domain.ask_state import RoundState
from hubbot.domain.checkins import Ask
from hubbot.domain.models import Figures, Hub

SHIFT_CHECK = timedelta(minutes=15)  # how often long shifts are looked for


class DueKind(StrEnum):
    """What a row of the schedule runs; each has exactly one job (service/scheduler.py)."""

    ROUND = "round"  # the regular check-in round, which plans the next one
    MANUAL_ROUND = "manual_round"  # CHECKIN / POINTAGE: once, now
    STEP = "step"  # the end of a round's silent window: escalate, or close it
    SHIFTS = "shifts"  # look for holders to remind of a hand-over
    SITREP = "sitrep"  # the regular status report
    BROADCAST = "broadcast"  # a broadcast scheduled for later
    ROLLCALL_END = "rollcall_end"  # a roll call's window is over: the tally
    UNCONFIRMED = "unconfirmed"  # a 911 case or call for help still unconfirmed: tell those above


# When a region's timers fall due together (every hub opened at once; a restart after an
# outage), who may be in danger is heard of first: a 911 case or call nobody confirmed, a silent
# holder's escalation and a roll call's tally, then what a lead scheduled, then the asks;
# reports and hand-over reminders last.
_RUNNING_ORDER = (
    DueKind.UNCONFIRMED,
    DueKind.STEP,
    DueKind.ROLLCALL_END,
    DueKind.BROADCAST,
    DueKind.MANUAL_ROUND,
    DueKind.ROUND,
    DueKind.SITREP,
    DueKind.SHIFTS,
)
_RANK = {kind.value: rank for rank, kind in enumerate(_RUNNING_ORDER)}


def running_order(kind: str, due_at: datetime, row_id: int) -> tuple[int, datetime, int]:
    """Where a due row runs among those due at once: by kind (an unknown kind last), then
    when it fell due, then as written."""
    return _RANK.get(kind, len(_RANK)), due_at, row_id


@dataclass(frozen=True)
class RoundDue:
    """A check-in round falls due; `periodic`: the regular one, which plans the next."""

    hub: Hub | None  # None: the hub is gone
    checkin: str
    periodic: bool
    coordinators: tuple[int, ...] = ()  # those who can be told: not opted out


@dataclass(frozen=True)
class StepDue:
    """A round's silent window is over: the round as it stands, and who can be told."""

    round_id: int
    hub: Hub | None  # None: the round or its hub is gone
    checkin: str = ""
    step: int = 0  # escalation steps taken so far
    state: RoundState = RoundState.CLOSED
    asks: tuple[Ask, ...] = ()
    labels: Mapping[int, str] = field(default_factory=dict)  # "M12 Ana" of everyone asked
    coordinators: tuple[int, ...] = ()  # not opted out


@dataclass(frozen=True)
class LongShift:
    """A role held since before the shift length, whose holder was not reminded yet."""

    assignment_id: int
    person_id: int
    role: str


@dataclass(frozen=True)
class ShiftsDue:
    hub: Hub | None
    long_shifts: tuple[LongShift, ...] = ()
    labels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SitrepDue:
    """The regular report falls due; every coordinator gets it (the outbox holds what goes to
    one who opted out)."""

    hub: Hub | None
    figures: Figures | None = None
    coordinators: tuple[int, ...] = ()
    timezone: str = "America/Toronto"


@dataclass(frozen=True)
class BroadcastDue:
    """A scheduled broadcast's time came; `pending`: it exists and was not sent yet."""

    broadcast_id: int
    pending: bool


@dataclass(frozen=True)
class RollcallTally:
    """A roll call's answers so far: the safe, those who need help (unclear counts too), the
    silent, and who started it (None: nobody was asked)."""

    safe: int
    help: int
    silent: tuple[int, ...]
    by_person_id: int | None


@dataclass(frozen=True)
class UnconfirmedDue:
    """A 911 case's alert, or a call for help's, was to be confirmed by now: whether anyone
    asked did, and who else can be told. `hub_code` None: the hub is gone."""

    label: str  # what the alert is about: the critical need "N7", or a person "M12"
    hub_id: int | None
    hub_code: str | None
    confirmed: bool = False
    topic: str = "life_safety"  # what was asked (messages.Confirm.kind)
    answer: str | None = None  # a call for help: the person's answer now (1, 2, ?, or a reading)
    text: str = ""
    sender: str = ""  # the poster, as people see them
    contact: str = ""
    subject_id: int | None = None  # the poster
    waiting: tuple[int, ...] = ()  # those asked who have not confirmed
    coordinators: tuple[int, ...] = ()  # those a message reaches


@dataclass(frozen=True)
class RollcallEndDue:
    rollcall_id: int
    tally: RollcallTally
    labels: Mapping[int, str] = field(default_factory=dict)  # of the silent
