"""Every command's spec in one table: parsing, deciding, gathering and menus all read it.

Feature modules own their specs (`SPECS` in each); this module only collects them, and
refuses at import a keyword claimed twice, so two tables can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from hubbot.domain import (
    answering,
    board,
    broadcast,
    hub_admin,
    linking,
    matching,
    opening,
    personal,
    rollcall,
    routing,
    situation,
    team,
)
from hubbot.domain.commands import Command, CommandId, CommandSpec, Menu
from hubbot.domain.playbook import Playbook
from hubbot.domain.text import fold


class Registry:
    def __init__(self, specs: Iterable[CommandSpec]) -> None:
        self.specs: dict[CommandId, CommandSpec] = {}
        self.whole: dict[str, tuple[CommandSpec, str | None]] = {}
        self.words: dict[str, tuple[CommandSpec, str | None]] = {}
        for spec in specs:
            if spec.id in self.specs:
                raise ValueError(f"command {spec.id} registered twice")
            self.specs[spec.id] = spec
            for table, words in ((self.whole, spec.whole), (self.words, spec.words)):
                for word, locale in words.items():
                    if word in table:
                        raise ValueError(f"{word!r} claimed by {table[word][0].id} and {spec.id}")
                    table[word] = (spec, locale)

    def spec(self, command: CommandId) -> CommandSpec:
        return self.specs[command]

    @property
    def reserved(self) -> frozenset[str]:
        """Words a playbook may not take for its own intents."""
        return frozenset([*self.whole, *self.words])

    def menu(self) -> tuple[Menu, ...]:
        menus = [spec.menu for spec in self.specs.values() if spec.menu is not None]
        return tuple(sorted(menus, key=lambda menu: menu.rank))

    def names_hub(self, command: CommandId) -> bool:
        """Whether a leading `CODE:` may name the hub this command acts in."""
        spec = self.specs[command]
        return (spec.hub or command in _NAMED_ALSO) and command not in _NEVER_NAMED

    def parse(self, text: str, playbook: Playbook | None, named: bool = True) -> Command:
        """Classify a message: whole-message word, command, playbook intent, or free text.

        'PLATEAU: BESOINS' is the command BESOINS about hub PLATEAU, but only when what follows
        the colon is a command that acts in a hub: 'Note: the water is off' stays free text.
        The core cannot know which codes exist; the service looks the code up. `named=False`
        reads the text as if it had no such prefix."""
        stripped = " ".join(text.split())
        if named and (prefix := _HUB_PREFIX.fullmatch(stripped)):
            cmd = self.parse(prefix.group(2), playbook, named=False)
            if self.names_hub(cmd.name):
                return replace(cmd, hub_code=prefix.group(1).upper())
        if not stripped:
            return Command(CommandId.EMPTY)  # an MMS with no text, or a stray blank SMS
        whole = _keyword(stripped).rstrip(".!") if " " not in stripped else ""
        if whole in self.whole:
            spec, locale = self.whole[whole]
            args = whole if spec.id is CommandId.SHORT_ANSWER else ""
            return Command(spec.id, args=args, locale=locale)
        head, _, rest = stripped.partition(" ")
        head, rest = _keyword(head), rest.strip()
        if head in self.words:
            spec, locale = self.words[head]
            if spec.arguments is None or re.fullmatch(spec.arguments, rest):
                cmd = Command(spec.id, args=rest, locale=locale)
                return spec.read(cmd, playbook) if spec.read else cmd
        if playbook is not None and (found := playbook.match_intent(stripped)):
            intent, locale = found
            return Command(CommandId.INTENT, args=stripped, locale=locale, intent=intent)
        return Command(CommandId.TEXT, args=stripped)


# A hub code as `hubbot hub add` allows it (2 to 16 letters, digits or dashes), then a colon,
# with or without spaces around it ('plateau : needs').
_HUB_PREFIX = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]{1,15}) ?: ?(\S.*)")
# Commands that act in a hub may name it; so may BROADCAST and MOI. Never NEED and OFFER:
# 'Urgent: need insulin' is a cry for help from anyone, not a hub code.
_NAMED_ALSO = frozenset({CommandId.BROADCAST, CommandId.WHOAMI})
_NEVER_NAMED = frozenset({CommandId.NEED, CommandId.OFFER})


def _keyword(word: str) -> str:
    """'/Besoin@hubbot' -> 'besoin': Telegram's slash forms are the keywords themselves."""
    if word.startswith("/"):
        word = word[1:].split("@", 1)[0]
    return fold(word)


REGISTRY = Registry(
    [
        *personal.SPECS,
        *opening.SPECS,
        *hub_admin.SPECS,
        *team.SPECS,
        *linking.SPECS,
        *answering.SPECS,
        *board.SPECS,
        *matching.SPECS,
        *situation.SPECS,
        *routing.SPECS,
        *broadcast.SPECS,
        *rollcall.SPECS,
    ]
)
RESERVED_WORDS = REGISTRY.reserved


def parse(text: str, playbook: Playbook | None, named: bool = True) -> Command:
    return REGISTRY.parse(text, playbook, named)
