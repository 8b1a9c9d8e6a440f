"""Test doubles that behave like the real thing: a clock we drive and a channel that records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hubbot.channels.base import SendError, Sent


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 15, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


@dataclass
class FakeChannel:
    """Records every send; `failures` scripts errors to raise for the next sends, in order."""

    name: str = "sms"
    sent: list[tuple[str, str]] = field(default_factory=list)
    failures: list[SendError] = field(default_factory=list)

    async def send(self, address: str, text: str) -> Sent:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, text))
        return Sent(f"FAKE{len(self.sent)}")

    def to(self, address: str) -> list[str]:
        return [text for to, text in self.sent if to == address]
