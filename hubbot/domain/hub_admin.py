"""Staffing a hub by text: assign, unassign and hand over roles, and the roster."""

from __future__ import annotations

from hubbot.domain import checkins
from hubbot.domain.commands import (
    Command,
    CommandId,
    CommandSpec,
    Help,
    Menu,
    read_person_and_role,
    read_role_and_person,
)
from hubbot.domain.context import Context
from hubbot.domain.effects import (
    AssignRole,
    CreatePerson,
    JoinHub,
    LogActivity,
    Outcome,
    SetCurrentHub,
    UnassignRole,
)
from hubbot.domain.facts import RosterFacts, RoundFacts, TargetFacts
from hubbot.domain.guard import acting_as, refuse
from hubbot.domain.messages import Joined, Msg, Outgoing, Param
from hubbot.domain.models import Hub, Person, member_label
from hubbot.domain.permissions import Action, Party, may_act_on, may_hand_over, who_may
from hubbot.domain.timed_effects import MoveAsk


def enter(out: Outcome, person: Person, hub: Hub) -> None:
    """Someone put to work in a hub becomes one of its members (and it their current hub).
    A coordinator only gets it as their current hub: members get the hub's broadcasts and
    roll calls, which a coordinator overseeing many hubs asks for with JOIN or not at all."""
    if person.is_coordinator:
        if person.hub_id != hub.id:
            out.effects.append(SetCurrentHub(person.id, hub.id))
    elif person.id not in hub.members:
        out.effects.append(JoinHub(person.id, hub.id))


def task_card(ctx: Context, hub: Hub, person_id: int, role_id: str) -> Outgoing:
    role = hub.playbook.role(role_id)
    if role is None:  # the playbook check guarantees a lead role; others come parsed
        raise ValueError(f"no role {role_id!r} in playbook {hub.playbook.id}")
    return ctx.tell(person_id, "role.assigned", role=role.name, hub=hub.code, card=role.card)


def on_assign(cmd: Command, ctx: Context, out: Outcome) -> None:
    _change_role(cmd, ctx, out, assign=True)


def on_unassign(cmd: Command, ctx: Context, out: Outcome) -> None:
    _change_role(cmd, ctx, out, assign=False)


def _change_role(cmd: Command, ctx: Context, out: Outcome, assign: bool) -> None:
    hub = ctx.in_hub
    usage = "assign.usage" if assign else "unassign.usage"
    if not cmd.person_text or not cmd.role_text:
        out.messages.append(ctx.reply(usage))
        return
    if cmd.role is None:
        out.messages.append(_unknown_role(ctx, hub, cmd.role_text))
        return
    target = _target(cmd, ctx, out, hub, create=assign)
    if target is None:
        return
    role, holds = cmd.role, target.id in hub.holders(cmd.role.id)
    by_role = acting_as(hub, ctx.sender)
    if assign:
        if holds:
            out.messages.append(ctx.reply("assign.already", person=target.label, role=role.name))
            return
        enter(out, target, hub)
        out.effects.append(AssignRole(hub.id, target.id, role.id, ctx.sender.id))
        out.messages.append(task_card(ctx, hub, target.id, role.id))
        _follow_role(ctx, out, hub, role.id, (*hub.holders(role.id), target.id))
    else:
        if not holds:
            out.messages.append(
                ctx.reply("unassign.not_holder", person=target.label, role=role.name)
            )
            return
        out.effects.append(UnassignRole(hub.id, target.id, role.id, ctx.sender.id))
        if target.id != ctx.sender.id:
            out.messages.append(ctx.tell(target.id, "role.removed", role=role.name, hub=hub.code))
        holders = tuple(pid for pid in hub.holders(role.id) if pid != target.id)
        _follow_role(ctx, out, hub, role.id, holders)
    action = "role_assigned" if assign else "role_unassigned"
    change = f"{role.id} -> {member_label(target.id)}"
    out.effects.append(LogActivity(hub.id, ctx.sender.id, by_role, action, change))
    done = "assign.done" if assign else "unassign.done"
    out.messages.append(ctx.reply(done, person=target.label, role=role.name))


def _in_reach(cmd: Command, ctx: Context, out: Outcome, hub: Hub, target: Person) -> bool:
    """Staff may act only on their own hub's people (or on someone in no hub yet); anyone else
    gets the same plain answer, naming them as typed, whether or not another hub knows them."""
    if may_act_on(ctx.sender, hub, target.id, ctx.of(TargetFacts).hubs):
        return True
    reply = ctx.reply("error.not_member", person=cmd.person_text, hub=hub.code)
    refuse(ctx, out, cmd, reply, f"{member_label(target.id)} is not a member")
    return False


def _target(cmd: Command, ctx: Context, out: Outcome, hub: Hub, create: bool) -> Person | None:
    """The person a staff command names, if it may act on them. A lead may assign someone who
    has never texted: they are created then, and only then (a refused command leaves no
    trace of a stranger)."""
    found = ctx.of(TargetFacts)
    target = found.person
    if target is None and create and found.new is not None:
        new = found.new
        out.effects.append(CreatePerson(new.id, new.address, new.locale))
        return Person(new.id, new.locale)
    if target is None:
        out.messages.append(ctx.reply("error.unknown_person", person=cmd.person_text))
        return None
    return target if _in_reach(cmd, ctx, out, hub, target) else None


