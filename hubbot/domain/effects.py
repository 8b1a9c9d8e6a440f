"""State changes the core decides on; the service applies them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

from hubbot.domain.board_effects import (
    CloseMatch,
    CreateItem,
    CreateMatch,
    ListState,
    MatchConsent,
    RecordRouted,
    UpdateItem,
)
from hubbot.domain.link_effects import (
    FailLink,
    LinkGroup,
    MergePeople,
    StartLink,
)
from hubbot.domain.messages import Outgoing, Priority, TeamMessage
from hubbot.domain.models import Figures
from hubbot.domain.timed_effects import (
    AdvanceRound,
    CloseRollcall,
    MarkReminded,
    MoveAsk,
    ScheduleDue,
    SendBroadcast,
    StartRound,
)


@dataclass(frozen=True)
class JoinHub:
    person_id: int
    hub_id: int


@dataclass(frozen=True)
class SetCurrentHub:
    """The hub bare commands go to from now on: the one a `CODE:` prefix just named. It makes
    nobody a member (a coordinator gets no broadcast from it)."""

    person_id: int
    hub_id: int


@dataclass(frozen=True)
class SetLocale:
    person_id: int
    locale: str
    explicit: bool


@dataclass(frozen=True)
class SetName:
    person_id: int
    name: str


@dataclass(frozen=True)
class SetOptOut:
    person_id: int
    opted_out: bool


@dataclass(frozen=True)
class SetHubStatus:
    hub_id: int
    active: bool


@dataclass(frozen=True)
class AssignRole:
    hub_id: int
    person_id: int
    role_id: str
    by_person_id: int


@dataclass(frozen=True)
class UnassignRole:
    hub_id: int
    person_id: int
    role_id: str
    by_person_id: int


@dataclass(frozen=True)
class RecordPinFailure:
    person_id: int
    failures: int
    locked_until: datetime | None


@dataclass(frozen=True)
class ResetPinFailures:
    person_id: int


@dataclass(frozen=True)
class CreatePerson:
    """Someone a lead named by a phone number that never wrote: created under the id the
    service read as next (domain/facts.py NewPerson)."""

    person_id: int
    address: str
    locale: str


@dataclass(frozen=True)
class RecordOnsite:
    hub_id: int
    delta: int
    total: int
    person_id: int


@dataclass(frozen=True)
class RecordLifeline:
    hub_id: int
    topic: str
    state: str
    unconfirmed: bool
    person_id: int


@dataclass(frozen=True)
class RecordSitrep:
    hub_id: int
    figures: Figures  # what the report said, kept as it was sent
    person_id: int | None  # None: the regular report, which nobody asked for


@dataclass(frozen=True)
class AnswerCheckin:
    """The person's answer to their check-in; a later one replaces it."""

    ask_id: int
    state: str  # ok | help | unclear (domain/answers.py)
    text: str


@dataclass(frozen=True)
class ScheduleRound:
    """Run a check-in round now (CHECKIN / POINTAGE)."""

    hub_id: int
    checkin: str


@dataclass(frozen=True)
class CreateBroadcast:
    """A broadcast to the members of these hubs (none: every hub), or one role's holders.

    The service numbers it (B5), fans it out at `send_at`, and tells the sender the count.
    """

    hub_ids: tuple[int, ...]
    role: str | None
    body: str
    priority: Priority  # URGENT or BULK; an urgent broadcast goes in the ALERT lane
    send_at: datetime
    by_person_id: int


@dataclass(frozen=True)
class StartRollcall:
    hub_id: int
    by_person_id: int


@dataclass(frozen=True)
class AnswerRollcall:
    """The person's roll-call answer; a later one replaces it."""

    rollcall_id: int
    person_id: int
    answer: str  # 1 safe, 2 needs help, ? unclear
    text: str = ""


@dataclass(frozen=True)
class AckBroadcast:
    broadcast_id: int
    person_id: int


@dataclass(frozen=True)
class ConfirmAlert:
    """The person confirmed the alert they were asked to (OK or the button)."""

    confirmation_id: int
    person_id: int


@dataclass(frozen=True)
class NoteCutOff:
    """The lead (or the coordinators) heard that this holder of the role cannot be reached."""

    hub_id: int
    person_id: int
    role_id: str


@dataclass(frozen=True)
class LogActivity:
    """One line of the hub's activity log (ICS-214): who, in which role, did what."""

    hub_id: int | None
    person_id: int | None  # None: the operator at the console (`hubbot hub close`)
    role: str | None
    action: str
    detail: str = ""


# Every effect; service/apply.py matches each one, and mypy checks that none is left out.
Effect: TypeAlias = (
    JoinHub
    | SetCurrentHub
    | SetLocale
    | SetName
    | SetOptOut
    | SetHubStatus
    | AssignRole
    | UnassignRole
    | RecordPinFailure
    | ResetPinFailures
    | CreateItem
    | LogActivity
    | LinkGroup
    | ConfirmAlert
    | StartLink
    | FailLink
    | MergePeople
    | UpdateItem
    | CreatePerson
    | ListState
    | CreateBroadcast
    | StartRollcall
    | AnswerRollcall
    | AckBroadcast
    | AnswerCheckin
    | ScheduleRound
    | RecordOnsite
    | RecordLifeline
    | RecordSitrep
    | CreateMatch
    | MatchConsent
    | CloseMatch
    | RecordRouted
    | NoteCutOff
    | MoveAsk
    | ScheduleDue
    | StartRound
    | AdvanceRound
    | MarkReminded
    | SendBroadcast
    | CloseRollcall
)


@dataclass
class Outcome:
    """What a message leads to: state changes, then messages to send."""

    effects: list[Effect] = field(default_factory=list)
    messages: list[Outgoing] = field(default_factory=list)
    team: list[TeamMessage] = field(default_factory=list)


def hub_of(effects: Sequence[Effect]) -> int | None:
    """The hub an outcome acted on (opened, joined, assigned in...), the first one named."""
    for effect in effects:
        hub_id = getattr(effect, "hub_id", None)
        if isinstance(hub_id, int):
            return hub_id
    return None
