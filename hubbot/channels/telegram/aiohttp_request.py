"""python-telegram-bot's HTTP requests over aiohttp, the client the rest of hubbot uses.

PTB lets a bot bring its own transport (telegram.request.BaseRequest). Its default, httpx,
looked through its whole connection pool, socket by socket, for every request: on a broadcast
that cost more CPU than the send (bench/broadcast.py). PTB still builds every request and
reads every answer; this class only carries the bytes.
"""

from __future__ import annotations

import logging

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds to connect, and to read an answer: PTB's defaults


class AiohttpRequest(BaseRequest):
    def __init__(self, connections: int = 32, timeout: float = TIMEOUT) -> None:
        self.connections = connections
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(connect_timeout, self.timeout),
            sock_read=_seconds(read_timeout, self.timeout),
        )
        body = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers={"User-Agent": self.USER_AGENT}, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _seconds(value: object, default: float) -> float | None:
    """A timeout PTB passed (a number, or None for none), else ours."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Parameters as a form, as PTB's own transport sends them; with files, multipart."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, mimetype = part[0], part[1], part[2] if len(part) > 2 else None
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
