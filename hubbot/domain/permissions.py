"""Who may do what in a hub: the lead and the coordinators run it, members take part."""

from __future__ import annotations

from enum import StrEnum

from hubbot.domain.models import Hub, Person


class Action(StrEnum):
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    CLOSE = "close"
    VIEW_ROSTER = "view_roster"
    POST_ITEM = "post_item"


# Roles (besides coordinators, who may do everything) allowed each action.
# "member" means any member of the hub.
_ALLOWED: dict[Action, frozenset[str]] = {
    Action.ASSIGN: frozenset({"lead"}),
    Action.UNASSIGN: frozenset({"lead"}),
    Action.CLOSE: frozenset({"lead"}),
    Action.VIEW_ROSTER: frozenset({"member"}),
    Action.POST_ITEM: frozenset({"member"}),
}


def is_permitted(person: Person, hub: Hub, action: Action) -> bool:
    """True if the person may take the action in this hub."""
    if person.is_coordinator:
        return True
    allowed = _ALLOWED[action]
    if "member" in allowed and person.id in hub.members:
        return True
    return any(role in allowed for role in hub.roles_of(person.id))
