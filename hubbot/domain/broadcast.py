"""Broadcasts: the lead to their hub, coordinators to one hub or all, now or at a set time."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import CreateBroadcast, LogActivity, Outcome
from hubbot.domain.permissions import Action, is_permitted
from hubbot.domain.text import fold

_TIME = re.compile(r"^(\d{1,2})(?:[:h](\d{2})?)?$", re.IGNORECASE)


def parse_when(words: list[str], now: datetime, timezone: str) -> tuple[datetime, int] | None:
    """'AT 18:00' / 'A 18h00' / 'À 18h' at the start of `words`: the next such local time,
    and how many words it took. None if the words do not start with a time."""
    if len(words) < 2 or fold(words[0]) not in ("at", "a"):
        return None
    m = _TIME.match(words[1])
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    when = datetime.combine(local.date(), time(hour, minute), zone)
    if when <= local:
        when += timedelta(days=1)
    return when, 2


def on_broadcast(cmd: Command, ctx: Context, out: Outcome) -> None:
    """BROADCAST [ALL|CODE] [ROLE role] [URGENT] [AT 18:00] <text or #template>."""
    sender, words = ctx.sender, cmd.args.split()
    # ALL or another hub's code: a coordinator's reach. () means every hub.
    scope: tuple[int, ...] | None = None
    if words and fold(words[0]) in ("all", "tous", "tout"):
        scope = ()
    elif words and ctx.target_hub is not None and words[0].upper() == ctx.target_hub.code:
        scope = (ctx.target_hub.id,)
    if scope is not None:
        if not sender.is_coordinator:
            out.messages.append(ctx.reply("broadcast.all_coordinators"))
            return
        hub_ids, words = scope, words[1:]
    elif ctx.hub is None or not is_permitted(sender, ctx.hub, Action.BROADCAST):
        key = "error.no_hub" if ctx.hub is None else "error.not_permitted"
        out.messages.append(ctx.reply(key, hub=ctx.hub.code if ctx.hub else "-"))
        return
    else:
        hub_ids = (ctx.hub.id,)
    role = None
    if len(words) >= 2 and fold(words[0]) in ("role", "poste"):
        where = ctx.hub or ctx.target_hub
        found = where.playbook.find_role(words[1]) if where else None
        if found is None:
            out.messages.append(ctx.reply("error.unknown_role", role=words[1], roles="-"))
            return
        role, words = found.id, words[2:]
    urgent = bool(words) and fold(words[0]) == "urgent"
    if urgent:
        words = words[1:]
    when = parse_when(words, ctx.now, ctx.timezone)
    send_at = ctx.now
    if when is not None:
        send_at, used = when
        words = words[used:]
    body = " ".join(words)
    if not body:
        out.messages.append(ctx.reply("broadcast.usage"))
        return
    out.effects.append(
        CreateBroadcast(
            hub_ids, role, body[:1000], "urgent" if urgent else "bulk", send_at, sender.id
        )
    )
    out.effects.append(
        LogActivity(ctx.hub.id if ctx.hub else None, sender.id, None, "broadcast", body[:100])
    )


def on_alertstatus(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ALERTSTATUS B5: how far a broadcast got, and who has not acknowledged it."""
    status = ctx.alert_status
    if status is None:
        out.messages.append(ctx.reply("alertstatus.unknown", id=cmd.args.strip().upper() or "-"))
        return
    if not (ctx.sender.is_coordinator or status.by_person_id == ctx.sender.id):
        out.messages.append(ctx.reply("error.not_permitted", hub=ctx.hub.code if ctx.hub else "-"))
        return
    missing = ", ".join(status.not_acked[:10]) or "-"
    more = len(status.not_acked) - 10
    out.messages.append(
        ctx.reply(
            "alertstatus.tally",
            id=f"B{status.id}",
            total=status.total,
            sent=status.sent,
            delivered=status.delivered,
            failed=status.failed,
            acked=status.acked,
            skipped=status.skipped,
            pending=status.pending,
            missing=missing + (f" (+{more})" if more > 0 else ""),
        )
    )
