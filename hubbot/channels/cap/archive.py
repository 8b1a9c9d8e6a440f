"""NAAD's archive: an alert a heartbeat names, fetched by its reference when the stream missed it.

NAAD's heartbeat (about once a minute) lists the recent alerts in <references>. An alert sent
while hubbot was not connected (a restart, a network cut) is in that list but never came down
the stream; the archive serves each one at a path made of its reference (NAAD's LMD guide):
<base>/<sent's date>/<sent>I<identifier>.xml, where in the file name '-' and ':' become '_'
and '+' becomes 'p'.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiohttp

from hubbot.channels.cap.feeds import USER_AGENT
from hubbot.channels.cap.parse import MAX_BYTES
from hubbot.domain.cap import CapRef

log = logging.getLogger(__name__)

ARCHIVE = "http://capcp1.naad-adna.pelmorex.com"  # NAAD's own; it serves plain HTTP only
TIMEOUT = 20.0  # seconds for one document
RECENT = timedelta(days=1)  # older references are not fetched: they are history, not news


def archive_url(base: str, ref: CapRef) -> str:
    """Where the archive keeps the alert `ref` names."""
    name = f"{ref.sent}I{ref.identifier}".replace("-", "_").replace(":", "_").replace("+", "p")
    return f"{base.rstrip('/')}/{ref.sent.split('T')[0]}/{name}.xml"


def recent(ref: CapRef, now: datetime) -> bool:
    try:
        sent = datetime.fromisoformat(ref.sent)
    except ValueError:
        return False
    return sent.tzinfo is not None and now - sent <= RECENT


async def fetch(session: aiohttp.ClientSession, url: str) -> bytes | None:
    """The document at `url`, or None (logged) if the archive does not give it."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    try:
        async with session.get(url, headers={"User-Agent": USER_AGENT}, timeout=timeout) as r:
            if r.status != 200:
                log.warning("CAP archive: %s answered %d", url, r.status)
                return None
            body = await r.content.read(MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("CAP archive: %s failed (%s)", url, exc or type(exc).__name__)
        return None
    return body


class Archive:
    """Fetches alerts from the archive at `base`, with its own HTTP session."""

    def __init__(self, base: str = ARCHIVE) -> None:
        self.base = base
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, ref: CapRef) -> tuple[str, bytes | None]:
        """(where it was looked for, the document or None)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        url = archive_url(self.base, ref)
        return url, await fetch(self._session, url)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
