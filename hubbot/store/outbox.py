"""The outbox: every message we send, rendered, with its lane, status and attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.store.db import Database, iso

Conn = aiosqlite.Connection

LANE_ORDER = "CASE priority WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END"


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    person_id: int | None
    address: str
    channel: str
    text: str
    priority: str
    status: str
    attempts: int
    error: str | None
    created_at: str


_COLUMNS = "id, person_id, address, channel, text, priority, status, attempts, error, created_at"


async def enqueue(
    conn: Conn,
    *,
    person_id: int | None,
    address: str,
    text: str,
    priority: str,
    now: datetime,
    msg_key: str | None = None,
    inbound_id: int | None = None,
    status: str = "pending",
    error: str | None = None,
) -> int:
    channel = address.split(":", 1)[0]
    cursor = await conn.execute(
        "INSERT INTO outbox (person_id, address, channel, text, msg_key, priority, status,"
        " next_attempt_at, error, inbound_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person_id,
            address,
            channel,
            text,
            msg_key,
            priority,
            status,
            iso(now),
            error,
            inbound_id,
            iso(now),
            iso(now),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def due(db: Database, now: datetime, limit: int = 50) -> list[OutboxRecord]:
    """Pending messages whose time has come: urgent first, then in the order they were made.

    A message waits while an older one to the same address is still unsent, so each person
    gets their messages in order.
    """
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox o WHERE status = 'pending' AND next_attempt_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.address = o.address AND p.id < o.id"
        "   AND p.status IN ('pending', 'sending'))"
        f" ORDER BY {LANE_ORDER}, id LIMIT ?",
        (iso(now), limit),
    )
    return [OutboxRecord(*row) for row in rows]


async def next_due_time(db: Database) -> str | None:
    row = await db.fetchone("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
    return row[0] if row else None


async def set_status(
    db: Database,
    outbox_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    provider_id: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = False,
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = ?, error = COALESCE(?, error),"
            " provider_id = COALESCE(?, provider_id), updated_at = ?,"
            " next_attempt_at = COALESCE(?, next_attempt_at), attempts = attempts + ?"
            " WHERE id = ?",
            (
                status,
                error,
                provider_id,
                iso(now),
                iso(next_attempt_at),
                int(count_attempt),
                outbox_id,
            ),
        )


async def requeue_interrupted(db: Database, now: datetime) -> int:
    """After a crash, sends that were under way may or may not have left: send them again."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, updated_at = ?"
            " WHERE status = 'sending'",
            (iso(now), iso(now)),
        )
        return cursor.rowcount


async def listing(db: Database, statuses: tuple[str, ...], limit: int = 200) -> list[OutboxRecord]:
    marks = ",".join("?" * len(statuses))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE status IN ({marks}) ORDER BY id LIMIT ?",
        (*statuses, limit),
    )
    return [OutboxRecord(*row) for row in rows]
