"""Fake sources of official alerts: a CAP feed server over real HTTP and a NAAD-like TCP stream."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cap"
# The fixture feed names its documents on this host; the fake serves them on its own.
FIXTURE_HOST = b"https://alertes.montreal.example/"
FEED = "/feed.atom"
DOCS = "/cap/2026-04-20/"
LAST_MODIFIED = "Mon, 20 Apr 2026 18:30:05 GMT"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class Inbox:
    """What a source handed on, as (document, where from), with a way to wait for it."""

    def __init__(self) -> None:
        self.got: list[tuple[bytes, str]] = []
        self._changed = asyncio.Condition()

    async def __call__(self, data: bytes, source: str) -> None:
        async with self._changed:
            self.got.append((data, source))
            self._changed.notify_all()

    async def wait_for(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.got) >= count), 5)


class Clock:
    """Monotonic time that moves only when the test sets `now`."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused_url() -> str:
    with socket.socket() as sock:  # a port just freed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.atom"


@dataclass
class FakeFeedServer:
    """Serves tests/fixtures/cap/feed.atom at /feed.atom and the documents it links to under
    /cap/2026-04-20/, with an ETag per body and 304 to a matching If-None-Match. `files`
    maps a path to its body, `statuses` forces an answer (500...), `requests` counts GETs
    per path and `headers` keeps each request's headers."""

    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    answers: list[tuple[str, int]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeFeedServer:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self.files[FEED] = fixture("feed.atom").replace(FIXTURE_HOST, f"{self.url}/".encode())
        for name in ("alert.xml", "update.xml"):
            self.files[DOCS + name] = fixture(name)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def link(self, path: str) -> str:
        return self.url + path

    def add_entry(self, name: str, body: bytes | None = None) -> str:
        """Publish a new CAP document (a fixture by default) at the top of the feed; its URL."""
        path = DOCS + name
        self.files[path] = fixture(name) if body is None else body
        entry = (
            f"<entry><id>urn:test:{name}</id><title>{name}</title>"
            f"<updated>2026-04-20T15:00:00-04:00</updated>"
            f'<link rel="related" type="application/cap+xml" href="{self.url}{path}"/></entry>'
        ).encode()
        feed = self.files[FEED]
        at = feed.find(b"<entry>")
        at = at if at >= 0 else feed.index(b"</feed>")  # a feed with no entry yet
        self.files[FEED] = feed[:at] + entry + b"\n  " + feed[at:]
        return self.link(path)

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        self.requests[path] += 1
        self.headers.append((path, dict(request.headers)))
        response = self._answer(request)
        self.answers.append((path, response.status))
        return response

    def _answer(self, request: web.Request) -> web.Response:
        path = request.path
        if path in self.statuses:
            return web.Response(status=self.statuses[path], text="scripted failure")
        if path not in self.files:
            return web.Response(status=404, text="not found")
        body = self.files[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        kind = "application/atom+xml" if path.endswith(".atom") else "application/cap+xml"
        if not body.lstrip().startswith(b"<"):
            kind = "text/html"
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        return web.Response(body=body, content_type=kind, headers=headers)


@dataclass
class FakeNaad:
    """A NAAD-like stream on 127.0.0.1: documents written back to back on every connection,
    in whatever chunks the test asks for; `drop()` hangs up on the current connections."""

    host: str = "127.0.0.1"
    port: int = 0
    connections: int = 0
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _connected: asyncio.Condition = field(default_factory=asyncio.Condition)
    _server: asyncio.Server | None = None

    async def start(self) -> FakeNaad:
        self._server = await asyncio.start_server(self._accept, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_connections(self, count: int) -> None:
        """Until the stream has been connected to `count` times in all."""
        async with self._connected:
            await asyncio.wait_for(self._connected.wait_for(lambda: self.connections >= count), 5)

    async def send(self, data: bytes, sizes: Iterable[int] = ()) -> None:
        """Write `data` to the current connections, cut in pieces of `sizes` (cycled), each
        flushed before the next; with no sizes, in one piece."""
        pieces = _cut(data, list(sizes))
        for piece in pieces:
            for writer in self._writers:
                writer.write(piece)
                await writer.drain()
            await asyncio.sleep(0)

    def drop(self) -> None:
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        async with self._connected:
            self.connections += 1
            self._connected.notify_all()
        await reader.read()  # the client never writes: this returns when it hangs up
        if writer in self._writers:
            self._writers.remove(writer)
        writer.close()


def _cut(data: bytes, sizes: list[int]) -> list[bytes]:
    if not sizes:
        return [data]
    pieces, at, i = [], 0, 0
    while at < len(data):
        size = sizes[i % len(sizes)]
        pieces.append(data[at : at + size])
        at, i = at + size, i + 1
    return pieces
