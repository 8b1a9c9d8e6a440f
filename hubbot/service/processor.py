"""Process stored inbound messages in batches: decide each, persist, queue the replies."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from hubbot.clock import Clock
from hubbot.domain.decide import decide
from hubbot.domain.effects import Effect, SetOptOut, hub_of
from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.models import Hub
from hubbot.domain.playbook import LOCALES
from hubbot.domain.registry import parse
from hubbot.service.apply import Effects
from hubbot.service.batch_hubs import BatchHubs, KnownMembers
from hubbot.service.facts import build, named_command
from hubbot.service.metrics import seconds_between
from hubbot.service.outbound import Origin
from hubbot.service.retrying import Retrying
from hubbot.service.throttling import Throttling
from hubbot.service.wakes import Intake, Wakes
from hubbot.store import inbound, people, turns
from hubbot.store.conn import Conn, Store
from hubbot.store.db import from_iso, is_conflict, is_storage_fault
from hubbot.store.group_commit import GroupCommit, Ride
from hubbot.store.inbound import InboundRecord

log = logging.getLogger(__name__)


BATCH = 64  # messages decided in one transaction, so one commit (one fsync) serves them all
PER_SENDER = 16  # one sender's share of a batch: a flood from one number keeps batches small
# A batch ends after this long too: webhooks wait for the store meanwhile (one connection).
# Shorter costs throughput: the intake outruns the deciding and texts wait in the journal
# instead (bench/sms_inbound.py, p50: 4.9 s at 0.02 s, 0.4 s at 0.25 s).
BATCH_SECONDS = 0.25
# ... or after this long when other work waits for the connection (webhooks to acknowledge,
# the scheduler's batch): it is the wait a webhook sees while the processor is busy.
SHARE_SECONDS = 0.005
HELD = 0.5  # seconds before texts another worker held are looked at again, without a wake


class _NotYourTurn(Exception):
    """The message is about a hub another worker holds (inbound.hub_turn): it waits."""


class Processor:
    """Turns inbound rows into effects and outbox rows, a batch of them per transaction."""

    def __init__(
        self,
        db: Store,
        clock: Clock,
        intake: Intake,
        effects: Effects,
        wakes: Wakes,
        batch: int = BATCH,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = intake.playbooks
        self.lookup = intake.lookup
        self.default_locale = intake.default_locale
        self.effects = effects  # every effect and message goes through it (service/apply.py)
        self.outbound = effects.outbound
        self.wake = wakes.inbound
        self.on_outbox = wakes.outbox
        self.after = wakes.schedule  # set after each batch: the scheduler looks again
        self.metrics = wakes.metrics
        self.throttling = Throttling(intake.flood, self.playbooks, clock, effects, self.metrics)
        self.batch = batch
        self.batch_seconds = batch_seconds
        self.share_seconds = SHARE_SECONDS
        # Counts of the message in hand, made once its batch commits: a batch rolled back is
        # processed again, and must not be counted twice.
        self.counted: list[Callable[[], object]] = []
        # Set by process(): some messages were left for a worker holding their hub or sender.
        self.waiting = False
        # Large hubs' members, kept from batch to batch (SQLite; PostgreSQL reads them each).
        self.known = KnownMembers() if not db.shared else None
        # On one SQLite connection: the webhooks' journal writer, whose rows a batch carries
        # into its own commit rather than making them wait for it (GroupCommit.ride).
        self.carrying: GroupCommit[Any, Any] | None = None

    async def run(self) -> None:
        """Work through the journal, then wait to be woken by the next stored message.

        Nothing ends this loop but cancellation: after a failure (a full disk, an I/O error, a
        lock held too long) it waits, longer each time, and tries the same messages again, so
        the work resumes by itself once the store does."""
        retrying = Retrying("processing")
        while True:
            try:
                done = await self.drain()
            except Exception as exc:
                if is_conflict(exc):  # another worker's batch won: do ours again, at once
                    self.metrics.conflicts.labels("processing").inc()
                    continue
                await asyncio.sleep(retrying.failed(exc))
                continue
            retrying.succeeded()
            if not done:
                # Texts left to a worker that holds their hub: its commit wakes this loop, and
                # if it never commits (killed), they are looked at again after a while.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), HELD if self.waiting else None)
                self.wake.clear()

    async def drain(self) -> int:
        count = 0
        # Batches taken in turn over senders: a text that arrives during a flood from one
        # number waits for a batch at most, not for the flood.
        while batch := await inbound.unprocessed(self.db, self.batch, min(PER_SENDER, self.batch)):
            waited = False
            while batch:  # what a transaction's time did not cover goes first in the next
                done = await self.process(*batch)
                batch = batch[done:]
                count += done
                waited = waited or self.waiting
            if waited:  # another worker holds some: its commit wakes this loop again
                break
        return count

    async def process(self, *records: InboundRecord) -> int:
        """Decide `records` one after another in one transaction, each seeing the effects of
        the ones before, until `batch_seconds` have passed; returns how many (the first ones of
        `records`) were decided. A message whose decision raises is rolled back alone (a
        savepoint each) and marked failed; a storage fault rolls back them all, for run()."""
        counted: list[Callable[[], object]] = []
        self.waiting = False
        rides: list[Ride[Any, Any]] = []
        try:
            async with self.db.deciding() as conn:
                batch = BatchHubs(conn, self.playbooks, self.known)
                taken = await self._decide_each(conn, batch, records, counted, rides)
                settled = await batch.settled()
                await self._carry(conn, rides)  # what came in during the last one
        except BaseException:
            for ride in rides:
                ride.undone()
            raise
        for ride in rides:
            ride.committed()
        if self.known is not None:
            self.known.keep(settled)
        for count in counted:
            count()
        now = self.clock.now()
        for record in taken:
            received = from_iso(record.received_at)
            if received is not None:
                self.metrics.processing_latency.observe(seconds_between(received, now))
        self.on_outbox.set()
        self.after.set()
        return len(taken)

    async def _decide_each(
        self,
        conn: Conn,
        batch: BatchHubs,
        records: Sequence[InboundRecord],
        counted: list[Callable[[], object]],
        rides: list[Ride[Any, Any]],
    ) -> list[InboundRecord]:
        """Decide in order, until time is up: the records taken, decided or left waiting."""
        decided: list[int] = []
        taken: list[InboundRecord] = []
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = start + self.batch_seconds
        # Listed before this transaction: a worker sharing the store may have decided some
        # since. Each message is decided once, whoever takes it.
        mine = await inbound.still_unprocessed(conn, [r.id for r in records])
        held: set[str] = set()  # senders with a text another worker has, or that waits
        for record in records:
            if taken:
                # Statements run on the event loop here (store/sqlite_conn.py): let the
                # webhooks that came meanwhile be read, carry their rows into this commit,
                # and give way if other work waits.
                await asyncio.sleep(0)
                await self._carry(conn, rides)
                elapsed = loop.time()
                if elapsed > end or (self._sharing() and elapsed > start + self.share_seconds):
                    break
            taken.append(record)
            if record.id not in mine or record.address in held:
                # The sender's next texts wait too, so theirs are decided in order. On
                # PostgreSQL a text not ours may be another worker's now: wait for it.
                held.add(record.address)
                self.waiting = self.waiting or self.db.shared or record.id in mine
                continue
            self.counted = []
            await conn.execute("SAVEPOINT message")
            try:
                effects = await self._process(conn, batch, record)
            except _NotYourTurn:
                await conn.execute("ROLLBACK TO message")
                batch.forget()
                held.add(record.address)
                self.waiting = True
                effects = None
            except Exception as exc:
                if is_storage_fault(exc) or not conn.in_transaction:
                    raise  # the store failed, not the message: run() tries them again
                await conn.execute("ROLLBACK TO message")
                batch.forget()  # what it loaded may hold what was just undone
                await self._failed(conn, record, exc)
            else:
                counted += self.counted
                batch.applied(effects or ())
                if effects is not None:
                    decided.append(record.id)
            await conn.execute("RELEASE message")
        await inbound.mark_processed_many(conn, decided, self.clock.now())
        return taken

    def _sharing(self) -> bool:
        """Whether others wait for this connection while webhooks need it too (SQLite: on
        PostgreSQL they have their own, and a batch of a few texts would be all round trips)."""
        return self.carrying is not None and self.db.contended

    async def _carry(self, conn: Conn, rides: list[Ride[Any, Any]]) -> None:
        if self.carrying is not None and (ride := await self.carrying.ride(conn)) is not None:
            rides.append(ride)

    async def _failed(self, conn: Conn, record: InboundRecord, exc: Exception) -> None:
        """A bug must not eat the message: keep it, mark why, and tell the sender."""
        log.exception("could not process inbound %d", record.id, exc_info=exc)
        await inbound.mark_processed(conn, record.id, self.clock.now(), repr(exc)[:500])
        person = await people.by_address(conn, record.address)
        if person is not None:
            await self.outbound.person(
                conn, Outgoing(person.id, Msg("error.internal")), Origin(record.id)
            )

    async def _process(
        self, conn: Conn, batch: BatchHubs, record: InboundRecord
    ) -> Sequence[Effect] | None:
        """Decide one message: its effects, marked processed with the batch (None: throttled)."""
        now = self.clock.now()
        details = json.loads(record.payload) if record.payload else {}
        group_chat: int | None = details.get("group_chat")
        if group_chat is not None and not record.text.startswith("/"):
            # Team chatter in a linked group is not addressed to hubbot: keep it, answer nothing.
            return ()
        hub_record = None
        if record.to_address:
            hub_record = await batch.by_sms_number(record.to_address.split(":", 1)[-1])
        sender = await people.by_address(conn, record.address)
        if sender is None:
            locale = _locale(details.get("language")) or (
                hub_record.locale if hub_record else self.default_locale
            )
            sender = await people.create(conn, record.address, locale, now)
        await people.touch_address(conn, record.address, now)
        await people.set_username(conn, sender.id, details.get("username"))
        if hub_record is None and sender.hub_id is not None:
            hub_record = await batch.by_id(sender.hub_id)
        hub: Hub | None = None
        if hub_record is not None:
            hub = await batch.load(hub_record)
        cmd = parse(record.text, hub.playbook if hub else None)
        if cmd.hub_code is not None:
            cmd, hub = await named_command(conn, record.text, cmd, sender, hub, self.playbooks)
        origin = Origin(
            record.id,
            sender.id,
            record.address,
            group_chat,
            hub_record.sms_number if hub_record else None,
            hub.id if hub else None,
            hub_record.exercise if hub and hub_record and hub_record.id == hub.id else None,
        )
        if hub is not None and not await turns.hub_turn(conn, hub.id):
            raise _NotYourTurn  # another worker is deciding this hub's messages
        if await self.throttling.held(conn, record, cmd, sender, hub, origin, self.counted):
            return None
        ctx = await build(conn, cmd, sender, hub, now, self.lookup, group_chat, record.address)
        outcome = decide(cmd, ctx)
        log.info(
            "inbound %d from M%d: %s -> %d effects, %d messages",
            record.id,
            sender.id,
            cmd.name,
            len(outcome.effects),
            len(outcome.messages),
        )
        if origin.hub_id is None:  # ACTIVATE PLATEAU 2468: the hub is the one it acted on
            origin = replace(origin, hub_id=hub_of(outcome.effects))
        await self.effects.outcome(conn, outcome, now, origin, record.channel)
        stops = sum(isinstance(e, SetOptOut) and e.opted_out for e in outcome.effects)
        if stops:
            self.counted.append(lambda: self.metrics.opt_outs.labels("command").inc(stops))
        return outcome.effects


def _locale(language: object) -> str | None:
    """Telegram's language_code ('fr', 'fr-CA', 'en-US') as one of ours."""
    if isinstance(language, str) and language[:2].lower() in LOCALES:
        return language[:2].lower()
    return None
