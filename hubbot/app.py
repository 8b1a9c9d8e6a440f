"""The composition root: build settings, store, playbooks, channels, workers and web app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiohttp import web
from telegram.error import InvalidToken, TelegramError

from hubbot.channels.base import Channel
from hubbot.channels.cap.feeds import FeedPoller
from hubbot.channels.cap.stream import CapStream
from hubbot.channels.console import ConsoleChannel
from hubbot.channels.telegram import TelegramBot, telegram_routes
from hubbot.channels.twilio import TwilioChannel
from hubbot.clock import Clock, SystemClock
from hubbot.domain.durations import parse_duration
from hubbot.domain.flood import FloodLimit
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.security import hash_pin, new_pin
from hubbot.service import housekeeping
from hubbot.service.cap_relay import CapRelay
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.ingest import JournalIngest
from hubbot.service.metrics import Metrics
from hubbot.service.outbound import Outbound
from hubbot.service.processor import Processor
from hubbot.service.scheduler import Scheduler
from hubbot.service.send_limits import SendLimits
from hubbot.service.wakes import Wakes
from hubbot.service.workers import Local, workers
from hubbot.settings import Settings
from hubbot.startup import (
    StartupError,
    cannot_listen,
    cap_archive,
    cap_sources,
    catalogs,
    load_store,
    playbooks_of,
    sms_channel,
)
from hubbot.store import hubs
from hubbot.store.conn import Store
from hubbot.store.db import Database
from hubbot.store.guard import WriteGate
from hubbot.store.pg import PgDatabase
from hubbot.web.app import Ops, build_web_app
from hubbot.web.console import Console, add_console

log = logging.getLogger(__name__)


DEMO_CODE = "DEMO"
SHUTDOWN_GRACE = 10.0  # seconds to let an in-flight send finish


@dataclass
class Hubbot:
    settings: Settings
    clock: Clock
    db: Store
    delivery_db: Store
    channels: dict[str, Channel]
    twilio: TwilioChannel | None
    processor: Processor
    dispatcher: Dispatcher
    web_app: web.Application
    telegram: TelegramBot | None
    scheduler: Scheduler
    metrics: Metrics = field(default_factory=Metrics)
    cap: CapRelay | None = None  # official alerts in: feeds, the stream, exercises
    cap_sources: list[FeedPoller | CapStream] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    dispatcher_task: asyncio.Task[None] | None = None
    runner: web.AppRunner | None = None
    phase: str = "starting"  # /readyz: 'ready' once start() is done, 'stopping' from stop()
    intake_db: Store | None = None  # the webhooks' own connection, where they have one

    @classmethod
    async def build(cls, settings: Settings, clock: Clock | None = None) -> Hubbot:
        """Everything, ready to start. Raises StartupError naming what is wrong, having closed
        what it opened (an open database connection would keep the process alive)."""
        clock = clock or SystemClock()
        renderer = catalogs(settings)
        playbooks = playbooks_of(settings, renderer)
        db = await load_store(settings, verify=True)
        opened: list[Store] = [db]
        try:
            # Delivery gets its own connection (and so its own SQLite thread): WAL lets it read
            # and write beside the message processor instead of queueing behind it. From the
            # same HUBBOT_DATABASE, so on PostgreSQL it is a second connection to the server.
            opened.append(delivery_db := await load_store(settings))
            # On PostgreSQL the webhooks store texts on a third, which waits for no decision:
            # SQLite has one writer at a time, so there they share the processor's.
            intake_db = db
            if settings.database_url is not None:
                opened.append(intake_db := await load_store(settings, appending=True))
            elif isinstance(db, Database) and isinstance(delivery_db, Database):
                # The two SQLite connections write in turn, the processor's first (guard.py).
                db.gate = delivery_db.gate = WriteGate(favoured=db)
            stores = (db, delivery_db, intake_db)
            return await cls._assemble(settings, clock, renderer, playbooks, stores)
        except BaseException:
            for store in reversed(opened):
                await store.close()
            raise

    @classmethod
    async def _assemble(
        cls,
        settings: Settings,
        clock: Clock,
        renderer: Renderer,
        playbooks: dict[str, Playbook],
        stores: tuple[Store, Store, Store],
    ) -> Hubbot:
        db, delivery_db, intake_db = stores
        wake_outbox = asyncio.Event()
        processor_wake = asyncio.Event()
        scheduler_wake = asyncio.Event()  # after each message, the scheduler looks again

        def wake() -> None:
            processor_wake.set()
            wake_outbox.set()

        metrics = Metrics()  # its own registry: several services in one process do not collide
        ingest = JournalIngest(intake_db, clock, wake, metrics)  # every channel's one way in
        # The simulator's mailbox goes on the appending connection where there is one.
        mailbox_db = delivery_db if intake_db is db else intake_db
        sms, twilio, routes = sms_channel(settings, (db, mailbox_db), clock, ingest, wake)
        # The console's replies stay in the outbox for the hub page (channels/console).
        channels: dict[str, Channel] = {"sms": sms, "console": ConsoleChannel()}
        telegram: TelegramBot | None = None
        if settings.telegram_enabled:
            assert settings.telegram_token is not None
            telegram = TelegramBot(
                settings.telegram_token.get_secret_value(),
                settings.telegram_api_url,
                webhook_url=(
                    settings.webhook_url("/telegram/webhook") if settings.telegram_webhook else None
                ),
                secret=settings.telegram_secret(),
                renderer=renderer,
                ingest=ingest,
                global_rate=settings.telegram_rate,
                connections=settings.send_concurrency,
            )
            channels["telegram"] = telegram.channel
            if settings.telegram_webhook:
                routes = [*routes, *telegram_routes(telegram)]
        local = Local(
            settings.default_locale,
            settings.default_region,
            settings.timezone,
            FloodLimit(settings.flood_rate, settings.flood_burst),
        )
        wakes = Wakes(
            inbound=processor_wake, outbox=wake_outbox, schedule=scheduler_wake, metrics=metrics
        )
        if isinstance(db, PgDatabase):
            # Workers sharing the database: another's webhook, send or timer is our work too.
            # Its connections sign with one token: our own writes wake no one.
            for other in (delivery_db, intake_db):
                if isinstance(other, PgDatabase):
                    other.token = db.token
            db.listen(wakes.heard)
        outbound = Outbound(renderer, channels, clock)
        processor, scheduler = workers(db, clock, playbooks, outbound, local, wakes)
        if intake_db is db:  # one SQLite connection: a batch carries the webhooks' rows
            processor.carrying = ingest.writer
        dispatcher = Dispatcher(
            delivery_db,
            channels,
            clock,
            SendLimits(
                settings.send_max_attempts,
                parse_duration(settings.send_max_age),
                settings.send_concurrency,
                parse_duration(settings.send_lease),
            ),
            wake=wake_outbox,
            metrics=metrics,
        )
        hubbot: Hubbot
        bearer = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        ops = Ops(metrics, bearer, lambda: hubbot.phase)
        own_intake = intake_db if intake_db is not db else None
        others = [delivery_db, *([own_intake] if own_intake else [])]
        web_app = build_web_app(db, lambda: hubbot.running, routes, others, ops)
        console = Console(
            db,
            clock,
            renderer,
            playbooks,
            settings.session_lifetime,
            secure=(settings.public_url or "").startswith("https://"),
            default_locale=settings.default_locale,
            ingest=ingest,
            timezone=settings.timezone,
        )
        add_console(web_app, console)
        hubbot = cls(
            settings,
            clock,
            db,
            delivery_db,
            channels,
            twilio,
            processor,
            dispatcher,
            web_app,
            telegram,
            scheduler,
            metrics,
            relay := CapRelay(
                db, clock, outbound, playbooks, wake_outbox.set, cap_archive(settings)
            ),
            cap_sources(settings, relay),
            intake_db=own_intake,
        )
        return hubbot

    @property
    def running(self) -> bool:
        return bool(self.tasks) and not any(task.done() for task in self.tasks)

    async def seed_demo(self) -> str | None:
        """On an empty database, create the DEMO hub; returns its PIN (shown only now)."""
        if not self.settings.seed_demo or await hubs.all_hubs(self.db.conn):
            return None
        pin = new_pin()
        async with self.db.transaction() as conn:
            await hubs.create(
                conn,
                DEMO_CODE,
                "Démo / Demo",
                hash_pin(pin),
                self.settings.default_locale,
                None,
                self.settings.default_playbook,
                self.clock.now(),
            )
        return pin

    async def start(self) -> None:
        """Listen, then start the workers and Telegram. Raises StartupError (then call stop())."""
        if self.twilio is not None:
            await self.twilio.start()  # its aiohttp session must be made inside the loop
        # Listen first: a port that cannot be had stops the start before any work begins.
        self.runner = web.AppRunner(self.web_app, access_log=None)
        await self.runner.setup()
        host, port = self.settings.http_host, self.settings.http_port
        try:
            await web.TCPSite(self.runner, host, port).start()
        except OSError as exc:
            raise StartupError(cannot_listen(host, port, exc)) from exc
        self.dispatcher_task = asyncio.create_task(self.dispatcher.run(), name="dispatcher")
        self.tasks = [
            asyncio.create_task(self.processor.run(), name="processor"),
            self.dispatcher_task,
            asyncio.create_task(
                housekeeping.run(self.db, self.clock, keep=parse_duration(self.settings.retention)),
                name="housekeeping",
            ),
            asyncio.create_task(self.scheduler.run(), name="scheduler"),
        ]
        self.tasks += [asyncio.create_task(s.run(), name="cap-source") for s in self.cap_sources]
        if self.telegram is not None:
            try:
                await self.telegram.start()
            except InvalidToken as exc:
                raise StartupError("HUBBOT_TELEGRAM_TOKEN: Telegram refused this token") from exc
            except TelegramError as exc:
                raise StartupError(f"Telegram: the bot could not start: {exc}") from exc
        # Migrations ran in build(); the port, the workers and the channels are up now.
        self.phase = "ready"

    async def stop(self) -> None:
        """Stop taking new work, let the send in flight finish, then close the store."""
        self.phase = "stopping"  # /readyz turns 503 first, so a balancer stops sending
        if self.telegram is not None:
            await self.telegram.stop()
        if self.runner is not None:
            await self.runner.cleanup()
        self.dispatcher.stopping = True
        self.dispatcher.wake.set()
        if self.dispatcher_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self.dispatcher_task), SHUTDOWN_GRACE)
        for source in self.cap_sources:
            await source.close()
        if self.cap is not None and self.cap.archive is not None:
            await self.cap.archive.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.twilio is not None:
            await self.twilio.close()
        await self.delivery_db.close()
        if self.intake_db is not None:
            await self.intake_db.close()
        await self.db.close()
