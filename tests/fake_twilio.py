"""A fake Twilio REST API over real HTTP on 127.0.0.1, and Twilio-style signed webhooks."""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"


@dataclass
class Reply:
    """A scripted answer: an HTTP status with Twilio's error code, and optionally a delay."""

    status: int = 201
    code: int | None = None
    message: str = ""
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class Sent:
    sid: str
    to: str
    sender: str | None
    service: str | None
    body: str
    status_callback: str | None
    at: float = field(default_factory=time.monotonic)  # when the request reached us


@dataclass
class FakeTwilio:
    """Records what it is sent. `script` answers each request in turn until it runs out;
    `responder`, when set, decides instead (e.g. 500s during a given time)."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0
    script: list[Reply] = field(default_factory=list)
    responder: Callable[[dict[str, str]], Reply | None] | None = None
    url: str = ""
    _runner: web.AppRunner | None = None
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> FakeTwilio:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def bodies_to(self, number: str) -> list[str]:
        return [m.body for m in self.sent if m.to == number]

    async def _create(self, request: web.Request) -> web.Response:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return _error(401, 20003, "Authenticate")
        if request.match_info["sid"] != self.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.attempts += 1
        reply = self.responder(form) if self.responder else None
        if reply is None and self.script:
            reply = self.script.pop(0)
        reply = reply or Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status >= 300:
            headers = {"Retry-After": str(reply.retry_after)} if reply.retry_after else {}
            return _error(reply.status, reply.code, reply.message or "scripted error", headers)
        sid = f"SM{next(self._sids):032x}"
        self.sent.append(
            Sent(
                sid,
                form.get("To", ""),
                form.get("From"),
                form.get("MessagingServiceSid"),
                form.get("Body", ""),
                form.get("StatusCallback"),
            )
        )
        return web.json_response(_message(self.account_sid, sid, form), status=201)

    async def callback(self, sid: str, status: str, error_code: str | None = None) -> int:
        """Post a signed status callback, as Twilio does, to the URL the message named."""
        message = next(m for m in self.sent if m.sid == sid)
        assert message.status_callback, "the message was sent without a StatusCallback"
        form = {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": self.account_sid,
            "To": message.to,
            "From": message.sender or "",
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            form["ErrorCode"] = error_code
        return await signed_post(message.status_callback, form, self.auth_token)


def _message(account_sid: str, sid: str, form: dict[str, str]) -> dict[str, Any]:
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": form.get("Body"),
        "date_created": "Thu, 15 Jan 2026 03:00:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "sid": sid,
        "status": "queued",
        "to": form.get("To"),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


def _error(
    status: int, code: int | None, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"code": code, "message": message, "more_info": "", "status": status}
    return web.json_response(body, status=status, headers=headers)


def inbound_form(sid: str, sender: str, to: str, body: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS."""
    return {
        "ToCountry": "CA",
        "ToState": "QC",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "MONTREAL",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "QC",
        "SmsStatus": "received",
        "FromCity": "MONTREAL",
        "Body": body,
        "FromCountry": "CA",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio computes for a form posted to `url`."""
    return str(RequestValidator(token).compute_signature(url, form))


async def signed_post(
    url: str, form: dict[str, str], token: str = AUTH_TOKEN, signature: str | None = None
) -> int:
    """POST a form with the X-Twilio-Signature Twilio would compute (or the one given)."""
    if signature is None:
        signature = sign(url, form, token)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=form, headers=headers) as resp,
    ):
        await resp.read()
        return resp.status
