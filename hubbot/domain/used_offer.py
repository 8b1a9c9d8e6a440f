"""DONE on a matched need uses its offer: the offer leaves the board, unless some of its
quantity remains, and its poster is told."""

from __future__ import annotations

from hubbot.domain.board_effects import CloseMatch, UpdateItem
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.facts import BoardFacts
from hubbot.domain.messages import Msg, Outgoing, Param
from hubbot.domain.models import BoardItem, Hub, ItemKind


def matched_offer(ctx: Context, need: BoardItem) -> BoardItem | None:
    """The offer a need is matched with, while their match stands (the service loads it with
    the need: service/board_facts.py)."""
    if need.kind is not ItemKind.NEED or need.matched_with is None:
        return None
    offer = ctx.of(BoardFacts).items.get(f"{ItemKind.OFFER.prefix}{need.matched_with}")
    if offer is None or offer.matched_with != need.number or not offer.is_open(ctx.now):
        return None
    return offer


def offer_left(need: BoardItem, offer: BoardItem) -> int:
    """What remains of an offer once it met a need: only when both said how many."""
    if offer.quantity is None or need.quantity is None:
        return 0
    return max(offer.quantity - need.quantity, 0)


def close(ctx: Context, out: Outcome, hub: Hub, need: BoardItem, how: str) -> bool:
    """Settle the offer matched with a need just closed, and answer the sender for both;
    False (nothing done, nothing said) if the need has no standing match."""
    offer = matched_offer(ctx, need)
    if offer is None:
        return False
    roles = ",".join(hub.roles_of(ctx.sender.id)) or None
    out.effects.append(CloseMatch(need.number, offer.number))
    left = offer_left(need, offer)
    params: dict[str, Param] = {"need": need.label, "offer": offer.label, "how": how}
    if left:
        out.effects.append(UpdateItem(ItemKind.OFFER, offer.number, status="open", quantity=left))
        detail = f"{offer.label}: {left} left after {need.label}"
        out.effects.append(LogActivity(hub.id, ctx.sender.id, roles, "offer_reduced", detail))
        reply, told = "done.with_offer_left", "done.offer_left"
        params["left"] = left
    else:
        resolution = f"{need.label}: {how}"[:300]
        used = UpdateItem(
            ItemKind.OFFER, offer.number, status="used", resolution=resolution, closed_at=ctx.now
        )
        detail = f"{offer.label}: {resolution}"[:200]
        out.effects.extend((used, LogActivity(hub.id, ctx.sender.id, roles, "offer_used", detail)))
        reply, told = "done.with_offer", "done.offer_used"
    out.messages.append(Outgoing(ctx.sender.id, Msg(reply, params)))
    if offer.person_id != ctx.sender.id:
        out.messages.append(Outgoing(offer.person_id, Msg(told, dict(params))))
    return True
