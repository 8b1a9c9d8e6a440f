"""Build the one aiohttp application that serves every route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from hubbot.store.db import Database


def build_web_app(
    db: Database, is_running: Callable[[], bool], routes: list[web.RouteDef]
) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        try:
            await db.fetchone("SELECT 1")
        except Exception as exc:  # the store is down: say so, do not crash
            return web.json_response({"status": "down", "store": repr(exc)}, status=503)
        if not is_running():
            return web.json_response({"status": "down", "workers": "stopped"}, status=503)
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[_json_errors])
    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and wrong methods get a short JSON error instead of an HTML page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)
