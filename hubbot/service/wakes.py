"""What the workers share: the events that wake them, their metrics, and how texts are read."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

from hubbot.domain.flood import FloodLimit
from hubbot.domain.playbook import Playbook
from hubbot.service.facts import Lookup
from hubbot.service.metrics import Metrics


@dataclass(frozen=True)
class Wakes:
    """How the workers wake each other: a message was stored (the processor), outbox rows were
    written (the dispatcher), a message was processed (the scheduler looks again); and the
    metrics they count in, shared the same way."""

    inbound: asyncio.Event = field(default_factory=asyncio.Event)
    outbox: asyncio.Event = field(default_factory=asyncio.Event)
    schedule: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: Metrics = field(default_factory=Metrics)

    def heard(self, tables: frozenset[str]) -> None:
        """Another worker sharing the database committed writes to `tables`: wake the loops
        whose work that may be ("*": any of them), and only those; a wake for every commit
        kept every loop of every worker busy looking."""
        for table in tables:
            for name in _CONCERNS.get(table, _ALL if table == "*" else ()):
                getattr(self, name).set()


# Whose work another worker's write may be, by table: a stored text (the processor's; once
# decided, the scheduler plans again), outbox rows and bookings (the dispatcher's), timers and
# hubs opened or closed (the scheduler's).
_ALL = ("inbound", "outbox", "schedule")
_CONCERNS = {
    "inbound": ("inbound", "schedule"),
    "outbox": ("outbox",),
    "pacing": ("outbox",),
    "due": ("schedule",),
    "hubs": ("schedule",),
}


@dataclass(frozen=True)
class Intake:
    """How texts are read: the playbooks and look-ups, the language of someone new, and the
    flood limit (off unless the root passes the configured one)."""

    lookup: Lookup
    default_locale: str
    flood: FloodLimit = field(default_factory=FloodLimit)

    @property
    def playbooks(self) -> Mapping[str, Playbook]:
        return self.lookup.playbooks
