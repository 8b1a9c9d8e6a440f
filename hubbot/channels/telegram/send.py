"""Telegram out through python-telegram-bot's Bot: HTML text, buttons, paced by our dispatcher."""

from __future__ import annotations

import html
import logging
import re
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from hubbot.channels.base import Limit, SendError, Sent
from hubbot.domain.sms import split_words

log = logging.getLogger(__name__)

GLOBAL_RATE = 30.0  # messages per second, all chats together: the Bot API's free limit
CHAT_RATE = 1.0  # per private chat
GROUP_RATE = 20 / 60  # per group: 20 a minute
_ITEM_ID = re.compile(r"\b([NOB]\d+)\b")


def to_html(text: str) -> str:
    """Escape for Telegram's HTML mode, and set board and broadcast ids in bold."""
    return _ITEM_ID.sub(r"<b>\1</b>", html.escape(text, quote=False))


class TelegramChannel:
    """Sends through PTB's Bot; our dispatcher paces, so PTB's own rate limiter is not used."""

    name = "telegram"

    def __init__(self, bot: Bot, global_rate: float = GLOBAL_RATE) -> None:
        self.bot = bot
        self.global_rate = global_rate

    def shape(self, text: str) -> list[str]:
        # Escaping can lengthen a text (& becomes &amp;): measure what is really sent.
        return split_words(text, lambda part: len(to_html(part)) <= MessageLimit.MAX_TEXT_LENGTH)

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]:
        chat = address.removeprefix("telegram:")
        group = chat.startswith("-")
        return [
            Limit("telegram:all", self.global_rate, 1),
            Limit(f"telegram:{chat}", GROUP_RATE if group else CHAT_RATE, 1),
        ]

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
    ) -> Sent:
        chat = int(address.removeprefix("telegram:"))
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
            )
        try:
            message = await self.bot.send_message(
                chat, to_html(text), parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except RetryAfter as exc:
            raise SendError(
                f"Telegram 429 for chat {chat}",
                permanent=False,
                retry_after=_retry_seconds(exc),
                hold_key=f"telegram:{chat}",
            ) from exc
        except Forbidden as exc:
            raise SendError(
                f"Telegram 403: {exc.message}", permanent=True, code="403", unreachable=True
            ) from exc
        except BadRequest as exc:
            raise SendError(f"Telegram 400: {exc.message}", permanent=True, code="400") from exc
        except (NetworkError, TelegramError) as exc:
            raise SendError(f"Telegram: {exc}", permanent=False) from exc
        return Sent(str(message.message_id))

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner; the reply itself comes through the outbox."""
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError as exc:  # too old or already answered: harmless
            log.info("answerCallbackQuery %s: %s", callback_id, exc)


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns when retry_after is read as an int (PTB_TIMEDELTA unset); we take both.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
