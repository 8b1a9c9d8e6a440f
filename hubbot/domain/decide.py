"""The core's decision for one inbound message: which state changes and which replies."""

from __future__ import annotations

from dataclasses import replace

from hubbot.domain import addressing
from hubbot.domain.commands import Command, CommandId
from hubbot.domain.context import Context
from hubbot.domain.effects import Outcome, SetLocale
from hubbot.domain.guard import admitted
from hubbot.domain.messages import Msg, Outgoing
from hubbot.domain.registry import REGISTRY

# Words that are no choice of language: an answer (OUI, YES) is read in any language, a
# playbook keyword is found inside ordinary text ("busy but fine, radio working"), and LANG
# says which language it wants in its argument (its handler settles it).
NOT_A_CHOICE = frozenset(
    {CommandId.INTENT, CommandId.YES, CommandId.SHORT_ANSWER, CommandId.ACK, CommandId.LANG}
)
# Replies that only say "join a hub first": a stranger reads them in both languages.
NO_HUB = frozenset({"error.no_hub", "error.no_hub_text"})


def decide(cmd: Command, ctx: Context) -> Outcome:
    """Decide what a parsed message leads to: the guard its spec names, then its handler."""
    out = Outcome()
    if ctx.commands is None:
        ctx = replace(ctx, commands=REGISTRY)  # help lists and keywords read the registry
    learned = learned_language(cmd, ctx)
    if learned is not None:
        out.effects.append(SetLocale(ctx.sender.id, learned, explicit=True))
    # People who opted out still reach the hub; the service holds back every reply to them
    # except the compliance ones (STOP, START, HELP).
    spec = REGISTRY.spec(cmd.name)
    if admitted(spec, cmd, ctx, out):
        spec.handler(cmd, ctx, out)
    addressing.settle(cmd, spec, ctx, out)
    if learned is None and is_stranger(ctx):
        out.messages[:] = [_in_both_languages(ctx, message) for message in out.messages]
    return out


def learned_language(cmd: Command, ctx: Context) -> str | None:
    """The language this message settles for good, if it does.

    A person's language is settled once (`locale_explicit`): by LANG/LANGUE (its handler,
    also behind Telegram's /start buttons), or by the first command keyword of someone whose
    language is not settled yet (JOIN or REJOINDRE, BESOIN or NEED). After that no keyword
    moves it: an English holder may type EXPIRER, a French one EXPIRE, and both keep theirs.
    """
    if ctx.sender.locale_explicit or cmd.locale is None or cmd.name in NOT_A_CHOICE:
        return None
    return cmd.locale


def is_stranger(ctx: Context) -> bool:
    """Someone in no hub whose language nothing has told us yet."""
    return ctx.hub is None and not ctx.sender.locale_explicit


def _in_both_languages(ctx: Context, message: Outgoing) -> Outgoing:
    if message.person_id != ctx.sender.id or message.msg.key not in NO_HUB:
        return message
    return replace(message, msg=Msg("stranger.hello"))
