"""Timed work decided by the core alone: rounds, escalation, shifts, reports, fan-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hubbot.domain import fanout, timed
from hubbot.domain.ask_state import AskState, RoundState
from hubbot.domain.checkins import Ask
from hubbot.domain.effects import RecordSitrep
from hubbot.domain.jobs import (
    SHIFT_CHECK,
    BroadcastDue,
    DueKind,
    LongShift,
    RollcallEndDue,
    RollcallTally,
    RoundDue,
    ShiftsDue,
    SitrepDue,
    StepDue,
)
from hubbot.domain.messages import Joined, Msg, Priority
from hubbot.domain.models import Figures, Hub, HubStatus
from hubbot.domain.playbook import Playbook
from hubbot.domain.timed_effects import (
    AdvanceRound,
    CloseRollcall,
    MarkReminded,
    MoveAsk,
    ScheduleDue,
    SendBroadcast,
    StartRound,
)

NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
LEAD, ANA, BEN, CLO, COORD = 1, 2, 3, 4, 9


@pytest.fixture
def hub(playbooks: dict[str, Playbook]) -> Hub:
    """A hub with a lead and reception; needs & offers, communications and facility vacant."""
    return Hub(
        1,
        "PLATEAU",
        "Plateau",
        "fr",
        HubStatus.ACTIVE,
        playbooks["community-hub"],
        {"lead": (LEAD,), "reception": (ANA,)},
    )


def _step(hub: Hub, asks: list[Ask], step: int = 0) -> StepDue:
    return StepDue(7, hub, "status", step, RoundState.OPEN, tuple(asks), {}, (COORD,))


def test_an_open_hub_gets_its_round_shift_check_and_report_planned_once(hub: Hub) -> None:
    planned = timed.plan([(hub.id, hub.playbook)], set(), NOW).effects
    assert planned == [
        ScheduleDue(DueKind.ROUND, hub.id, "status", NOW + timedelta(hours=2)),
        ScheduleDue(DueKind.SHIFTS, hub.id, "", NOW + SHIFT_CHECK),
        ScheduleDue(DueKind.SITREP, hub.id, "", NOW + timedelta(hours=2)),
    ]
    pending = {(d.kind.value, d.hub_id, d.ref) for d in planned if isinstance(d, ScheduleDue)}
    assert timed.plan([(hub.id, hub.playbook)], pending, NOW).effects == []


def test_a_round_asks_each_holder_and_tells_the_lead_of_each_vacant_role(hub: Hub) -> None:
    out = timed.on_round(RoundDue(hub, "status", periodic=False, coordinators=(COORD,)), NOW)
    start = out.effects[0]
    assert isinstance(start, StartRound)
    assert start.asks == (
        (ANA, "reception"),
        (None, "needs_offers"),
        (None, "communications"),
        (None, "facility"),
    )
    assert start.step_at == NOW + timedelta(minutes=15)
    prompts = [m.person_id for m in out.messages if m.msg.key == "checkin.prompt"]
    assert prompts == [ANA]
    unfilled = [m.person_id for m in out.messages if m.msg.key == "checkin.unfilled"]
    # Priority roles reach the coordinators as well; facility is no priority role.
    assert unfilled == [LEAD, COORD, LEAD, COORD, LEAD]
    assert len(out.effects) == 1, "a round run by hand plans no next one"


def test_the_regular_round_plans_the_next_one(hub: Hub) -> None:
    out = timed.on_round(RoundDue(hub, "status", periodic=True), NOW)
    assert out.effects[-1] == ScheduleDue(DueKind.ROUND, hub.id, "status", NOW + timedelta(hours=2))


def test_a_closed_hub_runs_no_round_and_plans_none(hub: Hub) -> None:
    closed = Hub(1, "PLATEAU", "Plateau", "fr", HubStatus.CLOSED, hub.playbook, hub.roster)
    out = timed.on_round(RoundDue(closed, "status", periodic=True), NOW)
    assert out.effects == [] and out.messages == []


def test_the_first_silent_window_asks_again(hub: Hub) -> None:
    out = timed.on_step(_step(hub, [Ask(10, ANA, "reception", AskState.WAITING)]), NOW)
    assert [(m.person_id, m.msg.key) for m in out.messages] == [(ANA, "checkin.again")]
    assert out.effects == [
        AdvanceRound(7, close=False),
        ScheduleDue(DueKind.STEP, hub.id, "7", NOW + timedelta(minutes=15)),
    ]


def test_the_second_silent_window_alerts_the_lead_who_confirms_with_ok(hub: Hub) -> None:
    asks = [Ask(10, ANA, "reception", AskState.WAITING)]
    out = timed.on_step(_step(hub, asks, step=1), NOW)
    (alert,) = out.messages
    assert alert.person_id == LEAD and alert.msg.key == "checkin.silent"
    assert alert.priority is Priority.URGENT and alert.confirm is not None
    assert alert.confirm.subject_id == ANA


def test_the_third_silent_window_alerts_the_coordinators(hub: Hub) -> None:
    asks = [Ask(10, ANA, "reception", AskState.WAITING)]
    out = timed.on_step(_step(hub, asks, step=2), NOW)
    assert [m.person_id for m in out.messages] == [COORD]


def test_a_round_nobody_is_waiting_on_closes_with_its_summary(hub: Hub) -> None:
    asks = [Ask(10, ANA, "reception", AskState.OK, "OK"), Ask(11, None, "facility", "unfilled")]
    out = timed.on_step(_step(hub, asks), NOW)
    assert out.effects == [AdvanceRound(7, close=True)]
    assert [(m.person_id, m.msg.key) for m in out.messages] == [(LEAD, "checkin.summary")]
    assert [t.hub_id for t in out.team] == [hub.id]


def test_when_escalation_is_over_the_waiting_are_silent_in_the_summary(hub: Hub) -> None:
    asks = [Ask(10, ANA, "reception", AskState.WAITING)]
    out = timed.on_step(
        StepDue(7, hub, "status", 3, RoundState.OPEN, tuple(asks), {ANA: "M2"}), NOW
    )
    assert out.effects == [AdvanceRound(7, close=True)]
    assert out.messages[0].msg.params["silent"] == Joined(("M2",))


def test_a_new_holder_is_prompted_and_gets_a_full_window_before_the_round_closes(
    hub: Hub,
) -> None:
    moved = Hub(
        1, "PLATEAU", "Plateau", "fr", HubStatus.ACTIVE, hub.playbook, {"reception": (BEN,)}
    )
    out = timed.on_step(_step(moved, [Ask(10, ANA, "reception", AskState.WAITING)], step=3), NOW)
    assert out.effects[0] == MoveAsk(10, (BEN,), vacant=False)
    assert AdvanceRound(7, close=False) in out.effects, "not closed: BEN was just asked"
    assert [(m.person_id, m.msg.key) for m in out.messages] == [(BEN, "checkin.prompt")]


def test_a_closed_round_takes_no_step(hub: Hub) -> None:
    event = StepDue(7, hub, "status", 0, RoundState.CLOSED, (Ask(10, ANA, "reception", "waiting"),))
    out = timed.on_step(event, NOW)
    assert out.effects == [] and out.messages == []


def test_a_long_shift_is_reminded_once_and_the_lead_hears_it(hub: Hub) -> None:
    shifts = (LongShift(5, ANA, "reception"), LongShift(6, BEN, "no_such_role"))
    out = timed.on_shifts(ShiftsDue(hub, shifts, {ANA: "M2 Ana"}), NOW)
    assert [(m.person_id, m.msg.key) for m in out.messages] == [
        (ANA, "shift.reminder"),
        (LEAD, "shift.lead"),
    ]
    assert out.effects == [
        MarkReminded(5),
        ScheduleDue(DueKind.SHIFTS, hub.id, "", NOW + SHIFT_CHECK),
    ]


def test_the_regular_report_goes_to_every_coordinator_and_plans_the_next(hub: Hub) -> None:
    figures = Figures(3)
    out = timed.on_sitrep(SitrepDue(hub, figures, (COORD, 10), "America/Toronto"), NOW)
    assert out.effects == [
        RecordSitrep(hub.id, figures, None),
        ScheduleDue(DueKind.SITREP, hub.id, "", NOW + timedelta(hours=2)),
    ]
    assert [(m.person_id, m.msg.key) for m in out.messages] == [
        (COORD, "sitrep.short"),
        (10, "sitrep.short"),
    ]


def test_a_closed_hub_sends_no_report(hub: Hub) -> None:
    closed = Hub(1, "PLATEAU", "Plateau", "fr", HubStatus.CLOSED, hub.playbook)
    assert timed.on_sitrep(SitrepDue(closed, Figures(1), (COORD,)), NOW).effects == []


def test_a_broadcast_skips_its_sender_and_counts_who_cannot_be_reached() -> None:
    members = [
        fanout.Member(LEAD, "fr", False, "sms:+1", None),
        fanout.Member(ANA, "fr", False, "sms:+2", "+15145550001"),
        fanout.Member(BEN, "en", True, "sms:+3", None),
        fanout.Member(CLO, "fr", False, None, None),
    ]
    chosen = fanout.audience(members, LEAD)
    assert [m.person_id for m in chosen.reached] == [ANA]
    assert chosen.skipped == [(BEN, "opted_out"), (CLO, "unreachable")]


def test_a_broadcast_names_its_template_and_an_urgent_one_takes_the_alert_lane() -> None:
    msg, lane, buttons = fanout.broadcast_message(
        5, "#boil_water", Priority.URGENT, frozenset({"boil_water"}), None
    )
    assert msg.key == "broadcast.urgent" and lane is Priority.ALERT
    assert msg.params["text"] == Msg("template.boil_water")
    assert msg.params["code"] == Msg("broadcast.coordination") and msg.params["id"] == "B5"
    assert buttons[0].command == "ACK b5"
    text, bulk, _ = fanout.broadcast_message(
        5, "#nothing", Priority.BULK, frozenset({"boil_water"}), "PLATEAU"
    )
    assert text == Msg("broadcast.text", {"code": "PLATEAU", "id": "B5", "text": "#nothing"})
    assert bulk is Priority.BULK


def test_a_scheduled_broadcast_goes_out_once() -> None:
    assert fanout.on_broadcast(BroadcastDue(5, pending=True), NOW).effects == [SendBroadcast(5)]
    assert fanout.on_broadcast(BroadcastDue(5, pending=False), NOW).effects == []


def test_a_roll_call_asks_every_member_but_its_starter() -> None:
    start = fanout.start_rollcall("PLATEAU", {ANA, LEAD, BEN}, LEAD, timedelta(minutes=15), NOW)
    assert start.asked == (ANA, BEN)
    assert all(a.priority is Priority.ALERT for a in start.asks)
    assert start.ends_at == NOW + timedelta(minutes=15)
    assert start.reply.person_id == LEAD and start.reply.msg.params["total"] == 2


def test_the_roll_call_tally_names_the_silent() -> None:
    tally = RollcallTally(safe=1, help=1, silent=(CLO,), by_person_id=LEAD)
    out = fanout.on_rollcall_end(RollcallEndDue(3, tally, {}), NOW)
    assert out.effects == [CloseRollcall(3)]
    (message,) = out.messages
    assert message.person_id == LEAD and message.msg.params["names"] == "M4"


def test_a_roll_call_that_asked_nobody_closes_without_a_tally() -> None:
    out = fanout.on_rollcall_end(RollcallEndDue(3, RollcallTally(0, 0, (), None)), NOW)
    assert out.effects == [CloseRollcall(3)] and out.messages == []
