"""Actions from the hub page: each form becomes the chat command a person would type, sent
through the journal as the account's own person, so the same core `decide` answers it.

A console account acts as a person of its own, made on its first action, whose address is
'console:<username>' and whose name is the username (so the activity log names the account).
A coordinator account's person is a coordinator; a lead account's person acts only once it
holds a role in its hub (assign it with the CLI), and the core checks the rest as for anyone."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from hubbot.channels.base import InboundMessage, Ingest
from hubbot.channels.console import console_address
from hubbot.clock import Clock
from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import TOPICS
from hubbot.store import people
from hubbot.store.accounts import Account
from hubbot.store.console_replies import holds_role_in
from hubbot.store.db import Database

_MAX_STATE = 40
_TOKEN = re.compile(r"^[A-Za-z0-9+]{1,20}$")  # M12, N3, O7, a phone number without spaces
_MAX_HOW = 140


def command(action: str, form: Mapping[str, str], playbook: Playbook | None) -> str | None:
    """The command text for one form, or None if the form does not make one."""

    def token(name: str) -> str | None:
        value = form.get(name, "").strip().replace(" ", "")
        return value if _TOKEN.match(value) else None

    if action == "assign":
        person, role = token("person"), form.get("role", "")
        roles = {r.id for r in playbook.roles} if playbook else set()
        return f"ASSIGN {person} {role}" if person and role in roles else None
    if action == "done":
        need, how = token("need"), " ".join(form.get("how", "").split())[:_MAX_HOW]
        return f"DONE {need} {how}".strip() if need else None
    if action == "match":
        need, offer = token("need"), token("offer")
        return f"MATCH {need} {offer}" if need and offer else None
    if action == "status":
        lifeline = form.get("lifeline", "")
        state = " ".join(form.get("state", "").split())[:_MAX_STATE]
        ok = lifeline in TOPICS and bool(state)
        return f"STATUS {lifeline} {state}" if ok else None
    return {"checkin": "CHECKIN", "close": "CLOSE", "sitrep": "SITREP"}.get(action)


async def send(
    db: Database,
    clock: Clock,
    ingest: Ingest,
    account: Account,
    hub_id: int,
    hub_code: str,
    text: str,
    locale: str,
) -> int | None:
    """Send `text` to `hub_code` as the account's person. None once sent; else the person's id,
    who may not act here until they hold a role in the hub."""
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
        if not coordinator and not await holds_role_in(conn, person.id, hub_id):
            return person.id
    message = InboundMessage("console", f"C{secrets.token_hex(8)}", address, f"{hub_code}: {text}")
    await ingest(message)
    return None
