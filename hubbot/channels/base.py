"""What every channel offers the delivery engine, and how it reports a failed send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SendError(Exception):
    """A send that did not go through. Transient errors are retried; permanent ones are not."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code


@dataclass(frozen=True)
class Sent:
    """A send the provider accepted; `delivered` when the channel knows it arrived."""

    provider_id: str | None
    delivered: bool = False


class Channel(Protocol):
    """One way out: 'sms' or 'telegram'. Addresses carry the channel as their scheme."""

    name: str

    async def send(self, address: str, text: str) -> Sent: ...
