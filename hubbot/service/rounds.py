"""The facts timed work at a hub needs, read when its row falls due: check-in rounds and their
steps, shift reminders, the regular report. domain/timed.py decides what follows.

The hub is seen as it is now: holders who cannot be reached count as absent, so their roles
count as vacant (asks, escalation, notices, the report's filled roles).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from hubbot.domain.jobs import DueKind, LongShift, RoundDue, ShiftsDue, SitrepDue, StepDue
from hubbot.domain.models import Hub, HubStatus
from hubbot.domain.playbook import Playbook
from hubbot.store import hubs, people, schedule, situation
from hubbot.store.conn import Conn
from hubbot.store.schedule import Due


class Rounds:
    def __init__(self, playbooks: Mapping[str, Playbook], timezone: str) -> None:
        self.playbooks = playbooks
        self.timezone = timezone

    async def hub(self, conn: Conn, hub_id: int | None) -> Hub | None:
        """The hub as timed work sees it: holders who sent STOP or whom no channel reaches are
        left out of its roster, so their roles count as vacant."""
        record = await hubs.by_id(conn, hub_id) if hub_id is not None else None
        if record is None:
            return None
        hub = await hubs.load(conn, record, self.playbooks)
        cut = (await hubs.cut_off(conn, hub.id)).reasons
        if not cut:
            return hub
        roster = {role: tuple(p for p in ids if p not in cut) for role, ids in hub.roster.items()}
        return replace(hub, roster={role: ids for role, ids in roster.items() if ids})

    async def open_hubs(self, conn: Conn) -> list[tuple[int, Playbook]]:
        """Every open hub with its playbook: what planning the schedule looks at."""
        return [
            (record.id, self.playbooks[record.playbook_id])
            for record in await hubs.all_hubs(conn)
            if record.status == HubStatus.ACTIVE.value
        ]

    async def _reachable_coordinators(self, conn: Conn) -> tuple[int, ...]:
        return tuple(c.id for c in await people.coordinators(conn) if not c.opted_out)

    async def round_due(self, conn: Conn, due: Due, now: datetime) -> RoundDue:
        return RoundDue(
            await self.hub(conn, due.hub_id),
            due.ref,
            periodic=due.kind == DueKind.ROUND,
            coordinators=await self._reachable_coordinators(conn),
        )

    async def step_due(self, conn: Conn, due: Due, now: datetime) -> StepDue:
        round_id = int(due.ref)
        info = await schedule.round_info(conn, round_id)
        if info is None:
            return StepDue(round_id, None)
        asks = tuple(await schedule.asks(conn, round_id))
        return StepDue(
            round_id,
            await self.hub(conn, info.hub_id),
            info.checkin,
            info.step,
            info.state,
            asks,
            await people.labels(conn, {a.person_id for a in asks if a.person_id}),
            await self._reachable_coordinators(conn),
        )

    async def shifts_due(self, conn: Conn, due: Due, now: datetime) -> ShiftsDue:
        hub = await self.hub(conn, due.hub_id)
        shift = hub.playbook.shift if hub else None
        if hub is None or shift is None:
            return ShiftsDue(hub)
        found = tuple(LongShift(*row) for row in await hubs.long_shifts(conn, hub.id, now - shift))
        labels = await people.labels(conn, {s.person_id for s in found})
        return ShiftsDue(hub, found, labels)

    async def sitrep_due(self, conn: Conn, due: Due, now: datetime) -> SitrepDue:
        hub = await self.hub(conn, due.hub_id)
        if hub is None:
            return SitrepDue(None)
        return SitrepDue(
            hub,
            await situation.figures(conn, hub.id, now),
            tuple(c.id for c in await people.coordinators(conn)),
            self.timezone,
        )
