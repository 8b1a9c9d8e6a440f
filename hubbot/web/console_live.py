"""Live pages: a server-sent event stream that says "something changed"; the page's small
script then fetches itself again and swaps its `data-live` sections."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from aiohttp_sse import sse_response

from hubbot.web.console_context import Console

log = logging.getLogger(__name__)

# A page refreshes at most once a second, however fast the service writes (a broadcast to
# thousands writes hundreds of rows a second); the session is checked again this often.
PAUSE = 1.0
RECHECK = 30.0


def live_routes(c: Console) -> list[web.AbstractRouteDef]:
    async def events(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        try:
            seen = int(request.query.get("since", ""))
        except ValueError:
            seen = c.db.changes.version
        stream = None
        try:
            async with sse_response(request) as stream:
                while stream.is_connected() and not c.stopping:
                    version = seen
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(RECHECK):
                            version = await c.db.changes.after(seen)
                    if c.stopping:
                        break
                    if version == seen:  # quiet for a while: is the login still good?
                        if await c.current(request) is None:
                            await stream.send("expired", event="expired")
                            break
                        continue
                    seen = version
                    await stream.send(str(version), event="change")
                    await asyncio.sleep(PAUSE)
        except ConnectionResetError:  # the page was left or closed: nothing to tell it
            pass
        log.debug("live stream for %s closed", session.account.username)
        return stream if stream is not None else web.Response(status=204)

    return [web.get("/events", events)]


async def stop_streams(c: Console) -> None:
    """On shutdown: end every open stream now rather than hold the server's exit."""
    c.stopping = True
    c.db.changes.bump()
