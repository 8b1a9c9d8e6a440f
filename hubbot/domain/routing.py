"""Route needs, offers and free text to whoever holds the right role in the hub now."""

from __future__ import annotations

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import CreateItem, JoinHub, LogActivity, Outcome
from hubbot.domain.messages import Msg, Param, TeamMessage
from hubbot.domain.models import Hub, ItemKind

ITEM_TEXT_MAX = 300
COORDINATORS = Msg("who.coordinators")


def recipients(ctx: Context, hub: Hub, role_id: str) -> tuple[Param, tuple[int, ...]]:
    """Who gets a message meant for a role, and how to name them to the sender.

    The role's holders first; if nobody holds it, the lead; if there is no lead or the hub
    is closed, the regional coordinators. The sender never receives their own message.
    """
    if hub.is_active:
        for candidate in dict.fromkeys((role_id, "lead")):
            ids = tuple(pid for pid in hub.holders(candidate) if pid != ctx.sender.id)
            role = hub.playbook.role(candidate)
            if ids and role is not None:
                return role.name, ids
    ids = tuple(c.id for c in ctx.coordinators if c.id != ctx.sender.id)
    return COORDINATORS, ids


def _ensure_member(ctx: Context, hub: Hub, out: Outcome) -> None:
    # Texting a hub (by its number or by having joined it) makes you one of its members.
    if ctx.sender.id not in hub.members:
        out.effects.append(JoinHub(ctx.sender.id, hub.id))


def on_item(cmd: Command, ctx: Context, out: Outcome) -> None:
    """NEED/BESOIN and OFFER/OFFRE: put the note on the board and tell needs & offers."""
    kind = ItemKind.NEED if cmd.name == "need" else ItemKind.OFFER
    hub = ctx.hub
    if hub is None:
        out.messages.append(ctx.reply("error.no_hub"))
        return
    text = " ".join(cmd.args.split())
    if not text:
        out.messages.append(ctx.reply(f"{kind.value}.usage"))
        return
    text = text[:ITEM_TEXT_MAX]
    _ensure_member(ctx, hub, out)
    number = ctx.next_number[kind]
    item_id = f"{kind.prefix}{number}"
    category = hub.playbook.categorise(text)
    category_id = category.id if category else None
    expires = ctx.now + hub.playbook.expiry_for(category_id)
    out.effects.append(CreateItem(kind, number, hub.id, ctx.sender.id, text, category_id, expires))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, f"{kind.value}_posted", item_id))
    to_name, ids = recipients(ctx, hub, "needs_offers")
    category_name: Param = category.name if category else Msg("category.none")
    for pid in ids:
        out.messages.append(
            ctx.tell(
                pid,
                f"{kind.value}.new",
                id=item_id,
                text=text,
                category=category_name,
                sender=ctx.sender.label,
            )
        )
    # The team group sees the board move, whoever is on duty.
    out.team.append(
        TeamMessage(
            hub.id,
            Msg(
                f"{kind.value}.new",
                {
                    "id": item_id,
                    "text": text,
                    "category": category_name,
                    "sender": ctx.sender.label,
                },
            ),
        )
    )
    if ids:
        out.messages.append(ctx.reply(f"{kind.value}.ack", id=item_id, to=to_name))
    else:
        out.messages.append(ctx.reply(f"{kind.value}.ack_nobody", id=item_id))


def on_routed_text(cmd: Command, ctx: Context, out: Outcome) -> None:
    """A playbook intent, or free text to the fallback role; the sender learns which role."""
    hub = ctx.hub
    if hub is None:
        out.messages.append(ctx.reply("error.no_hub_text"))
        return
    _ensure_member(ctx, hub, out)
    role_id = cmd.intent.route_to if cmd.intent else hub.playbook.fallback_role
    reply_key = cmd.intent.reply if cmd.intent else "reply.routed"
    to_name, ids = recipients(ctx, hub, role_id)
    text = cmd.args[:ITEM_TEXT_MAX]
    detail = f"{cmd.intent.id if cmd.intent else 'text'} -> {role_id}"
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "message_routed", detail))
    for pid in ids:
        out.messages.append(
            ctx.tell(pid, "relay.to_role", sender=ctx.sender.label, role=to_name, text=text)
        )
    if ids:
        out.messages.append(ctx.reply(reply_key, to=to_name))
    else:
        out.messages.append(ctx.reply("reply.nobody"))
