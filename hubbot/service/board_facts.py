"""Load the board facts: the open notes a list or a new note needs, the notes a command names,
the match waiting for the sender's consent, and what an R names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from hubbot.domain.commands import Command, CommandId
from hubbot.domain.facts import BoardFacts, MatchFacts, RelayFacts, Routed
from hubbot.domain.models import BoardItem, Hub, ItemKind, Person
from hubbot.domain.notes import read_note
from hubbot.domain.numbers import parse_number
from hubbot.domain.playbook import Playbook
from hubbot.domain.relay import REPLY_WINDOW, member_ref
from hubbot.service.named import named_item
from hubbot.store import hubs, items, matches, people, routed
from hubbot.store.conn import Conn

SUGGESTION_POOL = 20  # candidates considered for a new note's suggestions
_LISTS = {CommandId.LIST_NEEDS: ItemKind.NEED, CommandId.LIST_OFFERS: ItemKind.OFFER}
_NEW_NOTES = (CommandId.NEED, CommandId.OFFER, CommandId.TEXT, CommandId.INTENT)
_NAMING = (CommandId.DONE, CommandId.CANCEL, CommandId.CAT, CommandId.EXPIRE, CommandId.MATCH)


async def load(
    conn: Conn, cmd: Command, sender: Person, hub: Hub | None, now: datetime
) -> BoardFacts:
    if hub is None:
        return BoardFacts()
    board: tuple[BoardItem, ...] = ()
    list_kind, offset = None, 0
    if cmd.name in _LISTS or cmd.name is CommandId.MORE:
        kind = _LISTS.get(cmd.name)
        if cmd.name is CommandId.MORE and sender.list_state:
            state = json.loads(sender.list_state)
            kind = ItemKind(state.get("kind") or "need")
            list_kind, offset = state.get("kind"), int(state.get("offset", 0))
        board = tuple(await items.open_items(conn, hub.id, now, kind))
    elif cmd.name in _NEW_NOTES:
        # A new note only needs its possible matches: the other kind, in its theme.
        category = hub.playbook.categorise(read_note(cmd.args).text)
        if category is not None:
            other = ItemKind.OFFER if cmd.name is CommandId.NEED else ItemKind.NEED
            kinds = list(ItemKind) if cmd.name in (CommandId.TEXT, CommandId.INTENT) else [other]
            found: list[BoardItem] = []
            for k in kinds:
                found += await items.open_items(
                    conn, hub.id, now, k, category.id, limit=SUGGESTION_POOL
                )
            board = tuple(found)
    named: dict[str, BoardItem] = {}
    for word in cmd.args.split()[:2] if cmd.name in _NAMING else ():
        if item := await named_item(conn, word):
            named[item.label] = item
            if cmd.name is CommandId.DONE and (matched := await matches.other_side(conn, item)):
                named[matched.label] = matched  # DONE on a matched need closes its offer too
    return BoardFacts(board, named, list_kind, offset)


async def relay(
    conn: Conn, cmd: Command, now: datetime, playbooks: Mapping[str, Playbook]
) -> RelayFacts:
    """R N12: the note, and its match's other note; R M6: the member, and their messages
    routed to a role lately, each with its hub as it is now (who holds what)."""
    first = cmd.args.split()[0] if cmd.args.split() else ""
    if (ref := member_ref(first)) is None:
        item = await named_item(conn, cmd.args)
        other = await matches.other_side(conn, item) if item else None
        return RelayFacts(item, other)
    number = parse_number(ref[1:])
    member = await people.get(conn, number) if number is not None else None
    if member is None:
        return RelayFacts()
    loaded: dict[int, Hub] = {}
    found: list[Routed] = []
    for hub_id, role_id, at in await routed.recent(conn, member.id, now - REPLY_WINDOW):
        if hub_id not in loaded and (record := await hubs.by_id(conn, hub_id)):
            loaded[hub_id] = await hubs.load(conn, record, playbooks)
        if hub_id in loaded:
            found.append(Routed(loaded[hub_id], role_id, at))
    return RelayFacts(member=member, routed=tuple(found))


async def match(conn: Conn, sender: Person) -> MatchFacts:
    pending = await matches.pending_for(conn, sender.id)
    if pending is None:
        return MatchFacts()
    contacts = {
        pid: contact_of(await people.preferred_address(conn, pid) or "")
        for pid in (pending.need.person_id, pending.offer.person_id)
    }
    return MatchFacts(pending, contacts)


def contact_of(address: str) -> str:
    """How a person can be reached, for the rare cases it may be shared."""
    if address.startswith("sms:"):
        return address[4:]
    if address.startswith("telegram:"):
        return f"Telegram {address[9:]}"
    return address
