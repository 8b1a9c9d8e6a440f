"""Periodic upkeep: expired notes come off the board, and old texts are purged (retention)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from hubbot.clock import Clock
from hubbot.store import items, retention
from hubbot.store.conn import Store

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0
# Retention is counted in days: once an hour is soon enough, and keeps the purge's scans rare.
PURGE_EVERY = timedelta(hours=1)


async def sweep(db: Store, clock: Clock) -> int:
    """Mark expired notes as such (the open lists already leave them out at expiry)."""
    async with db.transaction() as conn:
        count = await items.expire_due(conn, clock.now())
    if count:
        log.info("%d note(s) expired and came off the board", count)
    return count


async def purge(db: Store, clock: Clock, keep: timedelta) -> retention.Purged:
    """Purge what is older than `keep` and no live hub needs (store/retention.py)."""
    async with db.transaction() as conn:
        purged = await retention.purge(conn, clock.now(), keep)
    if purged.inbound or purged.outbox or purged.mailbox or purged.people:
        log.info("retention: %s", purged)
    return purged


class Housekeeping:
    """Each tick sweeps the board; the purge runs at the first tick and then hourly."""

    def __init__(self, db: Store, clock: Clock, keep: timedelta | None = None) -> None:
        self.db, self.clock, self.keep = db, clock, keep
        self.next_purge: datetime | None = None

    async def tick(self) -> None:
        try:
            await sweep(self.db, self.clock)
        except Exception:  # a failed sweep must not stop the next one, nor the purge
            log.exception("housekeeping sweep failed")
        now = self.clock.now()
        if self.keep is None or (self.next_purge is not None and now < self.next_purge):
            return
        self.next_purge = now + PURGE_EVERY
        try:
            await purge(self.db, self.clock, self.keep)
        except Exception:
            log.exception("retention purge failed")


async def run(
    db: Store,
    clock: Clock,
    interval: float = SWEEP_SECONDS,
    keep: timedelta | None = None,
) -> None:
    """Sweep every `interval` seconds; purge what is older than `keep` (if given) hourly."""
    keeper = Housekeeping(db, clock, keep)
    while True:
        await keeper.tick()
        await asyncio.sleep(interval)
