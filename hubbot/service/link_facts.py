"""Load what LINK and YES <code> need: the pending code's state, the person a new code would go
to, and the counts the abuse limits need (domain/linking.py)."""

from __future__ import annotations

import re
from datetime import datetime

from hubbot.domain.commands import Command
from hubbot.domain.facts import LinkFacts
from hubbot.domain.linking import CODES_WINDOW, WRONG_WINDOW
from hubbot.domain.models import Person
from hubbot.security import new_pin
from hubbot.service.named import find_person
from hubbot.store import linking, people
from hubbot.store.conn import Conn


async def requesting(
    conn: Conn, cmd: Command, sender: Person, now: datetime, region: str
) -> LinkFacts:
    failures = await linking.wrong_codes_by(conn, sender.id, now - WRONG_WINDOW)
    arg = cmd.args.strip()
    if re.fullmatch(r"\d{6}", arg):
        pending = await linking.pending(conn, sender.id)
        if pending is None or pending.expires_at <= now:
            return LinkFacts(failures=failures)
        return LinkFacts(
            failures=failures,
            pending=pending.target_id,
            attempts=pending.attempts,
            # Checked again now: the other side may have taken a role since the code went.
            confirm_by_target=pending.confirm_by_target
            or await linking.privileged(conn, pending.target_id),
            code_valid=pending.matches(arg),
        )
    if cmd.person is None or cmd.person.kind == "member":
        return LinkFacts(failures=failures)  # member numbers are not proof of owning an address
    target, new_address = await find_person(conn, cmd.person, region)
    if target is None and new_address is None and cmd.person.kind == "phone":
        return LinkFacts(failures=failures)  # not a phone number after all: no code
    # An address nobody has seen is not created: a code never goes to it.
    if target is None:
        return LinkFacts(code=new_pin(), failures=failures)
    return LinkFacts(
        code=new_pin(),
        target=target,
        failures=failures,
        target_has_written=await people.has_written_where_reached(conn, target.id),
        target_privileged=await linking.privileged(conn, target.id),
        codes_to_target=await linking.codes_sent_to(conn, target.id, now - CODES_WINDOW),
    )


async def confirming(conn: Conn, cmd: Command, sender: Person, now: datetime) -> LinkFacts:
    """YES <code>: the requests waiting for this address's own yes, and whose code it is."""
    waiting = await linking.waiting_for(conn, sender.id, now)
    code = cmd.args.strip()
    return LinkFacts(
        failures=await linking.wrong_codes_by(conn, sender.id, now - WRONG_WINDOW),
        requests=tuple(w.person_id for w in waiting),
        confirm_from=next((w.person_id for w in waiting if w.matches(code)), None),
        attempts=min((w.attempts for w in waiting), default=0),
    )
