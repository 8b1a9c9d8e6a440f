"""Commands from the console, sent through the journal as the account's own person, so the
same core `decide` answers them as it answers a text.

A console account acts as a person of its own, made on its first action, whose address is
'console:<username>' and whose name is the username (so the activity log names the account).
A coordinator account's person is a coordinator; a lead account's person acts only once it
holds a role in its hub, and the core checks the rest as for anyone."""

from __future__ import annotations

import secrets

from hubbot.channels.base import InboundMessage, Ingest
from hubbot.channels.console import console_address
from hubbot.clock import Clock
from hubbot.store import people
from hubbot.store.accounts import Account
from hubbot.store.conn import Store
from hubbot.store.console_replies import holds_role_in


async def send(
    db: Store,
    clock: Clock,
    ingest: Ingest,
    account: Account,
    hub_id: int,
    hub_code: str | None,
    text: str,
    locale: str,
) -> int | None:
    """Send `text` to `hub_code` as the account's person. None once sent; else the person's id,
    who may not act here until they hold a role in the hub.

    `hub_code` None: the command names its hub itself (ACTIVATE CODE PIN, whose PIN is its
    authority: the core reads no `CODE:` prefix before it), so it goes as written."""
    address = console_address(account.username)
    async with db.transaction() as conn:
        person = await people.by_address(conn, address)
        if person is None:
            person = await people.create(conn, address, locale, clock.now())
        if person.name != account.username:
            await people.set_fields(conn, person.id, name=account.username)
        coordinator = account.role == "coordinator"
        if person.is_coordinator != coordinator:
            await people.set_coordinator(conn, person.id, coordinator)
        if hub_code and not coordinator and not await holds_role_in(conn, person.id, hub_id):
            return person.id
    body = f"{hub_code}: {text}" if hub_code else text
    message = InboundMessage("console", f"C{secrets.token_hex(8)}", address, body)
    await ingest(message)
    return None
