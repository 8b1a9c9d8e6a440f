"""Team work across channels: team groups and relays about board items."""

from __future__ import annotations

from hubbot.domain import hub_admin, linking
from hubbot.domain.commands import Command, CommandId, CommandSpec, Menu, read_person
from hubbot.domain.context import Context
from hubbot.domain.effects import LinkGroup, LogActivity, Outcome
from hubbot.domain.facts import LinkFacts, NamedHub, RelayFacts, RosterFacts
from hubbot.domain.guard import refuse
from hubbot.domain.models import ItemKind, member_label
from hubbot.domain.permissions import Action, is_permitted
from hubbot.domain.reach import recipients

RELAY_MAX = 300


def on_link(cmd: Command, ctx: Context, out: Outcome) -> None:
    """/link CODE PIN inside a Telegram group makes it the hub's team group; elsewhere LINK
    joins a person's SMS and Telegram addresses."""
    parts = cmd.args.split()
    if ctx.group_chat is None:
        if len(parts) == 2 and ctx.of(NamedHub).hub is not None:
            out.messages.append(ctx.reply("link.only_in_group"))
        else:
            linking.on_link_account(cmd, ctx, out)
        return
    if len(parts) != 2:
        out.messages.append(ctx.reply("link.usage"))
        return
    sender = ctx.sender
    hub = hub_admin.pin_checked(ctx, out, parts[0], "link_refused")
    if hub is None:
        return
    out.effects.append(LinkGroup(ctx.group_chat, hub.id, sender.id))
    out.effects.append(LogActivity(hub.id, sender.id, None, "group_linked", str(ctx.group_chat)))
    out.messages.append(ctx.reply("link.done", hub=hub.name))


def on_relay(cmd: Command, ctx: Context, out: Outcome) -> None:
    """R N12 <text>: talk about a need or offer through the hub, never showing a number."""
    item_id, _, text = cmd.args.partition(" ")
    text = " ".join(text.split())[:RELAY_MAX]
    item = ctx.of(RelayFacts).item
    if not item_id or not text:
        out.messages.append(ctx.reply("relay.usage"))
        return
    hub = ctx.hub if ctx.hub and item and ctx.hub.id == item.hub_id else None
    sender = ctx.sender
    if item is None or not (hub or sender.id == item.person_id or sender.is_coordinator):
        # Another hub's note reads exactly like a missing one: ids must not be probed.
        out.messages.append(ctx.reply("error.unknown_item", id=item_id.upper()))
        return
    if sender.id == item.person_id:
        if hub is None:
            out.messages.append(ctx.reply("error.no_hub"))
            return
        to_name, ids = recipients(ctx, hub, "needs_offers", out)
        for pid in ids:
            out.messages.append(
                ctx.tell(pid, "relay.from_poster", id=item.label, sender=sender.label, text=text)
            )
        if ids:
            out.messages.append(ctx.reply("relay.sent", id=item.label, to=to_name))
        else:
            out.messages.append(ctx.reply("relay.nobody", id=item.label))
        return
    staff = hub is not None and is_permitted(sender, hub, Action.MANAGE_BOARD)
    if not (staff or sender.is_coordinator):
        refuse(ctx, out, cmd)
        return
    key = "relay.to_poster_need" if item.kind is ItemKind.NEED else "relay.to_poster_offer"
    out.messages.append(ctx.tell(item.person_id, key, id=item.label, text=text))
    out.messages.append(ctx.reply("relay.sent", id=item.label, to=member_label(item.person_id)))
    out.effects.append(LogActivity(item.hub_id, sender.id, None, "relayed", item.label))


SPECS = (
    CommandSpec(
        CommandId.LINK,
        on_link,
        words={"link": "en", "lier": "fr"},
        read=read_person,
        facts=(NamedHub, LinkFacts),
        menu=Menu("menu.link", fr="lier", en="link", rank=9),
    ),
    CommandSpec(CommandId.RELAY, on_relay, words={"r": None}, facts=(RelayFacts, RosterFacts)),
)
