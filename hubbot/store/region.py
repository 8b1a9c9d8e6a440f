"""What the console's region and hub pages read: hubs with their counts, a hub's roster and
open board. Never an address: phone numbers stay in the addresses table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.domain.models import person_label
from hubbot.store.db import from_iso, iso

Conn = aiosqlite.Connection

_OPEN = "status IN ('open', 'matched') AND expires_at > ?"


@dataclass(frozen=True)
class HubRow:
    id: int
    code: str
    name: str
    status: str  # open | closed
    since: datetime | None
    playbook_id: str
    holders: dict[str, int]  # role id -> how many hold it now
    open_needs: int
    critical_needs: int
    open_offers: int


@dataclass(frozen=True)
class Holder:
    role_id: str
    person: str  # the label chat uses (M6 Marie), never an address


@dataclass(frozen=True)
class BoardItem:
    label: str  # N3, O7
    kind: str
    category: str | None
    text: str
    critical: bool
    status: str


async def hub_rows(conn: Conn, now: datetime) -> list[HubRow]:
    """Every hub, by code, with the counts the region table shows."""
    async with conn.execute(
        "SELECT h.id, h.code, h.name, h.status, h.status_changed_at, h.playbook_id,"
        f" (SELECT COUNT(*) FROM items i WHERE i.hub_id = h.id AND i.kind = 'need' AND {_OPEN})"
        " AS needs,"
        f" (SELECT COUNT(*) FROM items i WHERE i.hub_id = h.id AND i.kind = 'need' AND {_OPEN}"
        " AND i.critical = 1) AS critical,"
        f" (SELECT COUNT(*) FROM items i WHERE i.hub_id = h.id AND i.kind = 'offer' AND {_OPEN})"
        " AS offers"
        " FROM hubs h ORDER BY h.code",
        (iso(now), iso(now), iso(now)),
    ) as cursor:
        rows = await cursor.fetchall()
    held: dict[int, dict[str, int]] = {}
    async with conn.execute(
        "SELECT hub_id, role_id, COUNT(DISTINCT person_id) AS n FROM role_assignments"
        " WHERE unassigned_at IS NULL GROUP BY hub_id, role_id"
    ) as cursor:
        for row in await cursor.fetchall():
            held.setdefault(row["hub_id"], {})[row["role_id"]] = row["n"]
    return [
        HubRow(
            row["id"],
            row["code"],
            row["name"],
            row["status"],
            from_iso(row["status_changed_at"]),
            row["playbook_id"],
            held.get(row["id"], {}),
            row["needs"],
            row["critical"],
            row["offers"],
        )
        for row in rows
    ]


async def roster(conn: Conn, hub_id: int) -> list[Holder]:
    """Who holds which role in the hub now, by role then member number."""
    async with conn.execute(
        "SELECT DISTINCT r.role_id, p.id, p.name FROM role_assignments r"
        " JOIN people p ON p.id = r.person_id"
        " WHERE r.hub_id = ? AND r.unassigned_at IS NULL ORDER BY r.role_id, p.id",
        (hub_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [Holder(row["role_id"], person_label(row["id"], row["name"])) for row in rows]


async def members(conn: Conn, hub_id: int) -> int:
    """How many people have joined the hub."""
    async with conn.execute(
        "SELECT COUNT(*) AS n FROM memberships WHERE hub_id = ?", (hub_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row["n"]) if row else 0


async def open_items(conn: Conn, hub_id: int, now: datetime) -> list[BoardItem]:
    """The hub's open needs and offers: needs first, critical first, then oldest first."""
    async with conn.execute(
        "SELECT kind, number, category, text, critical, status FROM items"
        f" WHERE hub_id = ? AND {_OPEN}"
        " ORDER BY kind = 'offer', critical DESC, id",
        (hub_id, iso(now)),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        BoardItem(
            ("N" if row["kind"] == "need" else "O") + str(row["number"]),
            row["kind"],
            row["category"],
            row["text"],
            bool(row["critical"]),
            row["status"],
        )
        for row in rows
    ]
