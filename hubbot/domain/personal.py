"""A person's own business: help, STOP/START, language, name, who they are, joining a hub."""

from __future__ import annotations

from hubbot.domain import answering, routing, usage
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help, Menu
from hubbot.domain.context import Context
from hubbot.domain.effects import JoinHub, LogActivity, Outcome, SetLocale, SetName, SetOptOut
from hubbot.domain.facts import AnswerFacts, NamedHub
from hubbot.domain.messages import Button, Joined, Msg, Outgoing
from hubbot.domain.models import member_label
from hubbot.domain.names import NAME_MAX, clean_name


def _compliant(message: Outgoing) -> Outgoing:
    return Outgoing(message.person_id, message.msg, message.priority, compliance=True)


def on_help(cmd: Command, ctx: Context, out: Outcome) -> None:
    """AIDE / HELP, a carrier compliance word (CWTA): the reply always names the hub, 911 and
    how to stop. A member (or a coordinator) is also told the commands their roles can use,
    and AIDE BESOINS explains one; someone in no hub, or who opted out, gets the short
    bilingual reply. 'HELP ME', 'AIDE FEU' or an answer to a roll call is not about commands:
    it goes where the same words without AIDE would."""
    about = cmd.args.strip(" .!?,;:")
    if about and not usage.about_commands(cmd, ctx):
        answering.on_text(usage.as_text(cmd, ctx), ctx, out)
        return
    hub, sender = ctx.hub, ctx.sender
    name = hub.name if hub else "hubbot"
    if sender.opted_out or (hub is None and not sender.is_coordinator):
        out.messages.append(_compliant(ctx.reply("help.reply", hub=name)))
        return
    commands = usage.listed(usage.index_of(ctx), sender, hub)
    spec = usage.find(usage.index_of(ctx), about) if about else None
    if spec is not None and spec.help is not None:
        out.messages.append(_compliant(ctx.reply(spec.help.key)))
    elif about:
        shown = about.upper()[:20]
        reply = ctx.reply("help.unknown", command=shown, commands=commands)
        out.messages.append(_compliant(reply))
    else:
        out.messages.append(_compliant(ctx.reply("help.commands", hub=name, commands=commands)))


def on_stop(cmd: Command, ctx: Context, out: Outcome) -> None:
    out.effects.append(SetOptOut(ctx.sender.id, True))
    out.effects.append(LogActivity(_hub_id(ctx), ctx.sender.id, None, "opt_out"))
    out.messages.append(_compliant(ctx.reply("stop.confirmed")))


def on_start(cmd: Command, ctx: Context, out: Outcome) -> None:
    if ctx.sender.opted_out:
        out.effects.append(SetOptOut(ctx.sender.id, False))
        out.effects.append(LogActivity(_hub_id(ctx), ctx.sender.id, None, "opt_in"))
        out.messages.append(_compliant(ctx.reply("start.confirmed")))
        return
    # A first contact (Telegram's /start): say hello and offer the two languages.
    buttons = (Button(Msg("button.french"), "LANG FR"), Button(Msg("button.english"), "LANG EN"))
    out.messages.append(Outgoing(ctx.sender.id, Msg("start.welcome"), buttons=buttons))


def on_lang(cmd: Command, ctx: Context, out: Outcome) -> None:
    wanted = cmd.args.strip().lower()[:2]
    if wanted not in ("fr", "en") or len(cmd.args.strip()) > 8:
        out.messages.append(ctx.reply("lang.usage"))
        return
    out.effects[:] = [e for e in out.effects if not isinstance(e, SetLocale)]
    out.effects.append(SetLocale(ctx.sender.id, wanted, explicit=True))
    out.messages.append(ctx.reply("lang.changed"))


def on_name(cmd: Command, ctx: Context, out: Outcome) -> None:
    """NAME Ana: letters, digits, spaces and - ' . only, so no one can pose as someone else."""
    name = clean_name(cmd.args)
    if name is None:
        out.messages.append(ctx.reply("name.rules", max=NAME_MAX))
        return
    out.effects.append(SetName(ctx.sender.id, name))
    out.messages.append(ctx.reply("name.changed", name=name, member=member_label(ctx.sender.id)))


