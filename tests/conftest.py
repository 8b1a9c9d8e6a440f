"""Shared fixtures: the shipped playbooks and catalogs, and an in-process hub harness."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from hubbot.addresses import parse_address
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.playbooks.loader import load_playbooks
from hubbot.security import hash_pin
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.processor import Processor
from hubbot.service.scheduler import Scheduler
from hubbot.service.send_limits import SendLimits
from hubbot.store import hubs, inbound, people
from hubbot.store.db import Database
from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import FakeTwilio
from tests.fakes import FakeChannel, FakeClock, workers
from tests.pg import MISSING, binaries, shared_cluster
from tests.service import Service

ROOT = Path(__file__).resolve().parent.parent
# python-telegram-bot's documented opt-in to timedelta retry_after (as `hubbot` sets it).
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Property tests (tests/test_properties.py). The default profile is the same run every time, so
# a failure in CI fails the same way on a laptop, and keeps no example database in the work
# tree; `pytest --hypothesis-profile=long` runs ten times the examples from a fresh seed, and
# keeps failing ones in .hypothesis/ (git-ignored) to try first next time. No deadline: two
# shared cores make timings jumpy, and the suites bound their own sizes.
settings.register_profile(
    "hubbot", max_examples=100, derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("long", max_examples=1000, deadline=None, print_blob=True)
# Hypothesis starts on "default" (or "ci" when CI is set); --hypothesis-profile loads another
# after this file, and a test module's `from tests.conftest import ...` runs it again: keep that.
if settings.get_current_profile_name() in ("default", "ci"):
    settings.load_profile("hubbot")


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(ROOT / "locales")


@pytest.fixture(scope="session")
def playbooks(renderer: Renderer) -> dict[str, Playbook]:
    return load_playbooks(ROOT / "playbooks", renderer.all_keys())


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on 127.0.0.1."""
    server = await FakeTelegram().start()
    yield server
    await server.stop()


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    """A fake Twilio REST API on 127.0.0.1."""
    server = await FakeTwilio().start()
    yield server
    await server.stop()


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    """`hubbot run` as a subprocess on its defaults: SQLite and the simulator (start it)."""
    svc = Service(tmp_path)
    yield svc
    await svc.close()


class Harness:
    """The real processor and dispatcher on a real SQLite file, with a fake clock and channel."""

    def __init__(
        self,
        db: Database,
        clock: FakeClock,
        channel: FakeChannel,
        processor: Processor,
        dispatcher: Dispatcher,
        scheduler: Scheduler,
    ) -> None:
        self.db, self.clock, self.channel = db, clock, channel
        self.processor, self.dispatcher, self.scheduler = processor, dispatcher, scheduler
        self._ids = itertools.count(1)

    async def add_hub(
        self,
        code: str = "PLATEAU",
        pin: str = "2468",
        locale: str = "fr",
        name: str = "Plateau",
        sms_number: str | None = None,
    ) -> int:
        async with self.db.transaction() as conn:
            return await hubs.create(
                conn,
                code,
                name,
                hash_pin(pin),
                locale,
                sms_number,
                "community-hub",
                self.clock.now(),
            )

    async def add_coordinator(self, phone: str, locale: str = "fr") -> int:
        async with self.db.transaction() as conn:
            person = await people.create(conn, parse_address(phone, "CA"), locale, self.clock.now())
            await people.set_coordinator(conn, person.id)
        return person.id

    async def text(self, phone: str, body: str, to: str | None = None) -> dict[str, list[str]]:
        """Text the hub from a phone; returns what each phone received as a result."""
        before = len(self.channel.sent)
        address = parse_address(phone, "CA")
        to_address = parse_address(to, "CA") if to else None
        await inbound.record(
            self.db, "sms", f"T{next(self._ids)}", address, to_address, body, self.clock.now()
        )
        await self.processor.drain()
        return await self._delivered(before)

    async def tick(self, **advance: float) -> dict[str, list[str]]:
        """Let time pass, run what fell due, and return what each phone received."""
        self.clock.advance(**advance)
        before = len(self.channel.sent)
        await self.scheduler.tick()
        return await self._delivered(before)

    async def _delivered(self, before: int) -> dict[str, list[str]]:
        """Send what is due; what each phone received since the channel had `before` sends."""
        while await self.dispatcher.run_once():
            pass
        received: dict[str, list[str]] = {}
        for address_to, text in self.channel.sent[before:]:
            received.setdefault(address_to.removeprefix("sms:"), []).append(text)
        return received

    async def person_id(self, phone: str) -> int:
        person = await people.by_address(self.db.conn, parse_address(phone, "CA"))
        assert person is not None
        return person.id


@pytest.fixture
async def harness(
    tmp_path: Path, playbooks: dict[str, Playbook], renderer: Renderer
) -> AsyncIterator[Harness]:
    db: Any
    if os.environ.get("HUBBOT_TEST_STORE") == "postgresql":  # opt-in: the engine on PostgreSQL
        if binaries() is None:
            pytest.skip(MISSING)
        db = await shared_cluster().database()
    else:
        db = await Database.open(tmp_path / "hub.db")
    clock = FakeClock()
    channel = FakeChannel()
    channels = {"sms": channel, "telegram": channel}
    processor, scheduler = workers(db, clock, playbooks, renderer, channels)
    dispatcher = Dispatcher(db, channels, clock, SendLimits(max_attempts=3))
    yield Harness(db, clock, channel, processor, dispatcher, scheduler)
    await db.close()
