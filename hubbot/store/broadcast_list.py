"""The console's list of broadcasts: the recent ones an account may see, each with the same
tallies ALERTSTATUS gives (store/alerts.py) and who has not acknowledged it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.messages import Priority
from hubbot.domain.models import BroadcastStatus, person_label
from hubbot.store import alerts
from hubbot.store.conn import Conn
from hubbot.store.db import from_iso


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    hub_code: str | None  # None: every hub
    role: str | None
    body: str  # free text, or '#' and a template id
    urgent: bool
    by: str  # the sender as the team sees them: M12 or 'M12 marie', never a number
    send_at: datetime
    sent_at: datetime | None  # None: scheduled, not gone yet
    status: BroadcastStatus


async def recent(conn: Conn, hub_id: int | None, limit: int = 20) -> list[BroadcastRow]:
    """The newest broadcasts first: to `hub_id` only (a lead's), or every one (None: a
    coordinator's, including those to every hub)."""
    async with conn.execute(
        "SELECT b.id, h.code, b.role, b.body, b.priority, b.by_person, p.name, b.send_at,"
        " b.sent_at FROM broadcasts b LEFT JOIN hubs h ON h.id = b.hub_id"
        " LEFT JOIN people p ON p.id = b.by_person"
        " WHERE (:hub IS NULL OR b.hub_id = :hub) ORDER BY b.id DESC LIMIT :limit",
        {"hub": hub_id, "limit": limit},
    ) as cursor:
        rows = list(await cursor.fetchall())
    found = []
    for row in rows:
        status = await alerts.status(conn, int(row[0]))
        if status is None:
            continue
        found.append(
            BroadcastRow(
                int(row[0]),
                row[1],
                row[2],
                str(row[3]),
                row[4] == Priority.URGENT,
                person_label(int(row[5]), row[6]) if row[5] is not None else "-",
                from_iso(row[7]) or datetime.min,
                from_iso(row[8]),
                status,
            )
        )
    return found


async def next_number(conn: Conn) -> int:
    """The number the next broadcast will most likely get (B6 after B5), for the preview's
    segment count: the frame carries it."""
    async with conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM broadcasts") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 1
