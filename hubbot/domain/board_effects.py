"""The effects on the needs and offers board: notes and their changes, matches and consent,
routed messages staff may answer, and where a list continues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.models import ItemKind


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
class ListState:
    """Where MORE/SUITE continues this person's list (kind None: nothing left)."""

    person_id: int
    kind: str | None
    offset: int


@dataclass(frozen=True)
class CreateMatch:
    hub_id: int
    need: int
    offer: int
    by_person_id: int


@dataclass(frozen=True)
class MatchConsent:
    match_id: int
    side: str  # "need" or "offer"
    shared: bool  # both sides have now said yes


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
