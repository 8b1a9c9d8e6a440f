"""The typed fact groups a command may ask the service to gather before the core decides.

Each group is small and means one thing; the service has one loader per group
(service/facts.py). Gathering only reads: anything to create (a new person, a link code) is
decided here and written by an effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hubbot.domain.answers import Awaiting
from hubbot.domain.checkins import Ask, OpenRound
from hubbot.domain.models import (
    BoardItem,
    BroadcastStatus,
    Figures,
    Hub,
    ItemKind,
    Person,
    Rollcall,
)


@dataclass(frozen=True)
class MatchView:
    id: int
    need: BoardItem
    offer: BoardItem
    need_yes: bool
    offer_yes: bool


@dataclass(frozen=True)
class NamedHub:
    """JOIN, ACTIVATE, LINK, BROADCAST: the hub a code names, and whether the PIN matched."""

    hub: Hub | None = None
    pin_valid: bool = False


@dataclass(frozen=True)
class NewPerson:
    """Someone a lead names by a phone number hubbot has never seen: created by an effect,
    under the id the store will give them next."""

    id: int
    address: str
    locale: str


@dataclass(frozen=True)
class TargetFacts:
    """ASSIGN, UNASSIGN, HANDOVER: the person named, and the hubs they belong to."""

    person: Person | None = None
    new: NewPerson | None = None  # a phone number nobody has written from yet
    hubs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Numbers:
    """The numbers the next need and offer will get (free text may become a need)."""

    next: dict[ItemKind, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterFacts:
    """How to name role holders, and which of them no message reaches (domain/reach.py)."""

    labels: dict[int, str] = field(default_factory=dict)  # "M12 Ana"
    cut_off: dict[int, str] = field(default_factory=dict)  # person id -> opted_out|unreachable
    cut_off_told: frozenset[tuple[int, str]] = frozenset()  # (person, role) the lead knows of


@dataclass(frozen=True)
class BoardFacts:
    """The hub's open notes (critical first, then oldest), the notes a command names, and where
    MORE/SUITE continues a list."""

    board: tuple[BoardItem, ...] = ()
    items: dict[str, BoardItem] = field(default_factory=dict)
    list_kind: str | None = None
    list_offset: int = 0


@dataclass(frozen=True)
class Routed:
    """A member's message a role got (domain/routing.py), in the hub as it is now."""

    hub: Hub
    role_id: str
    at: datetime


@dataclass(frozen=True)
class RelayFacts:
    """R N12 ...: the note a relay names, whichever hub it is in, and the note matched with it
    while their match stands. R M6 ...: the member named, and their recent routed messages."""

    item: BoardItem | None = None
    other: BoardItem | None = None  # the matched note, while the match is pending or made
    member: Person | None = None
    routed: tuple[Routed, ...] = ()  # newest first, within domain/relay.py REPLY_WINDOW


@dataclass(frozen=True)
class MatchFacts:
    """YES/OUI: the sender's latest match waiting for consent, and the contacts both sides
    will see only once both said yes."""

    match: MatchView | None = None
    contacts: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerFacts:
    """What an answer or an OK may be about (domain/answering.py)."""

    awaiting: tuple[Awaiting, ...] = ()  # what the sender was asked and has not answered
    open_ask: Ask | None = None  # their check-in ask in an open round, answered or not
    rollcall: Rollcall | None = None  # the open roll call that asked them, with their answer
    settled_recently: bool = False  # they confirmed or acknowledged something lately
    ack_target: Awaiting | None = None  # the alert or broadcast an ACK names, if still open
    already_acked: bool = False  # ... or it was theirs and is already confirmed


@dataclass(frozen=True)
class LinkFacts:
    """LINK and YES <code>: the pending code's state, the person a new code would go to, and
    the counts the abuse limits need (domain/linking.py)."""

    code: str = ""  # a fresh one-time code, should LINK need one ("": no readable address)
    target: Person | None = None
    pending: int | None = None  # whom this person's pending LINK code went to
    code_valid: bool = False  # the code they typed matches it
    attempts: int = 0
    confirm_by_target: bool = False  # ... and it must be confirmed from there, not here
    failures: tuple[datetime, ...] = ()  # the sender's wrong codes in the last day
    codes_to_target: int = 0  # codes sent to the target's address in the last hour
    target_has_written: bool = False  # the address a code would go to has written to hubbot
    target_privileged: bool = False  # the target is a coordinator or holds a role
    requests: tuple[int, ...] = ()  # YES <code>: who asked to link with the sender
    confirm_from: int | None = None  # ... and the one whose code it is


@dataclass(frozen=True)
class FigureFacts:
    """On-site count, lifelines, board counts and the next report number."""

    figures: Figures | None = None


@dataclass(frozen=True)
class AlertStatusFacts:
    """ALERTSTATUS B5: how far the broadcast got."""

    status: BroadcastStatus | None = None


@dataclass(frozen=True)
class RoundFacts:
    """The hub's check-in rounds under way: their asks follow a role that changes hands."""

    open_rounds: tuple[OpenRound, ...] = ()


@dataclass(frozen=True)
class TemplateFacts:
    """Broadcast template ids (#boil_water) the catalogs hold."""

    templates: frozenset[str] = frozenset()
