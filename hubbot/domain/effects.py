"""State changes the core decides on; the service applies them in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

from hubbot.domain.jobs import DueKind
from hubbot.domain.messages import Outgoing, Priority, TeamMessage
from hubbot.domain.models import Figures, ItemKind


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
class CreateItem:
    kind: ItemKind
    number: int
    hub_id: int
    person_id: int
    text: str
    category: str | None
    expires_at: datetime
    quantity: int | None = None
    location: str | None = None
    critical: bool = False
    significant: bool = False


@dataclass(frozen=True)
class UpdateItem:
    """Change a board item: what is None stays as it is."""

    kind: ItemKind
    number: int
    status: str | None = None  # done, used, cancelled, withdrawn, matched
    category: str | None = None
    expires_at: datetime | None = None
    matched_with: int | None = None  # the other note's number
    resolution: str | None = None  # how a need was met
    closed_at: datetime | None = None
    quantity: int | None = None  # what is left of an offer after part of it was used


@dataclass(frozen=True)
class CreatePerson:
    """Someone a lead named by a phone number that never wrote: created under the id the
    service read as next (domain/facts.py NewPerson)."""

    person_id: int
    address: str
    locale: str


@dataclass(frozen=True)
class ListState:
    """Where MORE/SUITE continues this person's list (kind None: nothing left)."""

    person_id: int
    kind: str | None
    offset: int


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
class CreateMatch:
    hub_id: int
    need: int
    offer: int
    by_person_id: int


@dataclass(frozen=True)
class CloseMatch:
    """The need was met: a match still waiting for consent asks for none any more."""

    need: int
    offer: int


@dataclass(frozen=True)
class RecordRouted:
    """A member's message went to a role: its holders (or the lead) may answer it."""

    hub_id: int
    person_id: int
    role_id: str


@dataclass(frozen=True)
class MatchConsent:
    match_id: int
    side: str  # "need" or "offer"
    shared: bool  # both sides have now said yes


@dataclass(frozen=True)
class LinkGroup:
    """A Telegram group becomes the hub's team group."""

    chat_id: int
    hub_id: int
    by_person_id: int


@dataclass(frozen=True)
class StartLink:
    """A one-time code goes to the other address; it must come back from this person."""

    person_id: int
    target_id: int
    code: str
    expires_at: datetime
    confirm_by_target: bool = False  # the target replies YES <code> from there instead


@dataclass(frozen=True)
class FailLink:
    """A wrong code; `by_target`: typed as YES <code> by the person asked to confirm."""

    person_id: int
    by_target: bool = False


@dataclass(frozen=True)
class MergePeople:
    """Two records are one person: `drop`'s addresses, hubs, roles and notes move to `keep`."""

    keep_id: int
    drop_id: int


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


@dataclass(frozen=True)
class MoveAsk:
    """A check-in ask follows the role: closed (unfilled if `vacant`), `to` asked instead."""

    ask_id: int
    to: tuple[int, ...]
    vacant: bool


@dataclass(frozen=True)
class ScheduleDue:
    """Timed work of this kind falls due at `at` (domain/jobs.py); `ref` says which round,
    check-in, broadcast or roll call."""

    kind: DueKind
    hub_id: int | None
    ref: str
    at: datetime


@dataclass(frozen=True)
class StartRound:
    """A check-in round opens with these asks: (person, role), no person when nobody holds the
    role. Its first silent window ends at `step_at`."""

    hub_id: int
    checkin: str
    asks: tuple[tuple[int | None, str], ...]
    step_at: datetime


@dataclass(frozen=True)
class AdvanceRound:
    """A round takes one escalation step; `close`: it is over and its waiting asks fall silent."""

    round_id: int
    close: bool


@dataclass(frozen=True)
class MarkReminded:
    """The holder of this role assignment was reminded to hand over: not again this shift."""

    assignment_id: int


@dataclass(frozen=True)
class SendBroadcast:
    """A stored broadcast goes out now, to its audience as it is now (domain/fanout.py)."""

    broadcast_id: int


@dataclass(frozen=True)
class CloseRollcall:
    rollcall_id: int


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
