"""NAAD's raw TCP stream of CAP documents: split, heartbeats counted, reconnected forever."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable

from hubbot.channels.cap.feeds import OnDocument, Sleep, pause
from hubbot.channels.cap.parse import MAX_BYTES
from hubbot.domain.cap import HEARTBEAT_SENDER

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 20.0
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
CHUNK = 64 * 1024
# Each document ends with its root's end tag; a sender may write it with a prefix (cap:alert).
_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?alert\s*>")
_END_LONGEST = 64  # bytes kept back between chunks so a split end tag is still found
# <sender> is the second element, so the head of a document tells a heartbeat cheaply.
_HEARTBEAT = re.compile(
    rb"<(?:[\w.-]+:)?sender>\s*" + re.escape(HEARTBEAT_SENDER.encode()), re.IGNORECASE
)
_HEAD = 4096
_BLANK = b" \t\r\n\x00"

Connect = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class StreamOutOfStep(Exception):
    """More than a document's worth of bytes without an end tag: we lost the boundaries."""


class DocumentSplitter:
    """Cuts a byte stream into whole documents, each ending with `</alert>`, however the
    stream is chunked; what comes before a document's `<` (blank lines, NULs) is dropped."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._buffer = bytearray()
        self._scanned = 0  # the end tag is not before this offset
        self._max = max_bytes

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        documents = []
        while (end := _END.search(self._buffer, self._scanned)) is not None:
            document = bytes(self._buffer[: end.end()]).lstrip(_BLANK)
            del self._buffer[: end.end()]
            self._scanned = 0
            documents.append(document)
        self._scanned = max(0, len(self._buffer) - _END_LONGEST)
        if len(self._buffer) > self._max:
            raise StreamOutOfStep(f"{len(self._buffer)} bytes without </alert>")
        return documents


def is_heartbeat_document(document: bytes) -> bool:
    """NAAD's keepalive (sender NAADS-Heartbeat), told without parsing the whole document."""
    return _HEARTBEAT.search(document, 0, _HEAD) is not None


class CapStream:
    """Reads `host:port` and hands every CAP document but heartbeats to `on_document`, with
    the source `tcp://host:port`; heartbeats go to `on_heartbeat`, if given. Reconnects with
    backoff (1 s doubling to 60 s, jittered, back to 1 s after a connection that carried a
    document), and drops a connection silent for `heartbeat_timeout` seconds: NAAD sends a
    heartbeat about every minute."""

    def __init__(
        self,
        host: str,
        port: int,
        on_document: OnDocument,
        heartbeat_timeout: float = 150.0,
        *,
        on_heartbeat: OnDocument | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        connect: Connect = asyncio.open_connection,
    ) -> None:
        self.host, self.port = host, port
        self.source = f"tcp://{host}:{port}"
        self.heartbeat_timeout = heartbeat_timeout
        self.heartbeats = 0
        self.last_heartbeat: float | None = None  # clock() at the last heartbeat
        self.documents = 0  # handed on
        self.connections = 0  # made
        self._on_document = on_document
        self._on_heartbeat = on_heartbeat  # its references name recent alerts we may lack
        self._sleep, self._clock, self._jitter, self._connect = sleep, clock, jitter, connect
        self._writer: asyncio.StreamWriter | None = None
        self._closed = asyncio.Event()

    async def run(self) -> None:
        """Read, reconnect, read again, until close()."""
        failures = 0
        while not self._closed.is_set():
            healthy = False
            try:
                healthy = await self._read_connection()
            except (OSError, TimeoutError, StreamOutOfStep) as exc:
                log.warning("CAP stream %s: %s", self.source, str(exc) or type(exc).__name__)
            except Exception:  # a bug must not end the stream for good
                log.exception("CAP stream %s: unexpected error", self.source)
            if self._closed.is_set():
                return
            failures = 0 if healthy else failures + 1
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** min(max(failures - 1, 0), 16))
            # Jitter: hubs restarted together do not all knock at NAAD's door at once.
            delay *= 0.5 + 0.5 * self._jitter()
            log.info("CAP stream %s: reconnecting in %.1f s", self.source, delay)
            await pause(self._sleep, delay, self._closed)

    async def close(self) -> None:
        self._closed.set()
        if self._writer is not None:
            self._writer.close()

    async def _read_connection(self) -> bool:
        """Read one connection until it ends; True if it carried at least one document."""
        reader, writer = await asyncio.wait_for(
            self._connect(self.host, self.port), CONNECT_TIMEOUT
        )
        self._writer = writer
        self.connections += 1
        log.info("CAP stream %s: connected", self.source)
        splitter = DocumentSplitter()
        carried = False
        try:
            while not self._closed.is_set():
                try:
                    async with asyncio.timeout(self.heartbeat_timeout):
                        chunk = await reader.read(CHUNK)
                except TimeoutError:
                    log.warning(
                        "CAP stream %s: nothing, not even a heartbeat, for %g s; reconnecting",
                        self.source,
                        self.heartbeat_timeout,
                    )
                    return carried
                if not chunk:
                    if not self._closed.is_set():
                        log.warning("CAP stream %s: closed by the other end", self.source)
                    return carried
                for document in splitter.feed(chunk):
                    carried = True
                    await self._handle(document)
            return carried
        finally:
            self._writer = None
            writer.close()

    async def _handle(self, document: bytes) -> None:
        if is_heartbeat_document(document):
            self.heartbeats += 1
            self.last_heartbeat = self._clock()
            log.debug("CAP stream %s: heartbeat", self.source)
            if self._on_heartbeat is not None:
                try:
                    await self._on_heartbeat(document, self.source)
                except Exception:  # a failed catch-up must not cost us the connection
                    log.exception("CAP stream %s: a heartbeat could not be handed on", self.source)
            return
        self.documents += 1
        try:
            await self._on_document(document, self.source)
        except Exception:  # the relay's failure must not cost us the connection
            log.exception("CAP stream %s: a document could not be handed on", self.source)
