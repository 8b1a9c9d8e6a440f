"""The inbound journal: every accepted message, stored before it is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.store.db import Database, iso

Conn = aiosqlite.Connection


@dataclass(frozen=True)
class InboundRecord:
    id: int
    channel: str
    provider_id: str
    address: str
    to_address: str | None
    text: str
    payload: str | None = None  # channel details as JSON (Telegram: chat, username, language)


async def record(
    db: Database,
    channel: str,
    provider_id: str,
    address: str,
    to_address: str | None,
    text: str,
    now: datetime,
    payload: str | None = None,
) -> int | None:
    """Store a message durably. Returns its id, or None if that provider id was seen before."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO inbound (channel, provider_id, address, to_address, text, received_at,"
            " payload) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, provider_id) DO NOTHING",
            (channel, provider_id, address, to_address, text, iso(now), payload),
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None


async def unprocessed(db: Database, limit: int = 16) -> list[InboundRecord]:
    """The next messages to process: each sender's in the order they came, senders in turn.

    A flood from one number then delays another person's text by a message or so, not by the
    whole flood; take a small batch and ask again, so a text that arrives meanwhile gets its turn.
    """
    rows = await db.fetchall(
        "WITH turns AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY address ORDER BY id) AS turn"
        "   FROM inbound WHERE processed_at IS NULL)"
        " SELECT i.id, i.channel, i.provider_id, i.address, i.to_address, i.text, i.payload"
        " FROM turns JOIN inbound i ON i.id = turns.id ORDER BY turns.turn, turns.id LIMIT ?",
        (limit,),
    )
    return [InboundRecord(*row) for row in rows]


async def mark_processed(
    conn: Conn, inbound_id: int, now: datetime, error: str | None = None
) -> None:
    await conn.execute(
        "UPDATE inbound SET processed_at = ?, error = ? WHERE id = ?",
        (iso(now), error, inbound_id),
    )
