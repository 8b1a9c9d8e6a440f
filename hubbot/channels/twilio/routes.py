"""Twilio's webhooks: signed inbound SMS (taken in, then acknowledged) and delivery receipts."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from hubbot.addresses import sms_address
from hubbot.channels.base import InboundMessage, Ingest
from hubbot.channels.twilio.parse import parse_inbound, parse_status
from hubbot.clock import Clock
from hubbot.store import delivery
from hubbot.store.conn import Store

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twilio_routes(
    db: Store,
    clock: Clock,
    ingest: Ingest,
    auth_token: str,
    url_for: Callable[[str], str],
    region: str,
) -> list[web.RouteDef]:
    """`ingest` takes the SMS in; receipts update the outbox in `db` directly."""
    validator = RequestValidator(auth_token)

    async def signed_form(request: web.Request) -> dict[str, str] | None:
        """The form, if Twilio signed it for our public URL; None (and a warning) if not."""
        signature = request.headers.get("X-Twilio-Signature")
        try:
            posted = await request.post()
        except (ValueError, LookupError) as exc:
            # Bytes that are not UTF-8, an unknown charset, a broken multipart body: Twilio
            # sends none of these, so nothing here was signed by Twilio.
            log.warning(
                "refused %s from %s: unreadable form: %s", request.path, request.remote, exc
            )
            return None
        # Every value of a repeated field is signed. A MultiDict is also what the validator
        # reads fastest: on a plain dict it raised and caught two AttributeErrors per field.
        signed = MultiDict((key, str(value)) for key, value in posted.items())
        url = url_for(request.path) + (f"?{request.query_string}" if request.query_string else "")
        # A missing header must be caught first: the validator raises on None.
        if not signature or not validator.validate(url, signed, signature):
            log.warning(
                "refused %s from %s: %s Twilio signature",
                request.path,
                request.remote,
                "missing" if not signature else "bad",
            )
            return None
        return dict(signed)

    async def sms(request: web.Request) -> web.Response:
        form = await signed_form(request)
        if form is None:
            return web.Response(status=403, text="invalid signature")
        try:
            message = parse_inbound(form)
        except ValueError as exc:
            return web.Response(status=400, text=str(exc))
        sender = sms_address(message.sender, region)
        if sender is None:
            return web.Response(status=400, text=f"From is not a phone number: {message.sender}")
        to = sms_address(message.to, region) if message.to else None
        await ingest(InboundMessage("sms", message.sid, sender, message.body, to_address=to))
        # Stored first, acknowledged second; every reply goes through the outbox.
        return web.Response(text=EMPTY_TWIML, content_type="application/xml")

    async def status(request: web.Request) -> web.Response:
        form = await signed_form(request)
        if form is None:
            return web.Response(status=403, text="invalid signature")
        try:
            update = parse_status(form)
        except ValueError as exc:
            return web.Response(status=400, text=str(exc))
        await delivery.provider_update(
            db,
            update.sid,
            update.status,
            update.outbox_status,
            update.error_code,
            clock.now(),
            opted_out=update.opted_out,
        )
        return web.Response(status=204)

    return [web.post("/twilio/sms", sms), web.post("/twilio/status", status)]
