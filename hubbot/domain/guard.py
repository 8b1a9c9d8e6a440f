"""The one permission guard: who may run a command in a hub, and how a refusal is answered and
logged, so every refusal reaches the activity log (the ICS-214 record) the same way."""

from __future__ import annotations

from hubbot.domain.addressing import named_hub
from hubbot.domain.commands import Command, CommandSpec
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.messages import Joined, Msg, Outgoing, Param
from hubbot.domain.models import Hub, Person
from hubbot.domain.permissions import LEAD_ONLY, Action, Party, Who, is_permitted, who_may
from hubbot.domain.usage import index_of, word


def acting_as(hub: Hub | None, person: Person) -> str | None:
    """How the activity log names what someone acts as: their roles, or coordinator."""
    roles = hub.roles_of(person.id) if hub else ()
    if roles:
        return ",".join(roles)
    return "coordinator" if person.is_coordinator else None


def refuse(
    ctx: Context,
    out: Outcome,
    cmd: Command,
    reply: Outgoing | None = None,
    why: str = "",
    who: Who | None = None,
) -> None:
    """Say no and log who tried what. Unless given another reply, the refusal names who may,
    in the reader's language: 'ARRIVEE : Accueil ou Responsable du centre seulement.'"""
    hub = ctx.hub
    out.messages.append(reply or only(ctx, cmd, who or LEAD_ONLY))
    detail = f"{cmd.name}: {why or cmd.args}"[:200]
    out.effects.append(
        LogActivity(
            hub.id if hub else None, ctx.sender.id, acting_as(hub, ctx.sender), "refused", detail
        )
    )


def admitted(spec: CommandSpec, cmd: Command, ctx: Context, out: Outcome) -> bool:
    """Whether the command may run: the hub its `CODE:` names, a hub when it needs one, the
    permission it names."""
    if cmd.hub_code is not None and named_hub(cmd, ctx) is None:
        # An unknown code and a hub the sender has no business in read the same.
        reply = ctx.reply("error.unknown_named_hub", code=cmd.hub_code)
        refuse(ctx, out, cmd, reply, f"hub {cmd.hub_code}")
        return False
    if spec.hub and ctx.hub is None:
        out.messages.append(ctx.reply(spec.no_hub))
        return False
    hub, action = ctx.hub, spec.permission
    if action is not None and hub is not None and not is_permitted(ctx.sender, hub, action):
        refuse(ctx, out, cmd, who=who_may(action))
        return False
    return True


def allows(ctx: Context, out: Outcome, cmd: Command, action: Action) -> bool:
    """For commands whose permission depends on their arguments (ETAT alone reads the board,
    ETAT courant coupé writes it): the same check and the same refusal as the spec's."""
    if ctx.hub is not None and is_permitted(ctx.sender, ctx.hub, action):
        return True
    refuse(ctx, out, cmd, who=who_may(action))
    return False


def only(ctx: Context, cmd: Command, who: Who) -> Outgoing:
    """'ARRIVEE : Accueil ou Responsable du centre seulement.' / 'ARRIVE: Reception or Hub
    lead only.': the command as the reader would type it, and who may, in their language."""
    return ctx.reply(
        "error.not_permitted", command=word(index_of(ctx), cmd.name), who=named(ctx.hub, who)
    )


def named(hub: Hub | None, who: Who) -> Param:
    """Who may, as people: the note's poster and the like first, then the roles that may (the
    lead last: the others are whom to ask first), or 'a coordinator' when no one else may."""
    names: list[Param] = []
    for party, key in (
        (Party.POSTER, "who.poster"),
        (Party.HOLDER, "who.holder"),
        (Party.AUTHOR, "who.author"),
    ):
        if party in who.parties:
            names.append(Msg(key))
    if hub is not None:
        roles = sorted(
            (role for role in hub.playbook.roles if role.id in who.roles),
            key=lambda role: role.id == "lead",
        )
        names.extend(role.name for role in roles)
        if "member" in who.roles:
            names.append(Msg("who.members", {"hub": hub.code}))
    if Party.COORDINATOR in who.parties or not names:
        names.append(Msg("who.coordinator"))
    if len(names) == 1:
        return names[0]
    return Msg("who.or", {"names": Joined(tuple(names[:-1])), "last": names[-1]})
