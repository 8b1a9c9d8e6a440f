"""Decisions on timed work: check-in rounds and their escalation, shift reminders, the regular
status report, and what each open hub keeps scheduled.

Each handler takes the event the service loaded (domain/jobs.py) and the time, and returns the
outcome: state changes, the next due time, and messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from hubbot.domain import checkins
from hubbot.domain.ask_state import AskEvent, AskState, RoundState, next_state
from hubbot.domain.checkins import Ask, Move
from hubbot.domain.effects import Outcome, RecordSitrep
from hubbot.domain.jobs import SHIFT_CHECK, DueKind, RoundDue, ShiftsDue, SitrepDue, StepDue
from hubbot.domain.messages import Confirm, Msg, Outgoing, Priority, TeamMessage
from hubbot.domain.models import Hub, member_label
from hubbot.domain.playbook import Checkin, Playbook
from hubbot.domain.situation import sitrep_messages
from hubbot.domain.timed_effects import AdvanceRound, MarkReminded, MoveAsk, ScheduleDue, StartRound

Pending = set[tuple[str, int | None, str]]  # (kind, hub, ref) of every row still to run


def plan(hubs: Iterable[tuple[int, Playbook]], pending: Pending, now: datetime) -> Outcome:
    """Every open hub has its next round of each check-in, its shift check and its next report
    scheduled; what is already pending is not scheduled twice."""
    out = Outcome()
    for hub_id, playbook in hubs:
        wanted: list[tuple[DueKind, str, timedelta]] = [
            (DueKind.ROUND, c.id, c.every) for c in playbook.checkins
        ]
        if playbook.shift:
            wanted.append((DueKind.SHIFTS, "", SHIFT_CHECK))
        wanted.append((DueKind.SITREP, "", playbook.sitrep_every))
        for kind, ref, after in wanted:
            if (kind, hub_id, ref) not in pending:
                out.effects.append(ScheduleDue(kind, hub_id, ref, now + after))
    return out


def leads(hub: Hub, coordinators: Sequence[int]) -> list[int]:
    """Who hears about the hub's own team: its reachable leads, else the coordinators."""
    return list(hub.holders("lead")) or list(coordinators)


def _unfilled(hub: Hub, role_id: str, coordinators: Sequence[int]) -> list[Outgoing]:
    """The leads hear that nobody holds a role; for a priority role, the coordinators too."""
    role = hub.playbook.role(role_id)
    if role is None:
        return []
    msg = Msg("checkin.unfilled", {"role": role.name, "hub": hub.code})
    told = leads(hub, coordinators)
    if role.priority:
        told += [c for c in coordinators if c not in told]
    return [Outgoing(pid, msg) for pid in told]


def on_round(event: RoundDue, now: datetime) -> Outcome:
    """Ask each holder of each role of the check-in; a role nobody holds is unfilled, and the
    leads hear it. The regular round plans the next one."""
    out = Outcome()
    hub = event.hub
    checkin = hub.playbook.checkin(event.checkin) if hub else None
    if hub is None or checkin is None or not hub.is_active:
        return out  # closed hubs have no rounds; the next opening plans them again
    msg, buttons = checkins.prompt(checkin, hub)
    asks = checkins.who_to_ask(hub, checkin)
    out.effects.append(StartRound(hub.id, checkin.id, tuple(asks), now + checkin.window))
    for person_id, role in asks:
        if person_id is None:
            out.messages += _unfilled(hub, role, event.coordinators)
        else:
            out.messages.append(Outgoing(person_id, msg, buttons=buttons))
    if event.periodic:
        out.effects.append(ScheduleDue(DueKind.ROUND, hub.id, checkin.id, now + checkin.every))
    return out


def on_step(event: StepDue, now: datetime) -> Outcome:
    """A silent window is over. The round first follows the roster as it is now; then the
    silent are asked again or escalated (domain/checkins.py step_action), or the round closes
    with its summary. Whoever was just asked gets a full window before being called silent."""
    out = Outcome()
    hub = event.hub
    checkin = hub.playbook.checkin(event.checkin) if hub else None
    if event.state is RoundState.CLOSED or hub is None or checkin is None:
        return out
    moves = checkins.follow_roster(event.asks, hub.roster)
    fresh = _follow(out, hub, checkin, moves, event.coordinators)
    moved = {move.ask_id for move in moves}
    waiting = [a for a in event.asks if a.state == AskState.WAITING and a.id not in moved]
    action = checkins.step_action(checkin, event.step) if waiting else None
    if action is None and not fresh:
        out.effects.append(AdvanceRound(event.round_id, close=True))
        asks = _closed(event.asks, moves)
        msg = checkins.summary(hub, checkin, asks, dict(event.labels))
        out.messages += [Outgoing(pid, msg) for pid in leads(hub, event.coordinators)]
        out.team.append(TeamMessage(hub.id, msg))
        return out
    if action == "repeat":
        msg, buttons = checkins.prompt(checkin, hub, again=True)
        out.messages += [Outgoing(_person(a), msg, buttons=buttons) for a in waiting]
    elif action is not None:
        targets = leads(hub, event.coordinators) if action == "lead" else event.coordinators
        for ask in waiting:
            out.messages += _silent(hub, ask, event.labels, targets)
    out.effects.append(AdvanceRound(event.round_id, close=False))
    step_at = now + checkin.window
    out.effects.append(ScheduleDue(DueKind.STEP, hub.id, str(event.round_id), step_at))
    return out


