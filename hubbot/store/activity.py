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