def on_roles(cmd: Command, ctx: Context, out: Outcome) -> None:
    hub = ctx.in_hub
    labels = ctx.of(RosterFacts).labels
    lines: list[Param] = []
    unfilled = 0
    for role in hub.playbook.roles:
        holders = hub.holders(role.id)
        if holders:
            who = ", ".join(labels.get(pid, member_label(pid)) for pid in holders)
            lines.append(Msg("roster.line", {"role": role.name, "holders": who}))
        elif role.priority:
            unfilled += 1
            lines.append(Msg("roster.line_unfilled_priority", {"role": role.name}))
        else:
            lines.append(Msg("roster.line_unfilled", {"role": role.name}))
    out.messages.append(
        ctx.reply(
            "roster.list", count=unfilled, hub=hub.code, lines=tuple(lines), unfilled=unfilled
        )
    )


def _unknown_role(ctx: Context, hub: Hub, role_text: str) -> Outgoing:
    names = Joined(tuple(r.name for r in hub.playbook.roles))  # in the reader's language
    return ctx.reply("error.unknown_role", role=role_text, roles=names)


def on_handover(cmd: Command, ctx: Context, out: Outcome) -> None:
    """HANDOVER <role> <person> / RELEVE: at shift change the role moves, with its task card.

    The lead, a coordinator, or someone who holds the role may hand it over.
    """
    hub = ctx.in_hub
    if not cmd.role_text or not cmd.person_text:
        out.messages.append(ctx.reply("handover.usage"))
        return
    role = cmd.role
    if role is None:
        out.messages.append(_unknown_role(ctx, hub, cmd.role_text))
        return
    if not may_hand_over(ctx.sender, hub, role.id):
        refuse(ctx, out, cmd, who=who_may(Action.ASSIGN, Party.HOLDER))
        return
    target = _target(cmd, ctx, out, hub, create=True)
    if target is None:
        return
    enter(out, target, hub)
    for previous in hub.holders(role.id):
        if previous == target.id:
            continue
        out.effects.append(UnassignRole(hub.id, previous, role.id, ctx.sender.id))
        if previous != ctx.sender.id:
            out.messages.append(
                ctx.tell(
                    previous, "role.handed_over", role=role.name, hub=hub.code, person=target.label
                )
            )
    if target.id not in hub.holders(role.id):
        out.effects.append(AssignRole(hub.id, target.id, role.id, ctx.sender.id))
        out.messages.append(task_card(ctx, hub, target.id, role.id))
    _follow_role(ctx, out, hub, role.id, (target.id,))
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            acting_as(hub, ctx.sender),
            "handover",
            f"{role.id} -> {member_label(target.id)}",
        )
    )
    out.messages.append(ctx.reply("handover.done", role=role.name, person=target.label))


def _follow_role(
    ctx: Context, out: Outcome, hub: Hub, role_id: str, holders: tuple[int, ...]
) -> None:
    """Open check-in asks for the role follow it to `holders`, its holders after the change:
    the old holder's answer no longer counts, the new one is asked now, and a role left
    with nobody is reported vacant rather than its old holder silent."""
    roster = {**hub.roster, role_id: holders}
    role = hub.playbook.role(role_id)
    for open_round in ctx.of(RoundFacts).open_rounds:
        checkin = hub.playbook.checkin(open_round.checkin)
        if checkin is None or role is None:
            continue
        msg, buttons = checkins.prompt(checkin, hub)
        for move in checkins.follow_roster(open_round.asks, roster):
            if move.role != role_id:
                continue  # other roles are followed at the round's next step
            out.effects.append(MoveAsk(move.ask_id, move.to, move.vacant))
            out.messages.extend(Outgoing(pid, msg, buttons=buttons) for pid in move.prompt)
            if move.vacant:
                told = (*roster.get("lead", ()), *(c.id for c in ctx.coordinators if role.priority))
                for pid in dict.fromkeys(told):
                    out.messages.append(
                        ctx.tell(pid, "checkin.unfilled", role=role.name, hub=hub.code)
                    )


SPECS = (
    CommandSpec(
        CommandId.ASSIGN,
        on_assign,
        words={"assign": "en", "assigner": "fr"},
        read=read_person_and_role,
        hub=True,
        permission=Action.ASSIGN,
        facts=(TargetFacts, RoundFacts),
        menu=Menu("menu.assign", fr="assigner", en="assign", rank=8),
        help=Help("help.assign", rank=40),
    ),
    CommandSpec(
        CommandId.UNASSIGN,
        on_unassign,
        words={"unassign": "en", "retirer": "fr"},
        read=read_person_and_role,
        hub=True,
        permission=Action.UNASSIGN,
        facts=(TargetFacts, RoundFacts),
        help=Help("help.unassign", rank=41),
    ),
    CommandSpec(
        CommandId.ROLES,
        on_roles,
        whole={"roles": None, "role": None},
        hub=True,
        permission=Action.VIEW_ROSTER,
        facts=(RosterFacts,),
        menu=Menu("menu.roles", fr="roles", en="roles", rank=5),
        help=Help("help.roles"),
    ),
    CommandSpec(
        CommandId.HANDOVER,
        on_handover,
        words={"handover": "en", "releve": "fr"},
        read=read_role_and_person,
        hub=True,
        facts=(TargetFacts, RoundFacts),
        # Any role holder hands their own role over at shift change.
        help=Help("help.handover", rank=42, staff=True),
    ),
)
