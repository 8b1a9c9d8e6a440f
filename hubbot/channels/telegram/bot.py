"""The Telegram bot's life: python-telegram-bot's Application, polling or webhook, menus,
and every update taken in before it is acknowledged."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import Application, ContextTypes, TypeHandler

from hubbot.channels.base import Ingest
from hubbot.channels.telegram.aiohttp_request import AiohttpRequest
from hubbot.channels.telegram.parse import parse_update
from hubbot.channels.telegram.send import TelegramChannel
from hubbot.domain.messages import Msg
from hubbot.domain.playbook import LOCALES
from hubbot.domain.registry import REGISTRY
from hubbot.i18n import Renderer

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]


class TelegramBot:
    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        webhook_url: str | None,
        secret: str,
        renderer: Renderer,
        ingest: Ingest,
        global_rate: float,
        connections: int = 32,
    ) -> None:
        # The bot's requests over aiohttp, as many connections as sends may be in flight
        # (HUBBOT_SEND_CONCURRENCY); getUpdates keeps PTB's own transport.
        builder = (
            Application.builder()
            .token(token)
            .base_url(api_url)
            .request(AiohttpRequest(connections))
        )
        if webhook_url is not None:
            builder = builder.updater(None)  # our own HTTP server receives the updates
        self.app = builder.build()
        self.channel = TelegramChannel(self.app.bot, global_rate)
        self.webhook_url = webhook_url
        self.secret = secret
        self.renderer = renderer
        self.ingest = ingest
        self.app.add_handler(TypeHandler(Update, self._on_polled_update))

    async def start(self) -> None:
        await self.app.initialize()  # getMe: fails fast on a wrong token
        for locale in LOCALES:
            commands = [
                BotCommand(menu.word(locale), self.renderer.render(Msg(menu.key), locale))
                for menu in REGISTRY.menu()
            ]
            await self.app.bot.set_my_commands(commands, language_code=locale)
        if self.webhook_url is not None:
            await self.app.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
            )
        else:
            await self.app.bot.delete_webhook()
            assert self.app.updater is not None
            await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)
        await self.app.start()
        log.info(
            "telegram bot @%s started (%s)",
            self.app.bot.username,
            "webhook" if self.webhook_url else "polling",
        )

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _on_polled_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.take(update)

    async def take(self, update: Update) -> bool:
        """Take an update in; True if it was new. Repeated update ids are ignored."""
        message = parse_update(update)
        if message is None:
            return False
        stored = await self.ingest(message.inbound())
        # After storing: a tap whose update could not be stored keeps its spinner, and
        # Telegram (in webhook mode) sends it again.
        if message.callback_id:
            await self.channel.answer_callback(message.callback_id)
        return stored is not None
