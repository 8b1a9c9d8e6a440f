"""The core's view of hubs and people, loaded by the service for each decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hubbot.domain.names import shown_name
from hubbot.domain.playbook import Playbook


class HubStatus(StrEnum):
    CLOSED = "closed"
    ACTIVE = "active"


class ItemKind(StrEnum):
    NEED = "need"
    OFFER = "offer"

    @property
    def prefix(self) -> str:
        return "N" if self is ItemKind.NEED else "O"


def member_label(person_id: int) -> str:
    """The member number people see and can type back: M12."""
    return f"M{person_id}"


def person_label(person_id: int, name: str | None) -> str:
    """M12, or 'M12 Marie' when they gave a name (shown safely: domain/names.py)."""
    shown = shown_name(name)
    return f"{member_label(person_id)} {shown}" if shown else member_label(person_id)


@dataclass(frozen=True)
class Person:
    id: int
    locale: str
    locale_explicit: bool = False
    name: str | None = None
    is_coordinator: bool = False
    opted_out: bool = False
    hub_id: int | None = None
    pin_failures: int = 0
    pin_locked_until: datetime | None = None
    list_state: str | None = None  # where MORE/SUITE continues, kept by the service

    @property
    def label(self) -> str:
        return person_label(self.id, self.name)


@dataclass(frozen=True)
class Hub:
    id: int
    code: str
    name: str
    locale: str
    status: HubStatus
    playbook: Playbook
    # role id -> ids of the people holding it now, in the order they were assigned
    roster: dict[str, tuple[int, ...]] = field(default_factory=dict)
    members: frozenset[int] = frozenset()
    address: str | None = None  # where the hub is, for "call 911, then come to ..."

    @property
    def is_active(self) -> bool:
        return self.status is HubStatus.ACTIVE

    def holders(self, role_id: str) -> tuple[int, ...]:
        return self.roster.get(role_id, ())

    def roles_of(self, person_id: int) -> tuple[str, ...]:
        return tuple(role for role, ids in self.roster.items() if person_id in ids)

    @property
    def has_lead(self) -> bool:
        return bool(self.holders("lead"))


@dataclass(frozen=True)
class BoardItem:
    """A need or an offer on the hub's board."""

    kind: ItemKind
    number: int
    hub_id: int
    person_id: int
    text: str
    status: str
    category: str | None = None
    quantity: int | None = None
    location: str | None = None
    critical: bool = False
    created_at: datetime | None = None
    expires_at: datetime | None = None
    matched_with: int | None = None

    @property
    def label(self) -> str:
        return f"{self.kind.prefix}{self.number}"

    def is_open(self, now: datetime) -> bool:
        """Open or matched, and not past its expiry."""
        alive = self.expires_at is None or self.expires_at > now
        return self.status in ("open", "matched") and alive


@dataclass(frozen=True)
class Lifeline:
    topic: str
    state: str
    unconfirmed: bool
    at: datetime


@dataclass(frozen=True)
class Figures:
    """What a status report counts, gathered by the service."""

    number: int  # this report's number, in sequence per hub
    onsite: int = 0
    onsite_change: int = 0  # over the last hour
    needs: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> status -> n
    offers_open: int = 0
    critical: tuple[str, ...] = ()  # ids of open critical needs
    significant: tuple[str, ...] = ()
    top_needs: tuple[str, ...] = ()  # descriptions of the oldest open needs
    lifelines: tuple[Lifeline, ...] = ()


@dataclass(frozen=True)
class BroadcastStatus:
    """Tallies of one broadcast, per recipient state."""

    id: int
    by_person_id: int | None
    total: int
    pending: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    acked: int
    not_acked: tuple[str, ...]  # member labels of those who have not acknowledged
    prefix: str = "B"  # B5: a broadcast; A3: an official alert relayed to hubs

    @property
    def label(self) -> str:
        return f"{self.prefix}{self.id}"


@dataclass(frozen=True)
class Rollcall:
    id: int
    hub_id: int
    by_person_id: int | None
    answer: str | None = None  # this person's answer so far: 1 safe, 2 help, ? unclear
