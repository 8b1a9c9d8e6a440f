"""Deliver the outbox: urgent first, in order per person within a lane, paced, retried with care."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from hubbot.channels.base import Channel, SendError
from hubbot.clock import Clock
from hubbot.domain.messages import Priority
from hubbot.domain.pacing import Need
from hubbot.service.metrics import Metrics, seconds_between
from hubbot.service.retrying import Retrying
from hubbot.service.send_limits import SendLimits, backoff
from hubbot.store import delivery, outbox, pacing, people, requeue, stats
from hubbot.store.conn import Store
from hubbot.store.db import from_iso, is_storage_fault
from hubbot.store.outbox import OutboxRecord
from hubbot.store.send_outcomes import Failed, Outcome, OutcomeWriter, Retry, Sent

log = logging.getLogger(__name__)

IDLE_POLL = 5.0  # seconds between looks at the outbox when nothing wakes us
FALLBACK_LANES = frozenset({Priority.URGENT, Priority.ALERT})  # sent another way if blocked


class Dispatcher:
    """Starts each due message's send as soon as its lane, its order and its rate allow."""

    def __init__(
        self,
        db: Store,
        channels: Mapping[str, Channel],
        clock: Clock,
        limits: SendLimits,
        *,
        wake: asyncio.Event | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.max_attempts = limits.max_attempts
        self.max_age = limits.max_age
        self.concurrency = limits.concurrency
        self.refill = max(1, limits.concurrency // 4)  # free slots worth a look
        self.freed = asyncio.Event()  # that many came free
        self.lease = limits.lease
        self.ahead = limits.ahead
        self.owner = secrets.token_hex(8)  # written on the rows this dispatcher sends
        self.outcomes = OutcomeWriter(db)
        self.wake = wake or asyncio.Event()
        self.metrics = metrics or Metrics()
        self.rng = random.Random()  # the retry jitter; a test may seed its own
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.stopping = False
        self.last_wait: float | None = None  # what the last look returned (tests drive by it)
        self._requeued: int | None = None  # the store's fault count at the last requeue
        self._swept: datetime | None = None  # when lost workers' sends were last looked for

    async def run(self) -> None:
        """Deliver until stopping. A failure (a full disk, an I/O error, a lock held too long)
        pauses delivery, longer each time, and never ends it."""
        retrying = Retrying("delivery")
        while not self.stopping:
            try:
                await self.recover()
                wait = await self.start_due()
            except Exception as exc:
                deadline = asyncio.get_running_loop().time() + retrying.failed(exc)
                while not self.stopping:  # the whole pause, unless stop() wakes us
                    left = deadline - asyncio.get_running_loop().time()
                    if left <= 0:
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), left)
                    self.wake.clear()
                continue
            retrying.succeeded()
            if self.stopping:
                break
            if wait == 0:
                await asyncio.sleep(0)  # let finished sends settle, then look again at once
                continue
            await self._sleep(wait)
        await self.finish_in_flight()

    async def recover(self) -> None:
        """Put back what was left under way, before each look.

        A send whose outcome could not be written stays 'sending' and would hold its person's
        lane. So at start, and after each new storage fault once the sends in flight have
        ended, rows still 'sending' go back to pending (they may arrive twice: at least once):
        on a store of its own, all of them; on a shared one, this worker's only. There, every
        lease/4, another worker's go back too once marked longer ago than the lease: that
        worker was lost (killed, cut off); a live one's sends end well within it."""
        if self._requeued != self.db.faults:
            faults = self.db.faults
            await self.finish_in_flight()
            everyone = self._requeued is None and not self.db.shared
            owner = None if everyone else self.owner
            await requeue.requeue_interrupted(self.db, self.clock.now(), owner)
            self._requeued = faults
        now = self.clock.now()
        if self.db.shared and (self._swept is None or now - self._swept > self.lease / 4):
            await requeue.requeue_lost(self.db, now, self.owner, self.lease)
            self._swept = now

    async def _sleep(self, wait: float | None) -> None:
        """Until woken, until slots came free, or until the next message may go."""
        timeout = IDLE_POLL if wait is None else max(0.001, min(wait, IDLE_POLL))
        waiters = [
            asyncio.ensure_future(self.wake.wait()),
            asyncio.ensure_future(self.freed.wait()),
        ]
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self.wake.clear()
        self.freed.clear()

    async def finish_in_flight(self) -> None:
        if self.in_flight:
            await asyncio.gather(*self.in_flight.values(), return_exceptions=True)

    async def run_once(self) -> int:
        """Start every send that may go now and wait for them (for tests and tools)."""
        started, _ = await self._look()
        await self.finish_in_flight()
        return started

    async def start_due(self) -> float | None:
        """Start the sends that may go now. Returns the seconds until the next one may (0: look
        again at once), or None when nothing waits on a time: then only a new message or a
        send ending (both wake the loop) can let one go."""
        _, wait = await self._look()
        return wait

    async def _look(self) -> tuple[int, float | None]:
        """One pass over the due messages: start those that may go, and find the next wake."""
        if len(self.in_flight) >= self.concurrency:
            self.last_wait = None
            return 0, None  # no slot free: a send ending wakes the loop
        cutoff = self.clock.now()
        # Enough of each sender's messages to fill every free slot, however long its queue.
        records = await delivery.due(
            self.db, cutoff, per_sender=self.concurrency - len(self.in_flight)
        )
        # Read after the query: a slot that came free while it ran is free now, and the waits
        # of the messages held back are measured from the same instant as their hold.
        now = self.clock.now()
        candidates: dict[int, tuple[OutboxRecord, list[Need]]] = {}
        dropped = False
        for record in records:
            channel = self.channels.get(record.channel)
            if channel is None:
                await delivery.mark_failed(self.db, record.id, now, f"no {record.channel} channel")
                dropped = True  # the next message of its lane is due now: look again at once
                continue
            if now - record.created > self.max_age:
                await delivery.mark_failed(
                    self.db, record.id, now, "expired before it could be sent"
                )
                dropped = True
                continue
            limits = channel.limits(record.address, record.sender, record.text)
            candidates[record.id] = (record, [(lim.key, lim.rate, lim.cost) for lim in limits])
        # The booking lives in the database, shared with every other worker: one transaction
        # books the free keys and marks those rows sending. Only what is durably `sending`
        # leaves (at least once); a row another worker took since `due` read it is not ours.
        room = self.concurrency - len(self.in_flight)
        offered = [(i, needs) for i, (_, needs) in candidates.items()]
        marked, wake_at = await pacing.admit(
            self.db, offered, room, self.clock.now, self.owner, self.ahead
        )
        admitted = [(record, marked[i]) for i, (record, _) in candidates.items() if i in marked]
        for record, delay in admitted:
            task = asyncio.create_task(self._deliver(record, delay), name=f"send-{record.id}")
            self.in_flight[record.id] = task
            task.add_done_callback(functools.partial(self._forget, record.id))
        # A retry (or a message written since the cutoff) that falls due later.
        retry = await delivery.next_due_time(self.db, cutoff)
        if retry is not None:
            wake_at = retry if wake_at is None else min(wake_at, retry)
        wait: float | None = None
        if dropped:
            wait = 0.0
        elif wake_at is not None:
            # From the clock as it reads now: the writes above took some of the wait.
            wait = max(0.0, (wake_at - self.clock.now()).total_seconds())
        self.last_wait = wait
        return len(admitted), wait

    def _forget(self, record_id: int, _task: asyncio.Task[None]) -> None:
        self.in_flight.pop(record_id, None)
        # Look again once a quarter of the slots are free, at once when few sends are in flight
        # (the next message of a lane is due when its send ends): under load, a look for each
        # send that ended cost more than the send (bench/broadcast.py).
        if len(self.in_flight) <= self.concurrency - self.refill:
            self.freed.set()

    async def _deliver(self, record: OutboxRecord, delay: float = 0.0) -> None:
        if delay > 0:  # its booked slot: a fast key's next send, taken in the same pass
            await asyncio.sleep(delay)
        try:
            await self._send_and_record(record)
        except Exception as exc:
            if not is_storage_fault(exc):
                raise
            # The outcome could not be written: the row stays `sending`, and run() puts it
            # back once the store works again (at least once, never lost).
            log.warning("send %d: its outcome could not be stored: %s", record.id, exc)

    async def _send_and_record(self, record: OutboxRecord) -> None:
        channel = self.channels[record.channel]
        try:
            result = await channel.send(
                record.address, record.text, record.sender, record.button_pairs
            )
        except SendError as exc:
            await self._failed(record, exc)
        except Exception as exc:  # an adapter bug or a network error: retry, never lose it
            log.exception("send %d via %s raised", record.id, record.channel)
            await self._failed(record, SendError(repr(exc)[:300], permanent=False))
        else:
            now = self.clock.now()
            await self.outcomes.write(Sent(record.id, now, result.provider_id, result.delivered))
            self.metrics.sent(
                record.channel, record.priority, record.created, now, result.delivered
            )
            if record.priority is Priority.URGENT:
                await self._life_safety(record.id, now)

    async def _life_safety(self, record_id: int, accepted: datetime) -> None:
        """How long the text behind an urgent message waited for it to leave (one look-up,
        urgent messages only)."""
        try:
            received = from_iso(await stats.received_at(self.db, record_id))
        except Exception as exc:  # a metric never holds delivery up, nor reads as its fault
            log.debug("send %d: life-safety latency not measured: %s", record_id, exc)
            return
        if received is not None:
            self.metrics.life_safety_latency.observe(seconds_between(received, accepted))

    async def _failed(self, record: OutboxRecord, exc: SendError) -> None:
        now = self.clock.now()
        attempts = record.attempts + 1
        if exc.hold_key is not None:  # the provider asked us to slow down
            self.metrics.rate_limited.labels(record.channel).inc()
        if exc.opted_out and record.person_id is not None:
            await self._opt_out(record.person_id, now)
        if exc.unreachable:
            await self._unreachable(record, now)
        if exc.permanent or attempts >= self.max_attempts:
            log.warning("outbox %d to %s failed: %s", record.id, record.address, exc.reason)
            await self.outcomes.write(Failed(record.id, now, exc.reason, exc.code))
            self.metrics.sends.labels(record.channel, "failed").inc()
            return
        delay = backoff(attempts, exc.retry_after, self.rng)
        if exc.hold_key and exc.retry_after:
            await pacing.hold(self.db, exc.hold_key, now + timedelta(seconds=exc.retry_after))
        log.info("outbox %d: %s; retry in %.1fs", record.id, exc.reason, delay)
        retry: Outcome = Retry(record.id, now, exc.reason, now + timedelta(seconds=delay))
        await self.outcomes.write(retry)
        self.metrics.retry(record.channel)

    async def _unreachable(self, record: OutboxRecord, now: datetime) -> None:
        """They blocked the bot: stop using that address, and send alerts another way."""
        async with self.db.transaction() as conn:
            await people.mark_unreachable(conn, record.address)
            if record.person_id is None or record.priority not in FALLBACK_LANES:
                return
            fallback = await people.preferred_address(conn, record.person_id)
            if fallback is not None:
                await outbox.enqueue(
                    conn,
                    person_id=record.person_id,
                    address=fallback,
                    text=record.text,
                    priority=record.priority,
                    now=now,
                )
                log.info(
                    "outbox %d: %s blocked the bot; alert goes to %s instead",
                    record.id,
                    record.address,
                    fallback,
                )

    async def _opt_out(self, person_id: int, now: datetime) -> None:
        """The provider says this person opted out (Twilio 21610): honour it everywhere."""
        async with self.db.transaction() as conn:
            await delivery.opt_out(conn, person_id, True, now)
        self.metrics.opt_outs.labels("provider").inc()
