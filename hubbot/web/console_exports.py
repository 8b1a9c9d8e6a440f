"""The hub page's downloads: needs, offers, the activity log or the status reports as CSV or
JSON, the same text `hubbot export` writes (store/exports.py), for the hubs the account sees."""

from __future__ import annotations

import logging

from aiohttp import web

from hubbot.store import exports
from hubbot.web.console_context import Console

log = logging.getLogger(__name__)

_TYPES = {"csv": "text/csv", "json": "application/json"}


def export_routes(c: Console) -> list[web.AbstractRouteDef]:
    async def download(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        row = await c.hub_row(session, request.match_info["code"])  # 404 beyond the account
        fmt, what = request.match_info["fmt"], request.query.get("what", "")
        if what not in exports.WHAT:
            raise web.HTTPBadRequest(text=f"what: one of {', '.join(exports.WHAT)}")
        async with c.db.transaction() as conn:
            records = await exports.rows(conn, row.id, what)
        body = exports.render(records, what, fmt, c.timezone)
        log.info("%s downloaded %s %s as %s", session.account.username, row.code, what, fmt)
        name = f"{row.code}-{what}.{fmt}"
        return web.Response(
            text=body,
            content_type=_TYPES[fmt],
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [web.get(r"/hubs/{code}/export.{fmt:csv|json}", download)]
