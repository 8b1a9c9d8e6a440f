"""Broadcasts: the lead to their hub, coordinators to one hub or all, now or at a set time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hubbot.domain import fanout
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help
from hubbot.domain.context import Context
from hubbot.domain.effects import CreateBroadcast, LogActivity, Outcome
from hubbot.domain.facts import AlertStatusFacts, NamedHub, TemplateFacts
from hubbot.domain.guard import refuse
from hubbot.domain.messages import Outgoing, Priority
from hubbot.domain.permissions import Action, Party, is_permitted, who_may
from hubbot.domain.sms import is_gsm7
from hubbot.domain.text import fold

# What people write for a time: 18:00, 18h, 18h30, 6pm, 6:30pm, 6 p.m., 18 h 30, 18 heures.
_CLOCK = re.compile(r"(?P<hour>\d{1,2})(?:(?P<sep>[:h])(?P<minute>\d{2})?)?(?P<half>[ap]\.?m\.?)?")
_HALF = re.compile(r"[ap]\.?m\.?")
_HOUR_WORDS = ("h", "heure", "heures")
_NAMED = {"noon": time(12), "midi": time(12), "midnight": time(0), "minuit": time(0)}


@dataclass(frozen=True)
class When:
    """A time clause at the start of a broadcast: the local time, or the words that failed."""

    used: int  # how many words it took
    at: datetime | None = None
    unreadable: str = ""  # the time as written, when it is not one


def read_clock(text: str) -> time | None:
    """'18h30', '6:30pm', '18:00', 'midi' as a time of day; None if it is not a valid one."""
    text = fold(text)
    if text in _NAMED:
        return _NAMED[text]
    m = _CLOCK.fullmatch(text)
    if m is None or (m["sep"] == ":" and not m["minute"]):
        return None
    if m["sep"] is None and m["half"] is None:
        return None  # a bare number is no time: is 'AT 6' morning or evening?
    hour, minute = int(m["hour"]), int(m["minute"] or 0)
    if m["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["half"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_when(
    words: list[str], now: datetime, timezone: str, locale: str | None = None
) -> When | None:
    """'AT 18:00' / 'A 18h' / 'À 6:30pm' at the start of `words`: the next such local time.

    None if the words do not start with a time clause. AT must be followed by a time; the
    French A or À only when a number (or midi, minuit) follows it: 'A tous' is plain text.
    """
    if not words:
        return None
    marker = fold(words[0])
    french = words[0] in ("à", "À") or (marker == "a" and locale == "fr")
    if marker != "at" and not french:
        return None
    rest = [w.rstrip(",;:") for w in words[1:4]]
    if not rest:
        return When(1) if marker == "at" else None  # no time at all: the usage reply
    if french and not (rest[0][:1].isdigit() or fold(rest[0]) in _NAMED):
        return None
    text, used = rest[0], 2
    if len(rest) > 1 and fold(rest[1]) in _HOUR_WORDS and rest[0].isdigit():
        text, used = text + "h", 3  # 18 h, 18 h 30
        if len(rest) > 2 and re.fullmatch(r"\d{2}", rest[2]):
            text, used = text + rest[2], 4
    elif len(rest) > 1 and _HALF.fullmatch(fold(rest[1])):
        text, used = text + rest[1], 3  # 6 pm, 6:30 p.m.
    clock = read_clock(text)
    if clock is None:
        return When(used, unreadable=" ".join(words[1:used]))
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    when = datetime.combine(local.date(), clock, zone)
    if when <= local:
        when += timedelta(days=1)
    return When(used, at=when)


def on_broadcast(cmd: Command, ctx: Context, out: Outcome) -> None:
    """BROADCAST [ALL|CODE] [ROLE role] [URGENT] [AT 18:00] <text or #template>.

    What does not parse is not sent: a bad time, an unknown template or no text at all get a
    reply naming the problem, and nothing goes out.
    """
    sender, words = ctx.sender, cmd.args.split()
    named, templates = ctx.of(NamedHub).hub, ctx.of(TemplateFacts).templates
    # ALL or another hub's code: a coordinator's reach. () means every hub.
    scope: tuple[int, ...] | None = None
    if words and fold(words[0]) in ("all", "tous", "tout"):
        scope = ()
    elif words and named is not None and words[0].upper() == named.code:
        scope = (named.id,)
    if scope is not None:
        if not sender.is_coordinator:
            refuse(ctx, out, cmd, ctx.reply("broadcast.all_coordinators"))
            return
        hub_ids, words = scope, words[1:]
    elif ctx.hub is None:
        out.messages.append(ctx.reply("error.no_hub"))
        return
    elif not is_permitted(sender, ctx.hub, Action.BROADCAST):
        refuse(ctx, out, cmd, who=who_may(Action.BROADCAST))
        return
    else:
        hub_ids = (ctx.hub.id,)
    role = None
    if len(words) >= 2 and fold(words[0]) in ("role", "poste"):
        where = ctx.hub or named
        found = where.playbook.find_role(words[1]) if where else None
        if found is None:
            out.messages.append(ctx.reply("error.unknown_role", role=words[1], roles="-"))
            return
        role, words = found.id, words[2:]
    urgent = bool(words) and fold(words[0]) == "urgent"
    if urgent:
        words = words[1:]
    send_at = ctx.now
    when = parse_when(words, ctx.now, ctx.timezone, cmd.locale)
    if when is not None:
        if when.at is None:
            bad = ctx.reply("broadcast.bad_time", time=when.unreadable)
            out.messages.append(bad if when.unreadable else ctx.reply("broadcast.usage"))
            return
        send_at, words = when.at, words[when.used :]
    body = " ".join(words)
    if when is not None:
        body = body.lstrip(":-– ")  # 'A 18h : souper servi'
    if not body:
        out.messages.append(ctx.reply("broadcast.usage"))
        return
    if body.startswith("#"):
        first, *extra = body.split()
        template = first[1:].lower()
        if template not in templates:
            known = ", ".join(f"#{t}" for t in sorted(templates)) or "-"
            out.messages.append(
                ctx.reply("broadcast.unknown_template", template=first[1:], templates=known)
            )
            return
        if extra:
            out.messages.append(ctx.reply("broadcast.template_alone", template=template))
            return
        body = f"#{template}"
    elif too_long := _too_long(ctx, body):
        out.messages.append(too_long)
        return
    out.effects.append(
        CreateBroadcast(
            hub_ids,
            role,
            body,
            Priority.URGENT if urgent else Priority.BULK,
            send_at,
            sender.id,
        )
    )
    out.effects.append(
        LogActivity(ctx.hub.id if ctx.hub else None, sender.id, None, "broadcast", body[:100])
    )


def _too_long(ctx: Context, body: str) -> Outgoing | None:
    """A text that would not fit, framed, in three SMS segments is sent back, not cut: a
    broadcast to hundreds must not lose its end, nor arrive in pieces. The reply names the
    characters that make the SMS go as UCS-2, which shrink the room."""
    length, room = fanout.text_room(body)
    if length <= room:
        return None
    wide = "".join(dict.fromkeys(ch for ch in body if not is_gsm7(ch)))
    if not wide:
        return ctx.reply("broadcast.too_long", total=length, max=room)
    _, room_without = fanout.text_room("".join(ch for ch in body if is_gsm7(ch)))
    return ctx.reply(
        "broadcast.too_long_wide",
        total=length,
        max=room,
        chars=" ".join(wide[:5]),
        number=room_without,
    )


def on_alertstatus(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ALERTSTATUS B5: how far a broadcast got, and who has not acknowledged it."""
    status = ctx.of(AlertStatusFacts).status
    if status is None:
        out.messages.append(ctx.reply("alertstatus.unknown", id=cmd.args.strip().upper() or "-"))
        return
    if not (ctx.sender.is_coordinator or status.by_person_id == ctx.sender.id):
        refuse(ctx, out, cmd, who=who_may(None, Party.AUTHOR, Party.COORDINATOR))
        return
    missing = ", ".join(status.not_acked[:10]) or "-"
    more = len(status.not_acked) - 10
    out.messages.append(
        ctx.reply(
            "alertstatus.tally",
            id=status.label,
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


SPECS = (
    # The lead broadcasts to their hub; a coordinator to ALL/TOUS or to a hub by its code.
    CommandSpec(
        CommandId.BROADCAST,
        on_broadcast,
        words={"broadcast": "en", "diffuser": "fr"},
        facts=(NamedHub, TemplateFacts),
        help=Help("help.broadcast", rank=43, action=Action.BROADCAST),
    ),
    CommandSpec(
        CommandId.ALERTSTATUS,
        on_alertstatus,
        words={"alertstatus": "en", "etatalerte": "fr"},
        facts=(AlertStatusFacts,),
        help=Help("help.alertstatus", action=Action.BROADCAST),
    ),
)
