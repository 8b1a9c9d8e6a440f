"""Safety roll calls: every member is asked "1 if safe, 2 if you need help"."""

from __future__ import annotations

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import AnswerRollcall, CreateItem, LogActivity, Outcome, StartRollcall
from hubbot.domain.models import ItemKind
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


def answer(text: str, ctx: Context, out: Outcome) -> None:
    """1 (or OK): safe. 2: needs help, which becomes a critical need and tells the lead now."""
    rollcall = ctx.rollcall
    hub = ctx.hub
    if rollcall is None or hub is None:
        return
    word = "2" if text.strip().lower() in ("2", "aide", "help") else "1"
    out.effects.append(AnswerRollcall(rollcall.id, ctx.sender.id, word))
    if word == "1":
        out.messages.append(ctx.reply("rollcall.safe"))
        return
    number = ctx.next_number.get(ItemKind.NEED)
    if number is not None:
        out.effects.append(
            CreateItem(
                ItemKind.NEED,
                number,
                hub.id,
                ctx.sender.id,
                "APPEL/ROLL CALL: 2",
                None,
                ctx.now + hub.playbook.default_expiry,
                critical=True,
            )
        )
    for pid in hub.holders("lead"):
        if pid != ctx.sender.id:
            out.messages.append(
                ctx.alert(
                    pid,
                    "rollcall.help",
                    person=ctx.sender.label,
                    id=f"N{number}" if number else "-",
                )
            )
    out.messages.append(ctx.reply("rollcall.help_noted"))
