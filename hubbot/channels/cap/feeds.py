"""CAP feeds polled over HTTP: an Atom feed of CAP links, or one CAP document, per URL."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

import aiohttp

from hubbot import __version__
from hubbot.channels.cap.parse import MAX_BYTES, CapRejected, is_cap, parse_atom

log = logging.getLogger(__name__)

OnDocument = Callable[[bytes, str], Awaitable[object]]
Sleep = Callable[[float], Awaitable[None]]
USER_AGENT = f"hubbot/{__version__} (CAP alert relay)"
TIMEOUT = 20.0  # seconds, per request, connection included
MAX_BACKOFF = 600.0  # a URL failing for hours is still tried every 10 minutes
# Links already fetched. A feed lists the recent alerts again at every poll; past this many,
# the oldest are forgotten (a feed listing more raises the bound: see _deliver_links).
REMEMBERED = 1000
LINK_TRIES = 5  # a linked document still unreachable after this many polls is given up
ACCEPT = "application/atom+xml, application/cap+xml, application/xml;q=0.9, */*;q=0.5"


async def pause(sleep: Sleep, seconds: float, closed: asyncio.Event) -> None:
    """`sleep(seconds)`, cut short when `closed` is set, so close() need not wait it out."""
    sleeping = asyncio.ensure_future(sleep(seconds))
    closing = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait({sleeping, closing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeping.cancel()
        closing.cancel()


class _Reply(NamedTuple):
    status: int  # 200 or 304
    body: bytes
    validators: dict[str, str]  # the conditional GET headers to send next time
    content_type: str


class FetchFailed(Exception):
    """A URL answered, but not with something we can use; the message says what it did."""


class FeedPoller:
    """Polls `urls` every `interval` seconds and hands each new CAP document, with its URL, to
    `on_document`. Each URL's ETag and Last-Modified are sent back, so an unchanged feed
    costs one 304. `sleep` and `clock` are injectable so tests need not wait."""

    def __init__(
        self,
        urls: Sequence[str],
        interval: float,
        on_document: OnDocument,
        session: aiohttp.ClientSession | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.urls = list(urls)
        self.interval = interval
        self._on_document = on_document
        self._session = session
        self._own_session = session is None
        self._sleep = sleep
        self._clock = clock
        self._validators: dict[str, dict[str, str]] = {}  # url -> conditional GET headers
        self._last_body: dict[str, str] = {}  # url -> digest of the lone document it served
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._bound = REMEMBERED
        self._tries: dict[str, int] = {}  # link -> failed fetches so far
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}
        self._closed = asyncio.Event()

    async def run(self) -> None:
        """Poll, sleep, again, until close(); an error is logged and never ends the loop."""
        while not self._closed.is_set():
            await self.poll_once()
            await pause(self._sleep, self.interval, self._closed)

    async def poll_once(self) -> None:
        """Poll every URL once, except those backing off after failures."""
        for url in self.urls:
            if self._closed.is_set():
                return
            if self._clock() < self._retry_at.get(url, 0.0):
                continue
            try:
                await self._poll(url)
            except (aiohttp.ClientError, TimeoutError, FetchFailed) as exc:
                self._failed(url, exc)
            except Exception as exc:  # a bug must not silence every other feed
                log.exception("CAP feed %s: unexpected error", url)
                self._failed(url, exc)
            else:
                self._failures.pop(url, None)
                self._retry_at.pop(url, None)

    async def close(self) -> None:
        self._closed.set()
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    def _failed(self, url: str, exc: BaseException) -> None:
        count = self._failures.get(url, 0) + 1
        self._failures[url] = count
        delay = min(self.interval * 2 ** min(count, 16), max(MAX_BACKOFF, self.interval))
        self._retry_at[url] = self._clock() + delay
        reason = str(exc) or type(exc).__name__
        log.warning("CAP feed %s failed (%s); next try in %.0f s", url, reason, delay)

    async def _poll(self, url: str) -> None:
        reply = await self._get(url, self._validators.get(url, {}))
        if reply.status == 304:
            log.debug("CAP feed %s unchanged", url)
            return
        try:
            links = parse_atom(reply.body, url)
        except CapRejected as not_feed:
            if not is_cap(reply.body):
                raise FetchFailed(
                    f"returned {reply.content_type or 'a body'} that is neither an Atom feed"
                    f" nor a CAP alert: {not_feed.reason}"
                ) from None
            complete = await self._deliver_lone(url, reply.body)
        else:
            complete = await self._deliver_links(url, links)
        # Only once everything it lists is in: a 304 next time must not hide a missed alert.
        if complete:
            self._validators[url] = reply.validators

    async def _deliver_lone(self, url: str, body: bytes) -> bool:
        # A server without ETag serves the same document at every poll: hand it on once.
        digest = hashlib.sha256(body).hexdigest()
        if self._last_body.get(url) == digest:
            return True
        if not await self._hand_on(body, url):
            return False
        self._last_body[url] = digest
        return True

    async def _deliver_links(self, feed: str, links: list[str]) -> bool:
        """Fetch and hand on the links not fetched before; False if one is still missing."""
        self._bound = max(self._bound, 2 * len(links))
        complete = True
        for link in links:
            if link in self._seen:
                continue
            if urlsplit(link).scheme not in ("http", "https"):
                log.warning("CAP feed %s links to %s, which is not http(s); skipped", feed, link)
                self._remember(link)
                continue
            try:
                reply = await self._get(link, {})
            except (aiohttp.ClientError, TimeoutError, FetchFailed) as exc:
                complete = self._missed(feed, link, exc) and complete
                continue
            # Whatever it holds, the relay reads it and logs why it drops it, if it does.
            if await self._hand_on(reply.body, link):
                self._tries.pop(link, None)
                self._remember(link)
            else:
                complete = False
        return complete

    async def _hand_on(self, body: bytes, url: str) -> bool:
        try:
            await self._on_document(body, url)
        except Exception:  # the relay's failure: try the document again at the next poll
            log.exception("CAP document %s could not be handed on", url)
            return False
        return True

    def _missed(self, feed: str, link: str, exc: BaseException) -> bool:
        """Log a linked document we could not fetch; True once we stop trying it."""
        tries = self._tries.get(link, 0) + 1
        self._tries[link] = tries
        reason = str(exc) or type(exc).__name__
        if tries < LINK_TRIES:
            log.warning("CAP feed %s: %s failed (%s); will try again", feed, link, reason)
            return False
        log.error("CAP feed %s: %s failed %d times (%s); given up", feed, link, tries, reason)
        del self._tries[link]
        self._remember(link)
        return True

    def _remember(self, link: str) -> None:
        self._seen[link] = None
        while len(self._seen) > self._bound:
            self._seen.popitem(last=False)

    async def _get(self, url: str, conditional: dict[str, str]) -> _Reply:
        """The answer to a GET of `url`: a 304, or a 200 with its body (at most MAX_BYTES)."""
        if self._session is None:
            if self._closed.is_set():
                raise FetchFailed("the poller is closed")
            self._session = aiohttp.ClientSession()
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, **conditional}
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with self._session.get(url, headers=headers, timeout=timeout) as resp:
            if resp.status == 304:
                return _Reply(304, b"", conditional, "")
            if resp.status != 200:
                raise FetchFailed(f"HTTP {resp.status} {resp.reason or ''}".strip())
            if (resp.content_length or 0) > MAX_BYTES:
                raise FetchFailed(f"{resp.content_length} bytes, over {MAX_BYTES}")
            body = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchFailed(f"more than {MAX_BYTES} bytes")
            validators = {}
            if etag := resp.headers.get("ETag"):
                validators["If-None-Match"] = etag
            if modified := resp.headers.get("Last-Modified"):
                validators["If-Modified-Since"] = modified
            return _Reply(200, bytes(body), validators, resp.content_type)
