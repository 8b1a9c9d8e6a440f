"""The inbound journal: every accepted message, stored before it is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.domain.flood import Bucket
from hubbot.store.db import Database, from_iso, iso

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
    received_at: str | None = None


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
        " SELECT i.id, i.channel, i.provider_id, i.address, i.to_address, i.text, i.payload,"
        " i.received_at"
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


async def mark_throttled(conn: Conn, inbound_id: int, now: datetime) -> None:
    """Over its sender's flood limit: kept, processed, and passed on to nobody."""
    await conn.execute(
        "UPDATE inbound SET processed_at = ?, throttled_at = ? WHERE id = ?",
        (iso(now), iso(now), inbound_id),
    )


async def bucket(conn: Conn, address: str) -> Bucket | None:
    """The sender's flood-control bucket (domain/flood.py), if they wrote before."""
    async with conn.execute(
        "SELECT tokens, at, held_until FROM flood WHERE address = ?", (address,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    at = from_iso(row["at"])
    assert at is not None
    return Bucket(float(row["tokens"]), at, from_iso(row["held_until"]))


async def save_bucket(conn: Conn, address: str, value: Bucket) -> None:
    await conn.execute(
        "INSERT INTO flood (address, tokens, at, held_until) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (address) DO UPDATE SET tokens = excluded.tokens, at = excluded.at,"
        " held_until = excluded.held_until",
        (address, value.tokens, iso(value.at), iso(value.held_until)),
    )
