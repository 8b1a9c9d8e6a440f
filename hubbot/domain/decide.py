"""The core's decision for one inbound message: which state changes and which replies."""

from __future__ import annotations

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import Outcome, SetLocale
from hubbot.domain.guard import admitted
from hubbot.domain.registry import REGISTRY


def decide(cmd: Command, ctx: Context) -> Outcome:
    """Decide what a parsed message leads to: the guard its spec names, then its handler."""
    out = Outcome()
    sender = ctx.sender
    # Language: an explicit LANG wins; otherwise the keyword used tells us.
    if cmd.locale and not sender.locale_explicit and cmd.locale != sender.locale:
        out.effects.append(SetLocale(sender.id, cmd.locale, explicit=False))
    # People who opted out still reach the hub; the service holds back every reply to them
    # except the compliance ones (STOP, START, HELP).
    spec = REGISTRY.spec(cmd.name)
    if admitted(spec, cmd, ctx, out):
        spec.handler(cmd, ctx, out)
    return out
