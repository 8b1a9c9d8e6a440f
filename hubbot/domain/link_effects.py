"""The effects of linking: a Telegram group made a hub's team group, LINK codes asked and failed,
and two addresses' people merged into one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
