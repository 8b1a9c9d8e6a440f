"""What a person can do here: the commands their roles may use (AIDE), one command's usage
line (AIDE BESOINS), the keyword a reader of either language is shown for a command, and
when 'AIDE <words>' is no question about commands at all ('AIDE FEU', 'aide alimentaire').

Everything is read from the registry's specs (their `help=` and `permission=`) and the
permission table, so a new command, or a role given a new permission, shows up by itself.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import TYPE_CHECKING, cast

from hubbot.domain.commands import Command, CommandId, CommandIndex, CommandSpec
from hubbot.domain.facts import AnswerFacts
from hubbot.domain.messages import Joined, Param
from hubbot.domain.models import Hub, Person
from hubbot.domain.permissions import is_permitted, is_staff
from hubbot.domain.playbook import LocalText
from hubbot.domain.text import fold

if TYPE_CHECKING:
    from hubbot.domain.context import Context


def index_of(ctx: Context) -> CommandIndex:
    """The commands there are (domain/registry.py), as `decide` passed them in the Context."""
    if ctx.commands is None:
        raise LookupError("no command index in the context: decide() passes the registry")
    return cast(CommandIndex, ctx.commands)


def word(index: CommandIndex, command: CommandId) -> LocalText:
    """The command's keyword in each language: 'ARRIVEE' / 'ARRIVE'."""
    return index.spec(command).shown


def find(index: CommandIndex, text: str) -> CommandSpec | None:
    """The command a typed word names ('besoins', '/Besoins', 'JUMELER.'), if it has help."""
    typed = fold(text.strip().lstrip("/").split("@", 1)[0].rstrip(".!?,;:"))
    found = index.whole.get(typed) or index.words.get(typed)
    if found is None or found[0].help is None:
        return None
    return found[0]


def near(index: CommandIndex, text: str) -> bool:
    """Whether a typed word is close to a command word: 'JUMELLER', 'besoinss'."""
    typed = fold(text.strip().lstrip("/"))
    words = [w for w in index.reserved if len(w) >= 3]
    return len(typed) >= 3 and bool(get_close_matches(typed, words, n=1, cutoff=0.8))


def may_use(spec: CommandSpec, person: Person, hub: Hub | None) -> bool:
    """Whether AIDE lists the command for this person in this hub (None: in no hub)."""
    return spec.help is not None and bool(spec.help.rank) and permits(spec, person, hub)


def permits(spec: CommandSpec, person: Person, hub: Hub | None) -> bool:
    """Whether the person may use the command there, as its spec and help say."""
    shown = spec.help
    action = (shown.action if shown else None) or spec.permission
    staff = shown is not None and shown.staff
    if hub is None:
        # In no hub: what needs none; a coordinator may also do staff work there (DIFFUSER TOUS).
        return not spec.hub and ((action is None and not staff) or person.is_coordinator)
    if staff:
        return is_staff(person, hub)
    return action is None or is_permitted(person, hub, action)


def commands_for(index: CommandIndex, person: Person, hub: Hub | None) -> tuple[CommandSpec, ...]:
    """The commands AIDE lists for a person: everyone's first, then their roles'."""
    specs = [spec for spec in index.specs.values() if may_use(spec, person, hub)]
    return tuple(sorted(specs, key=lambda spec: spec.help.rank if spec.help else 0))


def listed(index: CommandIndex, person: Person, hub: Hub | None) -> Param:
    """The keywords of those commands, on one line, in the reader's language."""
    return Joined(tuple(spec.shown for spec in commands_for(index, person, hub)))


def _typed(cmd: Command) -> str:
    """The message as typed, near enough: AIDE or HELP (the keyword's language), then the rest."""
    keyword = "aide" if cmd.locale == "fr" else "help"
    return f"{keyword.upper() if cmd.args.isupper() else keyword} {cmd.args}"


def about_commands(cmd: Command, ctx: Context) -> bool:
    """Whether 'AIDE <word>' asks about a command: a command word ('AIDE BESOINS'), or an
    unknown word typed like one ('AIDE XYZ') or close to one ('AIDE JUMELLER'). Never a cry
    for help, an answer to a roll call or check-in waiting for one, or a request a person
    should read ('aide alimentaire', 'HELP WATER')."""
    hub = ctx.hub
    if hub is None:
        return True
    text = _typed(cmd)
    facts = ctx.of(AnswerFacts)
    # As in answering.py: any text answers a roll call or check-in still waiting for one.
    waiting = (facts.rollcall is not None and facts.rollcall.answer is None) or (
        facts.open_ask is not None and facts.open_ask.state == "waiting"
    )
    if hub.playbook.is_life_safety(text) or waiting:
        return False
    if find(index_of(ctx), cmd.args) is not None:
        return True
    word = cmd.args.strip(" .!?,;:")
    if not (word.isupper() or near(index_of(ctx), word)):
        return False
    return not (hub.playbook.categorise(text) or hub.playbook.match_intent(text))


def as_text(cmd: Command, ctx: Context) -> Command:
    """AIDE + words that are no question about commands, read as the text it is."""
    text = _typed(cmd)
    found = ctx.hub.playbook.match_intent(text) if ctx.hub else None
    if found is None:
        return Command(CommandId.TEXT, args=text)
    return Command(CommandId.INTENT, args=text, locale=found[1], intent=found[0])
