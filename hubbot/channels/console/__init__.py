"""The console's own channel: replies to a console account's person stay in the outbox.

A console account acts as a person whose address is 'console:<username>'. What hubbot answers
that person is queued like any other message; sending it is only marking it delivered, and the
hub page reads it back from the outbox (store/console_replies.py). Nothing goes to a phone."""

from __future__ import annotations

from hubbot.channels.base import Limit, Sent

PREFIX = "console:"


def console_address(username: str) -> str:
    return f"{PREFIX}{username}"


class ConsoleChannel:
    name = "console"

    def shape(self, text: str) -> list[str]:
        return [text]  # a web page has no segments

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]:
        return []

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
    ) -> Sent:
        return Sent(None, delivered=True)
