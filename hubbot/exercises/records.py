"""What an exercise left in its database, read once at the end for the transcript and report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from hubbot.exercises.loader import Scenario
from hubbot.exercises.schema import InjectSpec
from hubbot.store.conn import Store
from hubbot.store.db import from_iso

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


def _when(value: object) -> datetime:
    found = from_iso(str(value)) if value else None
    assert found is not None, "a time the store always writes"
    return found


async def collect(db: Store, hub_id: int, segments: Callable[[str, str], int]) -> Records:
    """Read the exercise's messages, roles, board and answers from its store."""
    records = Records()
    for row in await db.fetchall("SELECT id, address, text, received_at FROM inbound ORDER BY id"):
        records.inbound.append(Inbound(row[0], row[1], row[2], _when(row[3])))
    for row in await db.fetchall(
        "SELECT id, address, channel, text, priority, status, created_at, sent_at, inbound_id"
        " FROM outbox ORDER BY id"
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
    for row in await db.fetchall(
        "SELECT person_id, role_id, assigned_at, unassigned_at FROM role_assignments"
        " WHERE hub_id = ? ORDER BY id",
        (hub_id,),
    ):
        end = from_iso(row[3]) if row[3] else None
        records.assignments.append(Assignment(row[0], row[1], _when(row[2]), end))
    for row in await db.fetchall(
        "SELECT kind, number, person_id, text, created_at FROM items WHERE hub_id = ? ORDER BY id",
        (hub_id,),
    ):
        records.items.append(Item(row[0], row[1], row[2], row[3], _when(row[4])))
    for row in await db.fetchall(
        "SELECT need, MIN(created_at) FROM matches WHERE hub_id = ? GROUP BY need", (hub_id,)
    ):
        records.matches[int(row[0])] = _when(row[1])
    for row in await db.fetchall(
        "SELECT a.person_id, a.answer, a.answered_at FROM asks a"
        " JOIN rounds r ON r.id = a.round_id WHERE r.hub_id = ? AND a.person_id IS NOT NULL",
        (hub_id,),
    ):
        answered = from_iso(row[2]) if row[2] else None
        records.asks.append(Ask("checkin", row[0], row[1], answered))
    for row in await db.fetchall(
        "SELECT ra.person_id, ra.answer, ra.answered_at FROM rollcall_answers ra"
        " JOIN rollcalls rc ON rc.id = ra.rollcall_id WHERE rc.hub_id = ?",
        (hub_id,),
    ):
        answered = from_iso(row[2]) if row[2] else None
        records.asks.append(Ask("rollcall", row[0], row[1], answered))
    for row in await db.fetchall("SELECT address, person_id FROM addresses"):
        records.person_of[row[0]] = row[1]
    row = await db.fetchone(
        "SELECT MIN(at) FROM activity_log WHERE hub_id = ? AND action = 'hub_opened'", (hub_id,)
    )
    records.opened = from_iso(row[0]) if row and row[0] else None
    return records


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
