"""The activity log (like an ICS-214): who, in which role, did what, and when."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.effects import LogActivity
from hubbot.store.conn import Conn
from hubbot.store.db import iso


async def append(conn: Conn, entry: LogActivity, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO activity_log (hub_id, person_id, role, action, detail, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entry.hub_id, entry.person_id, entry.role, entry.action, entry.detail, iso(now)),
    )


async def logged_since(conn: Conn, hub_id: int, action: str, detail: str, since: datetime) -> bool:
    """Whether the hub's log holds this action about `detail` since `since` (a staff answer
    "replied" to M6: someone took their call)."""
    async with conn.execute(
        "SELECT EXISTS (SELECT 1 FROM activity_log WHERE hub_id = ? AND action = ?"
        " AND detail = ? AND at >= ?)",
        (hub_id, action, detail, iso(since)),
    ) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])
