"""Two workers on one database pace a sender as one: together they never exceed its rate
(on SQLite, two connections to one file; on PostgreSQL, two connections to one database)."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hubbot.channels.base import SendError
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.send_limits import SendLimits
from hubbot.store import outbox, pacing
from hubbot.store.db import Database
from hubbot.store.pg import PgDatabase
from tests.fakes import FakeChannel, FakeClock
from tests.pg import binaries, shared_cluster

RATE = 5.0  # messages a second on the one sender
SENDER = "+15145550001"
Workers = tuple[Any, FakeClock, list[FakeChannel], list[Dispatcher]]
BACKENDS = ["sqlite", "postgresql"] if binaries() is not None else ["sqlite"]
# A send booked ahead waits for its slot in real time, while the fake clock stands still: these
# tests pace one send per key per pass, as they drive the clock (bench/broadcast.py's paced
# case checks the booking ahead against the real clock).
NO_AHEAD = 0.0


@pytest.fixture(params=BACKENDS)
async def workers(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Workers]:
    """Two dispatchers, each on its own connection to one database, as two processes."""
    clock = FakeClock()
    first: Any
    second: Any
    if request.param == "sqlite":
        first = await Database.open(tmp_path / "hub.db")
        second = await Database.open(tmp_path / "hub.db")
    else:
        first = await shared_cluster().database()
        second = await PgDatabase.open(first.dsn)
    channels = [FakeChannel(rate=RATE, clock=clock) for _ in range(2)]
    dispatchers = [
        Dispatcher(db, {"sms": channel}, clock, SendLimits(max_attempts=3, ahead=NO_AHEAD))
        for db, channel in zip((first, second), channels, strict=True)
    ]
    yield first, clock, channels, dispatchers
    await second.close()
    await first.close()


async def _queue(db: Any, clock: FakeClock, count: int) -> None:
    async with db.transaction() as conn:
        for n in range(count):
            await outbox.enqueue(
                conn,
                person_id=None,
                address=f"sms:+1514556{n:04d}",
                text=f"alert {n}",
                priority="bulk",
                now=clock.now(),
                sender=SENDER,
            )


async def _drive(workers: Workers, sends: int, rng: random.Random) -> list[datetime]:
    """Both workers look in turn, in a random order, and the clock jumps to the next moment
    either may send, plus a lateness below one interval (a busy machine)."""
    _, clock, channels, dispatchers = workers
    while sum(len(c.sent) for c in channels) < sends:
        waits = []
        for dispatcher in rng.sample(dispatchers, len(dispatchers)):
            waits.append(await dispatcher.start_due())
            await dispatcher.finish_in_flight()
        known = [w for w in waits if w is not None]
        if sum(len(c.sent) for c in channels) >= sends:
            break
        assert known, "stalled with messages left"
        if min(known) > 0:
            clock.advance(seconds=min(known) + rng.uniform(0, 0.9 / RATE))
    return sorted(t for c in channels for t in c.times)


def _peak(times: list[datetime], window: float) -> int:
    """The most sends in any window of `window` seconds."""
    offsets = [(t - times[0]).total_seconds() for t in times]
    return max(bisect_left(offsets, o + window) - i for i, o in enumerate(offsets))


async def test_two_workers_together_never_send_more_than_the_rate_in_any_window(
    workers: Workers,
) -> None:
    db, clock, channels, _ = workers
    await _queue(db, clock, 200)
    times = await _drive(workers, 200, random.Random(3))
    assert all(channel.sent for channel in channels), "both workers sent some"
    for window in (1.0, 10.0):
        assert _peak(times, window) <= RATE * window + 1, f"a {window:g} s window"


async def test_two_workers_together_still_use_the_whole_rate(workers: Workers) -> None:
    db, clock, _, _ = workers
    await _queue(db, clock, 200)
    times = await _drive(workers, 200, random.Random(5))
    achieved = (len(times) - 1) / (times[-1] - times[0]).total_seconds()
    assert achieved >= 0.95 * RATE


async def test_a_provider_429_seen_by_one_worker_holds_the_other_too(workers: Workers) -> None:
    db, clock, channels, dispatchers = workers
    channels[0].failures = [
        SendError("429", permanent=False, retry_after=30, hold_key=f"sms:{SENDER}")
    ]
    await _queue(db, clock, 3)
    start = clock.now()
    await dispatchers[0].run_once()  # its send is refused: hold the sender 30 s
    clock.advance(seconds=10)
    assert await dispatchers[1].run_once() == 0, "the other worker waits out the hold"
    assert dispatchers[1].last_wait == 20.0
    assert await pacing.free_at(db, f"sms:{SENDER}") == start.replace(second=30)
