"""On-site counts, lifelines and status reports; and the figures a report is made of."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from hubbot.domain.models import Figures, Lifeline
from hubbot.store.conn import Conn
from hubbot.store.db import from_iso, iso


async def _int(conn: Conn, sql: str, params: tuple[object, ...]) -> int:
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def onsite(conn: Conn, hub_id: int, now: datetime) -> tuple[int, int]:
    """People on site now, and the change over the last hour."""
    total = await _int(
        conn, "SELECT total FROM onsite WHERE hub_id = ? ORDER BY id DESC LIMIT 1", (hub_id,)
    )
    change = await _int(
        conn,
        "SELECT COALESCE(SUM(delta), 0) FROM onsite WHERE hub_id = ? AND at > ?",
        (hub_id, iso(now - timedelta(hours=1))),
    )
    return total, change


async def record_onsite(
    conn: Conn, hub_id: int, delta: int, total: int, person_id: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO onsite (hub_id, delta, total, person_id, at) VALUES (?, ?, ?, ?, ?)",
        (hub_id, delta, total, person_id, iso(now)),
    )


async def lifelines(conn: Conn, hub_id: int) -> tuple[Lifeline, ...]:
    """The latest state of each lifeline."""
    async with conn.execute(
        "SELECT topic, state, unconfirmed, at FROM lifelines WHERE id IN ("
        " SELECT MAX(id) FROM lifelines WHERE hub_id = ? GROUP BY topic) ORDER BY topic",
        (hub_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return tuple(Lifeline(r[0], r[1], bool(r[2]), from_iso(r[3]) or datetime.min) for r in rows)


async def record_lifeline(
    conn: Conn,
    hub_id: int,
    topic: str,
    state: str,
    unconfirmed: bool,
    person_id: int,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO lifelines (hub_id, topic, state, unconfirmed, person_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (hub_id, topic, state, int(unconfirmed), person_id, iso(now)),
    )


async def figures(conn: Conn, hub_id: int, now: datetime) -> Figures:
    """Everything a status report counts, as of now."""
    number = await _int(
        conn, "SELECT COALESCE(MAX(number), 0) + 1 FROM sitreps WHERE hub_id = ?", (hub_id,)
    )
    count, change = await onsite(conn, hub_id, now)
    needs: dict[str, dict[str, int]] = {}
    async with conn.execute(
        "SELECT COALESCE(category, 'other'), CASE WHEN status IN ('open', 'matched')"
        " AND expires_at <= ? THEN 'expired' ELSE status END AS s, COUNT(*) FROM items"
        " WHERE hub_id = ? AND kind = 'need' GROUP BY 1, 2",
        (iso(now), hub_id),
    ) as cursor:
        for category, status, n in await cursor.fetchall():
            needs.setdefault(category, {})[status] = n
    live = "status IN ('open', 'matched') AND expires_at > ?"
    offers = await _int(
        conn,
        f"SELECT COUNT(*) FROM items WHERE hub_id = ? AND kind = 'offer' AND {live}",
        (hub_id, iso(now)),
    )

    async def ids(condition: str) -> tuple[str, ...]:
        async with conn.execute(
            f"SELECT number FROM items WHERE hub_id = ? AND kind = 'need' AND {live}"
            f" AND {condition} ORDER BY created_at",
            (hub_id, iso(now)),
        ) as cur:
            return tuple(f"N{row[0]}" for row in await cur.fetchall())

    async with conn.execute(
        f"SELECT text FROM items WHERE hub_id = ? AND kind = 'need' AND {live}"
        " ORDER BY critical DESC, significant DESC, created_at LIMIT 3",
        (hub_id, iso(now)),
    ) as cursor:
        top = tuple(str(row[0])[:40] for row in await cursor.fetchall())
    return Figures(
        number,
        count,
        change,
        needs,
        offers,
        await ids("critical = 1"),
        await ids("significant = 1"),
        top,
        await lifelines(conn, hub_id),
    )


_SITREP = "INSERT INTO sitreps (hub_id, number, body, person_id, at) VALUES (?, ?, ?, ?, ?)"


async def record_sitrep(
    conn: Conn, hub_id: int, report: Figures, person_id: int | None, now: datetime
) -> None:
    await conn.execute(_SITREP, (hub_id, report.number, _body(report), person_id, iso(now)))


async def record_sitreps(
    conn: Conn, reports: Sequence[tuple[int, Figures, int | None]], now: datetime
) -> None:
    """`record_sitrep` for many (hub, figures, person), in one statement: a region's regular
    reports fall due together."""
    if reports:
        at = iso(now)
        await conn.executemany(
            _SITREP, [(hub_id, f.number, _body(f), pid, at) for hub_id, f, pid in reports]
        )


def _body(report: Figures) -> str:
    """The report's figures as the JSON kept with it."""
    body = {
        "onsite": report.onsite,
        "onsite_change": report.onsite_change,
        "needs": report.needs,
        "offers_open": report.offers_open,
        "critical": report.critical,
        "significant": report.significant,
        "required": report.top_needs,
        "lifelines": [
            {"topic": ll.topic, "state": ll.state, "unconfirmed": ll.unconfirmed}
            for ll in report.lifelines
        ],
    }
    return json.dumps(body)
