"""A full disk pauses the workers; they resume by themselves once writes work, without a restart."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import pytest
from aiohttp import test_utils

from hubbot.channels.base import Sent
from hubbot.channels.simulator import SimulatorChannel, sim_routes
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.security import hash_pin
from hubbot.service import processor as processor_module
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.ingest import JournalIngest
from hubbot.service.processor import Processor
from hubbot.service.send_limits import SendLimits
from hubbot.store import db as db_module
from hubbot.store import hubs, inbound, outbox, people
from hubbot.store.db import Database
from hubbot.web.app import build_web_app
from tests.fakes import FakeChannel, FakeClock, workers

PHONE = "sms:+15145550199"


class FlakyDisk(Database):
    """A database whose disk fills up on demand: while `full`, every write transaction fails
    at COMMIT as SQLite's does ("database or disk is full"), and its writes are rolled back."""

    full = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with super().transaction() as conn:
            yield conn
            if self.full:
                raise sqlite3.OperationalError("database or disk is full")


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers pause 0.5 s, doubling to 30 s, after a fault; tests need not wait that long."""
    monkeypatch.setattr(db_module, "FAULT_PAUSE_FIRST", 0.01)
    monkeypatch.setattr(db_module, "FAULT_PAUSE_MOST", 0.05)


@pytest.fixture
async def disk(tmp_path: Path) -> AsyncIterator[FlakyDisk]:
    db = await FlakyDisk.open(tmp_path / "hub.db")
    yield db
    await db.close()


async def until(condition: Callable[[], object], within: float = 5.0) -> None:
    """Wait for something the workers do on their own; fail if it does not happen in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "it did not happen in time"
        await asyncio.sleep(0.01)


async def one(db: Database, sql: str) -> tuple[object, ...]:
    row = await db.fetchone(sql)
    assert row is not None
    return tuple(row)


