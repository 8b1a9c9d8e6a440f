"""Benchmark: timed work at scale. Every hub of a region opened at the same moment, so their
check-in rounds (and reports) fall due in the same second; how late is the last ask queued?

In-process, on a fresh SQLite file: `--hubs` active hubs, each with a lead and the four roles
the shipped playbook's status check-in asks (reception, needs and offers, communications,
facility). The scheduler plans every hub's rounds at T0; the clock is then set to the moment
they all fall due (T0 + the check-in's `every`), and one scheduler pass runs everything due,
as the service's scheduler does when APScheduler wakes it. Measured, in real time:

- from the due moment until the transaction holding the last ask's outbox row commits (the
  target is 1 second for 10,000 asks, issue 17), with the asks per second; and the whole
  pass, reports and shift checks included (the scheduler runs asks before them,
  domain/jobs.py);
- one silent window later, when every round's first step falls due (each holder is reminded:
  10,000 reminders, with the shift checks due then), the same two times;
- the bench process's peak resident memory (VmHWM), seeding included.

Before the passes, what was built so far is frozen out of the garbage collector's full passes
(`gc.freeze()`), as `hubbot run` does once it is up.

Two cases by default, one JSON line each: 2,500 hubs (10,000 asks, with their 2,500 reports
to the coordinators due at the same second) and 1,000 hubs (4,000 asks). The exit status is 1
if the 10,000 asks take more than one second.

    .venv/bin/python bench/timed_work.py [--hubs 2500 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procstat import peak_rss_mib  # noqa: E402
from hubbot.domain.models import HubStatus  # noqa: E402
from hubbot.security import hash_pin  # noqa: E402
from hubbot.service import workers  # noqa: E402
from hubbot.service.outbound import Outbound  # noqa: E402
from hubbot.service.wakes import Wakes  # noqa: E402
from hubbot.settings import Settings  # noqa: E402
from hubbot.startup import catalogs, playbooks_of  # noqa: E402
from hubbot.store import hubs, people  # noqa: E402
from hubbot.store.db import Database  # noqa: E402
from tests.fakes import FakeClock  # noqa: E402

ROLES = ("lead", "reception", "needs_offers", "communications", "facility")
T0 = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)


async def _seed(db: Database, count: int) -> None:
    """`count` open hubs, each with one holder per role, all opened at T0."""
    pin = hash_pin("2468")
    async with db.transaction() as conn:
        for h in range(count):
            hub_id = await hubs.create(
                conn, f"H{h:05d}", f"Hub {h}", pin, "fr", None, "community-hub", T0
            )
            await hubs.set_status(conn, hub_id, HubStatus.ACTIVE, T0)
            lead = 0
            for r, role in enumerate(ROLES):
                address = f"sms:+1{438 + r}{h:07d}"
                person = await people.create(conn, address, "fr" if h % 2 else "en", T0)
                await hubs.join(conn, hub_id, person.id, T0)
                lead = lead or person.id
                await hubs.assign(conn, hub_id, person.id, role, lead, T0)


async def _case(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database=Path(tmp) / "hubbot.db")  # type: ignore[call-arg]
        renderer = catalogs(settings)
        playbooks = playbooks_of(settings, renderer)
        db = await Database.open(settings.database_path)
        try:
            clock = FakeClock(T0)
            await _seed(db, count)
            outbound = Outbound(renderer, {}, clock)
            local = workers.Local(settings.default_locale, settings.default_region)
            _, scheduler = workers.workers(db, clock, playbooks, outbound, local, Wakes())
            await scheduler.plan()  # every hub's next round, as the service plans them
            every = playbooks["community-hub"].checkins[0].every
            clock.current = T0 + every  # the second they all fall due
            # What was built so far stays out of the collector's full passes, as `hubbot run`
            # keeps what it built at start (hubbot/cli/run.py).
            gc.freeze()
            commits = _commits(db)
            started = time.perf_counter()
            ran = await scheduler.tick()
            took = time.perf_counter() - started
            asks, last_ask = await _queued(db, "checkin.prompt", commits, started)
            rows = await db.fetchone("SELECT COUNT(*) FROM outbox")
            clock.current += playbooks["community-hub"].checkins[0].window
            commits.clear()
            started = time.perf_counter()
            steps_ran = await scheduler.tick()
            steps_took = time.perf_counter() - started
            again, last_again = await _queued(db, "checkin.again", commits, started)
        finally:
            await db.close()
    return {
        "hubs": count,
        "due_rows_run": ran,
        "asks_queued": asks,
        "outbox_rows": int(rows[0]),
        "last_ask_queued_after_due_s": round(last_ask, 3),
        "asks_per_s": round(asks / last_ask, 1),
        "pass_s": round(took, 3),
        "step_rows_run": steps_ran,
        "reminders_queued": again,
        "last_reminder_queued_after_due_s": round(last_again, 3),
        "step_pass_s": round(steps_took, 3),
        "bench_peak_rss_mib": round(peak_rss_mib(), 1),
    }


def _commits(db: Database) -> list[tuple[float, int]]:
    """When each of the scheduler's transactions committed, with the newest outbox row then:
    a message is queued when the transaction that wrote it commits."""
    seen: list[tuple[float, int]] = []
    transaction = db.transaction

    @contextlib.asynccontextmanager
    async def timed() -> AsyncIterator[Any]:
        async with transaction() as conn:
            yield conn
            async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM outbox") as cursor:
                newest = (await cursor.fetchone())[0]
        seen.append((time.perf_counter(), int(newest)))

    db.deciding = timed  # type: ignore[method-assign]
    return seen


async def _queued(
    db: Database, key: str, commits: list[tuple[float, int]], started: float
) -> tuple[int, float]:
    """How many messages of this kind are queued, and how long after `started` the
    transaction holding the last of them committed."""
    row = await db.fetchone("SELECT COUNT(*), MAX(id) FROM outbox WHERE msg_key = ?", (key,))
    count, last = int(row[0]), int(row[1] or 0)
    at = next((t for t, newest in commits if newest >= last), float("nan"))
    return count, at - started


async def main(args: argparse.Namespace) -> int:
    ok = True
    for count in args.hubs:
        result = await _case(count)
        if int(result["asks_queued"]) >= 10_000:  # type: ignore[call-overload]
            result["within_1s"] = float(result["last_ask_queued_after_due_s"]) <= 1.0  # type: ignore[arg-type]
            ok = ok and bool(result["within_1s"])
        print(json.dumps({"benchmark": "timed_work", **result}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", type=int, nargs="+", default=[2500, 1000])
    sys.exit(asyncio.run(main(parser.parse_args())))
