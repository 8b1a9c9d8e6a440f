"""The schedule: every due time (rounds, escalation steps, reports) as a row, the truth that
survives restarts; and check-in rounds with their asks, moved only as domain/ask_state.py
allows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hubbot.domain.ask_state import (
    AskEvent,
    AskState,
    RoundState,
    answer_event,
    lands_on,
    moved_by,
)
from hubbot.domain.checkins import Ask, OpenRound
from hubbot.domain.jobs import DueKind
from hubbot.store.conn import Conn, Row, Store
from hubbot.store.db import from_iso, iso
from hubbot.store.pg_connection import PgConnection


@dataclass(frozen=True)
class Due:
    id: int
    kind: str
    hub_id: int | None
    ref: str
    due_at: datetime


@dataclass(frozen=True)
class RoundInfo:
    hub_id: int
    checkin: str
    step: int  # escalation steps taken
    state: RoundState


def _states(states: frozenset[AskState]) -> str:
    """A state list for SQL: the values are the enum's own, never text from outside."""
    return ", ".join(f"'{state.value}'" for state in sorted(states))


# An answer may land on these; these fall silent when their round closes.
_ANSWERABLE = _states(moved_by(AskEvent.OK))
_SILENCED = _states(moved_by(AskEvent.ROUND_CLOSED))


def _ask(row: Row | tuple[Any, ...]) -> Ask:
    return Ask(row[0], row[1], row[2], AskState(row[3]), row[4])


async def add(conn: Conn, kind: DueKind, hub_id: int | None, ref: str, at: datetime) -> None:
    """Schedule timed work; only a known kind (each has its job) can be written."""
    await conn.execute(
        "INSERT INTO due (kind, hub_id, ref, due_at) VALUES (?, ?, ?, ?)",
        (DueKind(kind).value, hub_id, ref, iso(at)),
    )


async def pending(conn: Conn) -> set[tuple[str, int | None, str]]:
    """(kind, hub, ref) of every row still to run: one look for all the hubs."""
    async with conn.execute("SELECT kind, hub_id, ref FROM due WHERE done_at IS NULL") as cursor:
        return {(str(r[0]), r[1], str(r[2])) for r in await cursor.fetchall()}


async def due_now(db: Store, now: datetime) -> list[Due]:
    rows = await db.fetchall(
        "SELECT id, kind, hub_id, ref, due_at FROM due WHERE done_at IS NULL AND due_at <= ?"
        " ORDER BY due_at, id",
        (iso(now),),
    )
    return [Due(r[0], r[1], r[2], r[3], from_iso(r[4]) or now) for r in rows]


async def next_time(db: Store) -> datetime | None:
    row = await db.fetchone("SELECT MIN(due_at) FROM due WHERE done_at IS NULL")
    return from_iso(row[0]) if row and row[0] else None


async def claim(conn: Conn, due_id: int, now: datetime) -> bool:
    """Mark a due row done; False if it already was (it must not run twice)."""
    return due_id in await claim_many(conn, [due_id], now)


async def claim_many(conn: Conn, due_ids: list[int], now: datetime) -> set[int]:
    """Mark many due rows done at once; the ids that were not done yet (each runs once)."""
    if not due_ids:
        return set()
    listed = f"id IN ({','.join('?' * len(due_ids))}) AND done_at IS NULL"
    if isinstance(conn, PgConnection):
        # A row another worker is running (locked) is passed over, not waited for.
        listed = f"id IN (SELECT id FROM due WHERE {listed} FOR UPDATE SKIP LOCKED)"
    async with conn.execute(
        f"UPDATE due SET done_at = ? WHERE {listed} RETURNING id", (iso(now), *due_ids)
    ) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def add_many(conn: Conn, rows: list[tuple[DueKind, int | None, str, datetime]]) -> None:
    """`add` for many rows (kind, hub, ref, at), in one statement."""
    if rows:
        await conn.executemany(
            "INSERT INTO due (kind, hub_id, ref, due_at) VALUES (?, ?, ?, ?)",
            [(DueKind(kind).value, hub_id, ref, iso(at)) for kind, hub_id, ref, at in rows],
        )


