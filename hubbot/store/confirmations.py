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


async def about(
    conn: Conn, kind: str, label: str, hub_id: int | None, since: datetime
) -> list[tuple[int, bool, int | None]]:
    """Who was asked since `since` to confirm this alert, in the order they were asked,
    whether each has, and whom it is about. A person's label ("M12") is asked about again at
    a later call: only this call's asks count."""
    async with conn.execute(
        "SELECT person_id, confirmed_at IS NOT NULL, subject_id FROM confirmations"
        " WHERE kind = ? AND label = ? AND hub_id IS ? AND asked_at >= ? ORDER BY id",
        (kind, label, hub_id, iso(since)),
    ) as cursor:
        return [
            (int(r[0]), bool(r[1]), None if r[2] is None else int(r[2]))
            for r in await cursor.fetchall()
        ]


async def words(
    conn: Conn, kind: str, label: str, hub_id: int | None, since: datetime
) -> str | None:
    """The text that raised this alert since `since`: the message its ask answered."""
    async with conn.execute(
        "SELECT i.text FROM confirmations c JOIN outbox o ON o.id = c.outbox_id"
        " JOIN inbound i ON i.id = o.inbound_id WHERE c.kind = ? AND c.label = ?"
        " AND c.hub_id IS ? AND c.asked_at >= ? ORDER BY c.id LIMIT 1",
        (kind, label, hub_id, iso(since)),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else str(row[0])
