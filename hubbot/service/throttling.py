"""Flood control for the processor: one sender over the limit is kept, answered once per hold."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from hubbot.clock import Clock
from hubbot.domain.commands import Command
from hubbot.domain.effects import LogActivity
from hubbot.domain.flood import FloodLimit, admit, always_passes
from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.models import Hub, Person
from hubbot.domain.playbook import Playbook
from hubbot.service.apply import Effects
from hubbot.service.metrics import Metrics
from hubbot.service.outbound import Origin
from hubbot.store import inbound
from hubbot.store.conn import Conn
from hubbot.store.db import from_iso
from hubbot.store.inbound import InboundRecord

log = logging.getLogger(__name__)


class Throttling:
    """The flood limit (domain/flood.py), applied on the time each text came in."""

    def __init__(
        self,
        limit: FloodLimit,
        playbooks: Mapping[str, Playbook],
        clock: Clock,
        effects: Effects,
        metrics: Metrics,
    ) -> None:
        self.limit = limit
        self.playbooks = playbooks
        self.clock = clock
        self.effects = effects
        self.metrics = metrics

    async def held(
        self,
        conn: Conn,
        record: InboundRecord,
        cmd: Command,
        sender: Person,
        hub: Hub | None,
        origin: Origin,
        counted: list[Callable[[], object]],
    ) -> bool:
        """Whether the text is held: over the limit it is kept, marked throttled, relayed to
        nobody and answered once per hold. What to count once the batch commits goes to
        `counted`."""
        guarded = [hub.playbook] if hub else self.playbooks.values()
        if not self.limit.enabled or always_passes(
            cmd.name, record.text, sender.opted_out, guarded
        ):
            return False
        now = self.clock.now()
        received = from_iso(record.received_at) or now
        verdict = admit(await inbound.bucket(conn, record.address), self.limit, received)
        await inbound.save_bucket(conn, record.address, verdict.bucket)
        if verdict.passed:
            return False
        log.info("inbound %d from M%d: throttled", record.id, sender.id)
        counted.append(self.metrics.throttled.inc)
        if verdict.notice:
            counted.append(self.metrics.throttled_senders.inc)
            minutes = self.limit.minutes
            notice = Outgoing(sender.id, Msg("flood.notice", {"minutes": minutes}))
            await self.effects.outbound.person(conn, notice, origin)
            hub_id = hub.id if hub else None
            entry = LogActivity(hub_id, sender.id, None, "throttled", f"{minutes} min")
            await self.effects.apply(conn, entry, now, origin, record.channel)
        await inbound.mark_throttled(conn, record.id, now)
        return True
