"""Load the board facts: the open notes a list or a new note needs, the notes a command names,
and the match waiting for the sender's consent."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from hubbot.domain.commands import Command, CommandId
from hubbot.domain.facts import BoardFacts, MatchFacts
from hubbot.domain.models import BoardItem, Hub, ItemKind, Person
from hubbot.domain.notes import read_note
from hubbot.service.named import named_item
from hubbot.store import items, matches, people

Conn = aiosqlite.Connection
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
    return BoardFacts(board, named, list_kind, offset)


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
