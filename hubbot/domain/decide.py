"""The core's decision for one inbound message: which state changes and which replies."""

from __future__ import annotations

from hubbot.domain import (
    answering,
    board,
    broadcast,
    hub_admin,
    linking,
    matching,
    rollcall,
    routing,
    situation,
    team,
)
from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import JoinHub, LogActivity, Outcome, SetLocale, SetName, SetOptOut
from hubbot.domain.messages import Button, Msg, Outgoing
from hubbot.domain.models import member_label
from hubbot.domain.names import NAME_MAX, clean_name


def decide(cmd: Command, ctx: Context) -> Outcome:
    """Decide what a parsed message leads to."""
    out = Outcome()
    sender = ctx.sender
    # Language: an explicit LANG wins; otherwise the keyword used tells us.
    if cmd.locale and not sender.locale_explicit and cmd.locale != sender.locale:
        out.effects.append(SetLocale(sender.id, cmd.locale, explicit=False))
    # People who opted out still reach the hub; the service holds back every reply to them
    # except the compliance ones (STOP, START, HELP).
    handler = _HANDLERS.get(cmd.name)
    if handler is None:
        raise ValueError(f"no handler for command {cmd.name!r}")
    handler(cmd, ctx, out)
    return out


def _compliant(message: Outgoing) -> Outgoing:
    return Outgoing(message.person_id, message.msg, message.priority, compliance=True)


def _help(ctx: Context) -> Outgoing:
    hub_name = ctx.hub.name if ctx.hub else "hubbot"
    return ctx.reply("help.reply", hub=hub_name)


def _on_help(cmd: Command, ctx: Context, out: Outcome) -> None:
    out.messages.append(_compliant(_help(ctx)))


def _on_stop(cmd: Command, ctx: Context, out: Outcome) -> None:
    out.effects.append(SetOptOut(ctx.sender.id, True))
    out.effects.append(LogActivity(_hub_id(ctx), ctx.sender.id, None, "opt_out"))
    out.messages.append(_compliant(ctx.reply("stop.confirmed")))


def _on_start(cmd: Command, ctx: Context, out: Outcome) -> None:
    if ctx.sender.opted_out:
        out.effects.append(SetOptOut(ctx.sender.id, False))
        out.effects.append(LogActivity(_hub_id(ctx), ctx.sender.id, None, "opt_in"))
        out.messages.append(_compliant(ctx.reply("start.confirmed")))
        return
    # A first contact (Telegram's /start): say hello and offer the two languages.
    buttons = (Button(Msg("button.french"), "LANG FR"), Button(Msg("button.english"), "LANG EN"))
    out.messages.append(Outgoing(ctx.sender.id, Msg("start.welcome"), buttons=buttons))


def _on_lang(cmd: Command, ctx: Context, out: Outcome) -> None:
    wanted = cmd.args.strip().lower()[:2]
    if wanted not in ("fr", "en") or len(cmd.args.strip()) > 8:
        out.messages.append(ctx.reply("lang.usage"))
        return
    out.effects[:] = [e for e in out.effects if not isinstance(e, SetLocale)]
    out.effects.append(SetLocale(ctx.sender.id, wanted, explicit=True))
    out.messages.append(ctx.reply("lang.changed"))


def _on_name(cmd: Command, ctx: Context, out: Outcome) -> None:
    """NAME Ana: letters, digits, spaces and - ' . only, so no one can pose as someone else."""
    name = clean_name(cmd.args)
    if name is None:
        out.messages.append(ctx.reply("name.rules", max=NAME_MAX))
        return
    out.effects.append(SetName(ctx.sender.id, name))
    out.messages.append(ctx.reply("name.changed", name=name, member=member_label(ctx.sender.id)))


def _on_join(cmd: Command, ctx: Context, out: Outcome) -> None:
    code = cmd.args.strip().upper()
    if not code:
        out.messages.append(ctx.reply("join.usage"))
        return
    hub = ctx.target_hub
    if hub is None:
        out.messages.append(ctx.reply("error.unknown_hub", code=code))
        return
    out.effects.append(JoinHub(ctx.sender.id, hub.id))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "join"))
    key = "join.welcome" if hub.is_active else "join.welcome_closed"
    out.messages.append(ctx.reply(key, hub=hub.name, member=member_label(ctx.sender.id)))


def _hub_id(ctx: Context) -> int | None:
    return ctx.hub.id if ctx.hub else None


_HANDLERS = {
    "help": _on_help,
    "empty": _on_help,
    "stop": _on_stop,
    "start": _on_start,
    "lang": _on_lang,
    "name": _on_name,
    "join": _on_join,
    "activate": hub_admin.on_activate,
    "assign": hub_admin.on_assign,
    "unassign": hub_admin.on_unassign,
    "roles": hub_admin.on_roles,
    "close": hub_admin.on_close,
    "link": team.on_link,
    "link_confirm": linking.on_link_confirm,
    "relay": team.on_relay,
    "ack": answering.on_ack,
    "list_needs": board.on_list,
    "list_offers": board.on_list,
    "more": board.on_list,
    "done": board.on_done,
    "cancel": board.on_cancel,
    "cat": board.on_cat,
    "expire": board.on_expire,
    "match": matching.on_match,
    "yes": answering.on_yes,
    "arrive": situation.on_count,
    "leave": situation.on_count,
    "onsite": situation.on_onsite,
    "lifeline": situation.on_lifeline,
    "sitrep": situation.on_sitrep,
    "short_answer": answering.on_short_answer,
    "checkin": routing.on_checkin,
    "handover": hub_admin.on_handover,
    "broadcast": broadcast.on_broadcast,
    "alertstatus": broadcast.on_alertstatus,
    "rollcall": rollcall.on_rollcall,
    "need": routing.on_item,
    "offer": routing.on_item,
    "intent": answering.on_text,
    "text": answering.on_text,
}
