"""Who really gets a role's messages: holders who sent STOP or whom no channel reaches count as
absent, so the message moves on (role, then lead, then coordinators) instead of vanishing."""

from __future__ import annotations

from collections.abc import Iterable

from hubbot.domain.context import Context
from hubbot.domain.effects import NoteCutOff, Outcome
from hubbot.domain.facts import RosterFacts
from hubbot.domain.messages import Msg, Outgoing, Param
from hubbot.domain.models import Hub, member_label

COORDINATORS = Msg("who.coordinators")


def reachable_holders(ctx: Context, hub: Hub, role_id: str) -> tuple[int, ...]:
    """The role's holders a message can reach now; never the sender."""
    cut_off = ctx.of(RosterFacts).cut_off
    return tuple(pid for pid in hub.holders(role_id) if pid not in cut_off and pid != ctx.sender.id)


def coordinators(ctx: Context) -> tuple[int, ...]:
    """The regional coordinators who still take messages; never the sender."""
    return tuple(c.id for c in ctx.coordinators if c.id != ctx.sender.id and not c.opted_out)


def recipients(ctx: Context, hub: Hub, role_id: str, out: Outcome) -> tuple[Param, tuple[int, ...]]:
    """Who gets a message meant for a role, and how to name them to the sender.

    The role's reachable holders first; else the lead; if there is no reachable lead or the
    hub is closed, the regional coordinators. The sender never receives their own message.
    A role passed over because its holders are cut off is reported to the lead, once.
    """
    if hub.is_active:
        for candidate in dict.fromkeys((role_id, "lead")):
            ids = reachable_holders(ctx, hub, candidate)
            role = hub.playbook.role(candidate)
            if ids and role is not None:
                return role.name, ids
            report_cut_off(ctx, hub, candidate, out)
    return COORDINATORS, coordinators(ctx)


def staff_for(ctx: Context, hub: Hub, roles: Iterable[str], out: Outcome) -> tuple[int, ...]:
    """The reachable holders of any of these roles, else the coordinators: for alerts that must
    reach someone (life safety, a significant need, help asked at a check-in or roll call)."""
    wanted = tuple(roles)
    ids = sorted({pid for role in wanted for pid in reachable_holders(ctx, hub, role)})
    for role in wanted:
        report_cut_off(ctx, hub, role, out)
    return tuple(ids) or coordinators(ctx)


def report_cut_off(ctx: Context, hub: Hub, role_id: str, out: Outcome) -> None:
    """If every holder of the role is cut off, tell the lead once per holder and role (the
    coordinators when no lead can be reached): their messages come to them now."""
    held = hub.holders(role_id)
    role = hub.playbook.role(role_id)
    roster = ctx.of(RosterFacts)
    if role is None or not held or any(pid not in roster.cut_off for pid in held):
        return
    # Once per decision too: a need can pass the same role for its routing and its alerts.
    noted = {(e.person_id, e.role_id) for e in out.effects if isinstance(e, NoteCutOff)}
    fresh = [pid for pid in held if (pid, role_id) not in roster.cut_off_told | noted]
    leads = tuple(pid for pid in hub.holders("lead") if pid not in roster.cut_off)
    told = leads or tuple(c.id for c in ctx.coordinators if not c.opted_out)
    if not told:
        return  # nobody to tell: try again with the next message
    for pid in fresh:
        why = (
            Msg("reach.opted_out")
            if roster.cut_off[pid] == "opted_out"
            else Msg("reach.unreachable")
        )
        notice = Msg(
            "reach.cut_off",
            {
                "code": hub.code,
                "person": roster.labels.get(pid, member_label(pid)),
                "role": role.name,
                "why": why,
            },
        )
        out.effects.append(NoteCutOff(hub.id, pid, role_id))
        out.messages.extend(Outgoing(to, notice) for to in told)
