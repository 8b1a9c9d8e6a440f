"""The hub's situation: people on site, lifelines, and the numbered status report (sitrep)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from hubbot.domain.board import category_name
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome, RecordLifeline, RecordOnsite, RecordSitrep
from hubbot.domain.facts import FigureFacts
from hubbot.domain.guard import allows
from hubbot.domain.messages import Joined, Msg, Outgoing, Param
from hubbot.domain.models import Figures, Hub, Lifeline
from hubbot.domain.numbers import parse_number
from hubbot.domain.permissions import Action
from hubbot.domain.text import fold

MAX_STEP = 500  # people arriving or leaving in one message, at most
TOPICS = {
    "power": ("power", "courant", "electricite", "electricity", "hydro"),
    "water": ("water", "eau"),
    "phones": ("phones", "phone", "telephones", "telephone", "tel", "cell", "cellulaire"),
    "roads": ("roads", "road", "routes", "route", "rues"),
    "building": ("building", "batiment", "edifice", "structure"),
    "toilets": ("toilets", "toilet", "toilettes", "wc"),
    "weather": ("weather", "meteo"),
}
_UNCONFIRMED = re.compile(r"(\?|\b(unconfirmed|non confirme|a confirmer|nc)\b)\s*$", re.I)


def _count(cmd: Command) -> int | None:
    arg = cmd.args.strip()
    if not arg:
        return 1
    step = parse_number(arg, MAX_STEP)  # '²' passes isdigit() but is no number
    return step if step else None


def on_count(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ARRIVE [n] / LEAVE [n]: reception keeps the running count of people on site."""
    hub = ctx.in_hub
    step = _count(cmd)
    if step is None:
        out.messages.append(ctx.reply("onsite.usage", max=MAX_STEP))
        return
    figures = ctx.of(FigureFacts).figures
    before = figures.onsite if figures else 0
    delta = step if cmd.name == CommandId.ARRIVE else -min(step, before)
    total = before + delta
    out.effects.append(RecordOnsite(hub.id, delta, total, ctx.sender.id))
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            ",".join(hub.roles_of(ctx.sender.id)),
            "onsite",
            f"{delta:+d} -> {total}",
        )
    )
    out.messages.append(ctx.reply("onsite.updated", count=total, total=total, change=f"{delta:+d}"))


