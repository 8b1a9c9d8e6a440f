"""The console's front door: the login form, its CSRF token and lockout, and logout."""

from __future__ import annotations

from aiohttp import web

from hubbot.service.console_auth import Refusal, authenticate
from hubbot.store import sessions
from hubbot.web import console_kit as kit
from hubbot.web.console_context import Console, keep_lang


def login_routes(c: Console) -> list[web.AbstractRouteDef]:
    def login_page(
        request: web.Request, problem: str | None = None, status: int = 200
    ) -> web.Response:
        lang = c.lang_of(request)
        nonce = kit.login_nonce()
        response = c.page(
            request,
            "login.html",
            lang,
            status,
            csrf=kit.login_token(c.key, nonce),
            problem=problem,
        )
        kit.set_cookie(response, kit.LOGIN_COOKIE, nonce, c.secure, None)
        return response

    async def get_login(request: web.Request) -> web.StreamResponse:
        if await c.current(request) is not None:
            raise web.HTTPSeeOther("/")
        return login_page(request)

    async def post_login(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        given = form.get("csrf")
        nonce = request.cookies.get(kit.LOGIN_COOKIE)
        if not kit.login_token_ok(c.key, nonce, given if isinstance(given, str) else None):
            return c.refused(request)
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
        response = web.HTTPSeeOther(keep_lang(request, "/"))
        kit.set_cookie(
            response, kit.SESSION_COOKIE, token, c.secure, int(c.lifetime.total_seconds())
        )
        response.del_cookie(kit.LOGIN_COOKIE, path="/")
        raise response

    async def post_logout(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        if await c.form(request, session) is None:
            return c.refused(request)
        async with c.db.transaction() as conn:
            await sessions.end(conn, session.id)
        response = web.HTTPSeeOther(keep_lang(request, "/login"))
        response.del_cookie(kit.SESSION_COOKIE, path="/")
        raise response

    return [
        web.get("/login", get_login),
        web.post("/login", post_login),
        web.post("/logout", post_logout),
    ]
