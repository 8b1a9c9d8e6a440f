"""Telegram's webhook: checked against our secret, stored, then acknowledged."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from telegram import Update

from hubbot.service.telegram_bot import TelegramBot

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_routes(bot: TelegramBot) -> list[web.RouteDef]:
    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), bot.secret.encode()):
            log.warning(
                "refused Telegram webhook from %s: %s secret token",
                request.remote,
                "missing" if not given else "wrong",
            )
            return web.Response(status=403, text="invalid secret token")
        try:
            data = await request.json()
            update = Update.de_json(data, bot.app.bot)
        except (ValueError, KeyError, TypeError) as exc:
            return web.Response(status=400, text=f"not a Telegram update: {exc}")
        if update is None:
            return web.Response(status=400, text="empty update")
        await bot.take(update)
        return web.Response(text="ok")

    return [web.post("/telegram/webhook", webhook)]
