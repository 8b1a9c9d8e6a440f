"""What every console page shares: the wiring from the composition root, and the per-request
steps (the reader's language, the signed-in account, the CSRF check, the hub in scope)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hubbot.channels.base import Ingest
from hubbot.clock import Clock
from hubbot.domain import console_access
from hubbot.domain.messages import Msg
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.store import region, sessions
from hubbot.store.conn import Store
from hubbot.store.sessions import Session
from hubbot.web import console_kit as kit

# The changes version a request's page data is at (set before the page reads anything).
VERSION = web.RequestKey("version", int)


@dataclass
class Console:
    """What the console's pages need, built by the composition root."""

    db: Store
    clock: Clock
    renderer: Renderer
    playbooks: dict[str, Playbook]
    lifetime: timedelta  # HUBBOT_SESSION_TTL
    secure: bool  # cookies only over https (HUBBOT_PUBLIC_URL is https)
    default_locale: str
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ingest: Ingest | None = None  # the journal: the hub page's actions (None: no actions)
    timezone: str = "America/Toronto"  # HUBBOT_TIMEZONE: the hub page's local times
    stopping: bool = False  # the server is shutting down: live streams end

    def lang_of(self, request: web.Request) -> str:
        return kit.language(request, self.default_locale)

    def text(self, key: str, lang: str, **params: Any) -> str:
        return self.renderer.render(Msg(key, dict(params)), lang)

    def page(
        self, request: web.Request, name: str, lang: str, status: int = 200, **values: Any
    ) -> web.Response:
        def t(key: str, **params: Any) -> str:
            return self.text(key, lang, **params)

        other = "en" if lang == "fr" else "fr"
        # The version the page's data is at: its live stream starts from there, so a change
        # made while the page was on its way is not missed.
        version = request.get(VERSION, self.db.changes.version)
        context = {
            "t": t,
            "lang": lang,
            "other": other,
            "path": request.path,
            "query": request.query_string,
            "version": version,
            **values,
        }
        return aiohttp_jinja2.render_template(name, request, context, status=status)

    def refused(self, request: web.Request) -> web.Response:
        return self.page(request, "refused.html", self.lang_of(request), 403)

    async def current(self, request: web.Request) -> Session | None:
        token = request.cookies.get(kit.SESSION_COOKIE)
        if not token:
            return None
        async with self.db.transaction() as conn:
            return await sessions.live(conn, token, self.clock.now())

    async def signed_in(self, request: web.Request) -> Session:
        """The session, or a redirect to the login page."""
        request[VERSION] = self.db.changes.version  # before the page reads anything
        session = await self.current(request)
        if session is None:
            raise web.HTTPSeeOther("/login")
        return session

    async def form(self, request: web.Request, session: Session) -> dict[str, str] | None:
        """The posted form's text fields, or None when its CSRF token is missing or wrong."""
        posted = await request.post()
        given = posted.get("csrf")
        if not kit.session_token_ok(session.csrf_secret, given if isinstance(given, str) else None):
            return None
        return {k: v for k, v in posted.items() if isinstance(v, str)}

    async def hub_rows(self, session: Session) -> list[region.HubRow]:
        """Every hub the account may see."""
        async with self.db.transaction() as conn:
            rows = await region.hub_rows(conn, self.clock.now())
        return [row for row in rows if console_access.may_see(access(session), row.id)]

    async def hub_row(self, session: Session, code: str) -> region.HubRow:
        """The hub named `code`, or 404 when it does not exist or is not the account's to see."""
        rows = await self.hub_rows(session)
        row = next((r for r in rows if r.code == code.upper()), None)
        if row is None:
            raise web.HTTPNotFound()
        return row


def access(session: Session) -> console_access.Access:
    return console_access.Access(session.account.role, session.account.hub_id)


def keep_lang(request: web.Request, path: str) -> str:
    lang = request.query.get("lang")
    return f"{path}?lang={lang}" if lang in ("fr", "en") else path
