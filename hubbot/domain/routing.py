"""Route needs, offers and free text to whoever holds the right role in the hub now."""

from __future__ import annotations

from hubbot.domain import matching, safety
from hubbot.domain.board import category_name
from hubbot.domain.board_effects import CreateItem, RecordRouted
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help, Menu
from hubbot.domain.context import Context
from hubbot.domain.effects import JoinHub, LogActivity, Outcome, ScheduleRound
from hubbot.domain.facts import BoardFacts, Numbers, RosterFacts
from hubbot.domain.messages import Confirm, Msg, Outgoing, Param, Priority, TeamMessage
from hubbot.domain.models import BoardItem, Hub, ItemKind, member_label
from hubbot.domain.notes import read_note
from hubbot.domain.permissions import Action
from hubbot.domain.reach import recipients, staff_for

ITEM_TEXT_MAX = 300


def _ensure_member(ctx: Context, hub: Hub, out: Outcome) -> None:
    # Texting a hub (by its number or by having joined it) makes you one of its members; a
    # coordinator writing to a hub they oversee does not join it (JOIN does that).
    if ctx.sender.id not in hub.members and not ctx.sender.is_coordinator:
        out.effects.append(JoinHub(ctx.sender.id, hub.id))


def on_item(cmd: Command, ctx: Context, out: Outcome) -> None:
    """NEED/BESOIN and OFFER/OFFRE: put the note on the board and tell needs & offers."""
    kind = ItemKind.NEED if cmd.name == CommandId.NEED else ItemKind.OFFER
    hub = ctx.in_hub
    text = " ".join(cmd.args.split())[:ITEM_TEXT_MAX]
    if not text:
        out.messages.append(ctx.reply("need.usage" if kind is ItemKind.NEED else "offer.usage"))
        return
    _ensure_member(ctx, hub, out)
    note = read_note(text)
    number = ctx.of(Numbers).next[kind]
    category = hub.playbook.categorise(note.text)
    category_id = category.id if category else None
    critical = kind is ItemKind.NEED and hub.playbook.is_life_safety(text)
    significant = kind is ItemKind.NEED and hub.playbook.is_significant(category_id, note.quantity)
    expires_at = ctx.now + hub.playbook.expiry_for(category_id)
    item = BoardItem(
        kind, number, hub.id, ctx.sender.id, note.text, "open", category_id,
        note.quantity, note.location, critical, ctx.now, expires_at,
    )  # fmt: skip
    out.effects.append(
        CreateItem(
            kind,
            number,
            hub.id,
            ctx.sender.id,
            note.text,
            category_id,
            expires_at,
            note.quantity,
            note.location,
            critical,
            significant,
        )
    )
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            None,
            f"{kind.value}_posted",
            item.label + (" CRITICAL" if critical else ""),
        )
    )
    if critical:
        safety.life_safety(ctx, hub, item, out)
    lane = Priority.URGENT if critical else Priority.NORMAL
    to_name, ids = recipients(ctx, hub, "needs_offers", out)
    shown = category_name(hub, category_id)
    new = Msg(
        f"{kind.value}.new",
        {"id": item.label, "text": text, "category": shown, "sender": ctx.sender.label},
    )
    out.messages.extend(Outgoing(pid, new, lane) for pid in ids)
    # The team group sees the board move, whoever is on duty.
    out.team.append(TeamMessage(hub.id, new, lane))
    if significant and not critical:
        # The lead, or whoever stands in for an absent or cut-off lead.
        leads = [pid for pid in staff_for(ctx, hub, ("lead",), out) if pid not in ids]
        out.messages.extend(
            ctx.tell(pid, "significant.alert", id=item.label, text=text, category=shown)
            for pid in leads
        )
    if not critical:
        if ids:
            out.messages.append(ctx.reply(f"{kind.value}.ack", id=item.label, to=to_name))
        else:
            out.messages.append(ctx.reply(f"{kind.value}.ack_nobody", id=item.label))
    out.messages.extend(matching.suggestions(ctx, item, ids))


