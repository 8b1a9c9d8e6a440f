"""Process stored inbound messages one by one: decide, persist, and queue the replies."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping

import aiosqlite

from hubbot.channels.base import Channel
from hubbot.domain.commands import Command, parse
from hubbot.domain.decide import decide
from hubbot.domain.effects import CreateBroadcast, LogActivity, StartRollcall
from hubbot.domain.flood import FloodLimit, admit, always_passes
from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.models import Hub, Person
from hubbot.domain.playbook import LOCALES, Playbook
from hubbot.i18n import Renderer
from hubbot.service.alerts import Alerts
from hubbot.service.apply import apply
from hubbot.service.clock import Clock
from hubbot.service.context import Lookup, build
from hubbot.service.outbound import Origin, Outbound
from hubbot.service.retrying import Retrying
from hubbot.store import hubs, inbound, people
from hubbot.store.db import Database, from_iso, is_storage_fault
from hubbot.store.inbound import InboundRecord

log = logging.getLogger(__name__)


class Processor:
    """Turns each inbound row into effects and outbox rows, all in one transaction."""

    def __init__(
        self,
        db: Database,
        playbooks: Mapping[str, Playbook],
        renderer: Renderer,
        clock: Clock,
        *,
        default_locale: str,
        region: str,
        timezone: str = "America/Toronto",
        channels: Mapping[str, Channel] | None = None,
        on_outbox: asyncio.Event | None = None,
        wake: asyncio.Event | None = None,
        after: asyncio.Event | None = None,
        flood: FloodLimit | None = None,
    ) -> None:
        self.db = db
        self.flood = flood or FloodLimit()  # off unless the root passes the configured limit
        self.playbooks = playbooks
        self.clock = clock
        self.outbound = Outbound(renderer, channels or {}, clock)
        self.alerts = Alerts(self.outbound, renderer, playbooks, clock, timezone)
        self.default_locale = default_locale
        templates = frozenset(
            k.removeprefix("template.") for k in renderer.all_keys() if k.startswith("template.")
        )
        self.lookup = Lookup(playbooks, region, timezone, templates)
        self.wake = wake or asyncio.Event()
        self.on_outbox = on_outbox or asyncio.Event()
        self.after = after or asyncio.Event()  # set after each message: the scheduler looks again

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
                await asyncio.sleep(retrying.failed(exc))
                continue
            retrying.succeeded()
            if not done:
                await self.wake.wait()
                self.wake.clear()

    async def drain(self) -> int:
        count = 0
        # Small batches taken in turn over senders: a text that arrives during a flood from one
        # number waits for a few messages, not for the flood.
        while batch := await inbound.unprocessed(self.db, limit=16):
            for record in batch:
                await self.process(record)
                count += 1
        return count

    async def process(self, record: InboundRecord) -> None:
        try:
            async with self.db.transaction() as conn:
                await self._process(conn, record)
        except Exception as exc:
            if is_storage_fault(exc):
                raise  # the store failed, not the message: run() keeps it and tries again
            # A bug must not eat the message: keep it, mark why, and tell the sender.
            log.exception("could not process inbound %d", record.id)
            async with self.db.transaction() as conn:
                await inbound.mark_processed(conn, record.id, self.clock.now(), repr(exc)[:500])
                person = await people.by_address(conn, record.address)
                if person is not None:
                    await self.outbound.person(
                        conn, Outgoing(person.id, Msg("error.internal")), Origin(record.id)
                    )
        self.on_outbox.set()
        self.after.set()

    async def _process(self, conn: aiosqlite.Connection, record: InboundRecord) -> None:
        now = self.clock.now()
        details = json.loads(record.payload) if record.payload else {}
        group_chat: int | None = details.get("group_chat")
        if group_chat is not None and not record.text.startswith("/"):
            # Team chatter in a linked group is not addressed to hubbot: keep it, answer nothing.
            await inbound.mark_processed(conn, record.id, now)
            return
        hub_record = None
        if record.to_address:
            hub_record = await hubs.by_sms_number(conn, record.to_address.split(":", 1)[-1])
        sender = await people.by_address(conn, record.address)
        if sender is None:
            locale = _locale(details.get("language")) or (
                hub_record.locale if hub_record else self.default_locale
            )
            sender = await people.create(conn, record.address, locale, now)
        await people.touch_address(conn, record.address, now)
        await people.set_username(conn, sender.id, details.get("username"))
        if hub_record is None and sender.hub_id is not None:
            hub_record = await hubs.by_id(conn, sender.hub_id)
        hub: Hub | None = None
        if hub_record is not None:
            hub = await hubs.load(conn, hub_record, self.playbooks)
        cmd = parse(record.text, hub.playbook if hub else None)
        origin = Origin(
            record.id,
            sender.id,
            record.address,
            group_chat,
            hub_record.sms_number if hub_record else None,
        )
        if await self._throttled(conn, record, cmd, sender, hub, origin):
            return
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
        for effect in outcome.effects:
            await apply(conn, effect, now, record.channel)
        for effect in outcome.effects:
            if isinstance(effect, CreateBroadcast):
                await self.alerts.create(conn, effect, origin)
            elif isinstance(effect, StartRollcall):
                await self.alerts.start_rollcall(conn, effect, origin)
        for message in outcome.messages:
            await self.outbound.person(conn, message, origin)
        for team_message in outcome.team:
            await self.outbound.team(conn, team_message, origin)
        await inbound.mark_processed(conn, record.id, now)

    async def _throttled(
        self,
        conn: aiosqlite.Connection,
        record: InboundRecord,
        cmd: Command,
        sender: Person,
        hub: Hub | None,
        origin: Origin,
    ) -> bool:
        """Flood control (domain/flood.py), on the time the text came in: over the limit it is
        kept, marked throttled, relayed to nobody and answered once per hold."""
        guarded = [hub.playbook] if hub else self.playbooks.values()
        if not self.flood.enabled or always_passes(
            cmd.name, record.text, sender.opted_out, guarded
        ):
            return False
        now = self.clock.now()
        received = from_iso(record.received_at) or now
        verdict = admit(await inbound.bucket(conn, record.address), self.flood, received)
        await inbound.save_bucket(conn, record.address, verdict.bucket)
        if verdict.passed:
            return False
        log.info("inbound %d from M%d: throttled", record.id, sender.id)
        if verdict.notice:
            minutes = self.flood.minutes
            notice = Outgoing(sender.id, Msg("flood.notice", {"minutes": minutes}))
            await self.outbound.person(conn, notice, origin)
            hub_id = hub.id if hub else None
            entry = LogActivity(hub_id, sender.id, None, "throttled", f"{minutes} min")
            await apply(conn, entry, now, record.channel)
        await inbound.mark_throttled(conn, record.id, now)
        return True


def _locale(language: object) -> str | None:
    """Telegram's language_code ('fr', 'fr-CA', 'en-US') as one of ours."""
    if isinstance(language, str) and language[:2].lower() in LOCALES:
        return language[:2].lower()
    return None
