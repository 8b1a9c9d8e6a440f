"""Gather what the core needs to decide on one message, inside the message's transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from hubbot.addresses import sms_address
from hubbot.domain.answers import AWAIT_WINDOW, Awaiting, AwaitKind
from hubbot.domain.commands import Command, PersonRef
from hubbot.domain.context import Context
from hubbot.domain.linking import CODES_WINDOW, WRONG_WINDOW
from hubbot.domain.models import BoardItem, Hub, ItemKind, Person
from hubbot.domain.notes import read_note
from hubbot.domain.numbers import parse_number
from hubbot.domain.permissions import may_hand_over
from hubbot.domain.playbook import Playbook
from hubbot.security import new_pin, verify_pin
from hubbot.store import (
    alerts,
    confirmations,
    hubs,
    items,
    linking,
    matches,
    people,
    schedule,
    situation,
)

Conn = aiosqlite.Connection

_ITEM = re.compile(r"^\s*([NnOo])(\d+)\b")
_ALERT = re.compile(r"^[oO](\d+)$")


@dataclass(frozen=True)
class Lookup:
    playbooks: Mapping[str, Playbook]
    region: str
    timezone: str
    templates: frozenset[str] = frozenset()  # broadcast template ids: 'boil_water'


async def find_person(conn: Conn, ref: PersonRef, region: str) -> tuple[Person | None, str | None]:
    """A named person, or (None, the SMS address to create them at) for an unknown phone."""
    if ref.kind == "member":
        number = parse_number(ref.value)  # M99999999999999999999 is nobody, not an overflow
        return (await people.get(conn, number) if number is not None else None), None
    if ref.kind == "username":
        return await people.by_username(conn, ref.value), None
    address = sms_address(ref.value, region)
    if address is None:
        return None, None
    return await people.by_address(conn, address), address


async def build(
    conn: Conn,
    cmd: Command,
    sender: Person,
    hub: Hub | None,
    now: datetime,
    lookup: Lookup,
    group_chat: int | None = None,
    address: str = "",
) -> Context:
    """The Context for `cmd`; looks up only what that command needs."""
    target_hub: Hub | None = None
    pin_valid = False
    target: Person | None = None
    next_number: dict[ItemKind, int] = {}
    labels: dict[int, str] = {}
    item: BoardItem | None = None
    if cmd.name in ("join", "activate", "link", "broadcast") and cmd.args.split():
        parts = cmd.args.split()
        record = await hubs.by_code(conn, parts[0])
        if record is not None:
            target_hub = await hubs.load(conn, record, lookup.playbooks)
            # scrypt is slow on purpose: only where the core will read the answer.
            needs_pin = cmd.name == "activate" or (cmd.name == "link" and group_chat is not None)
            pin_valid = needs_pin and len(parts) == 2 and verify_pin(parts[1], record.pin_hash)
    elif cmd.name == "relay":
        item = await _named_item(conn, cmd.args)
    elif cmd.name in ("assign", "unassign", "handover") and cmd.person and hub is not None:
        target, new_address = await find_person(conn, cmd.person, lookup.region)
        # A lead may assign someone who has never texted: create them, but only for a
        # sender who may assign, so refused commands leave no trace of strangers.
        creatable = target is None and new_address and cmd.name != "unassign" and cmd.role
        allowed = cmd.role is not None and may_hand_over(sender, hub, cmd.role.id)
        if creatable and new_address and allowed:
            target = await people.create(conn, new_address, hub.locale, now)
    elif cmd.name in ("need", "offer", "text", "intent", "short_answer"):
        # Free text may turn out to be a life-safety need, so it gets a number ready too.
        for kind in ItemKind:
            next_number[kind] = await items.next_number(conn, kind)
    elif cmd.name == "roles" and hub is not None:
        holders = {pid for ids in hub.roster.values() for pid in ids}
        labels = await people.labels(conn, holders)
    ctx = Context(
        now=now,
        sender=sender,
        hub=hub,
        coordinators=await people.coordinators(conn),
        target_hub=target_hub,
        pin_valid=pin_valid,
        target=target,
        next_number=next_number,
        labels=labels,
        group_chat=group_chat,
        item=item,
        timezone=lookup.timezone,
    )
    if hub is not None:
        extra = await _board_context(conn, cmd, sender, hub, now, address)
        ctx = replace(ctx, **extra)  # type: ignore[arg-type]
    if hub is not None and cmd.name in _ROUTED_COMMANDS:
        # Role holders nothing reaches count as absent (domain/reach.py): one query for all.
        cut = await hubs.cut_off(conn, hub.id)
        ctx = replace(
            ctx, cut_off=cut.reasons, cut_off_told=cut.told, labels={**cut.labels, **ctx.labels}
        )
    if cmd.name in ("short_answer", "text", "intent", "ack", "yes"):
        ctx = replace(ctx, **await _answer_context(conn, cmd, sender.id, now))  # type: ignore[arg-type]
    if cmd.name == "alertstatus" and (number := _numbered(r"[bB]?(\d+)", cmd.args)) is not None:
        ctx = replace(ctx, alert_status=await alerts.status(conn, number))
    if cmd.name in ("assign", "unassign", "handover") and hub is not None and cmd.role:
        # An open check-in ask follows the role to whoever holds it after the change.
        ctx = replace(ctx, open_rounds=tuple(await schedule.open_rounds(conn, hub.id)))
    if cmd.name == "broadcast":
        ctx = replace(ctx, templates=lookup.templates)
    if cmd.name == "link" and group_chat is None:
        ctx = replace(ctx, **await _link_context(conn, cmd, sender, hub, now, lookup))  # type: ignore[arg-type]
    if cmd.name == "link_confirm":
        ctx = replace(ctx, **await _link_confirm_context(conn, cmd, sender, now))  # type: ignore[arg-type]
    if cmd.name in ("assign", "unassign", "handover") and ctx.target is not None:
        # Staff act on their own hub's people only (domain/hub_admin.py): where is this one?
        ctx = replace(ctx, target_hubs=await people.hubs_of(conn, ctx.target.id))
    return ctx


async def _answer_context(
    conn: Conn, cmd: Command, person_id: int, now: datetime
) -> dict[str, object]:
    """What an answer or an OK may be about (domain/answering.py)."""
    if cmd.name == "ack":
        ref = cmd.args.strip()
        if (number := _numbered(_ALERT, ref)) is not None:
            target, done = await confirmations.by_outbox(conn, number, person_id)
            return {"ack_target": target, "already_acked": done}
        if (number := _numbered(r"[bB](\d+)", ref)) is not None:
            sent, acked = await alerts.recipient(conn, number, person_id)
            target = Awaiting(AwaitKind.BROADCAST, number, now, f"B{number}")
            return {"ack_target": target if sent and not acked else None, "already_acked": acked}
        return {}
    found: dict[str, object] = {}
    awaiting: list[Awaiting] = []
    if rollcall := await alerts.open_rollcall_for(conn, person_id):
        found["rollcall"] = rollcall[0]
        if rollcall[0].answer is None:
            awaiting.append(Awaiting(AwaitKind.ROLLCALL, rollcall[0].id, rollcall[1]))
    if ask := await schedule.open_ask(conn, person_id):
        found["open_ask"] = ask[0]
        if ask[0].state == "waiting":
            awaiting.append(Awaiting(AwaitKind.CHECKIN, ask[0].id, ask[1]))
    if cmd.name == "short_answer":
        since = now - AWAIT_WINDOW
        awaiting += await confirmations.open_for(conn, person_id, since)
        if broadcast := await alerts.unacked_since(conn, person_id, since):
            awaiting.append(broadcast)
        found["settled_recently"] = await confirmations.settled_since(conn, person_id, since)
    found["awaiting"] = tuple(awaiting)
    return found


async def _link_context(
    conn: Conn, cmd: Command, sender: Person, hub: Hub | None, now: datetime, lookup: Lookup
) -> dict[str, object]:
    """For LINK: the pending code's state, or the person to send a new code to, and the
    counts the abuse limits need (domain/linking.py)."""
    found: dict[str, object] = {
        "link_failures": await linking.wrong_codes_by(conn, sender.id, now - WRONG_WINDOW)
    }
    arg = cmd.args.strip()
    if re.fullmatch(r"\d{6}", arg):
        pending = await linking.pending(conn, sender.id)
        if pending is None or pending.expires_at <= now:
            return found
        return {
            **found,
            "link_pending": pending.target_id,
            "link_attempts": pending.attempts,
            # Checked again now: the other side may have taken a role since the code went.
            "link_confirm_by_target": pending.confirm_by_target
            or await linking.privileged(conn, pending.target_id),
            "link_code_valid": pending.matches(arg),
        }
    if cmd.person is None or cmd.person.kind == "member":
        return found  # member numbers are not proof of owning an address
    target, new_address = await find_person(conn, cmd.person, lookup.region)
    if target is None and new_address is None and cmd.person.kind == "phone":
        return found  # not a phone number after all: no code
    # An address nobody has seen is not created: a code never goes to it.
    found["link_code"] = new_pin()
    if target is not None:
        found["target"] = target
        found["target_has_written"] = await people.has_written_where_reached(conn, target.id)
        found["target_privileged"] = await linking.privileged(conn, target.id)
        found["link_codes_to_target"] = await linking.codes_sent_to(
            conn, target.id, now - CODES_WINDOW
        )
    return found


async def _link_confirm_context(
    conn: Conn, cmd: Command, sender: Person, now: datetime
) -> dict[str, object]:
    """For YES <code>: the requests waiting for this address's own yes, and whose code it is."""
    waiting = await linking.waiting_for(conn, sender.id, now)
    code = cmd.args.strip()
    return {
        "link_failures": await linking.wrong_codes_by(conn, sender.id, now - WRONG_WINDOW),
        "link_requests": tuple(w.person_id for w in waiting),
        "link_confirm_from": next((w.person_id for w in waiting if w.matches(code)), None),
        "link_attempts": min((w.attempts for w in waiting), default=0),
    }


