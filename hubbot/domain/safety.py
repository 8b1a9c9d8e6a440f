"""The life-safety fast lane: call 911 now, the lead and communications know at once, and
the coordinators if nobody at the hub confirms in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from hubbot.domain.context import Context
from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind, UnconfirmedDue
from hubbot.domain.messages import Confirm, Msg, Outgoing, Priority, TeamMessage
from hubbot.domain.models import BoardItem, Hub
from hubbot.domain.reach import staff_for
from hubbot.domain.timed_effects import ScheduleDue

ALERTED_ROLES = ("lead", "communications")
# A 911 case's alert that nobody confirms within this long goes to the coordinators: the lead
# may be asleep, or out on the case with no hand free.
CONFIRM_WITHIN = timedelta(minutes=5)


def life_safety(ctx: Context, hub: Hub, item: BoardItem, out: Outcome) -> None:
    """Answer first, through the urgent lane; then alert, with the sender's contact.

    This is the one case where a contact is shared without consent: a life may depend on it.
    """
    # 911 first, and stay: someone who is not breathing must not be left to walk to a hub.
    # Where the hub is comes last, and only if it has an address: its name is not a place.
    answer = (
        Msg("safety.call_911_at", {"address": hub.address})
        if hub.address
        else Msg("safety.call_911")
    )
    out.messages.append(Outgoing(ctx.sender.id, answer, Priority.URGENT))
    # Holders who sent STOP or whom nothing reaches count as absent: then the coordinators.
    targets = staff_for(ctx, hub, ALERTED_ROLES, out)
    alert = Msg(
        "safety.alert",
        {
            "id": item.label,
            "sender": ctx.sender.label,
            "contact": ctx.sender_contact,
            "text": item.text,
        },
    )
    # Each person is asked to acknowledge; the team group sees the same alert.
    confirm = Confirm("life_safety", item.label, ctx.sender.id, hub.id)
    out.messages.extend(
        Outgoing(pid, alert, Priority.URGENT, ack=True, confirm=confirm) for pid in targets
    )
    out.team.append(TeamMessage(hub.id, alert, Priority.URGENT))
    out.effects.append(
        ScheduleDue(DueKind.UNCONFIRMED, hub.id, item.label, ctx.now + CONFIRM_WITHIN)
    )


def on_unconfirmed(event: UnconfirmedDue, now: datetime) -> Outcome:
    """Nobody confirmed the alert in time: every coordinator who can be told gets it, as
    urgently, and is asked to confirm it. With no coordinator to tell, those asked are asked
    again. Once anyone has confirmed, nothing."""
    out = Outcome()
    if event.hub_code is None or event.confirmed:
        return out
    alert = Msg(
        "safety.unconfirmed",
        {
            "id": event.label,
            "hub": event.hub_code,
            "minutes": int(CONFIRM_WITHIN.total_seconds() // 60),
            "sender": event.sender,
            "contact": event.contact,
            "text": event.text,
        },
    )
    confirm = Confirm("life_safety", event.label, event.subject_id, event.hub_id)
    out.messages.extend(
        Outgoing(pid, alert, Priority.URGENT, ack=True, confirm=confirm)
        for pid in event.coordinators or event.waiting
    )
    return out
