"""Run what falls due: check-in rounds and their steps, status reports, shift reminders,
scheduled broadcasts and the ends of roll calls.

The `due` table is the truth; APScheduler only wakes us at the next due time. Each due row
runs once, in the transaction that marks it done, so a restart neither loses nor repeats a
step, and a round that fell due while the service was down runs once when it comes back.

Each kind of row has one job (the registry below): a loader reads the facts its decision
needs, a pure handler in the core decides, and the outcome is applied like any other
(service/apply.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from hubbot.clock import Clock
from hubbot.domain import fanout, safety, timed
from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind, running_order
from hubbot.domain.playbook import Playbook
from hubbot.service.alerts import Alerts
from hubbot.service.apply import Effects
from hubbot.service.bulk_outcomes import BulkOutcomes
from hubbot.service.outbound import Origin
from hubbot.service.retrying import Retrying
from hubbot.service.rounds import Rounds
from hubbot.service.unconfirmed import unconfirmed_due
from hubbot.service.wakes import Wakes
from hubbot.store import schedule, turns
from hubbot.store.conn import Conn, Store
from hubbot.store.db import is_conflict, is_storage_fault
from hubbot.store.schedule import Due

log = logging.getLogger(__name__)
E = TypeVar("E")


@dataclass(frozen=True)
class Job(Generic[E]):
    """One kind of timed work: read the facts (the shell), then decide (the core).

    `load_many`: the facts of many rows at once, by due id, for rows that fall due together
    (a region's rounds and reports); kinds with the same one are read in one call. A kind
    without it runs row by row."""

    load: Callable[[Conn, Due, datetime], Awaitable[E]]
    decide: Callable[[E, datetime], Outcome]
    load_many: Callable[[Conn, Sequence[Due], datetime], Awaitable[Mapping[int, Any]]] | None = None

    async def run(self, conn: Conn, due: Due, now: datetime) -> Outcome:
        return self.decide(await self.load(conn, due, now), now)


class Jobs:
    """Every due kind's job. A kind without one cannot be registered: building it fails."""

    def __init__(
        self,
        table: Mapping[DueKind, Job[Any]],
        open_hubs: Callable[[Conn], Awaitable[list[tuple[int, Playbook]]]],
    ) -> None:
        missing = set(DueKind) - set(table)
        if missing:
            raise ValueError(f"due kinds without a job: {sorted(missing)}")
        self.table = dict(table)
        self.open_hubs = open_hubs  # what planning looks at

    def get(self, kind: str) -> Job[Any] | None:
        try:
            return self.table[DueKind(kind)]
        except ValueError:
            return None


def registry(rounds: Rounds, alerts: Alerts) -> Jobs:
    """The jobs, as the composition root wires them."""
    round_job = Job(rounds.round_due, timed.on_round, rounds.due_many)
    return Jobs(
        {
            DueKind.ROUND: round_job,
            DueKind.MANUAL_ROUND: round_job,
            DueKind.STEP: Job(rounds.step_due, timed.on_step, rounds.due_many),
            DueKind.SHIFTS: Job(rounds.shifts_due, timed.on_shifts, rounds.due_many),
            DueKind.SITREP: Job(rounds.sitrep_due, timed.on_sitrep, rounds.due_many),
            DueKind.BROADCAST: Job(alerts.broadcast_due, fanout.on_broadcast),
            DueKind.ROLLCALL_END: Job(alerts.rollcall_end_due, fanout.on_rollcall_end),
            DueKind.UNCONFIRMED: Job(unconfirmed_due, safety.on_unconfirmed),
        },
        rounds.open_hubs,
    )


BATCH = 1024  # due rows claimed and run in one transaction
GROUP = 128  # rows run together: read, decided and written at once (see _run_many)
BATCH_SECONDS = 0.1  # a batch ends after this long too: the webhooks wait for the store
HELD = 0.5  # seconds before rows another worker's hub held back are looked at again


class Scheduler:
    def __init__(self, db: Store, clock: Clock, jobs: Jobs, effects: Effects, wakes: Wakes) -> None:
        self.db = db
        self.clock = clock
        self.jobs = jobs
        self.effects = effects
        self.bulk = BulkOutcomes(effects)
        self.on_outbox = wakes.outbox
        self.wake = wakes.schedule
        self.metrics = wakes.metrics
        self.held = False  # rows were left to a worker holding their hub: look again soon

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
                    self.held = False
                    await self.tick()
                    at = await schedule.next_time(self.db)
                except Exception as exc:
                    if is_conflict(exc):  # another worker's transaction won: again, at once
                        self.metrics.conflicts.labels("schedule").inc()
                        continue
                    await asyncio.sleep(retrying.failed(exc))
                    continue
                retrying.succeeded()
                if self.held:
                    soon = self.clock.now() + timedelta(seconds=HELD)
                    at = soon if at is None else min(at, soon)
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
        """Plan rounds for open hubs, then run everything due by now, the most pressing kinds
        first (domain/jobs.py). Returns how many ran."""
        await self.plan()
        ran = 0
        due = await schedule.due_now(self.db, self.clock.now())
        waiting = sorted(due, key=lambda d: running_order(d.kind, d.due_at, d.id))
        while waiting:
            done, count = await self._run_batch(waiting)
            waiting = waiting[done:]
            ran += count
        if ran:
            self.on_outbox.set()
        return ran

    async def _run_batch(self, waiting: list[Due]) -> tuple[int, int]:
        """Claim and run due rows in one transaction (one commit for many: a region's rounds
        fall due in the same second), until BATCH rows or BATCH_SECONDS, for the webhooks
        wait for the store meanwhile. Rows whose jobs load many at once run together (see
        _run_many); the others one by one. A row whose job raises is rolled back alone (a
        savepoint each), logged and left done, so it cannot hold the others back; a storage
        fault rolls back the batch, for run() to try again. Returns (rows taken, rows run)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + BATCH_SECONDS
        listed = waiting[:BATCH]
        taken = ran = 0
        async with self.db.deciding() as conn:
            # On PostgreSQL another worker may hold some of these hubs (store/turns.py): their
            # rows wait for the next look, the others run beside that worker's work.
            mine = await turns.hub_turns(conn, {d.hub_id for d in listed if d.hub_id is not None})
            at = [i for i, d in enumerate(listed) if d.hub_id is None or d.hub_id in mine]
            self.held = self.held or len(at) < len(listed)
            rows = [listed[i] for i in at]
            while taken < len(rows):
                if taken and loop.time() > end:
                    break
                group = _group(rows, taken, self.jobs)
                if group:
                    ran += await self._run_many(conn, group)
                    taken += len(group)
                    continue
                due = rows[taken]
                taken += 1
                if await schedule.claim(conn, due.id, self.clock.now()):
                    ran += await self._run_one(conn, due)
        return (len(listed) if taken == len(rows) else at[taken]), ran

    async def _run_one(self, conn: Conn, due: Due) -> int:
        """Run a claimed row in its own savepoint; 1 if it ran, 0 if its job raised."""
        await conn.execute("SAVEPOINT due")
        try:
            await self._run(conn, due)
        except Exception as exc:
            if is_storage_fault(exc) or not conn.in_transaction:
                raise
            await conn.execute("ROLLBACK TO due")
            log.exception("due %d (%s) failed; marked done", due.id, due.kind)
            ran = 0
        else:
            ran = 1
        await conn.execute("RELEASE due")
        return ran

    async def _run_many(self, conn: Conn, group: list[Due]) -> int:
        """Claim the rows, read their facts a kind at a time, decide each, write the outcomes
        together. A row whose decision raises is logged and left done; if reading or writing
        raises, the group is undone and its rows run one by one, each in its savepoint."""
        claimed = await schedule.claim_many(conn, [due.id for due in group], self.clock.now())
        mine = [due for due in group if due.id in claimed]
        if not mine:
            return 0
        await conn.execute("SAVEPOINT many")
        try:
            ran = await self._decide_and_write(conn, mine)
        except Exception as exc:
            if is_storage_fault(exc) or not conn.in_transaction:
                raise
            await conn.execute("ROLLBACK TO many")
            log.exception("%d due rows failed together; run one by one", len(mine))
            ran = None
        await conn.execute("RELEASE many")
        if ran is None:
            ran = 0
            for due in mine:
                ran += await self._run_one(conn, due)
        return ran

    async def _decide_and_write(self, conn: Conn, dues: list[Due]) -> int:
        """Each loader once for its rows, each row's decision, the outcomes written at once.
        Returns how many rows were decided (a row whose decision raises is left out)."""
        now = self.clock.now()
        jobs = {kind: self.jobs.get(kind) for kind in {due.kind for due in dues}}
        facts: dict[int, Any] = {}
        loads: dict[Any, list[Due]] = {}  # by loader: kinds that share one are read together
        for due in dues:
            job = jobs[due.kind]
            assert job is not None and job.load_many is not None
            loads.setdefault(job.load_many, []).append(due)
        for load_many, same in loads.items():
            facts.update(await load_many(conn, same, now))
        outcomes: list[tuple[Outcome, Origin]] = []
        for due in dues:
            job = jobs[due.kind]
            assert job is not None
            try:
                outcome = job.decide(facts[due.id], now)
            except Exception:
                log.exception("due %d (%s) failed; marked done", due.id, due.kind)
                continue
            outcomes.append((outcome, Origin(hub_id=due.hub_id)))
        await self.bulk.apply(conn, outcomes, now)
        return len(outcomes)

    async def plan(self) -> None:
        """Every open hub has its next round of each check-in, and its next report, scheduled."""
        now = self.clock.now()
        # This runs after every message: one look at the schedule serves every hub.
        async with self.db.transaction() as conn:
            pending = await schedule.pending(conn)
            outcome = timed.plan(await self.jobs.open_hubs(conn), pending, now)
            await self.effects.outcome(conn, outcome, now)

    async def _run(self, conn: Conn, due: Due) -> None:
        job = self.jobs.get(due.kind)
        if job is None:
            # Written by another version, or by hand: claimed, so it is not tried again.
            log.warning("due %d has an unknown kind %r: marked done", due.id, due.kind)
            return
        now = self.clock.now()
        outcome = await job.run(conn, due, now)
        await self.effects.outcome(conn, outcome, now, Origin(hub_id=due.hub_id))


def _group(rows: Sequence[Due], start: int, jobs: Jobs) -> list[Due]:
    """Up to GROUP rows from `start` whose jobs load many at once, ending before one that does
    not, or before a second row of the same work (kind, hub, ref): that one must see the
    first one's writes, as when rows run one by one (a hub's next report takes the next
    number)."""
    group: list[Due] = []
    seen: set[tuple[str, int | None, str]] = set()
    for due in rows[start : start + GROUP]:
        job = jobs.get(due.kind)
        work = (due.kind, due.hub_id, due.ref)
        if job is None or job.load_many is None or work in seen:
            break
        seen.add(work)
        group.append(due)
    return group
