"""What the console's hub page reads beyond the roster and board: matches, lifelines, check-in
rounds, status reports and the activity log. Never an address: people appear as M-numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.models import person_label
from hubbot.store.conn import Conn as Conn
from hubbot.store.db import from_iso


@dataclass(frozen=True)
class MatchRow:
    need: str  # N1
    offer: str  # O1
    state: str  # pending | agreed | closed


@dataclass(frozen=True)
class LifelineRow:
    topic: str
    state: str
    unconfirmed: bool
    at: datetime | None


@dataclass(frozen=True)
class RoundRow:
    started_at: datetime | None
    ok: int
    help: int
    silent: int


@dataclass(frozen=True)
class SitrepRow:
    number: int
    at: datetime | None
    needs: int
    critical: int
    onsite: int


@dataclass(frozen=True)
class LogRow:
    at: datetime | None
    who: str  # M6 Marie, or the console account's name; empty for the system
    action: str
    detail: str


async def matches(conn: Conn, hub_id: int, limit: int = 20) -> list[MatchRow]:
    """The hub's latest matches with their consent state, newest first."""
    async with conn.execute(
        "SELECT need, offer, need_yes, offer_yes, status FROM matches WHERE hub_id = ?"
        " ORDER BY id DESC LIMIT ?",
        (hub_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    out = []
    for r in rows:
        if r["status"] == "undone":
            state = "closed"
        elif r["status"] == "shared" or (r["need_yes"] and r["offer_yes"]):
            state = "agreed"
        else:
            state = "pending"
        out.append(MatchRow(f"N{r['need']}", f"O{r['offer']}", state))
    return out


async def lifelines(conn: Conn, hub_id: int) -> list[LifelineRow]:
    """The latest state of each lifeline, by topic."""
    async with conn.execute(
        "SELECT topic, state, unconfirmed, at FROM lifelines WHERE id IN ("
        " SELECT MAX(id) FROM lifelines WHERE hub_id = ? GROUP BY topic) ORDER BY topic",
        (hub_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        LifelineRow(r["topic"], r["state"], bool(r["unconfirmed"]), from_iso(r["at"])) for r in rows
    ]


async def rounds(conn: Conn, hub_id: int, limit: int = 5) -> list[RoundRow]:
    """The last check-in rounds with how many answered OK, asked for help or stayed silent."""
    async with conn.execute(
        "SELECT r.started_at,"
        " SUM(a.state = 'ok') AS ok, SUM(a.state = 'help') AS help,"
        " SUM(a.state IN ('silent', 'waiting')) AS silent"
        " FROM rounds r LEFT JOIN asks a ON a.round_id = r.id WHERE r.hub_id = ?"
        " GROUP BY r.id ORDER BY r.id DESC LIMIT ?",
        (hub_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        RoundRow(from_iso(r["started_at"]), r["ok"] or 0, r["help"] or 0, r["silent"] or 0)
        for r in rows
    ]


async def sitreps(conn: Conn, hub_id: int, limit: int = 3) -> list[SitrepRow]:
    """The last status reports, newest first, with their headline figures."""
    async with conn.execute(
        "SELECT number, body, at FROM sitreps WHERE hub_id = ? ORDER BY number DESC LIMIT ?",
        (hub_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    out = []
    for r in rows:
        body = json.loads(r["body"])
        out.append(
            SitrepRow(
                r["number"],
                from_iso(r["at"]),
                sum(
                    n
                    for statuses in body.get("needs", {}).values()
                    for status, n in statuses.items()
                    if status in ("open", "matched")
                ),
                len(body.get("critical", [])),
                int(body.get("onsite", 0)),
            )
        )
    return out


async def activity(conn: Conn, hub_id: int, limit: int = 20) -> list[LogRow]:
    """The hub's last activity-log entries, newest first."""
    async with conn.execute(
        "SELECT l.person_id, p.name, l.action, l.detail, l.at FROM activity_log l"
        " LEFT JOIN people p ON p.id = l.person_id WHERE l.hub_id = ?"
        " ORDER BY l.id DESC LIMIT ?",
        (hub_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        LogRow(
            from_iso(r["at"]),
            person_label(r["person_id"], r["name"]) if r["person_id"] is not None else "",
            r["action"],
            r["detail"],
        )
        for r in rows
    ]
