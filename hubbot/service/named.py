"""What a command's words name in the store: a person, a board note, a numbered record."""

from __future__ import annotations

import re

from hubbot.addresses import sms_address
from hubbot.domain.commands import PersonRef
from hubbot.domain.models import BoardItem, ItemKind, Person
from hubbot.domain.numbers import parse_number
from hubbot.store import items, people
from hubbot.store.conn import Conn

_ITEM = re.compile(r"^\s*([NnOo])(\d+)\b")


async def find_person(conn: Conn, ref: PersonRef, region: str) -> tuple[Person | None, str | None]:
    """A named person, or (None, the SMS address they would have) for an unknown phone."""
    if ref.kind == "member":
        number = parse_number(ref.value)  # M99999999999999999999 is nobody, not an overflow
        return (await people.get(conn, number) if number is not None else None), None
    if ref.kind == "username":
        return await people.by_username(conn, ref.value), None
    address = sms_address(ref.value, region)
    if address is None:
        return None, None
    return await people.by_address(conn, address), address


async def named_item(conn: Conn, text: str) -> BoardItem | None:
    """The need or offer `text` starts with ('N12', 'o7:'), if there is one."""
    if not (m := _ITEM.match(text)):
        return None
    kind = ItemKind.NEED if m.group(1).upper() == "N" else ItemKind.OFFER
    number = parse_number(m.group(2))
    return await items.get(conn, kind, number) if number is not None else None


def numbered(pattern: str | re.Pattern[str], text: str) -> int | None:
    """The number in `text` when all of it matches `pattern` (its group 1 the digits); None when
    it does not, or when the number is too large to name anything (SQLite stops at 2**63)."""
    m = re.fullmatch(pattern, text.strip())
    return parse_number(m.group(1)) if m else None
