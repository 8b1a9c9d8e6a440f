"""Needs and offers on the hub's board, numbered N1, N2 ... and O1, O2 ..."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from hubbot.domain.effects import CreateItem
from hubbot.domain.models import BoardItem, ItemKind
from hubbot.store.db import iso

Conn = aiosqlite.Connection


async def next_number(conn: Conn, kind: ItemKind) -> int:
    async with conn.execute("SELECT MAX(number) FROM items WHERE kind = ?", (kind.value,)) as c:
        row = await c.fetchone()
    return int(row[0] or 0) + 1 if row else 1


async def create(conn: Conn, item: CreateItem, channel: str | None, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO items (kind, number, hub_id, person_id, channel, category, text,"
        " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item.kind.value,
            item.number,
            item.hub_id,
            item.person_id,
            channel,
            item.category,
            item.text,
            iso(now),
            iso(item.expires_at),
        ),
    )


async def get(conn: Conn, kind: ItemKind, number: int) -> BoardItem | None:
    async with conn.execute(
        "SELECT hub_id, person_id, text, status FROM items WHERE kind = ? AND number = ?",
        (kind.value, number),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return BoardItem(kind, number, row[0], row[1], row[2], row[3])
