"""A playbook's `alerts:` rules: which official alerts reach whom at a hub, in which lane."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hubbot.domain.cap import CapInfo

LEAD_ROLES = ("lead", "communications")


class Audience(StrEnum):
    ROLES = "roles"  # the holders of the rule's roles
    MEMBERS = "members"  # everyone in the hub
    COORDINATORS = "coordinators"  # the region's coordinators


@dataclass(frozen=True)
class AlertRule:
    """A playbook's `alerts:` rule: alerts this severe (urgent, certain) go to these people.
    An empty filter takes any value."""

    severities: frozenset[str] = frozenset()
    urgencies: frozenset[str] = frozenset()
    certainties: frozenset[str] = frozenset()
    audience: Audience = Audience.ROLES
    roles: tuple[str, ...] = LEAD_ROLES
    urgent: bool | None = None  # the lane: None, urgent for Extreme or Severe and Immediate

    def matches(self, info: CapInfo) -> bool:
        return all(
            not wanted or value in wanted
            for wanted, value in (
                (self.severities, info.severity),
                (self.urgencies, info.urgency),
                (self.certainties, info.certainty),
            )
        )


# Without an `alerts:` section, a playbook relays what may matter to the lead and to
# communications, who decide what the hub hears; Minor and Unknown severities stay in the log.
DEFAULT_RULES: tuple[AlertRule, ...] = (
    AlertRule(severities=frozenset({"Extreme", "Severe", "Moderate"})),
)
