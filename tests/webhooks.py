"""The real web app's provider routes (simulator, Telegram, Twilio), served in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import test_utils

from hubbot.channels.simulator import SimulatorChannel, sim_routes
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.channels.telegram import TelegramBot, telegram_routes
from hubbot.channels.twilio import twilio_routes
from hubbot.i18n import Renderer
from hubbot.service.ingest import JournalIngest
from hubbot.store.db import Database
from hubbot.web.app import build_web_app
from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import AUTH_TOKEN
from tests.fakes import FakeClock

TELEGRAM_SECRET = "s3cret-token_for-tests"
Client = test_utils.TestClient  # type: ignore[type-arg]


@asynccontextmanager
async def webhooks(
    db: Database, clock: FakeClock, tg: FakeTelegram, renderer: Renderer
) -> AsyncIterator[Client]:
    """A client for /sim/*, /telegram/webhook and /twilio/* over `db`. Twilio's signatures
    are checked against the test server's own URL, with tests.fake_twilio's AUTH_TOKEN."""
    sim = SimulatorChannel(db, clock, SmsPolicy(1.0, 3, False))
    ingest = JournalIngest(db, clock, lambda: None)
    bot = TelegramBot(
        tg.token,
        tg.url,
        webhook_url="http://hub.test/telegram/webhook",
        secret=TELEGRAM_SECRET,
        renderer=renderer,
        ingest=ingest,
        global_rate=30.0,
    )
    base: list[str] = []
    routes = [
        *sim_routes(sim, ingest, "CA", lambda: None),
        *telegram_routes(bot),
        *twilio_routes(db, clock, ingest, AUTH_TOKEN, lambda path: base[0] + path, "CA"),
    ]
    app = build_web_app(db, lambda: True, routes)
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        base.append(str(client.make_url("")).rstrip("/"))
        yield client
