"""The needs and offers board: lists, re-categorising, expiry, closing and cancelling notes."""

from __future__ import annotations

import re

from hubbot.domain import used_offer
from hubbot.domain.board_effects import ListState, UpdateItem
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help
from hubbot.domain.context import Context
from hubbot.domain.durations import format_duration, parse_duration, spoken_duration
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.facts import BoardFacts
from hubbot.domain.guard import refuse
from hubbot.domain.messages import Joined, Msg, Param
from hubbot.domain.models import BoardItem, Hub, ItemKind
from hubbot.domain.numbers import parse_number
from hubbot.domain.permissions import Action, Party, is_permitted, who_may
from hubbot.domain.text import fold

PAGE = 5  # lines per SMS page of a list
_ID = re.compile(r"^([NnOo])(\d+)$")


def item_ref(text: str) -> str | None:
    """'n12' -> 'N12', 'N007' -> 'N7'; None if it is not a board id. A number too large for any
    note stays as written: it names a note that does not exist."""
    m = _ID.match(text.strip())
    if m is None:
        return None
    number = parse_number(m.group(2))
    return f"{m.group(1).upper()}{m.group(2) if number is None else number}"


def category_name(hub: Hub, category: str | None) -> Param:
    for c in hub.playbook.categories:
        if c.id == category:
            return c.name
    return Msg("category.none")


def item_line(hub: Hub, item: BoardItem) -> Msg:
    key = "board.line_critical" if item.critical else "board.line"
    return Msg(
        key,
        {"id": item.label, "category": category_name(hub, item.category), "text": item.text[:80]},
    )


def on_list(cmd: Command, ctx: Context, out: Outcome) -> None:
    """NEEDS/BESOINS, OFFERS/OFFRES and MORE/SUITE: the open notes, most urgent and oldest first."""
    hub, board = ctx.in_hub, ctx.of(BoardFacts)
    if cmd.name == CommandId.MORE:
        if board.list_kind is None:
            out.messages.append(ctx.reply("board.no_more"))
            return
        kind, offset = ItemKind(board.list_kind), board.list_offset
    else:
        kind, offset = (ItemKind.NEED if cmd.name == CommandId.LIST_NEEDS else ItemKind.OFFER), 0
    notes = [i for i in board.board if i.kind is kind and i.is_open(ctx.now)]
    if not notes:
        empty = "board.empty_need" if kind is ItemKind.NEED else "board.empty_offer"
        out.messages.append(ctx.reply(empty, hub=hub.code))
        return
    page = notes[offset : offset + PAGE]
    left = len(notes) - offset - len(page)
    lines: list[Param] = [item_line(hub, item) for item in page]
    if left > 0:
        lines.append(Msg("board.more", {"left": left}, count=left))
    out.messages.append(
        ctx.reply(
            "board.list_need" if kind is ItemKind.NEED else "board.list_offer",
            count=len(notes),
            hub=hub.code,
            total=len(notes),
            lines=tuple(lines),
        )
    )
    out.effects.append(
        ListState(ctx.sender.id, kind.value if left > 0 else None, offset + len(page))
    )


def _item(cmd: Command, ctx: Context, hub: Hub, out: Outcome, usage: str) -> BoardItem | None:
    words = cmd.args.split()
    ref = item_ref(words[0]) if words else None
    if ref is None:
        out.messages.append(ctx.reply(usage))
        return None
    item = ctx.of(BoardFacts).items.get(ref)
    if item is None or item.hub_id != hub.id:
        out.messages.append(ctx.reply("error.unknown_item", id=ref))
        return None
    return item


def _manage(
    cmd: Command, ctx: Context, out: Outcome, usage: str, poster_may: bool = False
) -> tuple[Hub, BoardItem] | None:
    """The named item, if the sender may manage it (staff, or its poster where allowed)."""
    hub = ctx.in_hub
    item = _item(cmd, ctx, hub, out, usage)
    if item is None:
        return None
    own = poster_may and item.person_id == ctx.sender.id
    if not own and not is_permitted(ctx.sender, hub, Action.MANAGE_BOARD):
        poster = (Party.POSTER,) if poster_may else ()
        refuse(ctx, out, cmd, who=who_may(Action.MANAGE_BOARD, *poster))
        return None
    if not item.is_open(ctx.now):
        out.messages.append(ctx.reply("item.not_open", id=item.label))
        return None
    return hub, item


def _log(ctx: Context, hub: Hub, action: str, detail: str) -> LogActivity:
    roles = ",".join(hub.roles_of(ctx.sender.id)) or None
    return LogActivity(hub.id, ctx.sender.id, roles, action, detail[:200])