def _person(ask: Ask) -> int:
    assert ask.person_id is not None, "only asks with a person wait"
    return ask.person_id


def _follow(
    out: Outcome, hub: Hub, checkin: Checkin, moves: list[Move], coordinators: Sequence[int]
) -> set[tuple[int, str]]:
    """Move the round's asks to the roster as it is now; (person, role) of the new asks,
    whose people get the prompt now."""
    fresh: set[tuple[int, str]] = set()
    msg, buttons = checkins.prompt(checkin, hub)
    for move in moves:
        out.effects.append(MoveAsk(move.ask_id, move.to, move.vacant))
        fresh.update((pid, move.role) for pid in move.to)
        out.messages += [Outgoing(pid, msg, buttons=buttons) for pid in move.prompt]
        if move.vacant:
            out.messages += _unfilled(hub, move.role, coordinators)
    return fresh


def _closed(asks: Sequence[Ask], moves: list[Move]) -> list[Ask]:
    """The round's asks once its moves are made and it closes: the waiting fall silent."""
    events = {m.ask_id: AskEvent.ROLE_VACANT if m.vacant else AskEvent.ROLE_MOVED for m in moves}
    closed: list[Ask] = []
    for ask in asks:
        state = next_state(ask.state, events.get(ask.id, AskEvent.ROUND_CLOSED))
        closed.append(replace(ask, state=state) if state else ask)
    return closed


def _silent(
    hub: Hub, ask: Ask, labels: Mapping[int, str], targets: Sequence[int]
) -> list[Outgoing]:
    person_id = _person(ask)
    role = hub.playbook.role(ask.role)
    alert = Msg(
        "checkin.silent",
        {
            "person": labels.get(person_id, "?"),
            "role": role.name if role else ask.role,
            "hub": hub.code,
        },
    )
    # Their OK confirms this silence, and the silent person hears who is coming.
    confirm = Confirm("checkin_silent", member_label(person_id), person_id, hub.id)
    return [
        Outgoing(pid, alert, Priority.URGENT, ack=True, confirm=confirm)
        for pid in targets
        if pid != person_id
    ]


def on_shifts(event: ShiftsDue, now: datetime) -> Outcome:
    """Whoever has held a role longer than a shift is reminded to hand over, once; the leads
    hear it too."""
    out = Outcome()
    hub = event.hub
    if hub is None or not hub.is_active or hub.playbook.shift is None:
        return out
    hours = max(1, int(hub.playbook.shift.total_seconds() // 3600))
    for shift in event.long_shifts:
        role = hub.playbook.role(shift.role)
        if role is None:
            continue
        reminder = Msg("shift.reminder", {"role": role.name, "hours": hours}, count=hours)
        out.messages.append(Outgoing(shift.person_id, reminder))
        person = event.labels.get(shift.person_id, "?")
        told = Msg("shift.lead", {"person": person, "role": role.name, "hours": hours}, count=hours)
        out.messages += [
            Outgoing(lead, told) for lead in hub.holders("lead") if lead != shift.person_id
        ]
        out.effects.append(MarkReminded(shift.assignment_id))
    out.effects.append(ScheduleDue(DueKind.SHIFTS, hub.id, "", now + SHIFT_CHECK))
    return out


def on_sitrep(event: SitrepDue, now: datetime) -> Outcome:
    """The regular status report, numbered with the others, to every coordinator."""
    out = Outcome()
    hub = event.hub
    if hub is None or not hub.is_active or event.figures is None:
        return out
    short, full = sitrep_messages(hub, event.figures, now, event.timezone)
    out.effects.append(RecordSitrep(hub.id, event.figures, None))
    out.messages += [Outgoing(pid, short, rich=full) for pid in event.coordinators]
    out.effects.append(ScheduleDue(DueKind.SITREP, hub.id, "", now + hub.playbook.sitrep_every))
    return out
