"""Gather the fact groups a command's spec names, inside the message's transaction.

One loader per fact group (domain/facts.py), keyed by its type: a spec that names a group
gets it, and a group without a loader fails the registry test, not a volunteer's message.
Loaders only read; whatever must be created is decided by the core and written by an effect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.addressing import may_address
from hubbot.domain.commands import Command, CommandId
from hubbot.domain.context import Context
from hubbot.domain.facts import (
    AlertStatusFacts,
    AnswerFacts,
    BoardFacts,
    FigureFacts,
    LinkFacts,
    MatchFacts,
    NamedHub,
    NewPerson,
    Numbers,
    RelayFacts,
    RosterFacts,
    RoundFacts,
    TargetFacts,
    TemplateFacts,
)
from hubbot.domain.models import Hub, Person
from hubbot.domain.playbook import Playbook
from hubbot.domain.registry import REGISTRY, parse
from hubbot.security import verify_pin
from hubbot.service import answer_facts, board_facts, link_facts
from hubbot.service.board_facts import contact_of
from hubbot.service.named import find_person, numbered
from hubbot.store import alerts, cap_alerts, hubs, items, people, schedule, situation
from hubbot.store.conn import Conn


@dataclass(frozen=True)
class Lookup:
    playbooks: Mapping[str, Playbook]
    region: str
    timezone: str
    templates: frozenset[str] = frozenset()  # broadcast template ids: 'boil_water'


@dataclass(frozen=True)
class Gathering:
    """What every loader may look at: the message, its sender and hub, and the store."""

    conn: Conn
    cmd: Command
    sender: Person
    hub: Hub | None
    now: datetime
    lookup: Lookup
    group_chat: int | None = None


async def build(
    conn: Conn,
    cmd: Command,
    sender: Person,
    hub: Hub | None,
    now: datetime,
    lookup: Lookup,
    group_chat: int | None = None,
    address: str = "",
) -> Context:
    """The Context for `cmd`, with exactly the fact groups its spec names."""
    spec = REGISTRY.spec(cmd.name)
    gathering = Gathering(conn, cmd, sender, hub, now, lookup, group_chat)
    facts = {kind: await LOADERS[kind](gathering) for kind in spec.facts}
    return Context(
        now=now,
        sender=sender,
        hub=hub,
        coordinators=await people.coordinators(conn),
        group_chat=group_chat,
        sender_hubs=await people.hubs_of(conn, sender.id),
        sender_contact=contact_of(address),
        timezone=lookup.timezone,
        facts=facts,
    )


async def addressed_hub(
    conn: Conn, code: str, sender: Person, playbooks: Mapping[str, Playbook]
) -> Hub | None:
    """The hub 'CODE: ...' names, if the sender may act in it (domain/addressing.py): None for
    an unknown code and for someone else's hub alike."""
    record = await hubs.by_code(conn, code)
    if record is None:
        return None
    hub = await hubs.load(conn, record, playbooks)
    return hub if may_address(sender, hub) else None


async def named_command(
    conn: Conn,
    text: str,
    cmd: Command,
    sender: Person,
    current: Hub | None,
    playbooks: Mapping[str, Playbook],
) -> tuple[Command, Hub | None]:
    """'PLATEAU: BESOINS' acts in the hub named, if the sender may (domain/addressing.py).

    Otherwise staff and coordinators are told no hub of theirs has that code, the same for
    an unknown code and for a hub that is not theirs. A volunteer's text is read as if it
    had no prefix, as it always was: 'Attention: fait froid ici' is a message, not a code."""
    assert cmd.hub_code is not None
    named = await addressed_hub(conn, cmd.hub_code, sender, playbooks)
    if named is not None:
        return parse(text, named.playbook), named
    if sender.is_coordinator or await people.holds_a_role(conn, sender.id):
        return cmd, None
    return parse(text, current.playbook if current else None, named=False), current


