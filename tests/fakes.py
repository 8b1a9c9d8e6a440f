"""Test doubles that behave like the real thing: a clock we drive and a channel that records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hubbot.channels.base import Channel, Limit, SendError, Sent
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service import workers as wiring
from hubbot.service.outbound import Outbound
from hubbot.service.processor import Processor
from hubbot.service.scheduler import Scheduler
from hubbot.service.wakes import Wakes
from hubbot.store.db import Database


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
    """Records every send; `failures` scripts errors to raise for the next sends, in order.

    With a `rate`, each send costs one unit of a per-sender key, as SMS does.
    """

    name: str = "sms"
    rate: float = 0.0
    clock: FakeClock | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    failures: list[SendError] = field(default_factory=list)

    def shape(self, text: str) -> list[str]:
        return [text]

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]:
        return [Limit(f"{self.name}:{sender}", self.rate, 1)] if self.rate else []

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),  # SMS has no buttons
    ) -> Sent:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, text))
        if self.clock is not None:
            self.times.append(self.clock.now())
        return Sent(f"FAKE{len(self.sent)}")

    def to(self, address: str) -> list[str]:
        return [text for to, text in self.sent if to == address]


def workers(
    db: Database,
    clock: FakeClock,
    playbooks: Mapping[str, Playbook],
    renderer: Renderer,
    channels: Mapping[str, Channel] | None = None,
    locale: str = "fr",
) -> tuple[Processor, Scheduler]:
    """The processor and scheduler as the composition root wires them, in Quebec."""
    outbound = Outbound(renderer, channels or {}, clock)
    return wiring.workers(db, clock, playbooks, outbound, wiring.Local(locale, "CA"), Wakes())
