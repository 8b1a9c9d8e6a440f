"""`hubbot person link|show`: an operator joins two addresses into one person, or looks one up.

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
from hubbot.cli.console import (
    Commands,
    UsageError,
    command,
    local_time,
    now,
    person_named,
    store,
)
from hubbot.domain.effects import LogActivity
from hubbot.settings import Settings
from hubbot.startup import load_store
from hubbot.store import activity, hubs, linking, people

HELP_LINK = (
    "make two addresses one person: the person at FIRST keeps their member number and gets "
    "SECOND with its hubs, roles and notes (no code is sent)"
)


HELP_SHOW = (
    "one person: member number, name, roles, hubs, language, opt-out and every address"
    " (phone numbers are shown here, on the operator's console, and in no text)"
)


def register(commands: Commands) -> None:
    """`hubbot person link FIRST SECOND` and `hubbot person show ADDRESS|M12`."""
    person = command(commands, "person", None, help="people's addresses")
    actions = person.add_subparsers(dest="action", required=True)
    link = command(actions, "link", _link, help=HELP_LINK)
    link.add_argument("first", help="+15145550101, sms:+15145550101 or telegram:<id>")
    link.add_argument("second", help="the other address of the same person")
    show = command(actions, "show", lambda s, a: person_show(s, a.who), help=HELP_SHOW)
    show.add_argument("who", metavar="ADDRESS|M12", help="an address or a member number")


async def _link(settings: Settings, args: argparse.Namespace) -> int:
    return await person_link(settings, args.first, args.second)


async def person_show(settings: Settings, who: str, out: TextIO | None = None) -> int:
    """Who someone is to hubbot, for the operator at the console (phone numbers included)."""
    async with store(settings) as db:
        found = await person_named(db.conn, who, settings.default_region)
        person = found.person
        addresses = await people.addresses_of(db.conn, person.id)
        held = await hubs.roles_held(db.conn, person.id)
        codes: dict[int, str] = {}
        for hub_id in sorted(await people.hubs_of(db.conn, person.id) | {h for h, _ in held}):
            record = await hubs.by_id(db.conn, hub_id)
            codes[hub_id] = record.code if record else f"hub {hub_id}"
    lines = [f"M{found.merged_from} was merged into M{person.id}:"] if found.merged_from else []
    lines.append(f"{person.label}{'  (coordinator)' if person.is_coordinator else ''}")
    lines.append(f"  language   {person.locale}")
    stopped = "yes: sent STOP, hears nothing until START" if person.opted_out else "no"
    lines.append(f"  opted out  {stopped}")
    several = len(codes) > 1
    shown = [
        f"{c}{' (current)' if several and h == person.hub_id else ''}" for h, c in codes.items()
    ]
    lines.append(f"  hubs       {', '.join(shown) or '-'}")
    roles = [f"{role_id} at {codes[hub_id]}" for hub_id, role_id in held]
    lines.append(f"  roles      {', '.join(roles) or '-'}")
    locked = person.pin_locked_until
    if locked and locked > now():
        lines.append(f"  PIN        locked until {local_time(locked, settings.timezone)}")
    lines.append("  addresses  (texts go to the first)" if len(addresses) > 1 else "  address")
    for a in addresses:
        seen = local_time(a.last_seen_at, settings.timezone)
        notes = [f"last wrote {seen}" if seen else "has not written yet"]
        if a.unreachable:
            notes.append("unreachable: the bot is blocked there")
        lines.append(f"    {a.address:<28} {'; '.join(notes)}")
    print("\n".join(lines), file=out or sys.stdout)
    return 0


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
    db = await load_store(settings)
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
