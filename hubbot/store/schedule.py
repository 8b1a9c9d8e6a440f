"""The schedule: every due time (rounds, escalation steps, reports) as a row, the truth that
survives restarts; and check-in rounds with their asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.domain.checkins import Ask, OpenRound
from hubbot.store.db import Database, from_iso, iso

Conn = aiosqlite.Connection


@dataclass(frozen=True)
class Due:
    id: int
    kind: str
    hub_id: int | None
    ref: str
    due_at: datetime


async def add(conn: Conn, kind: str, hub_id: int | None, ref: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO due (kind, hub_id, ref, due_at) VALUES (?, ?, ?, ?)",
        (kind, hub_id, ref, iso(at)),
    )


async def pending(conn: Conn) -> set[tuple[str, int | None, str]]:
    """(kind, hub, ref) of every row still to run: one look for all the hubs."""
    async with conn.execute("SELECT kind, hub_id, ref FROM due WHERE done_at IS NULL") as cursor:
        return {(str(r[0]), r[1], str(r[2])) for r in await cursor.fetchall()}


async def due_now(db: Database, now: datetime) -> list[Due]:
    rows = await db.fetchall(
        "SELECT id, kind, hub_id, ref, due_at FROM due WHERE done_at IS NULL AND due_at <= ?"
        " ORDER BY due_at, id",
        (iso(now),),
    )
    return [Due(r[0], r[1], r[2], r[3], from_iso(r[4]) or now) for r in rows]


async def next_time(db: Database) -> datetime | None:
    row = await db.fetchone("SELECT MIN(due_at) FROM due WHERE done_at IS NULL")
    return from_iso(row[0]) if row and row[0] else None


async def claim(conn: Conn, due_id: int, now: datetime) -> bool:
    """Mark a due row done; False if it already was (it must not run twice)."""
    cursor = await conn.execute(
        "UPDATE due SET done_at = ? WHERE id = ? AND done_at IS NULL", (iso(now), due_id)
    )
    return cursor.rowcount == 1


async def start_round(conn: Conn, hub_id: int, checkin: str, now: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO rounds (hub_id, checkin, started_at) VALUES (?, ?, ?)",
        (hub_id, checkin, iso(now)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def round_info(conn: Conn, round_id: int) -> tuple[int, str, int, bool] | None:
    """(hub id, check-in id, steps taken, closed) of a round."""
    async with conn.execute(
        "SELECT hub_id, checkin, step, closed_at FROM rounds WHERE id = ?", (round_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return (row[0], row[1], row[2], row[3] is not None) if row else None


async def advance_round(conn: Conn, round_id: int, close: bool, now: datetime) -> None:
    await conn.execute(
        "UPDATE rounds SET step = step + 1, closed_at = CASE WHEN ? THEN ? END WHERE id = ?",
        (int(close), iso(now), round_id),
    )


async def add_ask(conn: Conn, round_id: int, person_id: int | None, role: str, state: str) -> None:
    await conn.execute(
        "INSERT INTO asks (round_id, person_id, role, state) VALUES (?, ?, ?, ?)",
        (round_id, person_id, role, state),
    )


async def asks(conn: Conn, round_id: int) -> list[Ask]:
    async with conn.execute(
        "SELECT id, person_id, role, state, answer FROM asks WHERE round_id = ? ORDER BY id",
        (round_id,),
    ) as cursor:
        return [Ask(*row) for row in await cursor.fetchall()]


async def open_ask(conn: Conn, person_id: int) -> tuple[Ask, datetime] | None:
    """The person's check-in ask in an open round, answered or not, and when it was asked."""
    async with conn.execute(
        "SELECT a.id, a.person_id, a.role, a.state, a.answer, r.started_at FROM asks a"
        " JOIN rounds r ON r.id = a.round_id WHERE a.person_id = ?"
        " AND a.state IN ('waiting', 'ok', 'help', 'unclear')"
        " AND r.closed_at IS NULL ORDER BY a.id DESC LIMIT 1",
        (person_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return Ask(*row[:5]), from_iso(row[5]) or datetime.min


async def answer(conn: Conn, ask_id: int, state: str, text: str, now: datetime) -> None:
    """Every ask of the same person in the same round is answered at once; a later answer
    replaces an earlier one."""
    await conn.execute(
        "UPDATE asks SET state = ?, answer = ?, answered_at = ?"
        " WHERE state IN ('waiting', 'ok', 'help', 'unclear')"
        " AND round_id = (SELECT round_id FROM asks WHERE id = ?)"
        " AND person_id = (SELECT person_id FROM asks WHERE id = ?)",
        (state, text[:200], iso(now), ask_id, ask_id),
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
    cursor = await conn.execute(
        "UPDATE asks SET state = ? WHERE id = ? AND state IN ('waiting', 'unfilled')",
        ("unfilled" if vacant else "moved", ask_id),
    )
    if cursor.rowcount != 1:
        return False
    for person_id in to:
        await conn.execute(
            "INSERT INTO asks (round_id, person_id, role, state)"
            " SELECT round_id, ?, role, 'waiting' FROM asks WHERE id = ?",
            (person_id, ask_id),
        )
    return True


async def silence(conn: Conn, round_id: int) -> None:
    await conn.execute(
        "UPDATE asks SET state = 'silent' WHERE round_id = ? AND state = 'waiting'", (round_id,)
    )
