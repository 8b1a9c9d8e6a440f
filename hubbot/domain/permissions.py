"""Who may do what in a hub: the lead and the coordinators run it, members take part."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hubbot.domain.models import Hub, Person


class Action(StrEnum):
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    CLOSE = "close"
    VIEW_ROSTER = "view_roster"
    POST_ITEM = "post_item"
    VIEW_BOARD = "view_board"
    MANAGE_BOARD = "manage_board"
    COUNT_PEOPLE = "count_people"
    VIEW_COUNT = "view_count"
    RECORD_LIFELINE = "record_lifeline"
    SITREP = "sitrep"
    BROADCAST = "broadcast"
    ROLLCALL = "rollcall"
    RUN_CHECKIN = "run_checkin"


# Roles (besides coordinators, who may do everything) allowed each action.
# "member" means any member of the hub.
_ALLOWED: dict[Action, frozenset[str]] = {
    Action.ASSIGN: frozenset({"lead"}),
    Action.UNASSIGN: frozenset({"lead"}),
    Action.CLOSE: frozenset({"lead"}),
    Action.VIEW_ROSTER: frozenset({"member"}),
    Action.POST_ITEM: frozenset({"member"}),
    Action.VIEW_BOARD: frozenset({"lead", "needs_offers"}),
    Action.MANAGE_BOARD: frozenset({"lead", "needs_offers"}),
    Action.COUNT_PEOPLE: frozenset({"lead", "reception"}),
    Action.VIEW_COUNT: frozenset({"lead", "reception", "needs_offers", "communications"}),
    Action.RECORD_LIFELINE: frozenset({"lead", "communications"}),
    Action.SITREP: frozenset({"lead", "communications"}),
    Action.BROADCAST: frozenset({"lead"}),
    Action.ROLLCALL: frozenset({"lead"}),
    Action.RUN_CHECKIN: frozenset({"lead"}),
}


class Party(StrEnum):
    """Someone a refusal may name besides role holders: who may act depends on the thing."""

    POSTER = "poster"  # whoever posted the note (CANCEL, R N12)
    HOLDER = "holder"  # whoever holds the role (HANDOVER)
    AUTHOR = "author"  # whoever sent the broadcast (ALERTSTATUS)
    COORDINATOR = "coordinator"  # named only where no role may (coordinators always may)


@dataclass(frozen=True)
class Who:
    """Who may do something, as a refusal names them: role ids ("member": any member of the
    hub) and parties."""

    roles: frozenset[str] = frozenset()
    parties: tuple[Party, ...] = ()


# What a refusal says when its caller names nobody: the lead (and coordinators) may do anything.
LEAD_ONLY = Who(frozenset({"lead"}))


def who_may(action: Action | None, *parties: Party) -> Who:
    """Who the permission table lets take the action, and the parties the handler also lets."""
    return Who(_ALLOWED[action] if action is not None else frozenset(), parties)


def is_staff(person: Person, hub: Hub) -> bool:
    """Holds a role in the hub (or coordinates): answers the messages routed to their role."""
    return person.is_coordinator or bool(hub.roles_of(person.id))


def may_hand_over(person: Person, hub: Hub, role_id: str) -> bool:
    """The lead and coordinators, and whoever holds the role, may hand it over."""
    return is_permitted(person, hub, Action.ASSIGN) or person.id in hub.holders(role_id)


def may_act_on(person: Person, hub: Hub, target_id: int, target_hubs: frozenset[int]) -> bool:
    """Staff act on their own hub's people, and on people in no hub yet (a phone number that
    has never texted); only a coordinator may take someone from another hub."""
    if person.is_coordinator or target_id in hub.members or hub.roles_of(target_id):
        return True
    return not target_hubs - {hub.id}


def is_permitted(person: Person, hub: Hub, action: Action) -> bool:
    """True if the person may take the action in this hub."""
    if person.is_coordinator:
        return True
    allowed = _ALLOWED[action]
    if "member" in allowed and person.id in hub.members:
        return True
    return any(role in allowed for role in hub.roles_of(person.id))
