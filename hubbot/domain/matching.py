"""Matching needs with offers: suggestions, MATCH, and contact shared only when both say yes."""

from __future__ import annotations

from hubbot.domain.board import item_ref
from hubbot.domain.board_effects import CreateMatch, MatchConsent, UpdateItem
from hubbot.domain.commands import Command, CommandId, CommandSpec, Help
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome, SetOptOut
from hubbot.domain.facts import BoardFacts, MatchFacts
from hubbot.domain.messages import Button, Msg, Outgoing, Param
from hubbot.domain.models import BoardItem, ItemKind
from hubbot.domain.permissions import Action

SUGGESTIONS = 3


def candidates(item: BoardItem, board: tuple[BoardItem, ...]) -> list[BoardItem]:
    """Open notes of the other kind in the same theme that can cover it, in board order
    (critical first, then the oldest)."""
    if item.category is None:
        return []
    other = ItemKind.OFFER if item.kind is ItemKind.NEED else ItemKind.NEED

    def enough(c: BoardItem) -> bool:
        need, offer = (item, c) if item.kind is ItemKind.NEED else (c, item)
        return offer.quantity is None or need.quantity is None or offer.quantity >= need.quantity

    found = [
        c
        for c in board
        if c.kind is other and c.category == item.category and c.status == "open" and enough(c)
    ]
    return found[:SUGGESTIONS]


def suggestions(ctx: Context, item: BoardItem, recipients: tuple[int, ...]) -> list[Outgoing]:
    """The best matches for a new note, to the needs & offers holders, with one-tap buttons."""
    found = candidates(item, ctx.of(BoardFacts).board)
    if not found:
        return []
    lines: tuple[Param, ...] = tuple(
        Msg("suggest.line", {"id": c.label, "text": c.text[:60]}) for c in found
    )
    need_of = (lambda c: item) if item.kind is ItemKind.NEED else (lambda c: c)
    offer_of = (lambda c: c) if item.kind is ItemKind.NEED else (lambda c: item)
    buttons = tuple(
        Button(
            Msg("button.match", {"need": need_of(c).label, "offer": offer_of(c).label}),
            f"MATCH {need_of(c).label} {offer_of(c).label}",
        )
        for c in found
    )
    msg = Msg(
        "suggest.list",
        {
            "id": item.label,
            "lines": lines,
            "example": f"{need_of(found[0]).label} {offer_of(found[0]).label}",
        },
    )
    return [Outgoing(pid, msg, buttons=buttons) for pid in recipients]


def on_match(cmd: Command, ctx: Context, out: Outcome) -> None:
    """MATCH N12 O7: propose the pair to both posters; nobody's contact is shared yet."""
    hub, named = ctx.in_hub, ctx.of(BoardFacts).items
    refs = sorted(r for word in cmd.args.split() if (r := item_ref(word)))
    if len(cmd.args.split()) != 2 or [r[0] for r in refs] != ["N", "O"]:
        out.messages.append(ctx.reply("match.usage"))
        return
    found: list[BoardItem] = []
    for ref in refs:
        item = named.get(ref)
        if item is None or item.hub_id != hub.id:
            # Another hub's note reads exactly like a missing one: ids must not be probed.
            out.messages.append(ctx.reply("error.unknown_item", id=ref))
            return
        found.append(item)
    need, offer = found
    for item in (need, offer):
        if not item.is_open(ctx.now) or item.status != "open":
            out.messages.append(ctx.reply("item.not_open", id=item.label))
            return
    out.effects.append(CreateMatch(hub.id, need.number, offer.number, ctx.sender.id))
    for item, other in ((need, offer), (offer, need)):
        out.effects.append(
            UpdateItem(item.kind, item.number, status="matched", matched_with=other.number)
        )
    out.effects.append(
        LogActivity(
            hub.id,
            ctx.sender.id,
            ",".join(hub.roles_of(ctx.sender.id)),
            "matched",
            f"{need.label} {offer.label}",
        )
    )
    yes = (Button(Msg("button.yes"), "OUI"),)
    # Each poster sees the other's note, not their contact: that waits for both YES.
    for me, other, key in ((need, offer, "match.to_need"), (offer, need, "match.to_offer")):
        text = other.text[:100]
        params: dict[str, Param] = {"need": need.label, "offer": offer.label, "text": text}
        out.messages.append(Outgoing(me.person_id, Msg(key, params), buttons=yes))
    out.messages.append(ctx.reply("match.made", need=need.label, offer=offer.label))


def on_yes(cmd: Command, ctx: Context, out: Outcome) -> None:
    """YES/OUI: opt back in if opted out; otherwise consent to the pending match."""
    if ctx.sender.opted_out:
        out.effects.append(SetOptOut(ctx.sender.id, False))
        out.messages.append(Outgoing(ctx.sender.id, Msg("start.confirmed"), compliance=True))
        return
    facts = ctx.of(MatchFacts)
    match = facts.match
    if match is None:
        out.messages.append(ctx.reply("yes.nothing"))
        return
    side = "need" if match.need.person_id == ctx.sender.id else "offer"
    other_yes = match.offer_yes if side == "need" else match.need_yes
    out.effects.append(MatchConsent(match.id, side, shared=other_yes))
    if not other_yes:
        out.messages.append(ctx.reply("match.waiting"))
        return
    # Both said yes: now, and only now, each learns how to reach the other.
    for me, them in ((match.need, match.offer), (match.offer, match.need)):
        contact = facts.contacts.get(them.person_id, "")
        out.messages.append(
            ctx.tell(me.person_id, "match.contact", id=me.label, other=them.label, contact=contact)
        )
    out.effects.append(
        LogActivity(
            match.need.hub_id,
            ctx.sender.id,
            None,
            "contacts_shared",
            f"{match.need.label} {match.offer.label}",
        )
    )


SPECS = (
    CommandSpec(
        CommandId.MATCH,
        on_match,
        words={"match": "en", "jumeler": "fr"},
        hub=True,
        permission=Action.MANAGE_BOARD,
        facts=(BoardFacts,),
        help=Help("help.match", rank=22),
    ),
)
