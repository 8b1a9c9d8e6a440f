"""Messages routed to a role, remembered without their text, so the role can answer them."""

from __future__ import annotations

from datetime import datetime

from hubbot.store.conn import Conn
from hubbot.store.db import iso

RECENT = 10  # a member's latest routed messages the relay looks at


async def record(conn: Conn, hub_id: int, person_id: int, role_id: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO routed (hub_id, person_id, role_id, at) VALUES (?, ?, ?, ?)",
        (hub_id, person_id, role_id, iso(now)),
    )


async def recent(conn: Conn, person_id: int, since: datetime) -> list[tuple[int, str, datetime]]:
    """(hub id, role id, when) of the person's messages routed since `since`, newest first."""
    async with conn.execute(
        "SELECT hub_id, role_id, at FROM routed WHERE person_id = ? AND at >= ?"
        " ORDER BY at DESC, id DESC LIMIT ?",
        (person_id, iso(since), RECENT),
    ) as cursor:
        return [
            (int(r[0]), str(r[1]), datetime.fromisoformat(r[2])) for r in await cursor.fetchall()
        ]
