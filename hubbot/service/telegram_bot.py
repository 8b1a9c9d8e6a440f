"""The Telegram bot's life: python-telegram-bot's Application, polling or webhook, menus,
and storing every update before it is acknowledged."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from telegram import BotCommand, Update
from telegram.ext import Application, ContextTypes, TypeHandler

from hubbot.channels.telegram import TelegramChannel, parse_update
from hubbot.domain.messages import Msg
from hubbot.i18n import Renderer
from hubbot.service.clock import Clock
from hubbot.store import inbound
from hubbot.store.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
# The command menu per language: (command, description key).
MENUS = {
    "fr": [
        ("aide", "menu.help"),
        ("rejoindre", "menu.join"),
        ("besoin", "menu.need"),
        ("offre", "menu.offer"),
        ("roles", "menu.roles"),
        ("langue", "menu.lang"),
        ("activer", "menu.activate"),
        ("assigner", "menu.assign"),
        ("lier", "menu.link"),
        ("arret", "menu.stop"),
    ],
    "en": [
        ("help", "menu.help"),
        ("join", "menu.join"),
        ("need", "menu.need"),
        ("offer", "menu.offer"),
        ("roles", "menu.roles"),
        ("lang", "menu.lang"),
        ("activate", "menu.activate"),
        ("assign", "menu.assign"),
        ("link", "menu.link"),
        ("stop", "menu.stop"),
    ],
}


class TelegramBot:
    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        webhook_url: str | None,
        secret: str,
        db: Database,
        clock: Clock,
        renderer: Renderer,
        on_inbound: Callable[[], None],
        global_rate: float,
    ) -> None:
        builder = Application.builder().token(token).base_url(api_url)
        if webhook_url is not None:
            builder = builder.updater(None)  # our own HTTP server receives the updates
        self.app = builder.build()
        self.channel = TelegramChannel(self.app.bot, global_rate)
        self.webhook_url = webhook_url
        self.secret = secret
        self.db = db
        self.clock = clock
        self.renderer = renderer
        self.on_inbound = on_inbound
        self.app.add_handler(TypeHandler(Update, self._on_polled_update))

    async def start(self) -> None:
        await self.app.initialize()  # getMe: fails fast on a wrong token
        for locale, menu in MENUS.items():
            commands = [
                BotCommand(name, self.renderer.render(Msg(key), locale)) for name, key in menu
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
        """Store an update durably; True if it was new. Repeated update ids are ignored."""
        message = parse_update(update)
        if message is None:
            return False
        details = {
            "username": message.username,
            "language": message.language,
            "name": message.name,
            "group_chat": message.chat_id if message.in_group else None,
        }
        stored = await inbound.record(
            self.db,
            "telegram",
            str(message.update_id),
            message.address,
            None,
            message.text,
            self.clock.now(),
            json.dumps(details),
        )
        if message.callback_id:
            await self.channel.answer_callback(message.callback_id)
        if stored is not None:
            self.on_inbound()
        return stored is not None
