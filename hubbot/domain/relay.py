"""R: talking through the hub without ever showing a phone number. About a note (R N12), between
its poster and the hub's staff, or the two posters of a match; and staff answering a member's
message that was routed to their role (R M6)."""

from __future__ import annotations

import re
from datetime import timedelta

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.facts import RelayFacts, Routed
from hubbot.domain.guard import acting_as, refuse
from hubbot.domain.messages import Msg, Outgoing, Param
from hubbot.domain.models import BoardItem, Hub, ItemKind, Person, member_label
from hubbot.domain.permissions import Action, Party, is_permitted, who_may
from hubbot.domain.reach import COORDINATORS, recipients

RELAY_MAX = 300
REPLIED = "replied"  # the log's action when staff answer a member: it takes their call too
# How long a routed message may still be answered with R M6: a shift or two, not forever.
REPLY_WINDOW = timedelta(days=3)
_MEMBER = re.compile(r"^[Mm](\d+)$")


def member_ref(word: str) -> str | None:
    """'m6' -> 'M6': the member an R names, as typed (a huge number names nobody)."""
    m = _MEMBER.match(word.strip())
    return f"M{m.group(1)}" if m else None


def on_relay(cmd: Command, ctx: Context, out: Outcome) -> None:
    """R N12 <text> about a note; R M6 <text> to answer a member's routed message."""
    target, _, text = cmd.args.strip().partition(" ")
    text = " ".join(text.split())[:RELAY_MAX]
    if not target or not text:
        out.messages.append(ctx.reply("relay.usage"))
        return
    member = member_ref(target)
    if member is not None:
        _answer_member(cmd, ctx, out, member, text)
    else:
        _about_note(cmd, ctx, out, target, text)


def _answer_member(cmd: Command, ctx: Context, out: Outcome, shown: str, text: str) -> None:
    """A holder of the role a member wrote to (or the lead) answers them."""
    facts = ctx.of(RelayFacts)
    member = facts.member
    found = None
    if member is not None and member.id != ctx.sender.id:
        fresh = tuple(r for r in facts.routed if r.at >= ctx.now - REPLY_WINDOW)
        found = answering_as(ctx.sender, fresh)
    if member is None or found is None:
        # The same refusal whether M6 exists or not: member numbers must not be probed.
        reply = ctx.reply("routed.not_yours", member=shown)
        refuse(ctx, out, cmd, reply, why=f"reply to {shown}")
        return
    hub, as_role = found
    out.messages.append(ctx.tell(member.id, "routed.reply", hub=hub.code, role=as_role, text=text))
    out.messages.append(ctx.reply("routed.sent", member=member_label(member.id)))
    out.effects.append(
        LogActivity(
            hub.id, ctx.sender.id, acting_as(hub, ctx.sender), REPLIED, member_label(member.id)
        )
    )


def answering_as(sender: Person, routed: tuple[Routed, ...]) -> tuple[Hub, Param] | None:
    """The hub and the role the sender answers as: they hold the role one of these messages
    was routed to, or lead its hub, or are a coordinator (the last to get any message)."""
    for r in routed:
        for role_id in (r.role_id, "lead"):
            role = r.hub.playbook.role(role_id)
            if role is not None and sender.id in r.hub.holders(role_id):
                return r.hub, role.name
    if sender.is_coordinator and routed:
        return routed[0].hub, COORDINATORS
    return None


def _about_note(cmd: Command, ctx: Context, out: Outcome, target: str, text: str) -> None:
    facts = ctx.of(RelayFacts)
    item = facts.item
    hub = ctx.hub if ctx.hub and item and ctx.hub.id == item.hub_id else None
    sender = ctx.sender
    if item is None or not (hub or sender.id == item.person_id or sender.is_coordinator):
        # Another hub's note reads exactly like a missing one: ids must not be probed.
        out.messages.append(ctx.reply("error.unknown_item", id=target.upper()))
        return
    if sender.id == item.person_id:
        if hub is None:
            out.messages.append(ctx.reply("error.no_hub"))
            return
        other = facts.other
        if other is not None and other.person_id != sender.id:
            _to_other_poster(ctx, out, hub, item, other, text)
        else:
            _to_staff(ctx, out, hub, item, text)
        return
    staff = hub is not None and is_permitted(sender, hub, Action.MANAGE_BOARD)
    if not (staff or sender.is_coordinator):
        refuse(ctx, out, cmd, who=who_may(Action.MANAGE_BOARD, Party.POSTER))
        return
    key = "relay.to_poster_need" if item.kind is ItemKind.NEED else "relay.to_poster_offer"
    out.messages.append(ctx.tell(item.person_id, key, id=item.label, text=text))
    out.messages.append(ctx.reply("relay.sent", id=item.label, to=member_label(item.person_id)))
    out.effects.append(LogActivity(item.hub_id, sender.id, None, "relayed", item.label))


def _to_staff(ctx: Context, out: Outcome, hub: Hub, item: BoardItem, text: str) -> None:
    """A poster writes to needs & offers about their note."""
    to_name, ids = recipients(ctx, hub, "needs_offers", out)
    for pid in ids:
        out.messages.append(
            ctx.tell(pid, "relay.from_poster", id=item.label, sender=ctx.sender.label, text=text)
        )
    if ids:
        out.messages.append(ctx.reply("relay.sent", id=item.label, to=to_name))
    else:
        out.messages.append(ctx.reply("relay.nobody", id=item.label))


def _to_other_poster(
    ctx: Context, out: Outcome, hub: Hub, item: BoardItem, other: BoardItem, text: str
) -> None:
    """One poster of a match writes to the other, by member number only; needs & offers get a
    copy, so the hub can step in."""
    me, them = member_label(ctx.sender.id), member_label(other.person_id)
    out.messages.append(
        ctx.tell(other.person_id, "relay.from_match", sender=me, id=other.label, text=text)
    )
    _, ids = recipients(ctx, hub, "needs_offers", out)
    copy = Msg("relay.copy", {"sender": me, "to": them, "id": item.label, "text": text})
    out.messages.extend(Outgoing(pid, copy) for pid in ids if pid != other.person_id)
    out.messages.append(ctx.reply("relay.sent", id=item.label, to=them))
    out.effects.append(
        LogActivity(hub.id, ctx.sender.id, None, "relayed", f"{item.label} -> {other.label}")
    )
