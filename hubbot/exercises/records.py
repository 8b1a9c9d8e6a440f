"""What an exercise left in its database, read once at the end for the transcript and report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hubbot.exercises.loader import Scenario
from hubbot.exercises.schema import InjectSpec
from hubbot.store.conn import Store
from hubbot.store.db import from_iso, iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    id: int
    address: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Outbound:
    id: int
    address: str
    channel: str
    text: str
    priority: str
    status: str
    created: datetime
    sent: datetime | None
    inbound_id: int | None
    segments: int


@dataclass(frozen=True)
class Assignment:
    person_id: int
    role: str
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Item:
    kind: str
    number: int
    person_id: int
    text: str
    created: datetime


@dataclass(frozen=True)
class Ask:
    kind: str  # checkin | rollcall
    person_id: int
    answer: str | None
    answered: datetime | None


@dataclass
class Records:
    """Everything the report needs, with people known by their addresses."""

    inbound: list[Inbound] = field(default_factory=list)
    outbound: list[Outbound] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    matches: dict[int, datetime] = field(default_factory=dict)  # need number -> when matched
    asks: list[Ask] = field(default_factory=list)
    person_of: dict[str, int] = field(default_factory=dict)  # address -> person id
    opened: datetime | None = None

    def addresses_of(self, person_id: int) -> set[str]:
        return {address for address, pid in self.person_of.items() if pid == person_id}

    def roles_at(self, person_id: int, when: datetime) -> list[str]:
        return [
            a.role
            for a in self.assignments
            if a.person_id == person_id and a.start <= when and (a.end is None or when < a.end)
        ]


@dataclass(frozen=True)
class Window:
    """A live run's share of a database others use too: its span, and the addresses the run
    texted from (the hub's members are the drill's as well)."""

    start: datetime
    end: datetime
    addresses: frozenset[str]

    def sql(self, column: str) -> tuple[str, tuple[str, str]]:
        """A condition keeping `column` (a stored time) within the window, and its values."""
        return f" AND {column} >= ? AND {column} <= ?", (str(iso(self.start)), str(iso(self.end)))


def _when(value: object) -> datetime:
    found = from_iso(str(value)) if value else None
    assert found is not None, "a time the store always writes"
    return found


async def collect(
    db: Store,
    hub_id: int,
    segments: Callable[[str, str], int],
    window: Window | None = None,
) -> Records:
    """Read the exercise's messages, roles, board and answers from its store; with a `window`,
    only what happened in it, to the hub's members or the run's own addresses."""
    records = Records()

    def within(column: str) -> tuple[str, tuple[str, ...]]:
        return window.sql(column) if window is not None else ("", ())

    where, span = within("received_at")
    for row in await db.fetchall(
        f"SELECT id, address, text, received_at FROM inbound WHERE 1 = 1{where} ORDER BY id", span
    ):
        records.inbound.append(Inbound(row[0], row[1], row[2], _when(row[3])))
    where, span = within("created_at")
    for row in await db.fetchall(
        "SELECT id, address, channel, text, priority, status, created_at, sent_at, inbound_id"
        f" FROM outbox WHERE 1 = 1{where} ORDER BY id",
        span,
    ):
        sent = from_iso(row[7]) if row[7] else None
        records.outbound.append(
            Outbound(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                _when(row[6]),
                sent,
                row[8],
                segments(row[2], row[3]),
            )
        )
    where, span = within("assigned_at")
    for row in await db.fetchall(
        "SELECT person_id, role_id, assigned_at, unassigned_at FROM role_assignments"
        f" WHERE hub_id = ?{where} ORDER BY id",
        (hub_id, *span),
    ):
        end = from_iso(row[3]) if row[3] else None
        records.assignments.append(Assignment(row[0], row[1], _when(row[2]), end))
    where, span = within("created_at")
    for row in await db.fetchall(
        "SELECT kind, number, person_id, text, created_at FROM items"
        f" WHERE hub_id = ?{where} ORDER BY id",
        (hub_id, *span),
    ):
        records.items.append(Item(row[0], row[1], row[2], row[3], _when(row[4])))
    for row in await db.fetchall(
        f"SELECT need, MIN(created_at) FROM matches WHERE hub_id = ?{where} GROUP BY need",
        (hub_id, *span),
    ):
        records.matches[int(row[0])] = _when(row[1])
    where, span = within("r.started_at")
    for row in await db.fetchall(
        "SELECT a.person_id, a.answer, a.answered_at FROM asks a JOIN rounds r ON r.id ="
        f" a.round_id WHERE r.hub_id = ? AND a.person_id IS NOT NULL{where}",
        (hub_id, *span),
    ):
        answered = from_iso(row[2]) if row[2] else None
        records.asks.append(Ask("checkin", row[0], row[1], answered))
    where, span = within("rc.started_at")
    for row in await db.fetchall(
        "SELECT ra.person_id, ra.answer, ra.answered_at FROM rollcall_answers ra"
        f" JOIN rollcalls rc ON rc.id = ra.rollcall_id WHERE rc.hub_id = ?{where}",
        (hub_id, *span),
    ):
        answered = from_iso(row[2]) if row[2] else None
        records.asks.append(Ask("rollcall", row[0], row[1], answered))
    for row in await db.fetchall("SELECT address, person_id FROM addresses"):
        records.person_of[row[0]] = row[1]
    where, span = within("at")
    row = await db.fetchone(
        "SELECT MIN(at) FROM activity_log WHERE hub_id = ? AND action = 'hub_opened'" + where,
        (hub_id, *span),
    )
    records.opened = from_iso(row[0]) if row and row[0] else None
    if window is not None:
        await _keep_the_drill(db, hub_id, window, records)
    return records


async def _keep_the_drill(db: Store, hub_id: int, window: Window, records: Records) -> None:
    """Drop the messages of people outside the drill: a live run shares its database with
    every other hub's traffic of the moment."""
    rows = await db.fetchall("SELECT person_id FROM memberships WHERE hub_id = ?", (hub_id,))
    members = {row[0] for row in rows}
    ours = set(window.addresses) | {a for a, p in records.person_of.items() if p in members}
    records.inbound = [m for m in records.inbound if m.address in ours]
    asked = {m.id for m in records.inbound}
    records.outbound = [
        out for out in records.outbound if out.address in ours or out.inbound_id in asked
    ]


@dataclass
class Run:
    """What a finished run hands to the report."""

    scenario: Scenario
    t0: datetime
    end: datetime
    records: Records
    personas: dict[str, str]  # address -> persona id; crowd members are not personas
    crowd: set[str]
    played: list[tuple[InjectSpec, str]]  # each inject and what became of it
    wall_seconds: float
    hub_id: int
    priority_roles: tuple[str, ...]
    role_names: dict[str, str]
    life_safety: set[int] = field(default_factory=set)  # inbound ids of life-safety texts
    # A live run (`hubbot exercise live`): the hub played, the speed, and what it could not do.
    hub_code: str | None = None
    speed: float | None = None  # None: played in-process on a simulated clock
    notes: list[str] = field(default_factory=list)
