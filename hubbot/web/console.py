"""The web console's front door: login and logout, the region page and a hub page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from hubbot.channels.base import Ingest
from hubbot.channels.console import console_address
from hubbot.clock import Clock
from hubbot.domain import console_access
from hubbot.domain.messages import Msg
from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import TOPICS
from hubbot.i18n import Renderer
from hubbot.service import console_commands
from hubbot.service.console_auth import Refusal, authenticate
from hubbot.store import console_replies, hub_page, region, sessions
from hubbot.store.db import Database
from hubbot.store.sessions import Session
from hubbot.web import console_actions
from hubbot.web import console_kit as kit

HERE = Path(__file__).parent


@dataclass
class Console:
    """What the console's pages need, built by the composition root."""

    db: Database
    clock: Clock
    renderer: Renderer
    playbooks: dict[str, Playbook]
    lifetime: timedelta  # HUBBOT_SESSION_TTL
    secure: bool  # cookies only over https (HUBBOT_PUBLIC_URL is https)
    default_locale: str
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ingest: Ingest | None = None  # the journal: the hub page's actions (None: no actions)
    timezone: str = "America/Toronto"  # HUBBOT_TIMEZONE: the hub page's local times


def add_console(app: web.Application, console: Console) -> None:
    """Templates and the console's routes on `app`."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        default_helpers=False,
    )
    app.add_routes(console_routes(console))


def console_routes(c: Console) -> list[web.AbstractRouteDef]:
    def page(
        request: web.Request, name: str, lang: str, status: int = 200, **values: Any
    ) -> web.Response:
        def t(key: str, **params: Any) -> str:
            return c.renderer.render(Msg(key, dict(params)), lang)

        other = "en" if lang == "fr" else "fr"
        context = {"t": t, "lang": lang, "other": other, "path": request.path, **values}
        return aiohttp_jinja2.render_template(name, request, context, status=status)

    def lang_of(request: web.Request) -> str:
        return kit.language(request, c.default_locale)

    async def current(request: web.Request) -> Session | None:
        token = request.cookies.get(kit.SESSION_COOKIE)
        if not token:
            return None
        async with c.db.transaction() as conn:
            return await sessions.live(conn, token, c.clock.now())

    async def signed_in(request: web.Request) -> Session:
        session = await current(request)
        if session is None:
            raise web.HTTPSeeOther("/login")
        return session

    def login_page(
        request: web.Request, problem: str | None = None, status: int = 200
    ) -> web.Response:
        lang = lang_of(request)
        nonce = kit.login_nonce()
        response = page(
            request,
            "login.html",
            lang,
            status,
            csrf=kit.login_token(c.key, nonce),
            problem=problem,
        )
        kit.set_cookie(response, kit.LOGIN_COOKIE, nonce, c.secure, None)
        return response

    def refused(request: web.Request) -> web.Response:
        return page(request, "refused.html", lang_of(request), 403)

    async def get_login(request: web.Request) -> web.StreamResponse:
        if await current(request) is not None:
            raise web.HTTPSeeOther("/")
        return login_page(request)

    async def post_login(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        given = form.get("csrf")
        nonce = request.cookies.get(kit.LOGIN_COOKIE)
        if not kit.login_token_ok(c.key, nonce, given if isinstance(given, str) else None):
            return refused(request)
        username, password = form.get("username", ""), form.get("password", "")
        if not isinstance(username, str) or not isinstance(password, str):
            return login_page(request, "console.login.invalid", 401)
        now = c.clock.now()
        result = await authenticate(c.db, username, password, request.remote or "?", now)
        if isinstance(result, Refusal):
            if result.reason == "locked":
                return login_page(request, "console.login.locked", 429)
            return login_page(request, "console.login.invalid", 401)
        async with c.db.transaction() as conn:
            await sessions.forget_expired(conn, now)
            token, _ = await sessions.create(conn, result.id, now, c.lifetime)
        response = web.HTTPSeeOther(_keep_lang(request, "/"))
        kit.set_cookie(
            response, kit.SESSION_COOKIE, token, c.secure, int(c.lifetime.total_seconds())
        )
        response.del_cookie(kit.LOGIN_COOKIE, path="/")
        raise response

    async def post_logout(request: web.Request) -> web.StreamResponse:
        session = await signed_in(request)
        form = await request.post()
        given = form.get("csrf")
        if not kit.session_token_ok(session.csrf_secret, given if isinstance(given, str) else None):
            return refused(request)
        async with c.db.transaction() as conn:
            await sessions.end(conn, session.id)
        response = web.HTTPSeeOther(_keep_lang(request, "/login"))
        response.del_cookie(kit.SESSION_COOKIE, path="/")
        raise response

    def access(session: Session) -> console_access.Access:
        return console_access.Access(session.account.role, session.account.hub_id)

    async def region_page(request: web.Request) -> web.StreamResponse:
        session = await signed_in(request)
        lang = lang_of(request)
        async with c.db.transaction() as conn:
            rows = await region.hub_rows(conn, c.clock.now())
        seen = [row for row in rows if console_access.may_see(access(session), row.id)]
        hubs = [_hub_view(row, c.playbooks.get(row.playbook_id), lang) for row in seen]
        return page(request, "region.html", lang, session=session, hubs=hubs)

    async def hub_page(request: web.Request) -> web.StreamResponse:
        session = await signed_in(request)
        lang = lang_of(request)
        code = request.match_info["code"].upper()
        now = c.clock.now()
        async with c.db.transaction() as conn:
            rows = await region.hub_rows(conn, now)
            row = next((r for r in rows if r.code == code), None)
            if row is None or not console_access.may_see(access(session), row.id):
                raise web.HTTPNotFound()
            holders = await region.roster(conn, row.id)
            joined = await region.members(conn, row.id)
            items = await region.open_items(conn, row.id, now)
            address = console_address(session.account.username)
            sent = await console_replies.last_sent(conn, address)
            replies = await console_replies.replies(conn, address)
            extra = await _hub_sections(conn, row.id, c.timezone)
        playbook = c.playbooks.get(row.playbook_id)
        names = {r.id: r.name.get(lang) for r in playbook.roles} if playbook else {}
        roster = [(names.get(h.role_id, h.role_id), h.person) for h in holders]
        board = [
            {
                "label": i.label,
                "kind": i.kind,
                "category": i.category or "",
                "text": kit.without_phones(i.text),
                "critical": i.critical,
            }
            for i in items
        ]
        hub = _hub_view(row, playbook, lang)
        return page(
            request,
            "hub.html",
            lang,
            session=session,
            hub=hub,
            roster=roster,
            members=joined,
            needs=[b for b in board if b["kind"] == "need"],
            offers=[b for b in board if b["kind"] == "offer"],
            actions=c.ingest is not None,
            roles=[(r.id, r.name.get(lang)) for r in playbook.roles] if playbook else [],
            lifelines=list(TOPICS),
            sent=sent.split(": ", 1)[-1] if sent else None,
            replies=replies,
            **extra,
        )

    async def hub_action(request: web.Request) -> web.StreamResponse:
        session = await signed_in(request)
        form = await request.post()
        given = form.get("csrf")
        if not kit.session_token_ok(session.csrf_secret, given if isinstance(given, str) else None):
            return refused(request)
        code = request.match_info["code"].upper()
        async with c.db.transaction() as conn:
            rows = await region.hub_rows(conn, c.clock.now())
        row = next((r for r in rows if r.code == code), None)
        if c.ingest is None or row is None or not console_access.may_see(access(session), row.id):
            raise web.HTTPNotFound()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        text = console_actions.command(
            fields.get("action", ""), fields, c.playbooks.get(row.playbook_id)
        )
        if text is None:
            raise web.HTTPBadRequest()
        lang = lang_of(request)
        refused_person = await console_commands.send(
            c.db, c.clock, c.ingest, session.account, row.id, row.code, text, lang
        )
        if refused_person is not None:
            key = Msg("console.act.no_role", {"person": f"M{refused_person}"})
            return web.Response(text=c.renderer.render(key, lang), status=403)
        raise web.HTTPSeeOther(f"/hubs/{row.code}?lang={lang}")

    return [
        web.get("/login", get_login),
        web.post("/login", post_login),
        web.post("/logout", post_logout),
        web.get("/", region_page),
        web.get("/hubs/{code}", hub_page),
        web.post("/hubs/{code}/act", hub_action),
        web.static("/static", HERE / "static"),
    ]


def _hub_view(row: region.HubRow, playbook: Playbook | None, lang: str) -> dict[str, Any]:
    roles = playbook.roles if playbook else ()
    vacant = [r.name.get(lang) for r in roles if r.priority and not row.holders.get(r.id)]
    return {
        "code": row.code,
        "name": row.name,
        "open": row.status == "open",
        "held": sum(1 for r in roles if row.holders.get(r.id)),
        "roles": len(roles),
        "vacant": vacant,
        "needs": row.open_needs,
        "critical": row.critical_needs,
        "offers": row.open_offers,
    }


async def _hub_sections(conn: hub_page.Conn, hub_id: int, timezone: str) -> dict[str, Any]:
    """The hub page's read-only sections; local times, never a phone number."""
    zone = ZoneInfo(timezone)

    def local(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""

    return {
        "matches": await hub_page.matches(conn, hub_id),
        "situation": [
            {
                "topic": ll.topic,
                "state": kit.without_phones(ll.state),
                "at": local(ll.at),
                "unconfirmed": ll.unconfirmed,
            }
            for ll in await hub_page.lifelines(conn, hub_id)
        ],
        "rounds": [
            {"at": local(r.started_at), "ok": r.ok, "help": r.help, "silent": r.silent}
            for r in await hub_page.rounds(conn, hub_id)
        ],
        "sitreps": [
            {
                "number": s.number,
                "at": local(s.at),
                "needs": s.needs,
                "critical": s.critical,
                "onsite": s.onsite,
            }
            for s in await hub_page.sitreps(conn, hub_id)
        ],
        "log": [
            {
                "at": local(e.at),
                "who": kit.without_phones(e.who),
                "action": e.action,
                "detail": kit.without_phones(e.detail),
            }
            for e in await hub_page.activity(conn, hub_id)
        ],
    }


def _keep_lang(request: web.Request, path: str) -> str:
    lang = request.query.get("lang")
    return f"{path}?lang={lang}" if lang in ("fr", "en") else path
