"""Team work across channels: team groups, and R (domain/relay.py)."""

from __future__ import annotations

from hubbot.domain import linking, opening
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help, Menu, read_person
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.facts import LinkFacts, NamedHub, RelayFacts, RosterFacts
from hubbot.domain.link_effects import LinkGroup
from hubbot.domain.relay import on_relay


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
    hub = opening.pin_checked(ctx, out, parts[0], "link_refused")
    if hub is None:
        return
    out.effects.append(LinkGroup(ctx.group_chat, hub.id, sender.id))
    out.effects.append(LogActivity(hub.id, sender.id, None, "group_linked", str(ctx.group_chat)))
    out.messages.append(ctx.reply("link.done", hub=hub.name))


SPECS = (
    CommandSpec(
        CommandId.LINK,
        on_link,
        words={"link": "en", "lier": "fr"},
        read=read_person,
        facts=(NamedHub, LinkFacts),
        menu=Menu("menu.link", fr="lier", en="link", rank=9),
        help=Help("help.link"),
    ),
    # Staff answer the messages routed to their role with R M6: every role holder uses it.
    CommandSpec(
        CommandId.RELAY,
        on_relay,
        words={"r": None},
        facts=(RelayFacts, RosterFacts),
        help=Help("help.relay", rank=27, staff=True),
    ),
)
