"""Official alerts (CAP) received: each document, what became of it and why, and its relays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from hubbot.domain.cap_relay import Earlier, Outcome
from hubbot.domain.models import BroadcastStatus
from hubbot.store import alerts
from hubbot.store.conn import Conn, Store
from hubbot.store.db import iso

Key = tuple[str, str, str]  # (sender, identifier, sent as written)


@dataclass(frozen=True)
class CapRow:
    """One document as stored; a document that could not be read has only its source."""

    source: str
    outcome: Outcome
    reason: str = ""
    sender: str | None = None
    identifier: str | None = None
    sent: str | None = None
    msg_type: str | None = None
    status: str | None = None
    severity: str | None = None
    urgency: str | None = None
    certainty: str | None = None
    event: str | None = None
    area: str | None = None
    headline_fr: str | None = None
    headline_en: str | None = None
    text_fr: str | None = None
    text_en: str | None = None
    sms_fr: str | None = None
    sms_en: str | None = None
    expires_at: datetime | None = None


_FIELDS = (
    "source, outcome, reason, sender, identifier, sent, msg_type, status, severity, urgency,"
    " certainty, event, area, headline_fr, headline_en, text_fr, text_en, sms_fr, sms_en,"
    " expires_at"
)


async def record(conn: Conn, row: CapRow, now: datetime) -> int:
    values = (*_values(row), iso(now))
    marks = ", ".join("?" * len(values))
    cursor = await conn.execute(
        f"INSERT INTO cap_alerts ({_FIELDS}, received_at) VALUES ({marks})", values
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _values(row: CapRow) -> tuple[object, ...]:
    return (
        row.source,
        str(row.outcome),
        row.reason or None,
        row.sender,
        row.identifier,
        row.sent,
        row.msg_type,
        row.status,
        row.severity,
        row.urgency,
        row.certainty,
        row.event,
        row.area,
        row.headline_fr,
        row.headline_en,
        row.text_fr,
        row.text_en,
        row.sms_fr,
        row.sms_en,
        iso(row.expires_at) if row.expires_at else None,
    )


async def seen(conn: Conn, key: Key) -> bool:
    async with conn.execute(
        "SELECT 1 FROM cap_alerts WHERE sender = ? AND identifier = ? AND sent = ?", key
    ) as cursor:
        return await cursor.fetchone() is not None


async def referenced(conn: Conn, keys: Iterable[Key]) -> dict[Key, Earlier]:
    """The stored alerts among `keys`, with what became of them."""
    found: dict[Key, Earlier] = {}
    for key in keys:
        async with conn.execute(
            "SELECT id, outcome FROM cap_alerts WHERE sender = ? AND identifier = ? AND sent = ?",
            key,
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            found[key] = Earlier(int(row[0]), Outcome(row[1]))
    return found


async def mark(conn: Conn, ids: Sequence[int], outcome: Outcome, by: int, reason: str) -> None:
    """Earlier alerts `ids` superseded or cancelled by alert `by`."""
    await conn.executemany(
        "UPDATE cap_alerts SET outcome = ?, reason = ?, superseded_by = ? WHERE id = ?",
        [(str(outcome), reason, by, alert_id) for alert_id in ids],
    )


async def relay_broadcast(
    conn: Conn, alert_id: int, hub_id: int, priority: str, now: datetime
) -> int:
    """The broadcast that carries alert `alert_id` to one hub: its recipients, tallies and OK
    acknowledgements are a broadcast's."""
    cursor = await conn.execute(
        "INSERT INTO broadcasts (hub_id, role, body, priority, by_person, created_at, send_at,"
        " sent_at, cap_alert_id) VALUES (?, NULL, ?, ?, NULL, ?, ?, ?, ?)",
        (hub_id, f"#cap:{alert_id}", priority, iso(now), iso(now), iso(now), alert_id),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def readers(conn: Conn, alert_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(hub, person) for everyone alerts `alert_ids` were sent to (not skipped)."""
    if not alert_ids:
        return []
    marks = ",".join("?" * len(alert_ids))
    async with conn.execute(
        "SELECT DISTINCT b.hub_id, r.person_id FROM broadcasts b JOIN broadcast_recipients r"
        f" ON r.broadcast_id = b.id WHERE b.cap_alert_id IN ({marks}) AND r.skipped IS NULL"
        " ORDER BY r.person_id",
        tuple(alert_ids),
    ) as cursor:
        return [(int(h), int(p)) for h, p in await cursor.fetchall()]


async def headlines(conn: Conn, alert_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each alert's headline in French and in English (the other where one is missing)."""
    found: dict[int, tuple[str, str]] = {}
    for alert_id in alert_ids:
        async with conn.execute(
            "SELECT headline_fr, headline_en, event FROM cap_alerts WHERE id = ?", (alert_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            fr, en, event = (str(v) if v else "" for v in row)
            found[alert_id] = (fr or en or event, en or fr or event)
    return found


async def status(conn: Conn, alert_id: int) -> BroadcastStatus | None:
    """ALERTSTATUS A3: the tallies of every hub's relay of the alert, together."""
    async with conn.execute(
        "SELECT COUNT(*) FROM cap_alerts WHERE id = ? AND outcome IN (?, ?, ?)",
        (alert_id, Outcome.RELAYED, Outcome.SUPERSEDED, Outcome.CANCELLED),
    ) as cursor:
        row = await cursor.fetchone()
    if not row or not row[0]:
        return None
    where = "r.broadcast_id IN (SELECT id FROM broadcasts WHERE cap_alert_id = ?)"
    return await alerts.tally(conn, where, alert_id, None, prefix="A")


@dataclass(frozen=True)
class Listed:
    id: int
    received_at: str
    source: str
    outcome: str
    reason: str
    sender: str | None
    identifier: str | None
    msg_type: str | None
    status: str | None
    severity: str | None
    urgency: str | None
    headline_fr: str | None
    headline_en: str | None
    area: str | None
    text_fr: str | None
    text_en: str | None
    hubs: str  # the codes of the hubs it was relayed to


async def listing(db: Store, limit: int = 100) -> list[Listed]:
    """The newest documents first, with the hubs each went to."""
    rows = await db.fetchall(
        "SELECT a.id, a.received_at, a.source, a.outcome, COALESCE(a.reason, ''), a.sender,"
        " a.identifier, a.msg_type, a.status, a.severity, a.urgency, a.headline_fr,"
        " a.headline_en, a.area, a.text_fr, a.text_en"
        " FROM cap_alerts a ORDER BY a.id DESC LIMIT ?",
        (limit,),
    )
    if not rows:
        return []
    relays = await db.fetchall(
        "SELECT b.cap_alert_id, h.code FROM broadcasts b JOIN hubs h ON h.id = b.hub_id"
        " WHERE b.cap_alert_id >= ? ORDER BY h.code",
        (min(int(row[0]) for row in rows),),
    )
    hubs: dict[int, list[str]] = {}
    for alert_id, code in relays:
        hubs.setdefault(int(alert_id), []).append(str(code))
    return [_listed(tuple(row), " ".join(hubs.get(int(row[0]), []))) for row in rows]


def _listed(row: tuple[Any, ...], hubs: str) -> Listed:
    columns = [f.name for f in fields(Listed)][: len(row)]
    return Listed(**dict(zip(columns, row, strict=True)), hubs=hubs)
