"""The facts timed work at a hub needs, read when its row falls due: check-in rounds and their
steps, shift reminders, the regular report; or for many rows falling due together (a region's
rounds and reports), read at once. domain/timed.py decides what follows.

The hub is seen as it is now: holders who cannot be reached count as absent, so their roles
count as vacant (asks, escalation, notices, the report's filled roles).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hubbot.domain.checkins import Ask
from hubbot.domain.jobs import DueKind, LongShift, RoundDue, ShiftsDue, SitrepDue, StepDue
from hubbot.domain.models import Hub
from hubbot.domain.playbook import Playbook
from hubbot.store import hubs, many_hubs, people, schedule, situation
from hubbot.store.conn import Conn
from hubbot.store.schedule import Due, RoundInfo
from hubbot.store.sitrep_figures import figures_many


@dataclass(frozen=True)
class Seen:
    """A batch's hubs as timed work sees them (see Rounds.hub; their members are not read),
    and the coordinators."""

    hubs: dict[int, Hub]
    coordinators: tuple[int, ...]  # every one
    reachable_coordinators: tuple[int, ...]  # those not opted out


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

    async def seen(self, conn: Conn, ids: Collection[int]) -> Seen:
        """`hub` for many hubs at once: a few queries for the whole batch."""
        # Holders who sent STOP or whom no channel reaches are left out, as in `hub`. Timed
        # work decides on roles, never on membership (domain/timed.py): a region's members,
        # hundreds at a busy hub, are not read for every pass.
        loaded = await many_hubs.loaded(
            conn, ids, self.playbooks, reachable=True, with_members=False
        )
        coordinators = await people.coordinators(conn)
        return Seen(
            loaded,
            tuple(c.id for c in coordinators),
            tuple(c.id for c in coordinators if not c.opted_out),
        )

    async def due_many(
        self, conn: Conn, dues: Sequence[Due], now: datetime
    ) -> dict[int, RoundDue | StepDue | SitrepDue | ShiftsDue]:
        """The facts of many rounds, steps, reports and shift checks at once, by due id, as
        round_due, step_due, sitrep_due and shifts_due read them: their hubs read once."""
        steps = {int(due.ref) for due in dues if due.kind == DueKind.STEP}
        infos = await schedule.rounds_info(conn, steps)
        asks = await schedule.asks_of(conn, infos)
        ids = {i.hub_id for i in infos.values()}
        seen = await self.seen(conn, ids | {d.hub_id for d in dues if d.hub_id is not None})

        def hub(due: Due) -> Hub | None:
            return seen.hubs.get(due.hub_id) if due.hub_id is not None else None

        reports = {h.id for due in dues if due.kind == DueKind.SITREP and (h := hub(due))}
        figures = await figures_many(conn, reports, now)
        checked = {h.id: h for due in dues if due.kind == DueKind.SHIFTS and (h := hub(due))}
        shifts = await self._long_shifts(conn, checked.values(), now)
        asked = {a.person_id for held in asks.values() for a in held if a.person_id}
        named = asked | {s.person_id for held in shifts.values() for s in held}
        labels = await people.labels(conn, named)
        events: dict[int, RoundDue | StepDue | SitrepDue | ShiftsDue] = {}
        for due in dues:
            found = hub(due)
            if due.kind == DueKind.STEP:
                events[due.id] = self._step(int(due.ref), infos, asks, seen, labels)
            elif due.kind == DueKind.SITREP:
                events[due.id] = (
                    SitrepDue(found, figures[found.id], seen.coordinators, self.timezone)
                    if found
                    else SitrepDue(None)
                )
            elif due.kind == DueKind.SHIFTS:
                mine = shifts.get(found.id, ()) if found else ()
                held = {s.person_id: labels[s.person_id] for s in mine if s.person_id in labels}
                events[due.id] = ShiftsDue(found, mine, held) if mine else ShiftsDue(found)
            else:
                periodic = due.kind == DueKind.ROUND
                told = seen.reachable_coordinators
                events[due.id] = RoundDue(found, due.ref, periodic, coordinators=told)
        return events

    @staticmethod
    def _step(
        round_id: int,
        infos: Mapping[int, RoundInfo],
        asks: Mapping[int, list[Ask]],
        seen: Seen,
        labels: Mapping[int, str],
    ) -> StepDue:
        """step_due's event, from what due_many read for all the steps."""
        info = infos.get(round_id)
        if info is None:
            return StepDue(round_id, None)
        mine = tuple(asks[round_id])
        return StepDue(
            round_id,
            seen.hubs.get(info.hub_id),
            info.checkin,
            info.step,
            info.state,
            mine,
            {p: labels[p] for a in mine if (p := a.person_id) is not None and p in labels},
            seen.reachable_coordinators,
        )

    @staticmethod
    async def _long_shifts(
        conn: Conn, checked: Iterable[Hub], now: datetime
    ) -> dict[int, tuple[LongShift, ...]]:
        """shifts_due's long shifts for many hubs, one look per shift length."""
        by_shift: dict[timedelta, list[int]] = {}
        for hub in checked:
            if hub.playbook.shift is not None:
                by_shift.setdefault(hub.playbook.shift, []).append(hub.id)
        found: dict[int, tuple[LongShift, ...]] = {}
        for shift, ids in by_shift.items():
            for hub_id, rows in (await many_hubs.long_shifts(conn, ids, now - shift)).items():
                found[hub_id] = tuple(LongShift(*row) for row in rows)
        return found

    async def open_hubs(self, conn: Conn) -> list[tuple[int, Playbook]]:
        """Every open hub with its playbook: what planning the schedule looks at."""
        return [(hub_id, self.playbooks[p]) for hub_id, p in await many_hubs.open_playbooks(conn)]

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
