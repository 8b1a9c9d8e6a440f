"""Needs and offers on the hub's board, numbered N1, N2 ... and O1, O2 ..."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.board_effects import CreateItem, UpdateItem
from hubbot.domain.models import BoardItem, ItemKind
from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso


async def next_number(conn: Conn, kind: ItemKind) -> int:
    return (await next_numbers(conn))[kind]


async def next_numbers(conn: Conn) -> dict[ItemKind, int]:
    """The next number of each kind (N, O), in one statement: an index seek each."""
    kinds = list(ItemKind)
    picks = ", ".join("(SELECT MAX(number) FROM items WHERE kind = ?)" for _ in kinds)
    async with conn.execute(f"SELECT {picks}", tuple(k.value for k in kinds)) as cursor:
        row = await cursor.fetchone()
    return {kind: int((row[i] if row else 0) or 0) + 1 for i, kind in enumerate(kinds)}


async def create(conn: Conn, item: CreateItem, channel: str | None, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO items (kind, number, hub_id, person_id, channel, category, text,"
        " created_at, expires_at, quantity, location, critical, significant)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            item.quantity,
            item.location,
            int(item.critical),
            int(item.significant),
        ),
    )


_COLUMNS = (
    "kind, number, hub_id, person_id, text, status, category, quantity, location, critical,"
    " created_at, expires_at, matched_with"
)


def _item(row: Row) -> BoardItem:
    return BoardItem(
        ItemKind(row[0]),
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        bool(row[9]),
        from_iso(row[10]),
        from_iso(row[11]),
        row[12],
    )


async def get(conn: Conn, kind: ItemKind, number: int) -> BoardItem | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM items WHERE kind = ? AND number = ?", (kind.value, number)
    ) as cursor:
        row = await cursor.fetchone()
    return _item(row) if row else None


async def open_items(
    conn: Conn,
    hub_id: int,
    now: datetime,
    kind: ItemKind | None = None,
    category: str | None = None,
    limit: int = -1,
) -> list[BoardItem]:
    """Open and matched items not yet expired: critical first, then oldest first."""
    where, params = "", [hub_id, iso(now)]
    if kind is not None:
        where, params = where + " AND kind = ?", [*params, kind.value]
    if category is not None:
        where, params = where + " AND category = ?", [*params, category]
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM items WHERE hub_id = ? AND status IN ('open', 'matched')"
        f" AND expires_at > ?{where} ORDER BY critical DESC, created_at, number LIMIT ?",
        (*params, limit),
    ) as cursor:
        return [_item(row) for row in await cursor.fetchall()]


_CHANGEABLE = (
    "status",
    "category",
    "expires_at",
    "matched_with",
    "resolution",
    "closed_at",
    "quantity",
)


async def update(conn: Conn, change: UpdateItem) -> None:
    """Set what the change names of one item; what it leaves None stays as it is."""
    fields = {
        name: iso(value) if isinstance(value, datetime) else value
        for name in _CHANGEABLE
        if (value := getattr(change, name)) is not None
    }
    if not fields:
        return
    sets = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(
        f"UPDATE items SET {sets} WHERE kind = ? AND number = ?",
        (*fields.values(), change.kind.value, change.number),
    )


async def expire_due(conn: Conn, now: datetime) -> int:
    """Mark items past their expiry as expired (they already left the open lists)."""
    cursor = await conn.execute(
        "UPDATE items SET status = 'expired', closed_at = ? WHERE status IN ('open', 'matched')"
        " AND expires_at <= ?",
        (iso(now), iso(now)),
    )
    return cursor.rowcount
