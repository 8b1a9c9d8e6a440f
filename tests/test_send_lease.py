"""Workers sharing one PostgreSQL never send again what another has in flight, and a lost
worker's sends go again once their lease runs out; sends that end together share a commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hubbot.service.dispatcher import Dispatcher
from hubbot.service.send_limits import SendLimits
from hubbot.store import delivery, outbox, pacing
from hubbot.store.db import Database
from hubbot.store.pg import PgDatabase
from tests.fakes import FakeChannel, FakeClock
from tests.pg import MISSING, binaries, shared_cluster

LEASE = timedelta(minutes=2)
needs_pg = pytest.mark.skipif(binaries() is None, reason=MISSING)


@pytest.fixture
async def shared() -> AsyncIterator[tuple[Any, Any]]:
    """Two connections to one PostgreSQL database: two worker processes."""
    first = await shared_cluster().database()
    second = await PgDatabase.open(first.dsn)
    yield first, second
    await second.close()
    await first.close()


async def _queue(db: Any, clock: FakeClock, address: str, text: str) -> int:
    async with db.transaction() as conn:
        return await outbox.enqueue(
            conn, person_id=None, address=address, text=text, priority="normal", now=clock.now()
        )


def _dispatcher(db: Any, clock: FakeClock) -> tuple[Dispatcher, FakeChannel]:
    channel = FakeChannel()
    limits = SendLimits(max_attempts=3, lease=LEASE)
    return Dispatcher(db, {"sms": channel}, clock, limits), channel


async def _status(db: Any, row: int) -> str:
    found = await db.fetchone("SELECT status FROM outbox WHERE id = ?", (row,))
    return str(found[0])


@needs_pg
async def test_a_worker_starting_up_leaves_alone_what_another_live_worker_is_sending(
    shared: tuple[Any, Any],
) -> None:
    first, second = shared
    clock = FakeClock()
    live, live_channel = _dispatcher(first, clock)
    row = await _queue(first, clock, "sms:+15145550101", "shelter open")
    # The live worker has marked it sending; its request to the provider is under way.
    assert await pacing.admit(first, [(row, [])], 1, clock.now, live.owner) == ({row: 0.0}, None)
    restarted, channel = _dispatcher(second, clock)
    await restarted.recover()
    await restarted.run_once()
    assert channel.sent == [], "a restarted worker must not send a live worker's text again"
    assert await _status(first, row) == "sending"
    clock.advance(seconds=20)  # longer than any live send takes, well within the lease
    await restarted.recover()
    await restarted.run_once()
    assert channel.sent == [] and live_channel.sent == []


@needs_pg
async def test_a_killed_workers_sends_go_again_once_their_lease_runs_out(
    shared: tuple[Any, Any],
) -> None:
    first, second = shared
    clock = FakeClock()
    row = await _queue(first, clock, "sms:+15145550101", "boil water before drinking")
    # A worker marked it sending, then was killed before it could record what happened.
    await delivery.mark_sending(first, [row], clock.now(), owner="killed-worker")
    survivor, channel = _dispatcher(second, clock)
    await survivor.recover()
    await survivor.run_once()
    assert channel.sent == []
    clock.advance(seconds=LEASE.total_seconds() + 1)
    await survivor.recover()
    await survivor.run_once()
    assert channel.sent == [("sms:+15145550101", "boil water before drinking")]
    assert await _status(first, row) == "sent"


@needs_pg
async def test_after_a_storage_fault_a_worker_sends_again_only_its_own_interrupted_sends(
    shared: tuple[Any, Any],
) -> None:
    first, second = shared
    clock = FakeClock()
    mine = await _queue(first, clock, "sms:+15145550101", "mine")
    theirs = await _queue(first, clock, "sms:+15145550102", "theirs")
    worker, channel = _dispatcher(first, clock)
    other, _ = _dispatcher(second, clock)
    await worker.recover()  # started
    await delivery.mark_sending(first, [mine], clock.now(), owner=worker.owner)
    await delivery.mark_sending(first, [theirs], clock.now(), owner=other.owner)
    first.faults += 1  # a write failed: its outcome may not have been recorded
    await worker.recover()
    await worker.run_once()
    assert channel.sent == [("sms:+15145550101", "mine")]
    assert await _status(first, theirs) == "sending"


async def test_on_a_store_of_its_own_a_restart_sends_again_everything_left_under_way(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "hub.db")
    try:
        clock = FakeClock()
        row = await _queue(db, clock, "sms:+15145550101", "water at the school")
        await delivery.mark_sending(db, [row], clock.now(), owner="before-the-crash")
        dispatcher, channel = _dispatcher(db, clock)
        await dispatcher.recover()
        await dispatcher.run_once()
        assert channel.sent == [("sms:+15145550101", "water at the school")]
    finally:
        await db.close()


async def test_sends_that_end_together_are_recorded_in_a_few_commits(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "hub.db")
    try:
        clock = FakeClock()
        rows = [await _queue(db, clock, f"sms:+151455502{n:02d}", f"alert {n}") for n in range(16)]
        dispatcher, channel = _dispatcher(db, clock)
        assert await dispatcher.run_once() == 16
        assert len(channel.sent) == 16
        assert [await _status(db, row) for row in rows] == ["sent"] * 16
        assert dispatcher.outcomes.commits <= 2, "sixteen sends, one or two commits"
    finally:
        await db.close()
