"""What a command is: its id, the parsed message, and the spec a feature module registers.

A `CommandSpec` says everything about one command in one place: its fr/en keywords (which are
also its Telegram slash forms), how its arguments are read, whether it needs a hub and which
permission, the fact groups the service must gather, and its handler. domain/registry.py
collects the specs; parsing, deciding, gathering and the Telegram menus all read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from hubbot.domain.permissions import Action
from hubbot.domain.playbook import Intent, LocalText, Playbook, Role

if TYPE_CHECKING:
    from hubbot.domain.context import Context
    from hubbot.domain.effects import Outcome


class CommandId(StrEnum):
    EMPTY = "empty"
    HELP = "help"
    STOP = "stop"
    START = "start"
    LANG = "lang"
    NAME = "name"
    JOIN = "join"
    WHOAMI = "whoami"
    ACTIVATE = "activate"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    ROLES = "roles"
    CLOSE = "close"
    HANDOVER = "handover"
    LINK = "link"
    LINK_CONFIRM = "link_confirm"
    RELAY = "relay"
    ACK = "ack"
    YES = "yes"
    SHORT_ANSWER = "short_answer"
    LIST_NEEDS = "list_needs"
    LIST_OFFERS = "list_offers"
    MORE = "more"
    MATCH = "match"
    DONE = "done"
    CANCEL = "cancel"
    CAT = "cat"
    EXPIRE = "expire"
    ARRIVE = "arrive"
    LEAVE = "leave"
    ONSITE = "onsite"
    LIFELINE = "lifeline"
    SITREP = "sitrep"
    BROADCAST = "broadcast"
    ALERTSTATUS = "alertstatus"
    ROLLCALL = "rollcall"
    CHECKIN = "checkin"
    NEED = "need"
    OFFER = "offer"
    INTENT = "intent"
    TEXT = "text"


_MEMBER = re.compile(r"^m(\d+)$", re.IGNORECASE)
_USERNAME = re.compile(r"^@([A-Za-z0-9_]{3,32})$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")


@dataclass(frozen=True)
class PersonRef:
    """How a lead names someone: a member number, a Telegram @username or a phone number."""

    kind: str  # "member", "username" or "phone"
    value: str


def person_ref(text: str) -> PersonRef | None:
    text = text.strip()
    if m := _MEMBER.match(text):
        return PersonRef("member", m.group(1))
    if m := _USERNAME.match(text):
        return PersonRef("username", m.group(1).lower())
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
        return PersonRef("phone", text)
    return None


@dataclass(frozen=True)
class Command:
    """A parsed message: which command, its argument text, and what the arguments named."""

    name: CommandId
    args: str = ""
    locale: str | None = None  # the language the keyword revealed, if it did
    intent: Intent | None = None
    person: PersonRef | None = None
    person_text: str = ""
    role: Role | None = None
    role_text: str = ""
    # 'PLATEAU: BESOINS' names the hub it is about; the service finds the hub (or none).
    hub_code: str | None = None


Handler = Callable[[Command, "Context", "Outcome"], None]
# Reads a command's arguments further, with the hub's playbook (e.g. which words are a role).
ArgReader = Callable[[Command, "Playbook | None"], Command]


@dataclass(frozen=True)
class Menu:
    """A command's line in the Telegram menu: its slash word in each language, the key of its
    description, and its place (a newcomer's commands first, STOP last)."""

    key: str
    fr: str
    en: str
    rank: int

    def word(self, locale: str) -> str:
        return self.fr if locale == "fr" else self.en


@dataclass(frozen=True)
class Help:
    """How AIDE/HELP presents a command: the key of its usage line (AIDE BESOINS), its place
    in a person's list of commands (0: explained, never listed), and whom the list shows it
    to when the handler, not the spec, checks the permission: those the action permits, or
    `staff` (anyone holding a role). Otherwise the spec's permission decides, or everyone."""

    key: str
    rank: int = 0
    action: Action | None = None
    staff: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """One command, registered once by the feature module that owns it."""

    id: CommandId
    handler: Handler
    # Keywords -> the language each reveals (None: both). `whole` words are the entire
    # message (STOP, AIDE, OK); `words` start a message and take arguments (BESOIN eau).
    whole: Mapping[str, str | None] = field(default_factory=dict)
    words: Mapping[str, str | None] = field(default_factory=dict)
    arguments: str | None = None  # a regex the arguments must match for this spec to apply
    read: ArgReader | None = None
    hub: bool = False  # needs the sender's hub; without one the reply is `no_hub`
    no_hub: str = "error.no_hub"
    permission: Action | None = None  # checked in that hub before the handler runs
    facts: tuple[type, ...] = ()  # fact groups (domain/facts.py) the service gathers first
    menu: Menu | None = None
    help: Help | None = None

    @property
    def keywords(self) -> tuple[str, ...]:
        return (*self.whole, *self.words)

    def word(self, locale: str) -> str:
        """The keyword a reader of `locale` is shown: the menu's, else one of their language,
        else one of both ('ARRIVEE' / 'ARRIVE', 'ARRET' / 'STOP', 'CAT')."""
        if self.menu is not None:
            return self.menu.word(locale).upper()
        words = {**self.whole, **self.words}
        mine = [w for w, lc in words.items() if lc == locale]
        either = [w for w, lc in words.items() if lc is None]
        return next(iter(mine or either or list(words)), self.id.value).upper()

    @property
    def shown(self) -> LocalText:
        """The keyword in each language, rendered in the reader's."""
        return LocalText(fr=self.word("fr"), en=self.word("en"))


def read_person(cmd: Command, playbook: Playbook | None) -> Command:
    """LINK +1 514 555 0101, LINK @ana: whom the words name."""
    return Command(cmd.name, cmd.args, cmd.locale, person=person_ref(cmd.args))


def read_person_and_role(cmd: Command, playbook: Playbook | None) -> Command:
    """'ASSIGN 514 555 0101 needs offers': the role is the longest known suffix."""
    tokens = cmd.args.split()
    if len(tokens) < 2:
        return cmd
    for i in range(1, len(tokens)):
        role_text = " ".join(tokens[i:])
        role = playbook.find_role(role_text) if playbook else None
        if role is not None:
            return _with_person(cmd, " ".join(tokens[:i]), role_text, role)
    return _with_person(cmd, " ".join(tokens[:-1]), tokens[-1])


def read_role_and_person(cmd: Command, playbook: Playbook | None) -> Command:
    """'HANDOVER needs offers 514 555 0101': the role is the longest known prefix."""
    tokens = cmd.args.split()
    for i in range(len(tokens) - 1, 0, -1):
        role_text = " ".join(tokens[:i])
        role = playbook.find_role(role_text) if playbook else None
        if role is not None:
            return _with_person(cmd, " ".join(tokens[i:]), role_text, role)
    if len(tokens) < 2:
        return cmd
    return _with_person(cmd, " ".join(tokens[1:]), tokens[0])


def _with_person(
    cmd: Command, person_text: str, role_text: str, role: Role | None = None
) -> Command:
    return Command(
        cmd.name,
        cmd.args,
        cmd.locale,
        person=person_ref(person_text),
        person_text=person_text,
        role=role,
        role_text=role_text,
    )


class CommandIndex(Protocol):
    """What the core reads of the registry while it decides (help lists, a command's keyword in
    the reader's language). domain/registry.py's `Registry` is one; `decide` passes it in the
    Context, so the feature modules never import the registry that imports them."""

    @property
    def specs(self) -> Mapping[CommandId, CommandSpec]: ...

    @property
    def whole(self) -> Mapping[str, tuple[CommandSpec, str | None]]: ...

    @property
    def words(self) -> Mapping[str, tuple[CommandSpec, str | None]]: ...

    @property
    def reserved(self) -> frozenset[str]: ...

    def spec(self, command: CommandId) -> CommandSpec: ...
