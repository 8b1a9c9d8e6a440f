"""What the console's region and hub pages read: hubs with their counts, a hub's roster and
open board. Never an address: phone numbers stay in the addresses table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hubbot.domain.models import person_label
from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso

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
    onsite: int = 0  # people on site, as last counted
    onsite_change: int = 0  # ... and the change in the last hour
    last_round: Round | None = None
    lifelines: tuple[Lifeline, ...] = ()
    last_sitrep: datetime | None = None


@dataclass(frozen=True)
class Round:
    """The hub's last check-in round: who answered OK, asked for help, or has not answered."""

    at: datetime | None
    ok: int
    help: int
    silent: int


@dataclass(frozen=True)
class Lifeline:
    topic: str
    state: str
    unconfirmed: bool


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
    extras = await _extras(conn, now)
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
            *extras.get(row["id"], ()),
        )
        for row in rows
    ]


async def _extras(
    conn: Conn, now: datetime
) -> dict[int, tuple[int, int, Round | None, tuple[Lifeline, ...], datetime | None]]:
    """Per hub: people on site and their change in the last hour, the last check-in round,
    the latest state of each lifeline, and when the last status report went out."""

    async def by_hub(sql: str, *params: str | None) -> dict[int, Row]:
        async with conn.execute(sql, params) as cursor:
            return {r["hub_id"]: r for r in await cursor.fetchall()}

    onsite = await by_hub(
        "SELECT hub_id, total FROM onsite WHERE id IN (SELECT MAX(id) FROM onsite GROUP BY hub_id)"
    )
    change = await by_hub(
        "SELECT hub_id, SUM(delta) AS delta FROM onsite WHERE at > ? GROUP BY hub_id",
        iso(now - timedelta(hours=1)),
    )
    rounds = await by_hub(
        "SELECT r.hub_id, r.started_at, SUM(a.state = 'ok') AS ok, SUM(a.state = 'help') AS help,"
        " SUM(a.state IN ('silent', 'waiting')) AS silent"
        " FROM rounds r LEFT JOIN asks a ON a.round_id = r.id"
        " WHERE r.id IN (SELECT MAX(id) FROM rounds GROUP BY hub_id) GROUP BY r.id"
    )
    sitreps = await by_hub("SELECT hub_id, MAX(at) AS at FROM sitreps GROUP BY hub_id")
    lifelines: dict[int, list[Lifeline]] = {}
    async with conn.execute(
        "SELECT hub_id, topic, state, unconfirmed FROM lifelines WHERE id IN"
        " (SELECT MAX(id) FROM lifelines GROUP BY hub_id, topic) ORDER BY topic"
    ) as cursor:
        for r in await cursor.fetchall():
            lifelines.setdefault(r["hub_id"], []).append(
                Lifeline(r["topic"], r["state"], bool(r["unconfirmed"]))
            )
    out = {}
    for hub_id in {*onsite, *change, *rounds, *sitreps, *lifelines}:
        got = rounds.get(hub_id)
        last_round = (
            Round(from_iso(got["started_at"]), got["ok"] or 0, got["help"] or 0, got["silent"] or 0)
            if got
            else None
        )
        out[hub_id] = (
            onsite[hub_id]["total"] if hub_id in onsite else 0,
            change[hub_id]["delta"] if hub_id in change else 0,
            last_round,
            tuple(lifelines.get(hub_id, ())),
            from_iso(sitreps[hub_id]["at"]) if hub_id in sitreps else None,
        )
    return out


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


# The hub page's board filters: the statuses each one shows. "open" is the board as chat
# lists it (matched items stay open until done); an item past its expiry shows as expired.
BOARD_FILTERS: dict[str, tuple[str, ...]] = {
    "open": ("open", "matched"),
    "matched": ("matched",),
    "done": ("done", "used"),
    "cancelled": ("cancelled", "withdrawn"),
    "expired": ("expired",),
    "all": (),
}


async def board(
    conn: Conn,
    hub_id: int,
    now: datetime,
    kind: str,
    status: str = "open",
    category: str | None = None,
    limit: int = 200,
) -> list[BoardItem]:
    """The hub's needs or offers in one of BOARD_FILTERS and one category ("other": none),
    critical first, then oldest first; at most `limit`."""
    shown = BOARD_FILTERS[status]
    where = ["kind = ?"]
    params: list[object] = [iso(now), hub_id, kind]
    if shown:
        where.append(f"shown IN ({', '.join('?' * len(shown))})")
        params.extend(shown)
    if category:
        where.append("COALESCE(category, 'other') = ?")
        params.append(category)
    async with conn.execute(
        "SELECT * FROM (SELECT id, kind, number, category, text, critical,"
        " CASE WHEN status IN ('open', 'matched') AND expires_at <= ? THEN 'expired'"
        " ELSE status END AS shown FROM items WHERE hub_id = ?)"
        f" WHERE {' AND '.join(where)} ORDER BY critical DESC, id LIMIT ?",
        (*params, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        BoardItem(
            ("N" if row["kind"] == "need" else "O") + str(row["number"]),
            row["kind"],
            row["category"],
            row["text"],
            bool(row["critical"]),
            row["shown"],
        )
        for row in rows
    ]