async def _named_hub(g: Gathering) -> NamedHub:
    parts = g.cmd.args.split()
    record = await hubs.by_code(g.conn, parts[0]) if parts else None
    if record is None:
        return NamedHub()
    # scrypt is slow on purpose: only where the core will read the answer.
    in_group = g.cmd.name is CommandId.LINK and g.group_chat is not None
    needs_pin = g.cmd.name is CommandId.ACTIVATE or in_group
    valid = needs_pin and len(parts) == 2 and verify_pin(parts[1], record.pin_hash)
    return NamedHub(await hubs.load(g.conn, record, g.lookup.playbooks), valid)


async def _target(g: Gathering) -> TargetFacts:
    if g.cmd.person is None or g.hub is None:
        return TargetFacts()
    person, address = await find_person(g.conn, g.cmd.person, g.lookup.region)
    if person is None:
        if address is None:
            return TargetFacts()
        new = NewPerson(await people.next_id(g.conn), address, g.hub.locale)
        return TargetFacts(new=new)
    return TargetFacts(person, hubs=await people.hubs_of(g.conn, person.id))


async def _numbers(g: Gathering) -> Numbers:
    return Numbers(await items.next_numbers(g.conn))


async def _roster(g: Gathering) -> RosterFacts:
    if g.hub is None:
        return RosterFacts()
    # Role holders nothing reaches count as absent (domain/reach.py): one query for all.
    cut = await hubs.cut_off(g.conn, g.hub.id)
    holders = {pid for ids in g.hub.roster.values() for pid in ids}
    labels = {**cut.labels, **await people.labels(g.conn, holders)}
    return RosterFacts(labels, cut.reasons, cut.told)


async def _relay(g: Gathering) -> RelayFacts:
    return await board_facts.relay(g.conn, g.cmd, g.now, g.lookup.playbooks)


async def _figures(g: Gathering) -> FigureFacts:
    if g.hub is None:
        return FigureFacts()
    return FigureFacts(await situation.figures(g.conn, g.hub.id, g.now))


async def _alert_status(g: Gathering) -> AlertStatusFacts:
    """B5 (or 5): a broadcast; A3: an official alert, over every hub it was relayed to."""
    official = numbered(r"[aA](\d+)", g.cmd.args)
    if official is not None:
        return AlertStatusFacts(await cap_alerts.status(g.conn, official))
    number = numbered(r"[bB]?(\d+)", g.cmd.args)
    return AlertStatusFacts(await alerts.status(g.conn, number) if number is not None else None)


async def _rounds(g: Gathering) -> RoundFacts:
    if g.hub is None:
        return RoundFacts()
    # An open check-in ask follows the role to whoever holds it after the change.
    return RoundFacts(tuple(await schedule.open_rounds(g.conn, g.hub.id)))


async def _templates(g: Gathering) -> TemplateFacts:
    return TemplateFacts(g.lookup.templates)


async def _board(g: Gathering) -> BoardFacts:
    return await board_facts.load(g.conn, g.cmd, g.sender, g.hub, g.now)


async def _matches(g: Gathering) -> MatchFacts:
    return await board_facts.match(g.conn, g.sender)


async def _answers(g: Gathering) -> AnswerFacts:
    return await answer_facts.load(g.conn, g.cmd, g.sender.id, g.now)


async def _links(g: Gathering) -> LinkFacts:
    if g.group_chat is not None:
        return LinkFacts()  # /link in a group links the group, with the hub's PIN
    if g.cmd.name is CommandId.LINK_CONFIRM:
        return await link_facts.confirming(g.conn, g.cmd, g.sender, g.now)
    return await link_facts.requesting(g.conn, g.cmd, g.sender, g.now, g.lookup.region)


Loader = Callable[[Gathering], Awaitable[object]]
LOADERS: dict[type, Loader] = {
    NamedHub: _named_hub,
    TargetFacts: _target,
    Numbers: _numbers,
    RosterFacts: _roster,
    BoardFacts: _board,
    RelayFacts: _relay,
    MatchFacts: _matches,
    AnswerFacts: _answers,
    LinkFacts: _links,
    FigureFacts: _figures,
    AlertStatusFacts: _alert_status,
    RoundFacts: _rounds,
    TemplateFacts: _templates,
}
