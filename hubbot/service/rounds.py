"""Check-in rounds as timed work: asking the roster, escalating silence, the summary.

The hub is seen as it is now: holders who cannot be reached count as absent, and each step
follows the roster again before anyone is called silent (domain/checkins.py decides).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

import aiosqlite

from hubbot.domain import checkins
from hubbot.domain.messages import Confirm, Msg, Outgoing, Priority, TeamMessage
from hubbot.domain.models import Hub, member_label
from hubbot.domain.playbook import Checkin, Playbook
from hubbot.service.outbound import Origin, Outbound
from hubbot.store import hubs, people, schedule

log = logging.getLogger(__name__)
ORIGIN = Origin()


class Rounds:
    def __init__(self, playbooks: Mapping[str, Playbook], outbound: Outbound) -> None:
        self.playbooks = playbooks
        self.outbound = outbound

    async def hub(self, conn: aiosqlite.Connection, hub_id: int) -> Hub | None:
        """The hub as timed work sees it: holders who sent STOP or whom no channel reaches are
        left out of its roster, so their roles count as vacant (asks, escalation, notices)."""
        record = await hubs.by_id(conn, hub_id)
        if record is None:
            return None
        hub = await hubs.load(conn, record, self.playbooks)
        cut = (await hubs.cut_off(conn, hub.id)).reasons
        if not cut:
            return hub
        roster = {role: tuple(p for p in ids if p not in cut) for role, ids in hub.roster.items()}
        return replace(hub, roster={role: ids for role, ids in roster.items() if ids})

    async def _leads(self, conn: aiosqlite.Connection, hub: Hub) -> list[int]:
        """Who hears about the hub's own team: its reachable leads, else the coordinators."""
        return list(hub.holders("lead")) or await self._coordinators(conn)

    async def _coordinators(self, conn: aiosqlite.Connection) -> list[int]:
        return [c.id for c in await people.coordinators(conn) if not c.opted_out]

    async def start(
        self, conn: aiosqlite.Connection, hub: Hub, checkin: Checkin, now: datetime
    ) -> None:
        round_id = await schedule.start_round(conn, hub.id, checkin.id, now)
        msg, buttons = checkins.prompt(checkin, hub)
        for person_id, role in checkins.who_to_ask(hub, checkin):
            if person_id is None:
                await schedule.add_ask(conn, round_id, None, role, "unfilled")
                await self._unfilled(conn, hub, role)
                continue
            await schedule.add_ask(conn, round_id, person_id, role, "waiting")
            await self.outbound.person(conn, Outgoing(person_id, msg, buttons=buttons), ORIGIN)
        await schedule.add(conn, "step", hub.id, str(round_id), now + checkin.window)
        log.info("check-in round %d (%s) at %s", round_id, checkin.id, hub.code)

    async def _unfilled(self, conn: aiosqlite.Connection, hub: Hub, role_id: str) -> None:
        role = hub.playbook.role(role_id)
        if role is None:
            return
        msg = Msg("checkin.unfilled", {"role": role.name, "hub": hub.code})
        told = await self._leads(conn, hub)
        if role.priority:
            told += [c for c in await self._coordinators(conn) if c not in told]
        for pid in told:
            await self.outbound.person(conn, Outgoing(pid, msg), ORIGIN)

    async def step(self, conn: aiosqlite.Connection, round_id: int, now: datetime) -> None:
        info = await schedule.round_info(conn, round_id)
        if info is None or info[3]:
            return
        hub_id, checkin_id, step, _ = info
        hub = await self.hub(conn, hub_id)
        checkin = hub.playbook.checkin(checkin_id) if hub else None
        if hub is None or checkin is None:
            return
        # The roster may have changed since the asking: follow it before anyone is called silent.
        fresh = await self._follow_roster(conn, hub, checkin, round_id)
        asks = await schedule.asks(conn, round_id)
        waiting = [a for a in asks if a.state == "waiting" and (a.person_id, a.role) not in fresh]
        action = checkins.step_action(checkin, step) if waiting else None
        if action is None and not fresh:  # whoever was just asked gets a window first
            await schedule.silence(conn, round_id)
            await schedule.advance_round(conn, round_id, close=True, now=now)
            await self._summary(conn, hub, checkin, round_id)
            return
        if action == "repeat":
            msg, buttons = checkins.prompt(checkin, hub, again=True)
            for ask in waiting:
                assert ask.person_id is not None
                await self.outbound.person(
                    conn, Outgoing(ask.person_id, msg, buttons=buttons), ORIGIN
                )
        elif action is not None:
            labels = await people.labels(conn, {a.person_id for a in waiting if a.person_id})
            targets = (
                await self._leads(conn, hub) if action == "lead" else await self._coordinators(conn)
            )
            for ask in waiting:
                assert ask.person_id is not None
                role = hub.playbook.role(ask.role)
                alert = Msg(
                    "checkin.silent",
                    {
                        "person": labels.get(ask.person_id, "?"),
                        "role": role.name if role else ask.role,
                        "hub": hub.code,
                    },
                )
                # Their OK confirms this silence, and the silent person hears who is coming.
                confirm = Confirm(
                    "checkin_silent", member_label(ask.person_id), ask.person_id, hub.id
                )
                for pid in targets:
                    if pid != ask.person_id:
                        await self.outbound.person(
                            conn,
                            Outgoing(pid, alert, Priority.URGENT, ack=True, confirm=confirm),
                            ORIGIN,
                        )
        await schedule.advance_round(conn, round_id, close=False, now=now)
        await schedule.add(conn, "step", hub.id, str(round_id), now + checkin.window)

    async def _follow_roster(
        self, conn: aiosqlite.Connection, hub: Hub, checkin: Checkin, round_id: int
    ) -> set[tuple[int, str]]:
        """Move the round's asks to the roster as it is now; (person, role) of the new asks,
        whose people get the prompt now and a full window before they can be called silent."""
        fresh: set[tuple[int, str]] = set()
        msg, buttons = checkins.prompt(checkin, hub)
        for move in checkins.follow_roster(await schedule.asks(conn, round_id), hub.roster):
            if not await schedule.move_ask(conn, move.ask_id, move.to, move.vacant):
                continue
            fresh.update((pid, move.role) for pid in move.to)
            for pid in move.prompt:
                await self.outbound.person(conn, Outgoing(pid, msg, buttons=buttons), ORIGIN)
            if move.vacant:
                await self._unfilled(conn, hub, move.role)
        return fresh

    async def _summary(
        self, conn: aiosqlite.Connection, hub: Hub, checkin: Checkin, round_id: int
    ) -> None:
        asks = await schedule.asks(conn, round_id)
        labels = await people.labels(conn, {a.person_id for a in asks if a.person_id})
        msg = checkins.summary(hub, checkin, asks, labels)
        for pid in await self._leads(conn, hub):
            await self.outbound.person(conn, Outgoing(pid, msg), ORIGIN)
        await self.outbound.team(conn, TeamMessage(hub.id, msg), ORIGIN)
