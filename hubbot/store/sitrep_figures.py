"""What status reports count, for many hubs at once: situation.figures for a batch of reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from hubbot.domain.models import Figures, Lifeline
from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso
from hubbot.store.many_hubs import marks

_LIVE = "status IN ('open', 'matched') AND expires_at > ?"


async def _rows(conn: Conn, sql: str, params: tuple[object, ...]) -> list[Row]:
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def figures_many(conn: Conn, hub_ids: Collection[int], now: datetime) -> dict[int, Figures]:
    """Each hub's figures as of now, the same as situation.figures gives for one."""
    if not hub_ids:
        return {}
    ids = tuple(hub_ids)
    among = f"hub_id IN ({marks(ids)})"
    at = iso(now)
    number = {hub_id: 1 for hub_id in ids}
    for row in await _rows(
        conn, f"SELECT hub_id, MAX(number) FROM sitreps WHERE {among} GROUP BY hub_id", ids
    ):
        number[int(row[0])] = int(row[1] or 0) + 1
    onsite = {
        int(row[0]): int(row[1] or 0)
        for row in await _rows(
            conn,
            "SELECT hub_id, total FROM onsite WHERE id IN"
            f" (SELECT MAX(id) FROM onsite WHERE {among} GROUP BY hub_id)",
            ids,
        )
    }
    change = {
        int(row[0]): int(row[1] or 0)
        for row in await _rows(
            conn,
            f"SELECT hub_id, COALESCE(SUM(delta), 0) FROM onsite WHERE {among} AND at > ?"
            " GROUP BY hub_id",
            (*ids, iso(now - timedelta(hours=1))),
        )
    }
    needs: dict[int, dict[str, dict[str, int]]] = {hub_id: {} for hub_id in ids}
    for hub_id, category, status, n in await _rows(
        conn,
        "SELECT hub_id, COALESCE(category, 'other'), CASE WHEN status IN ('open', 'matched')"
        " AND expires_at <= ? THEN 'expired' ELSE status END AS s, COUNT(*) FROM items"
        f" WHERE {among} AND kind = 'need' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        (at, *ids),
    ):
        needs[int(hub_id)].setdefault(category, {})[status] = n
    offers = {
        int(row[0]): int(row[1] or 0)
        for row in await _rows(
            conn,
            f"SELECT hub_id, COUNT(*) FROM items WHERE {among} AND kind = 'offer' AND {_LIVE}"
            " GROUP BY hub_id",
            (*ids, at),
        )
    }
    # Every live need, oldest first: the critical and significant ids, and the top three.
    live: dict[int, list[Row]] = {hub_id: [] for hub_id in ids}
    for row in await _rows(
        conn,
        "SELECT hub_id, number, text, critical, significant FROM items"
        f" WHERE {among} AND kind = 'need' AND {_LIVE} ORDER BY created_at, id",
        (*ids, at),
    ):
        live[int(row[0])].append(row)
    lifelines: dict[int, list[Lifeline]] = {hub_id: [] for hub_id in ids}
    for r in await _rows(
        conn,
        "SELECT hub_id, topic, state, unconfirmed, at FROM lifelines WHERE id IN"
        f" (SELECT MAX(id) FROM lifelines WHERE {among} GROUP BY hub_id, topic)"
        " ORDER BY hub_id, topic",
        ids,
    ):
        lifelines[int(r[0])].append(
            Lifeline(r[1], r[2], bool(r[3]), from_iso(r[4]) or datetime.min)
        )
    out: dict[int, Figures] = {}
    for hub_id in ids:
        rows = live[hub_id]
        top = sorted(rows, key=lambda r: (-int(r[3]), -int(r[4])))[:3]  # stable: oldest first
        out[hub_id] = Figures(
            number[hub_id],
            onsite.get(hub_id, 0),
            change.get(hub_id, 0),
            needs[hub_id],
            offers.get(hub_id, 0),
            tuple(f"N{r[1]}" for r in rows if r[3]),
            tuple(f"N{r[1]}" for r in rows if r[4]),
            tuple(str(r[2])[:40] for r in top),
            tuple(lifelines[hub_id]),
        )
    return out
