"""Build the one aiohttp application that serves every route."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from hubbot.service.metrics import Metrics
from hubbot.store.conn import Store
from hubbot.store.db import is_storage_fault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ops:
    """What the operator's routes need: the metrics, the bearer token /metrics asks for (None:
    open), and the service's phase for /readyz ('starting', 'ready' or 'stopping')."""

    metrics: Metrics
    token: str | None
    phase: Callable[[], str]


def build_web_app(
    db: Store,
    is_running: Callable[[], bool],
    routes: list[web.RouteDef],
    others: Sequence[Store] = (),
    ops: Ops | None = None,
) -> web.Application:
    """`db` serves the routes; `others` are further connections whose health counts too;
    `ops` adds /metrics and /readyz."""

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
    if ops is not None:
        app.add_routes(_ops_routes(db, is_running, ops))
    return app


def _ops_routes(db: Store, is_running: Callable[[], bool], ops: Ops) -> list[web.RouteDef]:
    expected = f"Bearer {ops.token}".encode() if ops.token else None

    async def metrics(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            return web.json_response(
                {"error": "unauthorized"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="hubbot metrics"'},
            )
        body = await ops.metrics.scrape(db)
        # CONTENT_TYPE_LATEST carries its charset; aiohttp wants it in the header, not apart.
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def readyz(request: web.Request) -> web.Response:
        phase = ops.phase()
        if phase != "ready":
            return web.json_response({"status": phase}, status=503)
        if not is_running():
            return web.json_response({"status": "down", "workers": "stopped"}, status=503)
        return web.json_response({"status": "ready"})

    return [web.get("/metrics", metrics), web.get("/readyz", readyz)]


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