def on_whoami(cmd: Command, ctx: Context, out: Outcome) -> None:
    """MOI / WHOAMI: how the hub sees me, so a volunteer handed a phone mid-shift can check
    their member number, hub, roles and language before acting."""
    # The reply is in the sender's language, so its text names that language itself.
    if ctx.hub is None:
        out.messages.append(ctx.reply("whoami.no_hub", member=ctx.sender.label))
        return
    hub = ctx.hub
    roles = tuple(role.name for role in hub.playbook.roles if ctx.sender.id in hub.holders(role.id))
    out.messages.append(
        ctx.reply(
            "whoami.in_hub",
            member=ctx.sender.label,
            hub=hub.code,
            roles=Joined(roles) if roles else Msg("whoami.no_role"),
        )
    )


def on_join(cmd: Command, ctx: Context, out: Outcome) -> None:
    code = cmd.args.strip().upper()
    if not code:
        out.messages.append(ctx.reply("join.usage"))
        return
    hub = ctx.of(NamedHub).hub
    if hub is None:
        out.messages.append(ctx.reply("error.unknown_hub", code=code))
        return
    out.effects.append(JoinHub(ctx.sender.id, hub.id))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "join"))
    key = "join.welcome" if hub.is_active else "join.welcome_closed"
    out.messages.append(ctx.reply(key, hub=hub.name, member=member_label(ctx.sender.id)))


def _hub_id(ctx: Context) -> int | None:
    return ctx.hub.id if ctx.hub else None


# AIDE BESOINS, HELP MATCH: one word after AIDE or HELP, but not one that makes a plea of it
# ('aide moi', 'help please'): those stay free text, which a person reads.
HELP_ABOUT = r"(?i)(?!(?:moi|me|nous|us|svp|stp|please|pls|plz)\W*$)\S+"

# Compliance words are whole messages (CWTA rules), matched without case or accents.
SPECS = (
    CommandSpec(CommandId.EMPTY, on_help),
    CommandSpec(
        CommandId.HELP,
        on_help,
        whole={"help": "en", "aide": "fr", "info": None},
        words={"help": "en", "aide": "fr"},
        arguments=HELP_ABOUT,
        facts=(AnswerFacts, *routing.ROUTED_FACTS),
        menu=Menu("menu.help", fr="aide", en="help", rank=1),
        help=Help("help.help"),
    ),
    CommandSpec(
        CommandId.STOP,
        on_stop,
        whole={
            "stop": None,
            "stopall": "en",
            "unsubscribe": "en",
            "cancel": "en",
            "end": "en",
            "quit": "en",
            "arret": "fr",
        },
        menu=Menu("menu.stop", fr="arret", en="stop", rank=10),
        help=Help("help.stop"),
    ),
    CommandSpec(
        CommandId.START, on_start, whole={"start": None, "unstop": "en", "reprendre": "fr"}
    ),
    CommandSpec(
        CommandId.LANG,
        on_lang,
        words={"lang": "en", "langue": "fr", "language": "en"},
        menu=Menu("menu.lang", fr="langue", en="lang", rank=6),
        help=Help("help.lang", rank=4),
    ),
    CommandSpec(CommandId.NAME, on_name, words={"name": "en", "nom": "fr"}, help=Help("help.name")),
    CommandSpec(
        CommandId.WHOAMI,
        on_whoami,
        whole={"whoami": "en", "moi": "fr"},
        help=Help("help.whoami", rank=3),
    ),
    CommandSpec(
        CommandId.JOIN,
        on_join,
        # Telegram deep links: /start DEMO joins hub DEMO.
        words={"join": "en", "rejoindre": "fr", "start": None},
        facts=(NamedHub,),
        menu=Menu("menu.join", fr="rejoindre", en="join", rank=2),
        help=Help("help.join"),
    ),
)
