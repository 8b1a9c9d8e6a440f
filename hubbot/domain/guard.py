"""The one permission guard: who may run a command in a hub, and how a refusal is answered and
logged, so every refusal reaches the activity log (the ICS-214 record) the same way."""

from __future__ import annotations

from hubbot.domain.commands import Command, CommandSpec
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.messages import Outgoing
from hubbot.domain.models import Hub, Person
from hubbot.domain.permissions import Action, is_permitted


def acting_as(hub: Hub | None, person: Person) -> str | None:
    """How the activity log names what someone acts as: their roles, or coordinator."""
    roles = hub.roles_of(person.id) if hub else ()
    if roles:
        return ",".join(roles)
    return "coordinator" if person.is_coordinator else None


def refuse(
    ctx: Context, out: Outcome, cmd: Command, reply: Outgoing | None = None, why: str = ""
) -> None:
    """Say no (by default: only those allowed may do that here) and log who tried what."""
    hub = ctx.hub
    out.messages.append(reply or ctx.reply("error.not_permitted", hub=hub.code if hub else "-"))
    detail = f"{cmd.name}: {why or cmd.args}"[:200]
    out.effects.append(
        LogActivity(
            hub.id if hub else None, ctx.sender.id, acting_as(hub, ctx.sender), "refused", detail
        )
    )


def admitted(spec: CommandSpec, cmd: Command, ctx: Context, out: Outcome) -> bool:
    """Whether the command may run: a hub when it needs one, the permission it names."""
    if spec.hub and ctx.hub is None:
        out.messages.append(ctx.reply(spec.no_hub))
        return False
    hub, action = ctx.hub, spec.permission
    if action is not None and hub is not None and not is_permitted(ctx.sender, hub, action):
        refuse(ctx, out, cmd)
        return False
    return True


def allows(ctx: Context, out: Outcome, cmd: Command, action: Action) -> bool:
    """For commands whose permission depends on their arguments (ETAT alone reads the board,
    ETAT courant coupé writes it): the same check and the same refusal as the spec's."""
    if ctx.hub is not None and is_permitted(ctx.sender, ctx.hub, action):
        return True
    refuse(ctx, out, cmd)
    return False
