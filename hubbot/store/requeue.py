"""Sends left under way (a crash, a storage fault, a lost worker) go again: at least once."""

from __future__ import annotations

from datetime import datetime, timedelta

from hubbot.domain import outbox_state
from hubbot.domain.outbox_state import OutboxStatus
from hubbot.store.conn import Store
from hubbot.store.db import iso
from hubbot.store.outbox import status_in

# What a send under way is: the rows the dispatcher may put back to pending.
AGAIN = status_in(outbox_state.send_sources(OutboxStatus.PENDING))


# Another worker's sends, under way since before a time: that worker was lost.
LOST = f"{AGAIN} AND updated_at < ? AND (claimed_by IS NULL OR claimed_by <> ?)"


async def requeue_interrupted(db: Store, now: datetime, owner: str | None = None) -> int:
    """Sends that were under way and may or may not have left go again (at least once).

    With no `owner`, every one: the store's only worker has just started. With `owner`, that
    worker's own (after a storage fault, once its sends in flight have ended); another
    worker's are requeue_lost's."""
    if owner is None:
        return await _requeue(db, now, AGAIN, ())
    return await _requeue(db, now, f"{AGAIN} AND claimed_by = ?", (owner,))


async def requeue_lost(db: Store, now: datetime, owner: str, lease: timedelta) -> int:
    """Another worker's sends under way for longer than `lease`: that worker was lost (killed,
    cut off), so they go again. This worker's own are left to it. Reads first: mostly there
    are none, and a read costs the other workers no wait for the write lock."""
    params = (iso(now - lease), owner)
    if await db.fetchone(f"SELECT 1 FROM outbox WHERE {LOST} LIMIT 1", params) is None:
        return 0
    return await _requeue(db, now, LOST, params)


async def _requeue(db: Store, now: datetime, where: str, params: tuple[str | None, ...]) -> int:
    """Back to pending and due now, no worker's any more: the rows `where` picks."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = ?, next_attempt_at = ?, updated_at = ?, claimed_by = NULL"
            f" WHERE {where}",
            (OutboxStatus.PENDING, iso(now), iso(now), *params),
        )
        return cursor.rowcount
