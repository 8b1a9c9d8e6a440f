"""Telegram updates, read: a message or a button tap becomes what hubbot stores."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from hubbot.channels.base import InboundMessage
from hubbot.channels.decoding import clean


@dataclass(frozen=True)
class TelegramInbound:
    """One update, as hubbot needs it."""

    update_id: int
    user_id: int
    chat_id: int
    chat_type: str  # private, group, supergroup, channel
    text: str
    username: str | None
    language: str | None
    name: str | None
    callback_id: str | None = None

    @property
    def address(self) -> str:
        return f"telegram:{self.user_id}"

    @property
    def in_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")

    def inbound(self) -> InboundMessage:
        """As the journal keeps it: the update id dedups, the details ride along as JSON."""
        details: dict[str, str | int | None] = {
            "username": self.username,
            "language": self.language,
            "name": self.name,
            "group_chat": self.chat_id if self.in_group else None,
        }
        return InboundMessage(
            "telegram", str(self.update_id), self.address, self.text, None, details
        )


def parse_update(update: Update) -> TelegramInbound | None:
    """A message or a button tap; None for updates hubbot does not handle (edits, joins...)
    and for fields of the wrong type, which Telegram never sends but a forged webhook may."""
    if not _is_id(update.update_id):
        return None
    if update.callback_query is not None:
        query = update.callback_query
        user = query.from_user
        chat = query.message.chat if query.message is not None else None
        if not _is_id(getattr(user, "id", None)) or (chat is not None and not _is_id(chat.id)):
            return None
        return TelegramInbound(
            update.update_id,
            user.id,
            chat.id if chat else user.id,
            (_text(chat.type) or "private") if chat else "private",
            _text(query.data) or "",
            _text(user.username),
            _text(user.language_code),
            _text(user.first_name),
            callback_id=_text(query.id),
        )
    message = update.message
    if message is None or message.from_user is None or not isinstance(message.text, str):
        return None
    user = message.from_user
    if not (_is_id(user.id) and _is_id(getattr(message.chat, "id", None))):
        return None
    return TelegramInbound(
        update.update_id,
        user.id,
        message.chat.id,
        _text(message.chat.type) or "private",
        clean(message.text),
        _text(user.username),
        _text(user.language_code),
        _text(user.first_name),
    )


def _is_id(value: object) -> bool:
    """Telegram's ids are integers of at most 52 bits; a bool or a float is none."""
    return type(value) is int and abs(value) < 2**53


def _text(value: object) -> str | None:
    """A string field, storable (lone surrogates replaced); None if it is not a string."""
    return clean(value) if isinstance(value, str) else None
