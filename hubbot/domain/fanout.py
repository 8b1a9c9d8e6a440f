"""Decisions on messages to many: who a broadcast reaches, what it says, who a roll call asks,
and the roll call's tally.

A regional broadcast reaches thousands, so its fan-out stays one bulk step in the service:
these functions decide, the service writes the rows in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import BroadcastDue, RollcallEndDue
from hubbot.domain.messages import Button, Msg, Outgoing, Param, Priority
from hubbot.domain.models import member_label
from hubbot.domain.sms import sms_units
from hubbot.domain.timed_effects import CloseRollcall, SendBroadcast


@dataclass(frozen=True)
class Member:
    """A broadcast's possible recipient, with what it takes to write their message."""

    person_id: int
    locale: str
    opted_out: bool
    address: str | None  # None: no address left that reaches them
    sender: str | None  # the SMS number of their hub, which they know and can answer


@dataclass(frozen=True)
class Audience:
    reached: list[Member]
    skipped: list[tuple[int, str]]  # (person, why): opted_out | unreachable


def audience(members: Iterable[Member], by_person_id: int | None) -> Audience:
    """Everyone but the sender; who opted out or cannot be reached is skipped and counted."""
    reached: list[Member] = []
    skipped: list[tuple[int, str]] = []
    for member in members:
        if member.person_id == by_person_id:
            continue
        if member.opted_out:
            skipped.append((member.person_id, "opted_out"))
        elif member.address is None:
            skipped.append((member.person_id, "unreachable"))
        else:
            reached.append(member)
    return Audience(reached, skipped)


# A broadcast goes out framed: "URGENT [PLATEAU-EST B1234567] <text> Répondez OK." The frame
# costs at most FRAME_ROOM septets (a 16-character hub code, a 9-digit id, [ and ] at two
# septets each, the longer "Répondez OK."), so the sender's text gets the rest of
# BROADCAST_SEGMENTS segments (tests/test_broadcast_frame.py renders the worst case).
BROADCAST_SEGMENTS = 3
FRAME_ROOM = 52
COORDINATION = Msg("broadcast.coordination")  # the sender named on a broadcast to every hub


def text_room(text: str) -> tuple[int, int]:
    """(length, room): the text's length in SMS units and how many its encoding allows once
    framed. One character outside GSM-7 (an emoji, a ê) sends the whole SMS as UCS-2, where
    a segment holds 67 units instead of 153, so such a text gets less room."""
    encoding, length = sms_units(text)
    per_segment = 153 if encoding == "GSM-7" else 67
    return length, BROADCAST_SEGMENTS * per_segment - FRAME_ROOM


def broadcast_message(
    broadcast_id: int,
    body: str,
    priority: Priority,
    templates: frozenset[str],
    hub_code: str | None,
) -> tuple[Msg, Priority, tuple[Button, ...]]:
    """What a broadcast says (#boil_water: the catalog's template), in which lane, with the
    button that acknowledges it.

    It names who sends it (the hub's code, or Coordination for every hub), carries its id so
    ETATALERTE/ALERTSTATUS and the OK match it, says how to confirm, and an urgent one says so.
    """
    framed = frame(f"B{broadcast_id}", body, priority, templates, hub_code)
    # An urgent broadcast overtakes replies and bulk, but never one person's 911 reply.
    lane = Priority.ALERT if priority is Priority.URGENT else Priority.BULK
    return framed, lane, (Button(Msg("ack.button"), f"ACK b{broadcast_id}"),)


def frame(
    label: str, body: str, priority: Priority, templates: frozenset[str], hub_code: str | None
) -> Msg:
    """A broadcast's text as its recipients read it, under `label` (B5; the console's preview
    shows B? before the broadcast has a number)."""
    template = body[1:] if body.startswith("#") else None
    text: Param = Msg(f"template.{template}") if template and template in templates else body
    key = "broadcast.urgent" if priority is Priority.URGENT else "broadcast.text"
    return Msg(key, {"code": hub_code or COORDINATION, "id": label, "text": text})


def scheduled_reply(broadcast_id: int, send_at: datetime, timezone: str) -> Msg:
    local = send_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
    return Msg("broadcast.scheduled", {"id": f"B{broadcast_id}", "time": local})


def sent_reply(broadcast_id: int, sent: int, skipped: int) -> Msg:
    return Msg(
        "broadcast.sent", {"id": f"B{broadcast_id}", "total": sent, "skipped": skipped}, count=sent
    )


def on_broadcast(event: BroadcastDue, now: datetime) -> Outcome:
    """A scheduled broadcast goes out at its time, once."""
    return Outcome(effects=[SendBroadcast(event.broadcast_id)] if event.pending else [])


@dataclass(frozen=True)
class RollcallStart:
    """A roll call as decided: who is asked, until when, and what the one who started it hears."""

    asked: tuple[int, ...]
    ends_at: datetime
    asks: tuple[Outgoing, ...]
    reply: Outgoing


def start_rollcall(
    hub_code: str,
    members: Iterable[int],
    by_person_id: int,
    window: timedelta,
    now: datetime,
) -> RollcallStart:
    """Every member of the hub but the one who started it is asked, in the alert lane."""
    ask = Msg("rollcall.ask", {"hub": hub_code})
    buttons = (Button(Msg("button.safe"), "1"), Button(Msg("button.checkin_help"), "2"))
    asked = tuple(pid for pid in sorted(members) if pid != by_person_id)
    minutes = int(window.total_seconds() // 60) or 1
    started = Msg("rollcall.started", {"total": len(asked), "minutes": minutes}, count=len(asked))
    return RollcallStart(
        asked,
        now + window,
        tuple(Outgoing(pid, ask, Priority.ALERT, buttons=buttons) for pid in asked),
        Outgoing(by_person_id, started),
    )


def on_rollcall_end(event: RollcallEndDue, now: datetime) -> Outcome:
    """The window is over: the roll call closes and its starter gets the tally, naming the
    silent."""
    out = Outcome(effects=[CloseRollcall(event.rollcall_id)])
    tally = event.tally
    if tally.by_person_id is None:
        return out  # nobody was asked: there is nothing to tell
    names = ", ".join(event.labels.get(p, member_label(p)) for p in tally.silent) or "-"
    msg = Msg(
        "rollcall.tally",
        {"safe": tally.safe, "help": tally.help, "silent": len(tally.silent), "names": names},
    )
    out.messages.append(Outgoing(tally.by_person_id, msg, Priority.URGENT))
    return out
