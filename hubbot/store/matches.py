"""Matches between a need and an offer, and each side's consent to share contacts."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.facts import MatchView
from hubbot.domain.models import BoardItem, ItemKind
from hubbot.store import items
from hubbot.store.conn import Conn
from hubbot.store.db import iso


async def create(conn: Conn, hub_id: int, need: int, offer: int, by: int, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO matches (hub_id, need, offer, made_by, created_at) VALUES (?, ?, ?, ?, ?)",
        (hub_id, need, offer, by, iso(now)),
    )


async def pending_for(conn: Conn, person_id: int) -> MatchView | None:
    """The newest match waiting for this person's yes, as poster of its need or its offer."""
    async with conn.execute(
        "SELECT m.id, m.need, m.offer, m.need_yes, m.offer_yes FROM matches m"
        " JOIN items n ON n.kind = 'need' AND n.number = m.need"
        " JOIN items o ON o.kind = 'offer' AND o.number = m.offer"
        " WHERE m.status = 'pending' AND ((n.person_id = :p AND m.need_yes = 0)"
        "   OR (o.person_id = :p AND m.offer_yes = 0))"
        " ORDER BY m.id DESC LIMIT 1",
        {"p": person_id},
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    need = await items.get(conn, ItemKind.NEED, row[1])
    offer = await items.get(conn, ItemKind.OFFER, row[2])
    if need is None or offer is None:
        return None
    return MatchView(row[0], need, offer, bool(row[3]), bool(row[4]))


async def consent(conn: Conn, match_id: int, side: str, shared: bool) -> None:
    column = "need_yes" if side == "need" else "offer_yes"  # one of two names we chose
    status = "shared" if shared else "pending"
    await conn.execute(
        f"UPDATE matches SET {column} = 1, status = ? WHERE id = ?", (status, match_id)
    )


async def close(conn: Conn, need: int, offer: int) -> None:
    """A match still waiting for consent is over: a late YES shares nothing."""
    await conn.execute(
        "UPDATE matches SET status = 'closed' WHERE need = ? AND offer = ? AND status = 'pending'",
        (need, offer),
    )


async def other_side(conn: Conn, item: BoardItem) -> BoardItem | None:
    """The note matched with `item`, while their match is pending or made (both notes still
    matched), else None."""
    if item.status != "matched" or item.matched_with is None:
        return None
    need, offer = (
        (item.number, item.matched_with)
        if item.kind is ItemKind.NEED
        else (item.matched_with, item.number)
    )
    async with conn.execute(
        "SELECT 1 FROM matches WHERE need = ? AND offer = ? AND status IN ('pending', 'shared')",
        (need, offer),
    ) as cursor:
        if await cursor.fetchone() is None:
            return None
    other_kind = ItemKind.OFFER if item.kind is ItemKind.NEED else ItemKind.NEED
    other = await items.get(conn, other_kind, item.matched_with)
    if other is None or other.status != "matched" or other.matched_with != item.number:
        return None
    return other