async def start_round(conn: Conn, hub_id: int, checkin: str, now: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO rounds (hub_id, checkin, started_at) VALUES (?, ?, ?)",
        (hub_id, checkin, iso(now)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def start_rounds(conn: Conn, rounds: list[tuple[int, str]], now: datetime) -> list[int]:
    """`start_round` for many (hub, check-in), in one statement; their ids, in order."""
    if not rounds:
        return []
    async with conn.execute(
        "INSERT INTO rounds (hub_id, checkin, started_at) VALUES"
        f" {', '.join(['(?, ?, ?)'] * len(rounds))} RETURNING id, hub_id, checkin",
        tuple(v for hub_id, checkin in rounds for v in (hub_id, checkin, iso(now))),
    ) as cursor:
        made = sorted((int(r[0]), int(r[1]), str(r[2])) for r in await cursor.fetchall())
    # RETURNING comes in no set order: the ids go by (hub, check-in), the lowest first, as
    # when inserted one by one (two rounds of one check-in at one time are alike).
    ids: dict[tuple[int, str], list[int]] = {}
    for round_id, hub_id, checkin in made:
        ids.setdefault((hub_id, checkin), []).append(round_id)
    return [ids[key].pop(0) for key in rounds]


def _round_info(row: Row | tuple[Any, ...]) -> RoundInfo:
    """(hub_id, checkin, step, closed_at) as a RoundInfo."""
    state = RoundState.OPEN if row[3] is None else RoundState.CLOSED
    return RoundInfo(int(row[0]), str(row[1]), int(row[2]), state)


async def round_info(conn: Conn, round_id: int) -> RoundInfo | None:
    async with conn.execute(
        "SELECT hub_id, checkin, step, closed_at FROM rounds WHERE id = ?", (round_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _round_info(row)


async def rounds_info(conn: Conn, round_ids: Collection[int]) -> dict[int, RoundInfo]:
    """`round_info` for many rounds, by id; a round that is gone is left out."""
    if not round_ids:
        return {}
    async with conn.execute(
        "SELECT id, hub_id, checkin, step, closed_at FROM rounds"
        f" WHERE id IN ({','.join('?' * len(round_ids))})",
        tuple(round_ids),
    ) as cursor:
        return {int(r[0]): _round_info(tuple(r)[1:]) for r in await cursor.fetchall()}


async def advance_round(conn: Conn, round_id: int, close: bool, now: datetime) -> None:
    """One escalation step; `close`: the round is over and its waiting asks fall silent. A
    closed round takes no more steps and is never reopened."""
    if close:
        await conn.execute(
            f"UPDATE asks SET state = ? WHERE round_id = ? AND state IN ({_SILENCED})",
            (lands_on(AskEvent.ROUND_CLOSED).value, round_id),
        )
    await conn.execute(
        "UPDATE rounds SET step = step + 1, closed_at = CASE WHEN ? THEN ? END"
        " WHERE id = ? AND closed_at IS NULL",
        (int(close), iso(now), round_id),
    )


_ADD_ASK = "INSERT INTO asks (round_id, person_id, role, state) VALUES (?, ?, ?, ?)"


def _asked(person_id: int | None) -> str:
    """A new ask's state: with nobody holding the role, it is unfilled."""
    return (AskState.UNFILLED if person_id is None else AskState.WAITING).value


async def add_ask(conn: Conn, round_id: int, person_id: int | None, role: str) -> None:
    """Ask the person for the role; with nobody holding the role, the ask is unfilled."""
    await conn.execute(_ADD_ASK, (round_id, person_id, role, _asked(person_id)))


async def add_asks(conn: Conn, rows: list[tuple[int, int | None, str]]) -> None:
    """`add_ask` for many (round, person, role), in one statement."""
    if rows:
        await conn.executemany(_ADD_ASK, [(r, p, role, _asked(p)) for r, p, role in rows])


async def asks(conn: Conn, round_id: int) -> list[Ask]:
    async with conn.execute(
        "SELECT id, person_id, role, state, answer FROM asks WHERE round_id = ? ORDER BY id",
        (round_id,),
    ) as cursor:
        return [_ask(row) for row in await cursor.fetchall()]


async def asks_of(conn: Conn, round_ids: Collection[int]) -> dict[int, list[Ask]]:
    """`asks` for many rounds, by round."""
    found: dict[int, list[Ask]] = {round_id: [] for round_id in round_ids}
    if round_ids:
        async with conn.execute(
            "SELECT round_id, id, person_id, role, state, answer FROM asks"
            f" WHERE round_id IN ({','.join('?' * len(round_ids))}) ORDER BY id",
            tuple(round_ids),
        ) as cursor:
            for row in await cursor.fetchall():
                found[int(row[0])].append(_ask(tuple(row)[1:]))
    return found


async def open_ask(conn: Conn, person_id: int) -> tuple[Ask, datetime] | None:
    """The person's check-in ask in an open round, answered or not, and when it was asked."""
    async with conn.execute(
        "SELECT a.id, a.person_id, a.role, a.state, a.answer, r.started_at FROM asks a"
        " JOIN rounds r ON r.id = a.round_id WHERE a.person_id = ?"
        f" AND a.state IN ({_ANSWERABLE})"
        " AND r.closed_at IS NULL ORDER BY a.id DESC LIMIT 1",
        (person_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return _ask(row), from_iso(row[5]) or datetime.min


async def answer(conn: Conn, ask_id: int, state: str, text: str, now: datetime) -> None:
    """Every ask of the same person in the same round is answered at once; a later answer
    replaces an earlier one; a silent or moved ask keeps its state."""
    event = answer_event(state)
    await conn.execute(
        "UPDATE asks SET state = ?, answer = ?, answered_at = ?"
        f" WHERE state IN ({_states(moved_by(event))})"
        " AND round_id = (SELECT round_id FROM asks WHERE id = ?)"
        " AND person_id = (SELECT person_id FROM asks WHERE id = ?)",
        (lands_on(event).value, text[:200], iso(now), ask_id, ask_id),
    )


async def open_rounds(conn: Conn, hub_id: int) -> list[OpenRound]:
    """The hub's rounds under way, each with all its asks."""
    async with conn.execute(
        "SELECT id, checkin FROM rounds WHERE hub_id = ? AND closed_at IS NULL ORDER BY id",
        (hub_id,),
    ) as cursor:
        rounds = list(await cursor.fetchall())
    return [OpenRound(r[0], r[1], tuple(await asks(conn, r[0]))) for r in rounds]


async def move_ask(conn: Conn, ask_id: int, to: tuple[int, ...], vacant: bool) -> bool:
    """Close an open ask (unfilled if its role is vacant now, else moved) and ask `to` in its
    round instead. False if it was no longer open: it is not moved twice."""
    event = AskEvent.ROLE_VACANT if vacant else AskEvent.ROLE_MOVED
    cursor = await conn.execute(
        f"UPDATE asks SET state = ? WHERE id = ? AND state IN ({_states(moved_by(event))})",
        (lands_on(event).value, ask_id),
    )
    if cursor.rowcount != 1:
        return False
    for person_id in to:
        await conn.execute(
            "INSERT INTO asks (round_id, person_id, role, state)"
            " SELECT round_id, ?, role, ? FROM asks WHERE id = ?",
            (person_id, AskState.WAITING.value, ask_id),
        )
    return True