def on_done(cmd: Command, ctx: Context, out: Outcome) -> None:
    """DONE N12 <how>: the need is met (or the offer used), with a note of how."""
    found = _manage(cmd, ctx, out, "done.usage")
    if found is None:
        return
    hub, item = found
    how = cmd.args.partition(" ")[2].strip()
    if not how:
        out.messages.append(ctx.reply("done.usage"))
        return
    status = "done" if item.kind is ItemKind.NEED else "used"
    out.effects.append(
        UpdateItem(item.kind, item.number, status=status, resolution=how[:300], closed_at=ctx.now)
    )
    out.effects.append(_log(ctx, hub, f"{item.kind.value}_{status}", f"{item.label}: {how}"))
    if not used_offer.close(ctx, out, hub, item, how):
        out.messages.append(ctx.reply("item.done", id=item.label, how=how))
    if item.person_id != ctx.sender.id:
        out.messages.append(
            ctx.tell(item.person_id, "item.closed_for_poster", id=item.label, how=how)
        )


def on_cancel(cmd: Command, ctx: Context, out: Outcome) -> None:
    """CANCEL N12: staff, or the person who posted it, take a note down."""
    found = _manage(cmd, ctx, out, "cancel.usage", poster_may=True)
    if found is None:
        return
    hub, item = found
    status = "cancelled" if item.kind is ItemKind.NEED else "withdrawn"
    out.effects.append(UpdateItem(item.kind, item.number, status=status, closed_at=ctx.now))
    out.effects.append(_log(ctx, hub, f"{item.kind.value}_{status}", item.label))
    out.messages.append(ctx.reply("item.cancelled", id=item.label))


def on_cat(cmd: Command, ctx: Context, out: Outcome) -> None:
    """CAT N12 eau / CAT N12 water: put a note in another theme (its id or either name)."""
    found = _manage(cmd, ctx, out, "cat.usage")
    if found is None:
        return
    hub, item = found
    wanted = cmd.args.partition(" ")[2].strip()
    category = next(
        (
            c
            for c in hub.playbook.categories
            if fold(wanted) in (c.id, fold(c.name.fr), fold(c.name.en))
        ),
        None,
    )
    if category is None:
        names = Joined(tuple(c.name for c in hub.playbook.categories))  # the reader's names
        out.messages.append(ctx.reply("cat.unknown", category=wanted or "-", categories=names))
        return
    out.effects.append(UpdateItem(item.kind, item.number, category=category.id))
    out.effects.append(_log(ctx, hub, "recategorised", f"{item.label} -> {category.id}"))
    out.messages.append(ctx.reply("item.recategorised", id=item.label, category=category.name))


def on_expire(cmd: Command, ctx: Context, out: Outcome) -> None:
    """EXPIRE N12 2d / EXPIRER N12 2j: how long the note stays on the board from now."""
    found = _manage(cmd, ctx, out, "expire.usage")
    if found is None:
        return
    hub, item = found
    try:
        duration = parse_duration(cmd.args.partition(" ")[2])
    except ValueError:
        out.messages.append(ctx.reply("expire.usage"))
        return
    out.effects.append(UpdateItem(item.kind, item.number, expires_at=ctx.now + duration))
    shown = format_duration(duration)
    out.effects.append(_log(ctx, hub, "expiry_set", f"{item.label} {shown}"))
    out.messages.append(
        ctx.reply("item.expiry_set", id=item.label, duration=spoken_duration(duration))
    )


SPECS = (
    CommandSpec(
        CommandId.LIST_NEEDS,
        on_list,
        words={"needs": "en", "besoins": "fr"},
        hub=True,
        permission=Action.VIEW_BOARD,
        facts=(BoardFacts,),
        help=Help("help.list_needs", rank=20),
    ),
    CommandSpec(
        CommandId.LIST_OFFERS,
        on_list,
        words={"offers": "en", "offres": "fr"},
        hub=True,
        permission=Action.VIEW_BOARD,
        facts=(BoardFacts,),
        help=Help("help.list_offers", rank=21),
    ),
    CommandSpec(
        CommandId.MORE,
        on_list,
        words={"more": "en", "suite": "fr"},
        hub=True,
        permission=Action.VIEW_BOARD,
        facts=(BoardFacts,),
        help=Help("help.more"),
    ),
    CommandSpec(
        CommandId.DONE,
        on_done,
        words={"done": "en", "fait": "fr"},
        hub=True,
        facts=(BoardFacts,),
        help=Help("help.done", rank=23, action=Action.MANAGE_BOARD),
    ),
    # The poster may take their own note down: the handler checks who may, per note.
    CommandSpec(
        CommandId.CANCEL,
        on_cancel,
        words={"cancel": "en", "annuler": "fr"},
        hub=True,
        facts=(BoardFacts,),
        help=Help("help.cancel", rank=24, action=Action.MANAGE_BOARD),
    ),
    CommandSpec(
        CommandId.CAT,
        on_cat,
        words={"cat": None},
        hub=True,
        facts=(BoardFacts,),
        help=Help("help.cat", rank=25, action=Action.MANAGE_BOARD),
    ),
    CommandSpec(
        CommandId.EXPIRE,
        on_expire,
        words={"expire": "en", "expirer": "fr"},
        hub=True,
        facts=(BoardFacts,),
        help=Help("help.expire", rank=26, action=Action.MANAGE_BOARD),
    ),
)
