"""Build the one aiohttp application that serves every route."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from hubbot.store.db import Database, is_storage_fault

log = logging.getLogger(__name__)


def build_web_app(
    db: Database,
    is_running: Callable[[], bool],
    routes: list[web.RouteDef],
    others: Sequence[Database] = (),
) -> web.Application:
    """`db` serves the routes; `others` are further connections whose health counts too."""

    async def healthz(request: web.Request) -> web.Response:
        try:
            await db.fetchone("SELECT 1")
            for store in (db, *others):
                # Degraded since a write failed: one real write says whether it still is.
                if store.fault is not None and not await store.probe():
                    return web.json_response(
                        {"status": "degraded", "store": store.fault}, status=503
                    )
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
    """Unknown paths and wrong methods get a short JSON error instead of an HTML page; a
    request the store cannot take now (disk full, locked) gets 503, so the sender retries."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)
    except Exception as exc:
        if not is_storage_fault(exc):
            raise
        log.warning("%s %s: not stored, the store failed: %s", request.method, request.path, exc)
        return web.json_response({"error": "storage unavailable, try again later"}, status=503)
