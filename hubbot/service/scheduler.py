"""Run what falls due: check-in rounds (service/rounds.py), status reports, shift reminders,
scheduled broadcasts and the ends of roll calls.

The `due` table is the truth; APScheduler only wakes us at the next due time. Each due row
runs once, in the transaction that marks it done, so a restart neither loses nor repeats a
step, and a round that fell due while the service was down runs once when it comes back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

import aiosqlite
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.models import HubStatus
from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import sitrep_messages
from hubbot.service.alerts import Alerts
from hubbot.service.clock import Clock
from hubbot.service.outbound import Origin, Outbound
from hubbot.service.retrying import Retrying
from hubbot.service.rounds import Rounds
from hubbot.store import hubs, people, schedule, situation
from hubbot.store.db import Database
from hubbot.store.schedule import Due

log = logging.getLogger(__name__)
ORIGIN = Origin()
SHIFT_CHECK = timedelta(minutes=15)


class Scheduler:
    def __init__(
        self,
        db: Database,
        playbooks: Mapping[str, Playbook],
        clock: Clock,
        outbound: Outbound,
        on_outbox: asyncio.Event | None = None,
        alerts: Alerts | None = None,
        timezone: str = "America/Toronto",
        wake: asyncio.Event | None = None,
    ) -> None:
        self.db = db
        self.playbooks = playbooks
        self.clock = clock
        self.outbound = outbound
        self.alerts = alerts
        self.timezone = timezone
        self.on_outbox = on_outbox or asyncio.Event()
        self.wake = wake or asyncio.Event()
        self.rounds = Rounds(playbooks, outbound)

    async def run(self) -> None:
        """Run what is due, then sleep until the next due time or a wake-up. A failure (a full
        disk, an I/O error, a lock held too long) pauses it, longer each time, and never ends
        it: what fell due meanwhile runs once the store works again."""
        timer = AsyncIOScheduler()
        timer.start()
        retrying = Retrying("schedule")
        try:
            while True:
                try:
                    await self.tick()
                    at = await schedule.next_time(self.db)
                except Exception as exc:
                    await asyncio.sleep(retrying.failed(exc))
                    continue
                retrying.succeeded()
                if at is not None:
                    timer.add_job(
                        self.wake.set,
                        DateTrigger(run_date=at),
                        id="wake",
                        replace_existing=True,
                        misfire_grace_time=None,
                    )
                await self.wake.wait()
                self.wake.clear()
        finally:
            timer.shutdown(wait=False)

    async def tick(self) -> int:
        """Plan rounds for open hubs, then run everything due by now. Returns how many ran."""
        await self.plan()
        ran = 0
        for due in await schedule.due_now(self.db, self.clock.now()):
            async with self.db.transaction() as conn:
                if not await schedule.claim(conn, due.id, self.clock.now()):
                    continue
                await self._run(conn, due)
            ran += 1
        if ran:
            self.on_outbox.set()
        return ran

    async def plan(self) -> None:
        """Every open hub has its next round of each check-in, and its next report, scheduled."""
        now = self.clock.now()
        # This runs after every message: one look at the schedule serves every hub.
        async with self.db.transaction() as conn:
            pending = await schedule.pending(conn)
            for record in await hubs.all_hubs(conn):
                if record.status != HubStatus.ACTIVE.value:
                    continue
                playbook = self.playbooks[record.playbook_id]
                wanted = [("round", c.id, c.every) for c in playbook.checkins]
                if playbook.shift:
                    wanted.append(("shifts", "", SHIFT_CHECK))
                wanted.append(("sitrep", "", playbook.sitrep_every))
                for kind, ref, after in wanted:
                    if (kind, record.id, ref) not in pending:
                        await schedule.add(conn, kind, record.id, ref, now + after)

    async def _run(self, conn: aiosqlite.Connection, due: Due) -> None:
        now = self.clock.now()
        if due.kind in ("round", "manual_round") and due.hub_id is not None:
            hub = await self.rounds.hub(conn, due.hub_id)
            checkin = hub.playbook.checkin(due.ref) if hub else None
            if hub is None or checkin is None or not hub.is_active:
                return  # closed hubs have no rounds; the next opening plans them again
            await self.rounds.start(conn, hub, checkin, now)
            if due.kind == "round":
                await schedule.add(conn, "round", hub.id, checkin.id, now + checkin.every)
        elif due.kind == "step":
            await self.rounds.step(conn, int(due.ref), now)
        elif due.kind == "shifts" and due.hub_id is not None:
            await self._shifts(conn, due.hub_id, now)
        elif due.kind == "sitrep" and due.hub_id is not None:
            await self._sitrep(conn, due.hub_id, now)
        elif due.kind == "broadcast" and self.alerts is not None:
            await self.alerts.fan_out(conn, int(due.ref))
        elif due.kind == "rollcall_end" and self.alerts is not None:
            await self.alerts.end_rollcall(conn, int(due.ref), now)
        else:
            log.error("unknown due kind %s", due.kind)

    async def _shifts(self, conn: aiosqlite.Connection, hub_id: int, now: datetime) -> None:
        """Whoever has held a role longer than a shift is reminded to hand over, once."""
        hub = await self.rounds.hub(conn, hub_id)
        if hub is None or not hub.is_active or hub.playbook.shift is None:
            return
        shift = hub.playbook.shift
        hours = max(1, int(shift.total_seconds() // 3600))
        long_shifts = await hubs.long_shifts(conn, hub.id, now - shift)
        labels = await people.labels(conn, {person_id for _, person_id, _ in long_shifts})
        for assignment, person_id, role_id in long_shifts:
            role = hub.playbook.role(role_id)
            if role is None:
                continue
            await self.outbound.person(
                conn,
                Outgoing(
                    person_id,
                    Msg("shift.reminder", {"role": role.name, "hours": hours}, count=hours),
                ),
                ORIGIN,
            )
            for lead in hub.holders("lead"):
                if lead != person_id:
                    await self.outbound.person(
                        conn,
                        Outgoing(
                            lead,
                            Msg(
                                "shift.lead",
                                {
                                    "person": labels.get(person_id, "?"),
                                    "role": role.name,
                                    "hours": hours,
                                },
                                count=hours,
                            ),
                        ),
                        ORIGIN,
                    )
            await hubs.mark_reminded(conn, assignment, now)
        await schedule.add(conn, "shifts", hub.id, "", now + SHIFT_CHECK)

    async def _sitrep(self, conn: aiosqlite.Connection, hub_id: int, now: datetime) -> None:
        """The regular status report, numbered with the others, to every coordinator."""
        hub = await self.rounds.hub(conn, hub_id)
        if hub is None or not hub.is_active:
            return
        figures = await situation.figures(conn, hub.id, now)
        short, full = sitrep_messages(hub, figures, now, self.timezone)
        await situation.record_sitrep(conn, hub.id, figures, None, now)
        for coordinator in await people.coordinators(conn):
            await self.outbound.person(conn, Outgoing(coordinator.id, short, rich=full), ORIGIN)
        await schedule.add(conn, "sitrep", hub.id, "", now + hub.playbook.sitrep_every)
