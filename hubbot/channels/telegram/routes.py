"""Telegram's webhook: checked against our secret, taken in, then acknowledged."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from telegram import Update

from hubbot.channels import decoding
from hubbot.channels.telegram.bot import TelegramBot

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_routes(bot: TelegramBot) -> list[web.RouteDef]:
    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # Telegram's secrets are ASCII (A-Z, a-z, 0-9, _ and -): anything else is not ours, and
        # a header of bytes that are not UTF-8 reaches us as surrogates, which cannot encode.
        if not (given.isascii() and hmac.compare_digest(given.encode(), bot.secret.encode())):
            log.warning(
                "refused Telegram webhook from %s: %s secret token",
                request.remote,
                "missing" if not given else "wrong",
            )
            return web.Response(status=403, text="invalid secret token")
        try:
            data = decoding.loads(await request.read())
        except ValueError as exc:
            return web.Response(status=400, text=f"not JSON: {exc}")
        if not isinstance(data, dict):
            return web.Response(status=400, text="not a Telegram update: not a JSON object")
        try:
            update = Update.de_json(data, bot.app.bot)
        except Exception as exc:
            # PTB reads the fields it expects without checking their types: whatever it cannot
            # read (a number for a message, a missing date...) is no update of Telegram's.
            return web.Response(status=400, text=f"not a Telegram update: {exc!r}"[:300])
        if update is None:
            return web.Response(status=400, text="empty update")
        await bot.take(update)
        return web.Response(text="ok")

    return [web.post("/telegram/webhook", webhook)]