def on_onsite(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ONSITE / SURPLACE: the count and how it moved in the last hour."""
    figures = ctx.of(FigureFacts).figures or Figures(0)
    out.messages.append(
        ctx.reply(
            "onsite.now",
            count=figures.onsite,
            total=figures.onsite,
            change=f"{figures.onsite_change:+d}",
        )
    )


def read_lifeline(text: str) -> tuple[str, str, bool] | None:
    """'power off ?' -> ('power', 'off', True); None if no known topic starts the text."""
    head, _, rest = text.strip().partition(" ")
    topic = next((t for t, names in TOPICS.items() if fold(head) in names), None)
    if topic is None or not rest.strip():
        return None
    unconfirmed = bool(_UNCONFIRMED.search(fold(rest)))
    state = _UNCONFIRMED.sub("", rest).strip() if unconfirmed else rest.strip()
    return topic, state[:80] or "?", unconfirmed


def on_lifeline(cmd: Command, ctx: Context, out: Outcome) -> None:
    """STATUS power off / ETAT courant coupé ?: communications keeps the situation board."""
    hub, figures = ctx.in_hub, ctx.of(FigureFacts).figures
    if not cmd.args.strip():
        if allows(ctx, out, cmd, Action.VIEW_COUNT):
            lines = _lifeline_lines(figures.lifelines if figures else (), ctx.timezone)
            out.messages.append(
                ctx.reply("lifeline.board", hub=hub.code, lines=lines or (Msg("lifeline.none"),))
            )
        return
    if not allows(ctx, out, cmd, Action.RECORD_LIFELINE):
        return
    found = read_lifeline(cmd.args)
    if found is None:
        topics = Joined(tuple(Msg(f"topic.{topic}") for topic in TOPICS))  # the reader's words
        out.messages.append(ctx.reply("lifeline.usage", topics=topics))
        return
    topic, state, unconfirmed = found
    out.effects.append(RecordLifeline(hub.id, topic, state, unconfirmed, ctx.sender.id))
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            ",".join(hub.roles_of(ctx.sender.id)),
            "lifeline",
            f"{topic}: {state}{' (?)' if unconfirmed else ''}",
        )
    )
    key = "lifeline.recorded_unconfirmed" if unconfirmed else "lifeline.recorded"
    out.messages.append(ctx.reply(key, topic=Msg(f"topic.{topic}"), state=state))


def _lifeline_lines(lifelines: tuple[Lifeline, ...], timezone: str) -> tuple[Param, ...]:
    return tuple(
        Msg(
            "lifeline.line_unconfirmed" if ll.unconfirmed else "lifeline.line",
            {"topic": Msg(f"topic.{ll.topic}"), "state": ll.state, "at": _local(ll.at, timezone)},
        )
        for ll in lifelines
    )


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def on_sitrep(cmd: Command, ctx: Context, out: Outcome) -> None:
    """SITREP / BILAN: report number N, to whoever asked and to every coordinator."""
    hub = ctx.in_hub
    figures = ctx.of(FigureFacts).figures or Figures(1)
    short, full = sitrep_messages(hub, figures, ctx.now, ctx.timezone)
    out.effects.append(RecordSitrep(hub.id, figures, ctx.sender.id))
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            ",".join(hub.roles_of(ctx.sender.id)),
            "sitrep",
            f"#{figures.number}",
        )
    )
    recipients = dict.fromkeys([ctx.sender.id, *(c.id for c in ctx.coordinators)])
    out.messages.extend(Outgoing(pid, short, rich=full) for pid in recipients)


_FIGURES = (FigureFacts,)
SPECS = (
    CommandSpec(
        CommandId.ARRIVE,
        on_count,
        words={"arrive": "en", "arrivee": "fr"},
        hub=True,
        permission=Action.COUNT_PEOPLE,
        facts=_FIGURES,
        help=Help("help.arrive", rank=10),
    ),
    CommandSpec(
        CommandId.LEAVE,
        on_count,
        words={"leave": "en", "depart": "fr"},
        hub=True,
        permission=Action.COUNT_PEOPLE,
        facts=_FIGURES,
        help=Help("help.leave", rank=11),
    ),
    CommandSpec(
        CommandId.ONSITE,
        on_onsite,
        words={"onsite": "en", "surplace": "fr"},
        hub=True,
        permission=Action.VIEW_COUNT,
        facts=_FIGURES,
        help=Help("help.onsite", rank=12),
    ),
    # Reading the board and writing it need different roles: the handler checks which.
    CommandSpec(
        CommandId.LIFELINE,
        on_lifeline,
        words={"status": "en", "etat": "fr"},
        hub=True,
        facts=_FIGURES,
        help=Help("help.lifeline", rank=13, action=Action.VIEW_COUNT),
    ),
    CommandSpec(
        CommandId.SITREP,
        on_sitrep,
        words={"sitrep": "en", "bilan": "fr"},
        hub=True,
        permission=Action.SITREP,
        facts=_FIGURES,
        help=Help("help.sitrep", rank=30),
    ),
)


def sitrep_messages(hub: Hub, f: Figures, now: datetime, timezone: str) -> tuple[Msg, Msg]:
    """The short form (3 SMS at most) and the full form (Telegram, exports)."""
    totals: dict[str, int] = {}
    for statuses in f.needs.values():
        for status, n in statuses.items():
            totals[status] = totals.get(status, 0) + n
    unfilled = [r.name for r in hub.playbook.roles if r.priority and not hub.holders(r.id)]
    filled = sum(1 for r in hub.playbook.roles if hub.holders(r.id))
    common: dict[str, Param] = {
        "number": f.number,
        "hub": hub.code,
        "time": _local(now, timezone),
        "onsite": f.onsite,
        "change": f"{f.onsite_change:+d}",
        "open": totals.get("open", 0),
        "matched": totals.get("matched", 0),
        "done": totals.get("done", 0),
        "offers": f.offers_open,
        "critical": ", ".join(f.critical) or "-",
        "filled": filled,
        "roles": len(hub.playbook.roles),
        "vacant": Msg("sitrep.unfilled", {"names": Joined(tuple(unfilled))}) if unfilled else "",
        "lifelines": _lifeline_summary(f.lifelines),
        "required": "; ".join(f.top_needs[:3]) or "-",
    }
    short = Msg("sitrep.short", common)
    per_category = tuple(
        Msg(
            "sitrep.category",
            {
                "category": category_name(hub, cat),
                "open": s.get("open", 0),
                "matched": s.get("matched", 0),
                "done": s.get("done", 0),
            },
        )
        for cat, s in sorted(f.needs.items())
    )
    full = Msg(
        "sitrep.full",
        {
            **common,
            "categories": per_category or "-",
            "significant": ", ".join(f.significant) or "-",
            "lifeline_lines": _lifeline_lines(f.lifelines, timezone) or "-",
        },
    )
    return short, full


def _lifeline_summary(lifelines: tuple[Lifeline, ...]) -> Param:
    if not lifelines:
        return "-"
    return Joined(
        tuple(
            Msg(
                "sitrep.lifeline",
                {
                    "topic": Msg(f"topic.{ll.topic}"),
                    "state": ll.state,
                    "mark": "?" if ll.unconfirmed else "",
                },
            )
            for ll in lifelines
        )
    )
