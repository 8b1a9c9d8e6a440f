"""`hubbot person link`: an operator makes two addresses one person, without a LINK code.

LINK by text sends codes only to addresses that have written to hubbot, and a coordinator's
or role holder's address must confirm itself. When that cannot work (a new phone that cannot
text yet, a lost phone, a coordinator set up before their first message), someone who has
checked in person runs this on the server instead.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from hubbot.addresses import channel_of, parse_address
from hubbot.cli.admin import UsageError
from hubbot.domain.effects import LogActivity
from hubbot.settings import Settings
from hubbot.store import activity, linking, people
from hubbot.store.db import Database

HELP_LINK = (
    "make two addresses one person: the person at FIRST keeps their member number and gets "
    "SECOND with its hubs, roles and notes (no code is sent)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `hubbot person link FIRST SECOND` to the command line."""
    person = sub.add_parser("person", help="people's addresses")
    actions = person.add_subparsers(dest="action", required=True)
    link = actions.add_parser("link", help=HELP_LINK)
    link.add_argument("first", help="+15145550101, sms:+15145550101 or telegram:<id>")
    link.add_argument("second", help="the other address of the same person")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    return await person_link(settings, args.first, args.second)


async def person_link(
    settings: Settings,
    first: str,
    second: str,
    out: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Join SECOND to the person at FIRST (or FIRST to the person at SECOND if only SECOND is
    known); an address nobody has is simply added, a known one's record is merged in."""
    try:
        addresses = [parse_address(first, settings.default_region)]
        addresses.append(parse_address(second, settings.default_region))
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if addresses[0] == addresses[1]:
        raise UsageError("give two different addresses")
    now = now or datetime.now(UTC)
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as conn:
            found = [await people.by_address(conn, a) for a in addresses]
            if found[0] is None and found[1] is not None:
                addresses.reverse()
                found.reverse()
            keep, other = found
            if keep is None:
                keep = await people.create(conn, addresses[0], settings.default_locale, now)
            if other is not None and other.id == keep.id:
                print(
                    f"{addresses[0]} and {addresses[1]} are already M{keep.id}.",
                    file=out or sys.stdout,
                )
                return 0
            if other is None:
                await people.add_address(conn, keep.id, addresses[1], None)
                done = f"{addresses[1]} is now an address of M{keep.id}"
                detail = f"new {channel_of(addresses[1])} address, by hubbot person link"
            else:
                await linking.merge(conn, keep.id, other.id, now)
                done = (
                    f"M{other.id} ({addresses[1]}) is merged into M{keep.id} ({addresses[0]}):"
                    f" its hubs, roles and notes are M{keep.id}'s now"
                )
                detail = f"M{other.id}, by hubbot person link"
            # The log names member numbers and channels, never a phone number or Telegram id.
            entry = LogActivity(keep.hub_id, keep.id, "operator", "accounts_linked", detail)
            await activity.append(conn, entry, now)
    finally:
        await db.close()
    print(f"{done}.", file=out or sys.stdout)
    return 0
