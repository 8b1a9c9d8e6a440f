"""Process stored inbound messages one by one: decide, persist, and queue the replies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import aiosqlite

from hubbot.channels.base import Channel
from hubbot.domain.commands import parse
from hubbot.domain.decide import decide
from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.models import Hub, Person
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.apply import apply
from hubbot.service.clock import Clock
from hubbot.service.context import Lookup, build
from hubbot.store import hubs, inbound, outbox, people
from hubbot.store.db import Database
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
        channels: Mapping[str, Channel] | None = None,
        on_outbox: asyncio.Event | None = None,
    ) -> None:
        self.db = db
        self.playbooks = playbooks
        self.renderer = renderer
        self.clock = clock
        self.channels = channels or {}
        self.default_locale = default_locale
        self.lookup = Lookup(playbooks, region)
        self.wake = asyncio.Event()
        self.on_outbox = on_outbox or asyncio.Event()

    async def run(self) -> None:
        """Work through the journal, then wait to be woken by the next stored message."""
        while True:
            done = await self.drain()
            if not done:
                await self.wake.wait()
                self.wake.clear()

    async def drain(self) -> int:
        count = 0
        while batch := await inbound.unprocessed(self.db):
            for record in batch:
                await self.process(record)
                count += 1
        return count

    async def process(self, record: InboundRecord) -> None:
        try:
            async with self.db.transaction() as conn:
                await self._process(conn, record)
        except Exception as exc:
            # A bug must not eat the message: keep it, mark why, and tell the sender.
            log.exception("could not process inbound %d", record.id)
            async with self.db.transaction() as conn:
                await inbound.mark_processed(conn, record.id, self.clock.now(), repr(exc)[:500])
                person = await people.by_address(conn, record.address)
                if person is not None:
                    await self._queue(conn, Outgoing(person.id, Msg("error.internal")), record.id)
        self.on_outbox.set()

    async def _process(self, conn: aiosqlite.Connection, record: InboundRecord) -> None:
        now = self.clock.now()
        hub_record = None
        if record.to_address:
            hub_record = await hubs.by_sms_number(conn, record.to_address.split(":", 1)[-1])
        sender = await people.by_address(conn, record.address)
        if sender is None:
            locale = hub_record.locale if hub_record else self.default_locale
            sender = await people.create(conn, record.address, locale, now)
        await people.touch_address(conn, record.address, now)
        if hub_record is None and sender.hub_id is not None:
            hub_record = await hubs.by_id(conn, sender.hub_id)
        hub: Hub | None = None
        if hub_record is not None:
            hub = await hubs.load(conn, hub_record, self.playbooks)
        cmd = parse(record.text, hub.playbook if hub else None)
        ctx = await build(conn, cmd, sender, hub, now, self.lookup)
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
        # Replies about this hub leave from the hub's own number, so people can answer it.
        from_number = hub_record.sms_number if hub_record else None
        for message in outcome.messages:
            await self._queue(conn, message, record.id, from_number)
        await inbound.mark_processed(conn, record.id, now)

    async def _queue(
        self,
        conn: aiosqlite.Connection,
        message: Outgoing,
        inbound_id: int | None,
        from_number: str | None = None,
    ) -> None:
        """Render for the recipient's language (as it is after this message's effects)."""
        now = self.clock.now()
        person: Person | None = await people.get(conn, message.person_id)
        address = await people.preferred_address(conn, message.person_id)
        if person is None or address is None:
            log.error(
                "no address for person %d; message %s dropped", message.person_id, message.msg.key
            )
            return
        text = self.renderer.render(message.msg, person.locale)
        held = person.opted_out and not message.compliance
        channel = self.channels.get(address.split(":", 1)[0])
        sender = from_number if address.startswith("sms:") else None
        for part in channel.shape(text) if channel else [text]:
            await outbox.enqueue(
                conn,
                person_id=person.id,
                address=address,
                text=part,
                priority=message.priority.value,
                now=now,
                msg_key=message.msg.key,
                inbound_id=inbound_id,
                status="suppressed" if held else "pending",
                error="opted out" if held else None,
                sender=sender,
            )
