"""Which hub a message is about: the one its `CODE:` names, else the sender's current hub.

'PLATEAU: BESOINS' (domain/registry.py reads the prefix) lets a coordinator act in any hub
without joining it, and someone who is staff or a member in several hubs act in each. The
hub it names becomes their current hub, for the bare commands that follow. Replies to
someone in several hubs say which hub they are about ([PLATEAU], when it costs no extra SMS).
"""

from __future__ import annotations

from dataclasses import replace

from hubbot.domain.commands import Command, CommandSpec
from hubbot.domain.context import Context
from hubbot.domain.effects import Outcome, SetCurrentHub
from hubbot.domain.models import Hub, Person


def may_address(person: Person, hub: Hub) -> bool:
    """Coordinators may name any hub; others only one they are a member or staff of."""
    return person.is_coordinator or person.id in hub.members or bool(hub.roles_of(person.id))


def named_hub(cmd: Command, ctx: Context) -> Hub | None:
    """The hub the command's `CODE:` named, if it names one the sender may act in.

    The service leaves `ctx.hub` empty for an unknown code and for a hub the sender has no
    business in, so both get the same reply and nobody learns which codes exist."""
    hub = ctx.hub
    if cmd.hub_code is None or hub is None or hub.code != cmd.hub_code:
        return None
    return hub if may_address(ctx.sender, hub) else None


def settle(cmd: Command, spec: CommandSpec, ctx: Context, out: Outcome) -> None:
    """After the handler: the named hub becomes current, and replies name their hub."""
    hub = ctx.hub
    if hub is None:
        return
    named = named_hub(cmd, ctx)
    if named is not None and ctx.sender.hub_id != named.id:
        out.effects.append(SetCurrentHub(ctx.sender.id, named.id))
    several = len(ctx.sender_hubs | {hub.id}) > 1
    if ctx.group_chat is not None or not (named or (spec.hub and several)):
        return  # a group is one hub's; one hub needs no naming
    out.messages[:] = [
        replace(m, about=hub.code) if m.person_id == ctx.sender.id and m.about is None else m
        for m in out.messages
    ]
