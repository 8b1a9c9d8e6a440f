"""`hubbot coordinator add|list|remove`: who hears when hubs open and close, and may act on any."""

from __future__ import annotations

import sys
from typing import TextIO

from hubbot.addresses import parse_address
from hubbot.cli.console import Commands, UsageError, command, log, now, person_named, store
from hubbot.domain.playbook import LOCALES
from hubbot.settings import Settings
from hubbot.store import people

ADDRESS_HELP = "+15145550101, sms:+15145550101, telegram:<id>, or a member number like M12"


def register(commands: Commands) -> None:
    coord = command(commands, "coordinator", None, help="regional coordinators")
    actions = coord.add_subparsers(dest="action", required=True)
    add = command(
        actions,
        "add",
        lambda s, a: coordinator_add(s, a.address, a.locale),
        help="make an address a coordinator",
    )
    add.add_argument("address", help="+15145550101, sms:+15145550101 or telegram:<id>")
    add.add_argument("--locale", choices=LOCALES)
    command(
        actions,
        "list",
        lambda s, a: coordinator_list(s),
        help="the coordinators, with their addresses",
    )
    remove = command(
        actions,
        "remove",
        lambda s, a: coordinator_remove(s, a.address),
        help="a coordinator is one no more (their hubs and roles stay)",
    )
    remove.add_argument("address", help=ADDRESS_HELP)


async def coordinator_add(
    settings: Settings, address_text: str, locale: str | None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    try:
        address = parse_address(address_text, settings.default_region)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    async with store(settings) as db, db.transaction() as conn:
        at = now()
        person = await people.by_address(conn, address)
        if person is None:
            person = await people.create(conn, address, locale or settings.default_locale, at)
        if not person.is_coordinator:
            await people.set_coordinator(conn, person.id)
            await log(conn, None, "coordinator_added", f"M{person.id}", at)
    print(
        f"{address} (M{person.id}) is a coordinator: they hear when hubs open and close.", file=out
    )
    return 0


async def coordinator_list(settings: Settings, out: TextIO | None = None) -> int:
    """One line per coordinator: member number, name, language, then every address."""
    out = out or sys.stdout
    async with store(settings) as db:
        found = await people.coordinators(db.conn)
        addresses = {c.id: await people.addresses_of(db.conn, c.id) for c in found}
    if not found:
        print("No coordinators yet. Add one: hubbot coordinator add +15145550101", file=out)
    for person in found:
        where = ", ".join(a.address for a in addresses[person.id]) or "no address"
        opted_out = "  (sent STOP: hears nothing)" if person.opted_out else ""
        print(f"{person.label:<24} {person.locale}  {where}{opted_out}", file=out)
    return 0


async def coordinator_remove(settings: Settings, named: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    async with store(settings) as db, db.transaction() as conn:
        person = (await person_named(conn, named, settings.default_region)).person
        if not person.is_coordinator:
            raise UsageError(f"M{person.id} is not a coordinator; see `hubbot coordinator list`")
        await people.set_coordinator(conn, person.id, False)
        await log(conn, None, "coordinator_removed", f"M{person.id}", now())
    print(
        f"M{person.id} is no longer a coordinator: they stop hearing when hubs open and close;"
        " their hubs and roles stay.",
        file=out,
    )
    return 0
