"""Fan broadcasts out to every recipient, and run roll calls; both tracked per person."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from hubbot.domain.effects import CreateBroadcast, StartRollcall
from hubbot.domain.messages import Button, Msg, Outgoing, Priority
from hubbot.domain.models import member_label
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.clock import Clock
from hubbot.service.outbound import Origin, Outbound, Recipient
from hubbot.store import alerts, hubs, people, schedule

log = logging.getLogger(__name__)


class Alerts:
    def __init__(
        self,
        outbound: Outbound,
        renderer: Renderer,
        playbooks: Mapping[str, Playbook],
        clock: Clock,
        timezone: str,
    ) -> None:
        self.outbound = outbound
        self.renderer = renderer
        self.playbooks = playbooks
        self.clock = clock
        self.timezone = timezone

    async def create(
        self, conn: aiosqlite.Connection, effect: CreateBroadcast, origin: Origin
    ) -> None:
        now = self.clock.now()
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
            await schedule.add(conn, "broadcast", hub_id, str(broadcast_id), effect.send_at)
            local = effect.send_at.astimezone(ZoneInfo(self.timezone)).strftime("%H:%M")
            reply = Msg("broadcast.scheduled", {"id": f"B{broadcast_id}", "time": local})
        else:
            sent, skipped = await self.fan_out(conn, broadcast_id)
            reply = Msg(
                "broadcast.sent",
                {"id": f"B{broadcast_id}", "total": sent, "skipped": skipped},
                count=sent,
            )
        await self.outbound.person(conn, Outgoing(effect.by_person_id, reply), origin)

    async def fan_out(self, conn: aiosqlite.Connection, broadcast_id: int) -> tuple[int, int]:
        """One outbox row per reachable recipient; opted-out people are skipped and counted."""
        row = await alerts.broadcast(conn, broadcast_id)
        if row is None or row["sent_at"] is not None:
            return 0, 0
        body = str(row["body"])
        template = body[1:] if body.startswith("#") else None
        msg = (
            Msg(f"template.{template}")
            if template and f"template.{template}" in self.renderer.all_keys()
            else Msg("broadcast.text", {"text": body})
        )
        # An urgent broadcast overtakes replies and bulk, but never one person's 911 reply.
        priority = Priority.ALERT if row["priority"] == "urgent" else Priority.BULK
        buttons = (Button(Msg("ack.button"), f"ACK b{broadcast_id}"),)
        reached: list[Recipient] = []
        skipped: list[tuple[int, int | None, str | None]] = []
        for member in await alerts.audience(conn, row["hub_id"], row["role"]):
            if member.person_id == row["by_person"]:
                continue
            if member.opted_out:
                skipped.append((member.person_id, None, "opted_out"))
            elif member.address is None:
                skipped.append((member.person_id, None, "unreachable"))
            else:
                reached.append(
                    Recipient(member.person_id, member.locale, member.address, member.sender)
                )
        ids = await self.outbound.many(conn, reached, msg, priority, buttons)
        sent = [
            (person.person_id, outbox_id, None)
            for person, outbox_id in zip(reached, ids, strict=True)
        ]
        await alerts.add_recipients(conn, broadcast_id, sent + skipped)
        await alerts.mark_sent(conn, broadcast_id, self.clock.now())
        log.info("broadcast B%d: %d queued, %d skipped", broadcast_id, len(sent), len(skipped))
        return len(sent), len(skipped)

    async def start_rollcall(
        self, conn: aiosqlite.Connection, effect: StartRollcall, origin: Origin
    ) -> None:
        now = self.clock.now()
        record = await hubs.by_id(conn, effect.hub_id)
        if record is None:
            return
        window = self.playbooks[record.playbook_id].rollcall_window
        rollcall_id = await alerts.start_rollcall(
            conn, effect.hub_id, effect.by_person_id, now, now + window
        )
        ask = Msg("rollcall.ask", {"hub": record.code})
        buttons = (Button(Msg("button.safe"), "1"), Button(Msg("button.checkin_help"), "2"))
        asked = 0
        for person_id in sorted(await hubs.members(conn, effect.hub_id)):
            if person_id == effect.by_person_id:
                continue
            await alerts.ask_rollcall(conn, rollcall_id, person_id)
            await self.outbound.person(
                conn, Outgoing(person_id, ask, Priority.ALERT, buttons=buttons), Origin()
            )
            asked += 1
        await schedule.add(conn, "rollcall_end", effect.hub_id, str(rollcall_id), now + window)
        minutes = int(window.total_seconds() // 60) or 1
        reply = Msg("rollcall.started", {"total": asked, "minutes": minutes}, count=asked)
        await self.outbound.person(conn, Outgoing(effect.by_person_id, reply), origin)

    async def end_rollcall(
        self, conn: aiosqlite.Connection, rollcall_id: int, now: datetime
    ) -> None:
        safe, helpme, silent_ids, by = await alerts.close_rollcall(conn, rollcall_id, now)
        if by is None:
            return
        labels = await people.labels(conn, set(silent_ids))
        names = ", ".join(labels.get(pid, member_label(pid)) for pid in silent_ids) or "-"
        tally = Msg(
            "rollcall.tally",
            {"safe": safe, "help": helpme, "silent": len(silent_ids), "names": names},
        )
        await self.outbound.person(conn, Outgoing(int(by), tally, Priority.URGENT), Origin())
