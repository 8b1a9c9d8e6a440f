"""Deliver the outbox: urgent first, in order per recipient, retrying what can be retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from hubbot.channels.base import Channel, SendError
from hubbot.service.clock import Clock
from hubbot.store import outbox
from hubbot.store.db import Database
from hubbot.store.outbox import OutboxRecord

log = logging.getLogger(__name__)

BACKOFF_BASE = 2.0  # seconds; doubled per attempt, with jitter
BACKOFF_MAX = 300.0
IDLE_POLL = 5.0  # seconds between checks when nothing wakes us


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Exponential backoff with full jitter, never sooner than the provider asked."""
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    delay = rng.uniform(delay / 2, delay)
    return max(delay, retry_after or 0.0)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        max_attempts: int,
        wake: asyncio.Event | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.max_attempts = max_attempts
        self.wake = wake or asyncio.Event()
        self.rng = rng or random.Random()
        self.stopping = False

    async def run(self) -> None:
        await outbox.requeue_interrupted(self.db, self.clock.now())
        while not self.stopping:
            sent = await self.run_once()
            if not sent and not self.stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=await self._idle_wait())
                self.wake.clear()

    async def _idle_wait(self) -> float:
        due = await outbox.next_due_time(self.db)
        if due is None:
            return IDLE_POLL
        seconds = (datetime.fromisoformat(due) - self.clock.now()).total_seconds()
        return min(IDLE_POLL, max(0.05, seconds))

    async def run_once(self) -> int:
        """Send every message that is due now; returns how many were attempted."""
        batch = await outbox.due(self.db, self.clock.now())
        for record in batch:
            if self.stopping:
                break
            await self.deliver(record)
        return len(batch)

    async def deliver(self, record: OutboxRecord) -> None:
        channel = self.channels.get(record.channel)
        now = self.clock.now()
        if channel is None:
            await outbox.set_status(
                self.db, record.id, "failed", now, error=f"no channel {record.channel!r} configured"
            )
            return
        await outbox.set_status(self.db, record.id, "sending", now, count_attempt=True)
        try:
            result = await channel.send(record.address, record.text)
        except SendError as exc:
            await self._failed(record, exc)
            return
        except Exception as exc:  # an adapter bug or network error: retry, never lose it
            log.exception("send %d via %s raised", record.id, record.channel)
            await self._failed(record, SendError(repr(exc)[:300], permanent=False))
            return
        status = "delivered" if result.delivered else "sent"
        await outbox.set_status(
            self.db, record.id, status, self.clock.now(), provider_id=result.provider_id
        )

    async def _failed(self, record: OutboxRecord, exc: SendError) -> None:
        now = self.clock.now()
        attempts = record.attempts + 1
        if exc.permanent or attempts >= self.max_attempts:
            log.warning("outbox %d to %s failed: %s", record.id, record.address, exc.reason)
            await outbox.set_status(self.db, record.id, "failed", now, error=exc.reason)
            return
        delay = backoff(attempts, exc.retry_after, self.rng)
        log.info("outbox %d: %s; retry in %.1fs", record.id, exc.reason, delay)
        await outbox.set_status(
            self.db,
            record.id,
            "pending",
            now,
            error=exc.reason,
            next_attempt_at=now + timedelta(seconds=delay),
        )
