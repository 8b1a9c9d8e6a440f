"""What start-up reads and checks: each failure becomes one line that names its setting."""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from hubbot.channels.base import Channel, Ingest
from hubbot.channels.cap.archive import Archive
from hubbot.channels.cap.feeds import FeedPoller
from hubbot.channels.cap.stream import CapStream
from hubbot.channels.simulator import SimulatorChannel, sim_routes
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.channels.twilio import TwilioAccount, TwilioChannel, twilio_routes
from hubbot.clock import Clock
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.playbooks.loader import PlaybookError, load_playbooks
from hubbot.service.cap_relay import CapRelay
from hubbot.settings import Settings
from hubbot.store.conn import Store
from hubbot.store.db import Database, StoreUnusable
from hubbot.store.pg import PgDatabase

log = logging.getLogger(__name__)


class StartupError(Exception):
    """hubbot cannot start; the message names the setting or the thing at fault, in one line."""


def catalogs(settings: Settings) -> Renderer:
    try:
        return Renderer(settings.locales_dir)
    except Exception as exc:  # a catalog missing, unreadable or not a .po file
        raise StartupError(
            f"HUBBOT_LOCALES_DIR: cannot read the catalogs in {str(settings.locales_dir)!r}: {exc}"
        ) from exc


def playbooks_of(settings: Settings, renderer: Renderer) -> dict[str, Playbook]:
    try:
        playbooks = load_playbooks(settings.playbooks_dir, renderer.all_keys())
    except PlaybookError as exc:
        more = len(exc.problems) - 1
        tail = f" (and {more} more: `hubbot check` lists them)" if more > 0 else ""
        raise StartupError(f"HUBBOT_PLAYBOOKS_DIR: {exc.problems[0]}{tail}") from exc
    if not playbooks:
        raise StartupError(f"HUBBOT_PLAYBOOKS_DIR: no playbook in {str(settings.playbooks_dir)!r}")
    return playbooks


async def load_store(settings: Settings, verify: bool = False, appending: bool = False) -> Store:
    """The one place the store is opened from settings: an SQLite file (`verify` reads every
    page once) or, for a postgresql:// URL, PostgreSQL (whose server checks its own pages;
    `appending`: a connection for the journal's inserts only, store/pg.py)."""
    url = settings.database_url
    try:
        if url is not None:
            return await PgDatabase.open(url, appending)
        return await Database.open(settings.database_path, verify=verify)
    except StoreUnusable as exc:
        text = str(exc)
        password = _password(url)
        if password:  # a driver's message must not leak it either
            text = text.replace(password, "***")
        where = f" ({settings.database_shown})" if url is not None else ""
        raise StartupError(f"HUBBOT_DATABASE{where}: {text}") from exc


def _password(url: str | None) -> str | None:
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def cannot_listen(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if isinstance(exc, socket.gaierror):
        return f"HUBBOT_HTTP_HOST: cannot listen on {host!r}: {exc.strerror or exc}"
    if exc.errno == errno.EADDRINUSE:
        return f"HUBBOT_HTTP_PORT: {where} is already in use (another hubbot running?)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"HUBBOT_HTTP_HOST: {host!r} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"HUBBOT_HTTP_PORT: not allowed to listen on {where} (ports below 1024 need rights)"
    return f"HUBBOT_HTTP_HOST: cannot listen on {where}: {exc.strerror or exc}"


def cap_archive(settings: Settings) -> Archive | None:
    """NAAD's archive, for the alerts a stream heartbeat names that it missed; with a stream."""
    return Archive(settings.cap_archive) if settings.cap_stream_address is not None else None


def cap_sources(settings: Settings, relay: CapRelay) -> list[FeedPoller | CapStream]:
    """Where official alerts come from: the feeds polled, and the NAAD stream, if set, whose
    heartbeats bring back from the relay's archive what it missed."""
    sources: list[FeedPoller | CapStream] = []
    if settings.cap_feed_urls:
        sources.append(FeedPoller(settings.cap_feed_urls, settings.cap_poll_seconds, relay.receive))
    if settings.cap_stream_address is not None:
        host, port = settings.cap_stream_address
        sources.append(CapStream(host, port, relay.receive, on_heartbeat=relay.heartbeat))
    return sources


def sms_channel(
    settings: Settings,
    stores: tuple[Store, Store],
    clock: Clock,
    ingest: Ingest,
    wake: Callable[[], None],
) -> tuple[Channel, TwilioChannel | None, list[web.RouteDef]]:
    """SMS through Twilio when its credentials are set, else the local simulator; with the
    webhooks either serves. `stores`: the processor's connection, and the one the simulator
    writes its phones' mailboxes on (a provider does not wait for our transactions)."""
    db, mailbox_db = stores
    policy = SmsPolicy(settings.sms_mps, settings.sms_max_segments, settings.sms_fold_accents)
    routes: list[web.RouteDef] = []
    if settings.twilio_enabled:
        assert settings.twilio_account_sid and settings.twilio_auth_token
        token = settings.twilio_auth_token.get_secret_value()
        twilio = TwilioChannel(
            TwilioAccount(
                settings.twilio_account_sid,
                token,
                settings.twilio_api_url,
                from_number=settings.twilio_from_number,
                messaging_service_sid=settings.twilio_messaging_service_sid,
            ),
            status_callback=settings.webhook_url("/twilio/status"),
            policy=policy,
        )
        routes = twilio_routes(
            db, clock, ingest, token, settings.webhook_url, settings.default_region
        )
        return twilio, twilio, routes
    sim = SimulatorChannel(mailbox_db, clock, policy)
    if settings.sim_served:
        routes = sim_routes(sim, ingest, settings.default_region, wake, settings.sim_bearer())
    else:  # anyone who reaches the port could text as anyone, the coordinator too
        log.warning(
            "the simulator routes /sim/* are off: HUBBOT_HTTP_HOST=%s is not a loopback"
            " address and HUBBOT_SIM_TOKEN is not set",
            settings.http_host,
        )
    return sim, None, routes
