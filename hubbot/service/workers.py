"""The message processor and the scheduler, wired as the composition root wires them: one way
to apply effects and queue messages, and the registry of timed work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hubbot.clock import Clock
from hubbot.domain.flood import FloodLimit
from hubbot.domain.playbook import Playbook
from hubbot.service.alerts import Alerts
from hubbot.service.apply import Effects
from hubbot.service.facts import Lookup
from hubbot.service.outbound import Outbound
from hubbot.service.processor import Processor
from hubbot.service.rounds import Rounds
from hubbot.service.scheduler import Scheduler, registry
from hubbot.service.wakes import Intake, Wakes
from hubbot.store.conn import Store


@dataclass(frozen=True)
class Local:
    """Where the service runs: the language of someone new, the region phone numbers are read
    in, the time zone of times shown, and the flood limit (off by default)."""

    default_locale: str
    region: str
    timezone: str = "America/Toronto"
    flood: FloodLimit = field(default_factory=FloodLimit)


def workers(
    db: Store,
    clock: Clock,
    playbooks: Mapping[str, Playbook],
    outbound: Outbound,
    local: Local,
    wakes: Wakes,
) -> tuple[Processor, Scheduler]:
    """The message processor and the scheduler, sharing one way to apply effects and queue
    messages, and the registry of timed work."""
    keys = outbound.renderer.all_keys()
    templates = frozenset(k.removeprefix("template.") for k in keys if k.startswith("template."))
    alerts = Alerts(outbound, playbooks, templates, local.timezone)
    effects = Effects(outbound, alerts)
    lookup = Lookup(playbooks, local.region, local.timezone, templates)
    intake = Intake(lookup, local.default_locale, local.flood)
    jobs = registry(Rounds(playbooks, local.timezone), alerts)
    return Processor(db, clock, intake, effects, wakes), Scheduler(db, clock, jobs, effects, wakes)
