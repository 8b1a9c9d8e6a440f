"""Text a running service through its simulator's HTTP routes, as `hubbot chat` does."""

from __future__ import annotations

import logging

import aiohttp

log = logging.getLogger(__name__)

REFUSED = {
    401: "the service wants the simulator token: set HUBBOT_SIM_TOKEN to the service's",
    404: "the service does not serve the simulator (Twilio is on, or it listens beyond"
    " 127.0.0.1 without HUBBOT_SIM_TOKEN)",
}


class LiveError(Exception):
    """Why a live run cannot start, in one line."""


class SimClient:
    """Texts in from phones the simulator makes up; `to` is the hub's own number, if any."""

    def __init__(self, url: str, token: str | None, to: str | None) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.to = to
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SimClient:
        self.session = aiohttp.ClientSession(headers=self.headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def probe(self, phone: str) -> None:
        """LiveError unless the simulator answers here, and to us."""
        params = {"to": phone}
        try:
            async with (
                aiohttp.ClientSession(headers=self.headers) as session,
                session.get(f"{self.url}/sim/outbound", params=params) as resp,
            ):
                if resp.status != 200:
                    raise LiveError(REFUSED.get(resp.status, f"{self.url}: HTTP {resp.status}"))
        except aiohttp.ClientError as exc:
            raise LiveError(f"no hubbot answers at {self.url} ({exc}): is it running?") from exc

    async def text(self, phone: str, body: str) -> str | None:
        """Text in, through the service's own ingest; why not, or None when it took it."""
        assert self.session is not None, "use the client as `async with`"
        payload = {"from": phone, "text": body}
        if self.to:
            payload["to"] = self.to  # as if sent to the hub's own number
        try:
            async with self.session.post(f"{self.url}/sim/inbound", json=payload) as resp:
                if resp.status in (200, 202):
                    return None
                return REFUSED.get(resp.status, f"HTTP {resp.status}: {await resp.text()}")
        except aiohttp.ClientError as exc:
            return f"no answer from {self.url} ({exc})"
