"""Telegram through python-telegram-bot: updates taken in, text sent back, the bot's life."""

from hubbot.channels.telegram.bot import TelegramBot
from hubbot.channels.telegram.routes import telegram_routes
from hubbot.channels.telegram.send import TelegramChannel

__all__ = ["TelegramBot", "TelegramChannel", "telegram_routes"]
