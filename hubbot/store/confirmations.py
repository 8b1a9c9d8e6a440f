"""Confirmations: each alert that asks for OK, what it is about, and when it was confirmed."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.answers import Awaiting, AwaitKind
from hubbot.domain.messages import Confirm
from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso

_COLUMNS = "id, person_id, hub_id, kind, label, subject_id, asked_at, confirmed_at"


async def record(
    conn: Conn, person_id: int, confirm: Confirm, outbox_id: int | None, now: datetime
) -> int:
    cursor = await conn.execute(
        "INSERT INTO confirmations (person_id, hub_id, kind, label, subject_id, outbox_id,"
        " asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            person_id,
            confirm.hub_id,
            confirm.kind,
            confirm.label,
            confirm.subject_id,
            outbox_id,
            iso(now),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def _awaiting(conn: Conn, row: Row) -> Awaiting:
    """The row as the core sees it, with the others asked to confirm the same thing."""
    row_id, person_id, hub_id, kind, label, subject_id, asked_at, _ = row
    async with conn.execute(
        "SELECT DISTINCT person_id FROM confirmations WHERE kind = ? AND label = ?"
        " AND hub_id IS ? AND confirmed_at IS NULL AND person_id != ? ORDER BY person_id",
        (kind, label, hub_id, person_id),
    ) as cursor:
        peers = tuple(int(r[0]) for r in await cursor.fetchall())
    return Awaiting(
        AwaitKind.ALERT,
        int(row_id),
        from_iso(asked_at) or datetime.min,
        str(label),
        subject_id,
        peers,
        str(kind),
    )


async def open_for(conn: Conn, person_id: int, since: datetime) -> list[Awaiting]:
    """The alerts the person was asked to confirm since `since` and has not."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM confirmations WHERE person_id = ? AND confirmed_at IS NULL"
        " AND asked_at >= ? ORDER BY asked_at DESC, id DESC LIMIT 5",
        (person_id, iso(since)),
    ) as cursor:
        rows = list(await cursor.fetchall())
    return [await _awaiting(conn, row) for row in rows]


async def by_outbox(conn: Conn, outbox_id: int, person_id: int) -> tuple[Awaiting | None, bool]:
    """The alert a button (ACK o12) answers, if it went to this person and is still open;
    and whether it went to them and is already confirmed."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM confirmations WHERE outbox_id = ? AND person_id = ?",
        (outbox_id, person_id),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None, False
    if row[7] is not None:
        return None, True
    return await _awaiting(conn, row), False


async def confirm(conn: Conn, confirmation_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE confirmations SET confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?",
        (iso(now), confirmation_id),
    )


async def settled_since(conn: Conn, person_id: int, since: datetime) -> bool:
    """Whether the person confirmed an alert or acknowledged a broadcast since `since`."""
    async with conn.execute(
        "SELECT EXISTS (SELECT 1 FROM confirmations WHERE person_id = :p"
        "   AND confirmed_at >= :since)"
        " OR EXISTS (SELECT 1 FROM broadcast_recipients WHERE person_id = :p"
        "   AND acked_at >= :since)",
        {"p": person_id, "since": iso(since)},
    ) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def about(conn: Conn, kind: str, label: str, hub_id: int | None) -> list[tuple[int, bool]]:
    """Who was asked to confirm this alert, in the order they were asked, and whether each
    has."""
    async with conn.execute(
        "SELECT person_id, confirmed_at IS NOT NULL FROM confirmations"
        " WHERE kind = ? AND label = ? AND hub_id IS ? ORDER BY id",
        (kind, label, hub_id),
    ) as cursor:
        return [(int(r[0]), bool(r[1])) for r in await cursor.fetchall()]


async def subject(conn: Conn, kind: str, label: str, hub_id: int | None) -> int | None:
    """Whom the alert is about (its subject), as its first ask recorded it."""
    async with conn.execute(
        "SELECT subject_id FROM confirmations WHERE kind = ? AND label = ? AND hub_id IS ?"
        " ORDER BY id LIMIT 1",
        (kind, label, hub_id),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row[0] is None else int(row[0])
