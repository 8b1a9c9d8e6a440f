"""Periodic upkeep: notes past their expiry come off the board, with a line in the log."""

from __future__ import annotations

import asyncio
import logging

from hubbot.service.clock import Clock
from hubbot.store import items
from hubbot.store.db import Database

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0


async def sweep(db: Database, clock: Clock) -> int:
    """Mark expired notes as such (the open lists already leave them out at expiry)."""
    async with db.transaction() as conn:
        count = await items.expire_due(conn, clock.now())
    if count:
        log.info("%d note(s) expired and came off the board", count)
    return count


async def run(db: Database, clock: Clock, interval: float = SWEEP_SECONDS) -> None:
    while True:
        try:
            await sweep(db, clock)
        except Exception:  # a failed sweep must not stop the next one
            log.exception("housekeeping sweep failed")
        await asyncio.sleep(interval)
