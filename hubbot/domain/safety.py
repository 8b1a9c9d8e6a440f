"""The life-safety fast lane: call 911 now, the lead and communications know at once, and
the coordinators if nobody at the hub confirms in time; calls for help that nobody confirms
go up to the coordinators the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from hubbot.domain.answers import ROLLCALL_WORD, Reading
from hubbot.domain.context import Context
from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind, UnconfirmedDue
from hubbot.domain.messages import Confirm, Msg, Outgoing, Priority, TeamMessage
from hubbot.domain.models import BoardItem, Hub
from hubbot.domain.reach import staff_for
from hubbot.domain.timed_effects import ScheduleDue

ALERTED_ROLES = ("lead", "communications")
# A 911 case's alert that nobody confirms within this long goes to the coordinators: the lead
# may be asleep, or out on the case with no hand free. So does a call for help.
CONFIRM_WITHIN = timedelta(minutes=5)
LIFE_SAFETY = "life_safety"
CALL_FOR_HELP = "call_for_help"  # a playbook's urgent intent, relayed to its role
# Answers that still call for help, by what was asked (messages.Confirm.kind): a roll call
# stores its word, a check-in ask its reading (where an unclear answer is most often a status
# in words, not a doubt about someone's safety).
_STILL_CALLING = {
    "rollcall_help": frozenset({ROLLCALL_WORD[Reading.HELP], ROLLCALL_WORD[Reading.UNCLEAR]}),
    "checkin_help": frozenset({Reading.HELP.value}),
}


def life_safety(ctx: Context, hub: Hub, item: BoardItem, out: Outcome) -> None:
    """Answer first, through the urgent lane; then alert, with the sender's contact.

    A contact is shared without consent only here and when a call for help goes unconfirmed
    (on_unconfirmed): a life may depend on it.
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
    out.effects.append(unless_confirmed(confirm, ctx.now))


def unless_confirmed(confirm: Confirm, now: datetime) -> ScheduleDue:
    """Look again in CONFIRM_WITHIN whether anyone confirmed the alert: the due row's ref is
    the alert's kind and label ("rollcall_help:N7"); a 911 case's is its label alone."""
    ref = confirm.label if confirm.kind == LIFE_SAFETY else f"{confirm.kind}:{confirm.label}"
    return ScheduleDue(DueKind.UNCONFIRMED, confirm.hub_id, ref, now + CONFIRM_WITHIN)


def due_topic(ref: str) -> tuple[str, str]:
    """(kind, label) of an unconfirmed alert's due row (unless_confirmed wrote it)."""
    kind, sep, label = ref.partition(":")  # a kind holds no colon; a named person's label may
    return (kind, label) if sep else (LIFE_SAFETY, ref)


def on_unconfirmed(event: UnconfirmedDue, now: datetime) -> Outcome:
    """Nobody confirmed the alert in time: every coordinator who can be told gets it, as
    urgently, and is asked to confirm it. With no coordinator to tell, those asked are asked
    again. Once anyone has confirmed, or the person has answered since that they are fine,
    nothing.

    A call for help's alert carries the person's contact too: nobody at the hub took it, and
    a coordinator must be able to reach them."""
    out = Outcome()
    if event.hub_code is None or event.confirmed:
        return out
    still = _STILL_CALLING.get(event.topic)
    if still is not None and event.answer not in still:
        return out
    alert = Msg(
        "safety.unconfirmed" if event.topic == LIFE_SAFETY else "call.unconfirmed",
        {
            "id": event.label,
            "hub": event.hub_code,
            "minutes": int(CONFIRM_WITHIN.total_seconds() // 60),
            "sender": event.sender,
            "contact": event.contact,
            "text": event.text,
        },
    )
    confirm = Confirm(event.topic, event.label, event.subject_id, event.hub_id)
    out.messages.extend(
        Outgoing(pid, alert, Priority.URGENT, ack=True, confirm=confirm)
        for pid in event.coordinators or event.waiting
    )
    return out
