"""Broadcasts and roll calls in the store: numbering them, fanning them out in bulk, and the
facts their timed work needs. Who is reached and what they read is decided in
domain/fanout.py."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from hubbot.domain import fanout
from hubbot.domain.effects import CreateBroadcast, StartRollcall
from hubbot.domain.jobs import BroadcastDue, DueKind, RollcallEndDue
from hubbot.domain.messages import Outgoing
from hubbot.domain.playbook import Playbook
from hubbot.service.outbound import Origin, Outbound, Recipient
from hubbot.store import alerts, hubs, people, schedule
from hubbot.store.conn import Conn
from hubbot.store.schedule import Due

log = logging.getLogger(__name__)
ORIGIN = Origin()  # what the service sends on its own: no inbound message to answer


class Alerts:
    def __init__(
        self,
        outbound: Outbound,
        playbooks: Mapping[str, Playbook],
        templates: frozenset[str],
        timezone: str,
    ) -> None:
        self.outbound = outbound
        self.playbooks = playbooks
        self.templates = templates  # broadcast template ids the catalogs have: 'boil_water'
        self.timezone = timezone

    async def create(
        self, conn: Conn, effect: CreateBroadcast, now: datetime, origin: Origin
    ) -> None:
        """Number the broadcast (B5), send it now or schedule it, and tell the sender."""
        hub_id = effect.hub_ids[0] if effect.hub_ids else None
        broadcast_id = await alerts.create_broadcast(
            conn,
            hub_id,
            effect.role,
            effect.body,
            effect.priority,
            effect.by_person_id,
            now,
            effect.send_at,
        )
        if effect.send_at > now:
            await schedule.add(conn, DueKind.BROADCAST, hub_id, str(broadcast_id), effect.send_at)
            reply = fanout.scheduled_reply(broadcast_id, effect.send_at, self.timezone)
        else:
            sent, skipped = await self.fan_out(conn, broadcast_id, now)
            reply = fanout.sent_reply(broadcast_id, sent, skipped)
        await self.outbound.person(conn, Outgoing(effect.by_person_id, reply), origin)

    async def fan_out(self, conn: Conn, broadcast_id: int, now: datetime) -> tuple[int, int]:
        """One outbox row per reachable recipient, written in bulk; (queued, skipped)."""
        record = await alerts.broadcast(conn, broadcast_id)
        if record is None or record.sent_at is not None:
            return 0, 0
        hub = await hubs.by_id(conn, record.hub_id) if record.hub_id is not None else None
        msg, priority, buttons = fanout.broadcast_message(
            broadcast_id, record.body, record.priority, self.templates, hub.code if hub else None
        )
        members = await alerts.audience(conn, record.hub_id, record.role)
        chosen = fanout.audience(members, record.by_person)
        # Everyone reached has an address (fanout.audience skips the others).
        reached = [
            Recipient(m.person_id, m.locale, m.address or "", m.sender) for m in chosen.reached
        ]
        drill = hub.exercise if hub else None
        ids = await self.outbound.many(conn, reached, msg, priority, buttons, record.hub_id, drill)
        sent: list[tuple[int, int | None, str | None]] = [
            (person.person_id, outbox_id, None)
            for person, outbox_id in zip(reached, ids, strict=True)
        ]
        skipped: list[tuple[int, int | None, str | None]] = [
            (person_id, None, why) for person_id, why in chosen.skipped
        ]
        await alerts.add_recipients(conn, broadcast_id, sent + skipped)
        await alerts.mark_sent(conn, broadcast_id, now)
        log.info("broadcast B%d: %d queued, %d skipped", broadcast_id, len(sent), len(skipped))
        return len(sent), len(skipped)

    async def start_rollcall(
        self, conn: Conn, effect: StartRollcall, now: datetime, origin: Origin
    ) -> None:
        """Ask the hub's members (domain/fanout.py says who), and schedule the tally."""
        record = await hubs.by_id(conn, effect.hub_id)
        if record is None:
            return
        window = self.playbooks[record.playbook_id].rollcall_window
        members = await hubs.members(conn, effect.hub_id)
        plan = fanout.start_rollcall(record.code, members, effect.by_person_id, window, now)
        rollcall_id = await alerts.start_rollcall(
            conn, effect.hub_id, effect.by_person_id, now, plan.ends_at
        )
        about = Origin(hub_id=effect.hub_id, exercise=record.exercise)
        for person_id, ask in zip(plan.asked, plan.asks, strict=True):
            await alerts.ask_rollcall(conn, rollcall_id, person_id)
            await self.outbound.person(conn, ask, about)
        await schedule.add(
            conn, DueKind.ROLLCALL_END, effect.hub_id, str(rollcall_id), plan.ends_at
        )
        await self.outbound.person(conn, plan.reply, origin)

    async def broadcast_due(self, conn: Conn, due: Due, now: datetime) -> BroadcastDue:
        broadcast_id = int(due.ref)
        return BroadcastDue(broadcast_id, await alerts.pending(conn, broadcast_id))

    async def rollcall_end_due(self, conn: Conn, due: Due, now: datetime) -> RollcallEndDue:
        rollcall_id = int(due.ref)
        tally = await alerts.rollcall_tally(conn, rollcall_id)
        labels = await people.labels(conn, set(tally.silent))
        return RollcallEndDue(rollcall_id, tally, labels)
