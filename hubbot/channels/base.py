"""What every channel offers: sending for the delivery engine, one ingest for what comes in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


class SendError(Exception):
    """A send that did not go through. Transient errors are retried; permanent ones are not.

    `hold_key` names the rate-limit key the provider asked us to slow down (HTTP 429), and
    `opted_out` says the recipient has opted out at the provider (Twilio 21610).
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        code: str | None = None,
        hold_key: str | None = None,
        opted_out: bool = False,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code
        self.hold_key = hold_key
        self.opted_out = opted_out
        self.unreachable = unreachable  # the person blocked the bot (Telegram 403)


@dataclass(frozen=True)
class Sent:
    """A send the provider accepted; `delivered` when the channel knows it arrived."""

    provider_id: str | None
    delivered: bool = False


@dataclass(frozen=True)
class Limit:
    """A send costs `cost` units of `key`, which may spend `rate` units per second (0: no limit)."""

    key: str
    rate: float
    cost: float


class Channel(Protocol):
    """One way out: 'sms' or 'telegram'. Addresses carry the channel as their scheme."""

    name: str

    def shape(self, text: str) -> list[str]:
        """The text as this channel sends it: folded, split into parts that fit."""
        ...

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]: ...

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),
    ) -> Sent: ...


@dataclass(frozen=True)
class InboundMessage:
    """One message a channel took in, as the inbound journal keeps it.

    `external_id` is the provider's own id (Twilio's MessageSid, Telegram's update_id): a
    provider retries until acknowledged, so a second delivery of one id is the same message.
    """

    channel: str  # the journal's channel, 'sms' or 'telegram'; ids are unique within it
    external_id: str
    address: str  # the sender, as scheme:id
    text: str
    to_address: str | None = None  # the number it was sent to, when the channel says
    details: dict[str, str | int | None] | None = None  # stored as JSON (Telegram: chat, name)


# Takes a message in: stores it durably, then wakes the processor. Returns the journal id, or
# None if that external id was taken in before. A channel acknowledges only once this returns.
# Messages taken in at once may share a commit; each returns only once that commit is done.
Ingest = Callable[[InboundMessage], Awaitable[int | None]]
