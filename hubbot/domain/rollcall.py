"""Safety roll calls: every member is asked "1 if safe, 2 if you need help".

Answers are read in domain/answering.py, with check-ins and confirmations."""

from __future__ import annotations

from hubbot.domain.commands import Command, CommandId, CommandSpec, Help
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome, StartRollcall
from hubbot.domain.permissions import Action


def on_rollcall(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ROLLCALL / APPEL: the lead or a coordinator asks everyone in the hub."""
    hub = ctx.in_hub
    out.effects.append(StartRollcall(hub.id, ctx.sender.id))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "rollcall"))


SPECS = (
    CommandSpec(
        CommandId.ROLLCALL,
        on_rollcall,
        words={"rollcall": "en", "appel": "fr"},
        hub=True,
        permission=Action.ROLLCALL,
        help=Help("help.rollcall", rank=44),
    ),
)
