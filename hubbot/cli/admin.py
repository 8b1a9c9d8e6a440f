"""`hubbot hub ...` and `hubbot coordinator add`: set up hubs and people from the terminal."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from hubbot.addresses import normalize_phone, parse_address
from hubbot.domain.outbox_state import UNSENT, OutboxStatus
from hubbot.playbooks.loader import load_playbooks
from hubbot.security import hash_pin
from hubbot.settings import Settings
from hubbot.store import hubs, outbox, people
from hubbot.store.db import Database

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
_PIN = re.compile(r"^\S{4,32}$")


class UsageError(Exception):
    """A mistake on the command line, explained to the person who typed it."""


async def hub_add(
    settings: Settings,
    code: str,
    name: str,
    pin: str,
    locale: str | None,
    sms_number: str | None,
    playbook: str | None,
    out: TextIO = sys.stdout,
    address: str | None = None,
) -> None:
    code = code.upper()
    if not _CODE.match(code):
        raise UsageError(f"hub code {code!r}: use 2 to 16 letters, digits or dashes, like PLATEAU")
    if not _PIN.match(pin):
        raise UsageError("the PIN needs at least 4 characters and no spaces")
    number = None
    if sms_number:
        number = normalize_phone(sms_number, settings.default_region)
        if number is None:
            raise UsageError(f"{sms_number!r} is not a valid phone number; use E.164: +15145550100")
    playbook_id = playbook or settings.default_playbook
    known = load_playbooks(settings.playbooks_dir)
    if playbook_id not in known:
        raise UsageError(f"no playbook {playbook_id!r}; known: {', '.join(sorted(known))}")
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as conn:
            if await hubs.by_code(conn, code):
                raise UsageError(f"hub {code} already exists")
            if number and await hubs.by_sms_number(conn, number):
                raise UsageError(f"{number} is already another hub's number")
            hub_id = await hubs.create(
                conn,
                code,
                name,
                hash_pin(pin),
                locale or settings.default_locale,
                number,
                playbook_id,
                datetime.now(UTC),
            )
            if address:
                await hubs.set_address(conn, hub_id, address.strip()[:200])
    finally:
        await db.close()
    print(f"Hub {code} ({name}) added, closed until someone texts ACTIVATE {code} <PIN>.", file=out)


async def hub_list(settings: Settings, out: TextIO = sys.stdout) -> None:
    db = await Database.open(settings.database)
    try:
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
    finally:
        await db.close()


async def coordinator_add(
    settings: Settings, address_text: str, locale: str | None, out: TextIO = sys.stdout
) -> None:
    try:
        address = parse_address(address_text, settings.default_region)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as conn:
            person = await people.by_address(conn, address)
            if person is None:
                person = await people.create(
                    conn, address, locale or settings.default_locale, datetime.now(UTC)
                )
            await people.set_coordinator(conn, person.id)
    finally:
        await db.close()
    print(
        f"{address} (M{person.id}) is a coordinator: they hear when hubs open and close.", file=out
    )


async def outbox_list(settings: Settings, failed: bool, out: TextIO = sys.stdout) -> int:
    """What is waiting to go out, or (with --failed) what could not be sent and why."""
    statuses = (OutboxStatus.FAILED,) if failed else UNSENT
    db = await Database.open(settings.database)
    try:
        records = await outbox.listing(db, statuses, limit=1000)
    finally:
        await db.close()
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
            f"{r.created_at[:19]}  {text}",
            file=out,
        )
        if r.error:
            print(f"{'':>6} reason: {r.error}", file=out)
    print(f"{len(records)} message(s).", file=out)
    return 0
