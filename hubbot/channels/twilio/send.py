"""SMS out through Twilio's SDK, and which of its errors are worth another try."""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from hubbot.channels.base import Limit, SendError, Sent
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.channels.twilio.parse import OPTED_OUT

log = logging.getLogger(__name__)

THROTTLED = "20429"


class _Throttled(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class RetryAfterHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """The SDK's async client, but a 429 or 503 reply keeps its Retry-After header for us."""

    async def request(self, *args: Any, **kwargs: Any) -> Response:
        auth = kwargs.pop("auth", None)
        if auth is not None:
            # aiohttp 3.14 deprecates the BasicAuth object the SDK would build: send the
            # same Authorization header ourselves.
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": f"Basic {token}"}
        response: Response = await super().request(*args, **kwargs)
        if response.status_code in (429, 503):
            raise _Throttled(response.status_code, _seconds(response.headers.get("Retry-After")))
        return response


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def classify(status: int, code: str | None, message: str, hold_key: str) -> SendError:
    """Which Twilio errors are worth another try, and which mean stop."""
    if status == 429 or code == THROTTLED:
        return SendError(
            f"throttled by Twilio: {message}", permanent=False, code=code, hold_key=hold_key
        )
    if status >= 500:
        return SendError(f"Twilio HTTP {status}: {message}", permanent=False, code=code)
    if code == OPTED_OUT:
        return SendError("recipient opted out (21610)", permanent=True, code=code, opted_out=True)
    return SendError(f"Twilio {code or status}: {message}", permanent=True, code=code)


@dataclass(frozen=True)
class TwilioAccount:
    """Which Twilio account sends, from which number or Messaging Service, through which API
    (the real one, or a fake in tests)."""

    account_sid: str
    auth_token: str
    api_url: str
    from_number: str | None = None
    messaging_service_sid: str | None = None


class TwilioChannel:
    """Sends SMS with `messages.create_async` over an aiohttp client made inside the loop."""

    name = "sms"

    def __init__(
        self,
        account: TwilioAccount,
        *,
        status_callback: str,
        policy: SmsPolicy,
        timeout: float = 20.0,
    ) -> None:
        self.account_sid = account.account_sid
        self.auth_token = account.auth_token
        self.from_number = account.from_number
        self.messaging_service_sid = account.messaging_service_sid
        self.api_url = account.api_url.rstrip("/")
        self.status_callback = status_callback
        self.policy = policy
        self.timeout = timeout
        self._http: RetryAfterHttpClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        self._http = RetryAfterHttpClient()
        self._client = Client(self.account_sid, self.auth_token, http_client=self._http)
        self._client.api.base_url = self.api_url

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    def shape(self, text: str) -> list[str]:
        return self.policy.shape(text)

    def _sender(self, sender: str | None) -> str | None:
        return sender or self.from_number

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]:
        return self.policy.limits(self._sender(sender) or self.messaging_service_sid, text)

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),  # SMS has no buttons
    ) -> Sent:
        if self._client is None:
            await self.start()
        assert self._client is not None
        origin = self._sender(sender)
        route: dict[str, str] = (
            {"from_": origin}
            if origin
            else {"messaging_service_sid": str(self.messaging_service_sid)}
        )
        hold_key = self.policy.key(origin or self.messaging_service_sid)
        try:
            message = await asyncio.wait_for(
                self._client.messages.create_async(
                    to=address.removeprefix("sms:"),
                    body=text,
                    status_callback=self.status_callback,
                    **route,
                ),
                self.timeout,
            )
        except _Throttled as exc:
            raise SendError(
                f"Twilio HTTP {exc.status}",
                permanent=False,
                retry_after=exc.retry_after,
                hold_key=hold_key,
            ) from exc
        except TwilioRestException as exc:
            code = str(exc.code) if exc.code is not None else None
            raise classify(exc.status, code, str(exc.msg), hold_key) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise SendError(f"network: {exc!r}"[:300], permanent=False) from exc
        return Sent(str(message.sid))
