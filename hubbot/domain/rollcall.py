"""Safety roll calls: every member is asked "1 if safe, 2 if you need help".

Answers are read in domain/answering.py, with check-ins and confirmations."""

from __future__ import annotations

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome, StartRollcall
from hubbot.domain.permissions import Action, is_permitted


def on_rollcall(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ROLLCALL / APPEL: the lead or a coordinator asks everyone in the hub."""
    hub = ctx.hub
    if hub is None:
        out.messages.append(ctx.reply("error.no_hub"))
        return
    if not is_permitted(ctx.sender, hub, Action.ROLLCALL):
        out.messages.append(ctx.reply("error.not_permitted", hub=hub.code))
        return
    out.effects.append(StartRollcall(hub.id, ctx.sender.id))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "rollcall"))