_BOARD_COMMANDS = ("need", "offer", "text", "intent")
# Commands whose messages go to role holders (or whose answers may alert the lead).
_ROUTED_COMMANDS = ("need", "offer", "text", "intent", "short_answer", "relay", "yes")
SUGGESTION_POOL = 20  # candidates considered for a new note's suggestions
_ITEM_COMMANDS = ("done", "cancel", "cat", "expire", "match")


async def _board_context(
    conn: Conn,
    cmd: Command,
    sender: Person,
    hub: Hub,
    now: datetime,
    address: str,
) -> dict[str, object]:
    """What board commands need: the open notes, the notes named, the pending match."""
    found: dict[str, object] = {"sender_contact": contact_of(address)}
    if cmd.name in ("list_needs", "list_offers", "more"):
        kind = {"list_needs": ItemKind.NEED, "list_offers": ItemKind.OFFER}.get(cmd.name)
        if cmd.name == "more" and sender.list_state:
            state = json.loads(sender.list_state)
            kind = ItemKind(state.get("kind") or "need")
            found["list_kind"], found["list_offset"] = (
                state.get("kind"),
                int(state.get("offset", 0)),
            )
        found["board"] = tuple(await items.open_items(conn, hub.id, now, kind))
    elif cmd.name in _BOARD_COMMANDS:
        # A new note only needs its possible matches: the other kind, in its theme.
        category = hub.playbook.categorise(read_note(cmd.args).text)
        if category is not None:
            other = ItemKind.OFFER if cmd.name == "need" else ItemKind.NEED
            kinds = list(ItemKind) if cmd.name in ("text", "intent") else [other]
            found["board"] = tuple(
                [
                    c
                    for k in kinds
                    for c in await items.open_items(
                        conn, hub.id, now, k, category.id, limit=SUGGESTION_POOL
                    )
                ]
            )
    if cmd.name in _ITEM_COMMANDS:
        named: dict[str, BoardItem] = {}
        for word in cmd.args.split()[:2]:
            if item := await _named_item(conn, word):
                named[item.label] = item
        found["items"] = named
    if cmd.name in ("arrive", "leave", "onsite", "lifeline", "sitrep"):
        found["figures"] = await situation.figures(conn, hub.id, now)
    if cmd.name == "yes":
        match = await matches.pending_for(conn, sender.id)
        found["match"] = match
        if match is not None:
            found["contacts"] = {
                pid: contact_of(await people.preferred_address(conn, pid) or "")
                for pid in (match.need.person_id, match.offer.person_id)
            }
    return found


async def _named_item(conn: Conn, text: str) -> BoardItem | None:
    """The need or offer `text` starts with ('N12', 'o7:'), if there is one."""
    if not (m := _ITEM.match(text)):
        return None
    kind = ItemKind.NEED if m.group(1).upper() == "N" else ItemKind.OFFER
    number = parse_number(m.group(2))
    return await items.get(conn, kind, number) if number is not None else None


def _numbered(pattern: str | re.Pattern[str], text: str) -> int | None:
    """The number in `text` when all of it matches `pattern` (its group 1 the digits); None when
    it does not, or when the number is too large to name anything (SQLite stops at 2**63)."""
    m = re.fullmatch(pattern, text.strip())
    return parse_number(m.group(1)) if m else None


def contact_of(address: str) -> str:
    """How a person can be reached, for the rare cases it may be shared."""
    if address.startswith("sms:"):
        return address[4:]
    if address.startswith("telegram:"):
        return f"Telegram {address[9:]}"
    return address
