"""Opening and closing a hub: the PIN that ACTIVATE (and a group's LINK) takes, ACTIVATE and
CLOSE, and who hears of each: the coordinators, and the members when it closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hubbot.domain.commands import Command, CommandId, CommandSpec, Help, Menu
from hubbot.domain.context import Context
from hubbot.domain.effects import (
    AssignRole,
    JoinHub,
    LogActivity,
    Outcome,
    RecordPinFailure,
    ResetPinFailures,
    SetHubStatus,
)
from hubbot.domain.facts import NamedHub
from hubbot.domain.guard import acting_as
from hubbot.domain.hub_admin import enter, task_card
from hubbot.domain.messages import Confirm, Msg, Outgoing, Param, Priority
from hubbot.domain.models import Hub, Person
from hubbot.domain.permissions import Action

PIN_ATTEMPTS = 3
PIN_LOCKOUT = timedelta(minutes=15)


def pin_checked(ctx: Context, out: Outcome, code: str, action: str) -> Hub | None:
    """The hub named by CODE if the PIN matched; otherwise count the failure and say why.

    Three failures in a row, unknown codes included (so codes cannot be probed), lock the
    person out of PIN commands for 15 minutes.
    """
    sender, now = ctx.sender, ctx.now
    if sender.pin_locked_until and sender.pin_locked_until > now:
        minutes = max(1, -(-int((sender.pin_locked_until - now).total_seconds()) // 60))
        out.messages.append(ctx.reply("activate.locked", count=minutes, minutes=minutes))
        return None
    named = ctx.of(NamedHub)
    hub = named.hub
    if hub is not None and named.pin_valid:
        if sender.pin_failures:
            out.effects.append(ResetPinFailures(sender.id))
        return hub
    failures = sender.pin_failures + 1
    locked = now + PIN_LOCKOUT if failures >= PIN_ATTEMPTS else None
    out.effects.append(RecordPinFailure(sender.id, 0 if locked else failures, locked))
    out.effects.append(LogActivity(hub.id if hub else None, sender.id, None, action, code))
    if hub is None:
        out.messages.append(ctx.reply("error.unknown_hub", code=code.upper()))
    elif locked:
        minutes = int(PIN_LOCKOUT.total_seconds() // 60)
        out.messages.append(ctx.reply("activate.locked", count=minutes, minutes=minutes))
    else:
        left = PIN_ATTEMPTS - failures
        out.messages.append(ctx.reply("activate.bad_pin", count=left, left=left))
    return None


def on_activate(cmd: Command, ctx: Context, out: Outcome) -> None:
    sender = ctx.sender
    parts = cmd.args.split()
    if len(parts) != 2:
        out.messages.append(ctx.reply("activate.usage"))
        return
    hub = pin_checked(ctx, out, parts[0], "activate_refused")
    if hub is None:
        return
    if sender.is_coordinator:
        enter(out, sender, hub)
    else:
        out.effects.append(JoinHub(sender.id, hub.id))  # and the hub becomes their current one
    if not hub.is_active:
        out.effects.append(SetHubStatus(hub.id, active=True))
        out.effects.append(LogActivity(hub.id, sender.id, acting_as(hub, sender), "hub_opened"))
        _alert_coordinators(out, ctx.coordinators, "coord.hub_opened", hub, sender.label)
        out.messages.append(ctx.reply("activate.opened", hub=hub.name))
    else:
        out.messages.append(ctx.reply("activate.already_open", hub=hub.name))
    if not hub.has_lead:
        out.effects.append(AssignRole(hub.id, sender.id, "lead", sender.id))
        out.effects.append(LogActivity(hub.id, sender.id, "lead", "role_assigned", "lead"))
        out.messages.append(task_card(ctx, hub, sender.id, "lead"))


def on_close(cmd: Command, ctx: Context, out: Outcome) -> None:
    hub = ctx.in_hub
    if not hub.is_active:
        out.messages.append(ctx.reply("close.already", hub=hub.name))
        return
    closer = Closer(ctx.sender.id, acting_as(hub, ctx.sender), ctx.sender.label)
    close_hub(hub, ctx.coordinators, closer, out)
    out.messages.append(ctx.reply("close.done", hub=hub.name))


@dataclass(frozen=True)
class Closer:
    """Who closes a hub: someone by text (FERMER/CLOSE) or the operator (`hubbot hub close`)."""

    person_id: int | None  # None: the operator at the console, who is nobody's member
    role: str | None  # the role they act in, for the activity log
    label: Param  # how coordinators are told who closed it


def close_hub(hub: Hub, coordinators: tuple[Person, ...], closer: Closer, out: Outcome) -> None:
    """What closing an open hub means, whoever closes it: the hub is closed and logged, the
    coordinators are alerted, and members hear it once, each in their language (the closer
    is answered by the caller; who sent STOP is skipped by the outbox, as for any message)."""
    out.effects.append(SetHubStatus(hub.id, active=False))
    out.effects.append(LogActivity(hub.id, closer.person_id, closer.role, "hub_closed"))
    _alert_coordinators(out, coordinators, "coord.hub_closed", hub, closer.label)
    told = {closer.person_id} | {c.id for c in coordinators}
    out.messages.extend(
        Outgoing(pid, Msg("close.members", {"code": hub.code, "hub": hub.name}), Priority.BULK)
        for pid in sorted(hub.members - told)
    )


def _alert_coordinators(
    out: Outcome, coordinators: tuple[Person, ...], key: str, hub: Hub, by: Param
) -> None:
    confirm = Confirm("hub_status", hub.code, hub_id=hub.id)
    params: dict[str, Param] = {"code": hub.code, "hub": hub.name, "by": by}
    out.messages.extend(
        Outgoing(c.id, Msg(key, dict(params)), Priority.URGENT, ack=True, confirm=confirm)
        for c in coordinators
    )


SPECS = (
    CommandSpec(
        CommandId.ACTIVATE,
        on_activate,
        words={"activate": "en", "activer": "fr"},
        facts=(NamedHub,),
        menu=Menu("menu.activate", fr="activer", en="activate", rank=7),
        help=Help("help.activate"),
    ),
    CommandSpec(
        CommandId.CLOSE,
        on_close,
        words={"close": "en", "fermer": "fr"},
        hub=True,
        permission=Action.CLOSE,
        help=Help("help.close", rank=46),
    ),
)
