"""What the core says: message keys with parameters, addressed to people, in a priority lane."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Union

from hubbot.domain.playbook import LocalText


class Priority(StrEnum):
    """Delivery lanes, in the order they go: a lane never waits behind a later one.

    URGENT is one person's life-safety message (a 911 reply, an alert to the lead); ALERT is an
    urgent message to many (an URGENT broadcast, a roll call), which must not hold back the
    first; NORMAL is replies; BULK is ordinary broadcasts.
    """

    URGENT = "urgent"
    ALERT = "alert"
    NORMAL = "normal"
    BULK = "bulk"


# A parameter is plain text or a number, a text given in both languages, a nested message
# rendered in the same language, or a sequence of those rendered one per line.
Param = Union[str, int, LocalText, "Msg", tuple["Param", ...], "Joined"]


@dataclass(frozen=True)
class Joined:
    """Parameters rendered on one line, joined by `sep` (a tuple renders one per line)."""

    items: tuple[Param, ...]
    sep: str = ", "


@dataclass(frozen=True)
class Msg:
    """A message key (a gettext msgid) and its parameters; rendered per recipient language."""

    key: str
    params: dict[str, Param] = field(default_factory=dict)
    count: int | None = None  # selects the plural form when set


@dataclass(frozen=True)
class Button:
    """A one-tap answer: its label, and the command text a tap sends back (e.g. 'LANG FR')."""

    label: Msg
    command: str


@dataclass(frozen=True)
class Confirm:
    """What an alert asks its recipient to confirm with OK (or the button): recorded with the
    message, so their OK confirms this and nothing else."""

    # life_safety | rollcall_help | checkin_help | checkin_silent | call_for_help | hub_status
    kind: str
    label: str  # what it is about, as people see it: "N7", "M12", "DEMO"
    subject_id: int | None = None  # whom it is about: they are told who confirmed
    hub_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message for one person. Compliance messages reach people who opted out.

    `ack` asks the recipient to acknowledge it (a button on Telegram), and `confirm` says
    what their OK will confirm; `buttons` offer taps.
    """

    person_id: int
    msg: Msg
    priority: Priority = Priority.NORMAL
    compliance: bool = False
    ack: bool = False
    buttons: tuple[Button, ...] = ()
    rich: Msg | None = None  # a fuller form for channels with room for it (Telegram)
    confirm: Confirm | None = None
    about: str | None = None  # the hub code it is about, shown "[CODE] " if no SMS more


@dataclass(frozen=True)
class TeamMessage:
    """A message for a hub's team group (a linked Telegram group), in the hub's language."""

    hub_id: int
    msg: Msg
    priority: Priority = Priority.NORMAL