async def settled(
    db: Database, sql: str, expected: tuple[object, ...], within: float = 5.0
) -> tuple[object, ...]:
    """The row once the workers have written it: `expected` as soon as it is there, else what
    it still is after `within` seconds (a loaded machine commits an outcome late)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        row = await one(db, sql)
        if row == expected or loop.time() > deadline:
            return row
        await asyncio.sleep(0.01)


def processor_on(
    db: Database, playbooks: dict[str, Playbook], renderer: Renderer, clock: FakeClock
) -> Processor:
    return workers(db, clock, playbooks, renderer, {"sms": FakeChannel()}, locale="en")[0]


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_full_disk_holds_a_text_and_it_is_answered_once_there_is_room_without_restart(
    disk: FlakyDisk, playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    clock = FakeClock()
    processor = processor_on(disk, playbooks, renderer, clock)
    await inbound.record(disk, "sms", "SM1", PHONE, None, "HELP", clock.now())
    task = asyncio.create_task(processor.run())
    app = build_web_app(disk, lambda: not task.done(), [])
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        disk.full = True
        processor.wake.set()
        await until(lambda: disk.faults >= 3)  # it failed, waited, and tried again, twice
        health = await client.get("/healthz")
        assert health.status == 503
        assert (await health.json())["store"] == "database or disk is full"
        assert not task.done(), "the processor is still there"
        assert await one(disk, "SELECT processed_at, error FROM inbound") == (None, None)
        assert await one(disk, "SELECT COUNT(*) FROM outbox") == (0,)

        disk.full = False
        await until(lambda: disk.fault is None)
        processed, error = await one(disk, "SELECT processed_at, error FROM inbound")
        assert processed is not None and error is None
        keys = [row[0] for row in await disk.fetchall("SELECT msg_key FROM outbox")]
        assert keys and "error.internal" not in keys, "a storage fault is not the sender's fault"
        assert (await client.get("/healthz")).status == 200
    await stop(task)


async def test_a_bug_in_deciding_a_text_still_marks_it_failed_and_tells_the_sender(
    disk: FlakyDisk,
    playbooks: dict[str, Playbook],
    renderer: Renderer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(processor_module, "decide", broken)
    clock = FakeClock()
    processor = processor_on(disk, playbooks, renderer, clock)
    async with disk.transaction() as conn:
        await people.create(conn, PHONE, "en", clock.now())
    await inbound.record(disk, "sms", "SM1", PHONE, None, "HELP", clock.now())
    await processor.drain()
    processed, error = await one(disk, "SELECT processed_at, error FROM inbound")
    assert processed is not None and "ZeroDivisionError" in str(error)
    assert await one(disk, "SELECT msg_key FROM outbox") == ("error.internal",)


async def test_a_webhook_the_full_disk_cannot_store_gets_503_and_health_recovers_by_itself(
    disk: FlakyDisk,
) -> None:
    clock = FakeClock()
    sim = SimulatorChannel(disk, clock, SmsPolicy(1.0, 3, False))
    routes = sim_routes(sim, JournalIngest(disk, clock, lambda: None), "CA", lambda: None)
    app = build_web_app(disk, lambda: True, routes)
    text = {"from": "+15145550199", "text": "HELP"}
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        disk.full = True
        refused = await client.post("/sim/inbound", json=text)
        assert refused.status == 503, "not stored, so not acknowledged: the sender tries again"
        assert (await client.get("/healthz")).status == 503
        disk.full = False
        # Nothing else writes here: /healthz itself finds out that writes work again.
        assert (await client.get("/healthz")).status == 200
        assert (await client.post("/sim/inbound", json=text)).status == 202
    assert await one(disk, "SELECT COUNT(*) FROM inbound") == (1,)


class FillsTheDisk(FakeChannel):
    """The SMS leaves, and the disk fills up before hubbot can write that it did."""

    disk: FlakyDisk | None = None

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
    ) -> Sent:
        sent = await super().send(address, text, sender, buttons)
        if self.disk is not None and len(self.sent) == 1:
            self.disk.full = True
        return sent


async def test_a_send_whose_outcome_could_not_be_written_goes_again_once_there_is_room(
    disk: FlakyDisk,
) -> None:
    clock = FakeClock()
    channel = FillsTheDisk()
    channel.disk = disk
    async with disk.transaction() as conn:
        await outbox.enqueue(
            conn,
            person_id=None,
            address=PHONE,
            text="Shelter open",
            priority="normal",
            now=clock.now(),
        )
    dispatcher = Dispatcher(disk, {"sms": channel}, clock, SendLimits(max_attempts=3))
    task = asyncio.create_task(dispatcher.run())
    await until(lambda: disk.fault is not None)
    assert await one(disk, "SELECT status FROM outbox") == ("sending",)
    assert not task.done(), "delivery is still there"
    disk.full = False
    await until(lambda: len(channel.sent) == 2)
    await until(lambda: disk.fault is None)
    # At least once: it may arrive twice, but it is not stuck 'sending' until a restart.
    assert channel.to(PHONE) == ["Shelter open", "Shelter open"]
    assert await settled(disk, "SELECT status FROM outbox", ("sent",)) == ("sent",)
    dispatcher.stopping = True
    dispatcher.wake.set()
    await asyncio.wait_for(task, 5)


async def test_the_scheduler_waits_out_a_full_disk_and_plans_the_open_hub_afterwards(
    disk: FlakyDisk, playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    clock = FakeClock()
    processor = processor_on(disk, playbooks, renderer, clock)
    async with disk.transaction() as conn:
        await hubs.create(
            conn, "PLATEAU", "Plateau", hash_pin("2468"), "en", None, "community-hub", clock.now()
        )
    await inbound.record(disk, "sms", "SM1", PHONE, None, "ACTIVATE PLATEAU 2468", clock.now())
    await processor.drain()
    await disk.conn.execute("DELETE FROM due")  # what the scheduler plans, it has yet to plan
    _, scheduler = workers(disk, clock, playbooks, renderer, {"sms": FakeChannel()}, locale="en")
    disk.full = True
    task = asyncio.create_task(scheduler.run())
    await until(lambda: disk.faults >= 3)
    assert not task.done(), "the scheduler is still there"
    assert await one(disk, "SELECT COUNT(*) FROM due") == (0,)
    disk.full = False
    await until(lambda: disk.fault is None)
    (planned,) = await one(disk, "SELECT COUNT(*) FROM due WHERE kind = 'sitrep'")
    assert planned == 1
    await stop(task)
