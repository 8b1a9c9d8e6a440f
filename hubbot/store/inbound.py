"""The inbound journal: every accepted message, stored before it is acknowledged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.flood import Bucket
from hubbot.store.conn import Conn, Store
from hubbot.store.db import from_iso, iso
from hubbot.store.pg_connection import PgConnection


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


@dataclass(frozen=True)
class NewInbound:
    """A message to store, as a channel took it in."""

    channel: str
    provider_id: str
    address: str
    to_address: str | None
    text: str
    received_at: datetime
    payload: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.provider_id


_ROWS_PER_INSERT = 100  # 7 parameters a row: well under SQLite's oldest limit of 999


async def record_many(conn: Conn, rows: Sequence[NewInbound]) -> list[int | None]:
    """Store messages inside the caller's transaction, a statement per hundred rows. Returns,
    for each row in order, its id, or None if its provider id was seen before (earlier in
    `rows` included)."""
    first: dict[tuple[str, str], NewInbound] = {}
    for row in rows:
        first.setdefault(row.key, row)
    fresh = list(first.values())
    ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(fresh), _ROWS_PER_INSERT):
        chunk = fresh[start : start + _ROWS_PER_INSERT]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [
            value
            for r in chunk
            for value in (
                r.channel,
                r.provider_id,
                r.address,
                r.to_address,
                r.text,
                iso(r.received_at),
                r.payload,
            )
        ]
        inserted = await conn.execute_fetchall(
            "INSERT INTO inbound (channel, provider_id, address, to_address, text, received_at,"
            f" payload) VALUES {values} ON CONFLICT (channel, provider_id) DO NOTHING"
            " RETURNING id, channel, provider_id",
            params,
        )
        ids.update(((str(r[1]), str(r[2])), int(r[0])) for r in inserted)
    result: list[int | None] = []
    for row in rows:
        # A repeated id within `rows` is a duplicate too: only its first copy gets the id.
        result.append(ids.pop(row.key, None))
    return result


async def record(
    db: Store,
    channel: str,
    provider_id: str,
    address: str,
    to_address: str | None,
    text: str,
    now: datetime,
    payload: str | None = None,
) -> int | None:
    """Store one message durably, in its own transaction. Returns its id, or None if that
    provider id was seen before. (Webhooks store theirs together: store/intake_writer.py.)"""
    row = NewInbound(channel, provider_id, address, to_address, text, now, payload)
    async with db.transaction() as conn:
        [stored] = await record_many(conn, [row])
        return stored


async def unprocessed(
    db: Store, limit: int = 16, per_sender: int | None = None
) -> list[InboundRecord]:
    """The next messages to process: each sender's in the order they came, senders in turn.

    A flood from one number then delays another person's text by a message or so, not by the
    whole flood; take a batch and ask again, so a text that arrives meanwhile gets its turn.
    `per_sender` caps one sender's share of the batch: during a flood from one number the
    batch stays small, and a newcomer waits behind that many of the flood's texts at most.
    """
    rows = await db.fetchall(
        "WITH turns AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY address ORDER BY id) AS turn"
        "   FROM inbound WHERE processed_at IS NULL)"
        " SELECT i.id, i.channel, i.provider_id, i.address, i.to_address, i.text, i.payload,"
        " i.received_at"
        " FROM turns JOIN inbound i ON i.id = turns.id WHERE turns.turn <= ?"
        " ORDER BY turns.turn, turns.id LIMIT ?",
        (per_sender or limit, limit),
    )
    return [InboundRecord(*row) for row in rows]


async def still_unprocessed(conn: Conn, inbound_ids: Sequence[int]) -> set[int]:
    """Which of these messages are this transaction's to decide, read inside it: another
    process sharing the store may have decided some since they were listed, or be deciding
    them now (on PostgreSQL each is claimed: FOR UPDATE SKIP LOCKED passes over another
    worker's, which keeps it until its transaction ends)."""
    if not inbound_ids:
        return set()
    marks = ", ".join("?" * len(inbound_ids))
    claim = " FOR UPDATE SKIP LOCKED" if isinstance(conn, PgConnection) else ""
    async with conn.execute(
        f"SELECT id FROM inbound WHERE processed_at IS NULL AND id IN ({marks}){claim}",
        tuple(inbound_ids),
    ) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def mark_processed(
    conn: Conn, inbound_id: int, now: datetime, error: str | None = None
) -> None:
    await conn.execute(
        "UPDATE inbound SET processed_at = ?, error = ? WHERE id = ?",
        (iso(now), error, inbound_id),
    )


async def mark_processed_many(conn: Conn, inbound_ids: Sequence[int], now: datetime) -> None:
    """A batch's decided messages, in one statement."""
    if inbound_ids:
        marks = ", ".join("?" * len(inbound_ids))
        await conn.execute(
            f"UPDATE inbound SET processed_at = ?, error = NULL WHERE id IN ({marks})",
            (iso(now), *inbound_ids),
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
