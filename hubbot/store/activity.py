"""The activity log (like an ICS-214), and acknowledgements of alerts."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from hubbot.domain.effects import LogActivity
from hubbot.store.db import iso


async def append(conn: aiosqlite.Connection, entry: LogActivity, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO activity_log (hub_id, person_id, role, action, detail, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entry.hub_id, entry.person_id, entry.role, entry.action, entry.detail, iso(now)),
    )


async def alert_sent_to(conn: aiosqlite.Connection, outbox_id: int, person_id: int) -> bool:
    """Whether that outbox message went to that person (so they may acknowledge it)."""
    async with conn.execute(
        "SELECT 1 FROM outbox WHERE id = ? AND person_id = ?", (outbox_id, person_id)
    ) as cursor:
        return await cursor.fetchone() is not None


async def has_ack(conn: aiosqlite.Connection, ref: str, person_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM acks WHERE ref = ? AND person_id = ?", (ref, person_id)
    ) as cursor:
        return await cursor.fetchone() is not None


async def record_ack(conn: aiosqlite.Connection, ref: str, person_id: int, now: datetime) -> None:
    # The primary key makes a second tap a no-op, whatever the race.
    await conn.execute(
        "INSERT OR IGNORE INTO acks (ref, person_id, at) VALUES (?, ?, ?)",
        (ref, person_id, iso(now)),
    )
