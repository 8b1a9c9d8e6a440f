"""`hubbot hub ...` and `hubbot outbox`: set up, look at, re-key and close hubs."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Awaitable
from typing import TextIO

from hubbot.addresses import normalize_phone
from hubbot.cli.console import (
    Commands,
    UsageError,
    catalogs_and_playbooks,
    command,
    hub_named,
    local_time,
    log,
    now,
    store,
)
from hubbot.cli.hub_place import add_place_options, checked_place, describe_place, register_set
from hubbot.domain.outbox_state import UNSENT, OutboxStatus
from hubbot.domain.playbook import LOCALES
from hubbot.playbooks.loader import load_playbooks
from hubbot.security import hash_pin
from hubbot.settings import Settings
from hubbot.store import hubs, outbox, people
from hubbot.store.hubs import HubRecord

__all__ = ["UsageError", "register"]

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
_PIN = re.compile(r"^\S{4,32}$")
PIN_RULE = "the PIN needs 4 to 32 characters and no spaces, like 2468"


def _hub_close(settings: Settings, args: argparse.Namespace) -> Awaitable[int]:
    # Imported here: closing wires the service's outbound machinery (channels, SDK clients),
    # which would add a second to the start of every other command.
    from hubbot.cli import closing

    return closing.hub_close(settings, args.code)


def register(commands: Commands) -> None:
    """`hubbot hub add|list|show|set|set-pin|close` and `hubbot outbox`."""
    hub = command(commands, "hub", None, help="add, list, show, re-key or close hubs")
    actions = hub.add_subparsers(dest="action", required=True)
    add = command(actions, "add", _add, help="add a hub")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--pin", required=True, help="the PIN keyholders text to ACTIVATE")
    add.add_argument("--locale", choices=LOCALES)
    add.add_argument("--sms-number", help="the hub's own SMS number, E.164")
    add.add_argument("--playbook")
    add.add_argument("--address", help="where the hub is, e.g. '4500 rue Saint-Denis'")
    add_place_options(add)
    register_set(actions)
    command(actions, "list", lambda s, a: hub_list(s), help="list hubs")
    show = command(actions, "show", lambda s, a: hub_show(s, a.code), help="one hub in full")
    show.add_argument("code")
    set_pin = command(
        actions, "set-pin", lambda s, a: hub_set_pin(s, a.code, a.pin), help="a hub's new PIN"
    )
    set_pin.add_argument("code")
    set_pin.add_argument("--pin", required=True, help="the PIN keyholders text to ACTIVATE")
    close = command(
        actions,
        "close",
        _hub_close,
        help="close a hub as its lead would by text: coordinators and members are told",
    )
    close.add_argument("code")
    box = command(
        commands,
        "outbox",
        lambda s, a: outbox_list(s, a.failed),
        help="messages waiting to go out, or failed ones and why",
    )
    box.add_argument("--failed", action="store_true", help="list failed messages and reasons")


async def _add(settings: Settings, args: argparse.Namespace) -> int:
    await hub_add(
        settings,
        args.code,
        args.name,
        args.pin,
        args.locale,
        args.sms_number,
        args.playbook,
        address=args.address,
        place=checked_place(args.lat, args.lon, args.sgc),
    )
    return 0


async def hub_add(
    settings: Settings,
    code: str,
    name: str,
    pin: str,
    locale: str | None,
    sms_number: str | None,
    playbook: str | None,
    out: TextIO | None = None,
    address: str | None = None,
    place: tuple[float | None, float | None, str | None] = (None, None, None),
) -> None:
    out = out or sys.stdout
    code = code.upper()
    if not _CODE.match(code):
        raise UsageError(f"hub code {code!r}: use 2 to 16 letters, digits or dashes, like PLATEAU")
    if not _PIN.match(pin):
        raise UsageError(PIN_RULE)
    number = None
    if sms_number:
        number = normalize_phone(sms_number, settings.default_region)
        if number is None:
            raise UsageError(f"{sms_number!r} is not a valid phone number; use E.164: +15145550100")
    playbook_id = playbook or settings.default_playbook
    known = load_playbooks(settings.playbooks_dir)
    if playbook_id not in known:
        raise UsageError(f"no playbook {playbook_id!r}; known: {', '.join(sorted(known))}")
    async with store(settings) as db, db.transaction() as conn:
        if await hubs.by_code(conn, code):
            raise UsageError(f"hub {code} already exists")
        if number and await hubs.by_sms_number(conn, number):
            raise UsageError(f"{number} is already another hub's number")
        at = now()
        hub_id = await hubs.create(
            conn, code, name, hash_pin(pin), locale or settings.default_locale, number,
            playbook_id, at,
        )  # fmt: skip
        if address:
            await hubs.set_address(conn, hub_id, address.strip()[:200])
        await log(conn, hub_id, "hub_added", f"playbook {playbook_id}", at)
        lat, lon, sgc = place  # in the same transaction: a hub is added with it, or not at all
        if lat is not None or sgc is not None:
            await hubs.set_place(conn, hub_id, lat, lon, sgc)
            await log(conn, hub_id, "hub_set", describe_place(lat, lon, sgc), at)
    print(f"Hub {code} ({name}) added, closed until someone texts ACTIVATE {code} <PIN>.", file=out)
    if lat is not None or sgc is not None:
        print(f"Hub {code}: {describe_place(lat, lon, sgc)}.", file=out)


async def hub_list(settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    async with store(settings) as db:
        records = await hubs.all_hubs(db.conn)
        if not records:
            print("No hubs yet. Add one: hubbot hub add CODE --name NAME --pin PIN", file=out)
        for record in records:
            roster = await hubs.roster(db.conn, record.id)
            members = await hubs.members(db.conn, record.id)
            print(
                f"{record.code:<10} {record.status:<7} {record.locale}  "
                f"{record.sms_number or '-':<13} {len(members):>4} members  "
                f"{sum(len(v) for v in roster.values()):>3} roles held  {record.name}",
                file=out,
            )
    return 0


async def hub_show(settings: Settings, code: str, out: TextIO | None = None) -> int:
    """Everything an operator asks about one hub: status, where, who holds which role."""
    out = out or sys.stdout
    _, playbooks = catalogs_and_playbooks(settings)
    async with store(settings) as db:
        record = await hub_named(db.conn, code)
        roster = await hubs.roster(db.conn, record.id)
        members = await hubs.members(db.conn, record.id)
        labels = await people.labels(db.conn, {pid for ids in roster.values() for pid in ids})
    since = local_time(record.status_changed_at, settings.timezone)
    playbook = playbooks.get(record.playbook_id)
    held = sum(1 for ids in roster.values() if ids)
    lines = [
        f"{record.code}  {record.name}",
        f"  status     {record.status}{f' since {since}' if since else ''}",
        f"  playbook   {record.playbook_id}{'' if playbook else ' (not found!)'}",
        f"  language   {record.locale}",
        f"  SMS number {record.sms_number or '-'}",
        f"  address    {record.address or '- (life-safety replies name no place)'}",
        f"  location   {_where(record)}",
        f"  members    {len(members)}",
    ]
    roles = playbook.roles if playbook else ()
    lines.append(
        f"  roles      {held} held, {sum(1 for r in roles if not roster.get(r.id))} vacant"
    )
    for role in roles:
        ids = roster.get(role.id, ())
        who = ", ".join(labels.get(pid, f"M{pid}") for pid in ids)
        vacant = "VACANT (priority)" if role.priority else "vacant"
        lines.append(f"    {role.id:<16} {role.name.get(record.locale):<28} {who or vacant}")
    print("\n".join(lines), file=out)
    return 0


def _where(record: HubRecord) -> str:
    where = f"{record.lat:.4f}, {record.lon:.4f}" if record.lat is not None else ""
    where += f" SGC {record.sgc}" if record.sgc else ""
    where = where.strip() or "- (official alerts cannot reach it: hubbot hub set --lat --lon)"
    return where + ("  EXERCISE MODE" if record.exercise else "")


async def hub_set_pin(settings: Settings, code: str, pin: str, out: TextIO | None = None) -> int:
    """A new PIN for a hub (a lost one, or one that was shared too widely); logged, never shown."""
    out = out or sys.stdout
    if not _PIN.match(pin):
        raise UsageError(PIN_RULE)
    async with store(settings) as db, db.transaction() as conn:
        record = await hub_named(conn, code)
        await hubs.set_pin(conn, record.id, hash_pin(pin))
        await log(conn, record.id, "pin_changed", "by hubbot hub set-pin", now())
    print(
        f"Hub {record.code}: new PIN set; the old one no longer works."
        f" Keyholders text ACTIVATE {record.code} <PIN>.",
        file=out,
    )
    return 0


async def outbox_list(settings: Settings, failed: bool, out: TextIO | None = None) -> int:
    """What is waiting to go out, or (with --failed) what could not be sent and why."""
    out = out or sys.stdout
    statuses = (OutboxStatus.FAILED,) if failed else UNSENT
    async with store(settings) as db:
        records = await outbox.listing(db, statuses, limit=1000)
    if not records:
        print(
            "No failed messages." if failed else "Nothing waiting: the outbox is empty.", file=out
        )
        return 0
    for r in records:
        text = r.text.replace("\n", " ")
        text = text if len(text) <= 50 else text[:47] + "..."
        print(
            f"{r.id:>6} {r.status:<8} {r.priority:<6} {r.address:<22} tries={r.attempts:<2} "
            f"{local_time(r.created_at, settings.timezone)}  {text}",
            file=out,
        )
        if r.error:
            print(f"{'':>6} reason: {r.error}", file=out)
    print(f"{len(records)} message(s).", file=out)
    return 0