def on_checkin(cmd: Command, ctx: Context, out: Outcome) -> None:
    """CHECKIN / POINTAGE: the lead runs a round now."""
    hub = ctx.in_hub
    wanted = cmd.args.strip().lower()
    checkins = hub.playbook.checkins
    checkin = hub.playbook.find_checkin(wanted) if wanted else next(iter(checkins), None)
    if checkin is None:
        out.messages.append(ctx.reply("checkin.none"))
        return
    out.effects.append(ScheduleRound(hub.id, checkin.id))
    out.messages.append(ctx.reply("checkin.started"))


def on_routed_text(cmd: Command, ctx: Context, out: Outcome) -> None:
    """A playbook intent, or free text to the fallback role; the sender learns which role.

    Answers to roll calls and check-ins were taken out before (domain/answering.py)."""
    hub = ctx.hub
    if hub is None:
        out.messages.append(ctx.reply("error.no_hub_text"))
        return
    if hub.playbook.is_life_safety(cmd.args):
        # A cry for help in plain words is a critical need, whatever keyword started it.
        on_item(Command(CommandId.NEED, args=cmd.args), ctx, out)
        return
    _ensure_member(ctx, hub, out)
    role_id = cmd.intent.route_to if cmd.intent else hub.playbook.fallback_role
    reply_key = cmd.intent.reply if cmd.intent else "reply.routed"
    to_name, ids = recipients(ctx, hub, role_id, out)
    text = cmd.args[:ITEM_TEXT_MAX]
    detail = f"{cmd.intent.id if cmd.intent else 'text'} -> {role_id}"
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, "message_routed", detail))
    # The role answers with R M6 (domain/relay.py): the member number is the handle.
    said: dict[str, Param] = {"sender": ctx.sender.label, "role": to_name, "text": text}
    said["member"] = member = member_label(ctx.sender.id)
    if cmd.intent and cmd.intent.urgent:
        # A call for help in plain words overtakes the backlog of replies and broadcasts, and
        # asks for OK: nobody taking it within minutes sends it up (domain/safety.py).
        lane = Priority.URGENT
        confirm = Confirm(safety.CALL_FOR_HELP, member, ctx.sender.id, hub.id)
        call = Msg("relay.call_for_help", dict(said))
        out.messages.extend(Outgoing(pid, call, lane, ack=True, confirm=confirm) for pid in ids)
        if ids:
            out.effects.append(safety.unless_confirmed(confirm, ctx.now))
    else:
        lane = Priority.NORMAL
        out.messages.extend(Outgoing(pid, Msg("relay.to_role", dict(said))) for pid in ids)
    if ids:
        out.effects.append(RecordRouted(hub.id, ctx.sender.id, role_id))
        # Whoever called for help hears at once that it went through, and of 911.
        out.messages.append(ctx.tell(ctx.sender.id, reply_key, lane, to=to_name))
    else:
        out.messages.append(ctx.reply("reply.nobody"))


# Free text may turn out to be a life-safety need: it gets a number ready too.
ROUTED_FACTS = (Numbers, RosterFacts, BoardFacts)
SPECS = (
    CommandSpec(
        CommandId.NEED,
        on_item,
        words={"need": "en", "besoin": "fr"},
        hub=True,
        facts=ROUTED_FACTS,
        menu=Menu("menu.need", fr="besoin", en="need", rank=3),
        help=Help("help.need", rank=1),
    ),
    CommandSpec(
        CommandId.OFFER,
        on_item,
        words={"offer": "en", "offre": "fr"},
        hub=True,
        facts=ROUTED_FACTS,
        menu=Menu("menu.offer", fr="offre", en="offer", rank=4),
        help=Help("help.offer", rank=2),
    ),
    CommandSpec(
        CommandId.CHECKIN,
        on_checkin,
        words={"checkin": "en", "pointage": "fr"},
        hub=True,
        permission=Action.RUN_CHECKIN,
        help=Help("help.checkin", rank=45),
    ),
)
