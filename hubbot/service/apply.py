"""Apply the core's effects to the store, within the caller's transaction: every effect, in
one place, whoever decided it (a message or timed work)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import assert_never

from hubbot.domain import board_effects as bx
from hubbot.domain import effects as fx
from hubbot.domain import link_effects as lx
from hubbot.domain import timed_effects as tx
from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind
from hubbot.domain.models import HubStatus
from hubbot.service.alerts import Alerts
from hubbot.service.outbound import Origin, Outbound
from hubbot.store import (
    activity,
    alerts,
    confirmations,
    delivery,
    hubs,
    items,
    linking,
    matches,
    people,
    routed,
    schedule,
    situation,
)
from hubbot.store.conn import Conn
from hubbot.store.db import iso

log = logging.getLogger(__name__)
ORIGIN = Origin()  # timed work: no inbound message to answer


class Effects:
    """Applies an outcome: its effects, then its messages; built once by the composition root."""

    def __init__(self, outbound: Outbound, broadcasts: Alerts) -> None:
        self.outbound = outbound
        self.broadcasts = broadcasts

    async def apply(
        self,
        conn: Conn,
        effect: fx.Effect,
        now: datetime,
        origin: Origin = ORIGIN,
        channel: str | None = None,
    ) -> None:
        await apply(conn, effect, now, channel, self.broadcasts, origin)

    async def outcome(
        self,
        conn: Conn,
        outcome: Outcome,
        now: datetime,
        origin: Origin = ORIGIN,
        channel: str | None = None,
    ) -> None:
        for effect in outcome.effects:
            await apply(conn, effect, now, channel, self.broadcasts, origin)
        for message in outcome.messages:
            await self.outbound.person(conn, message, origin)
        for team_message in outcome.team:
            await self.outbound.team(conn, team_message, origin)


async def apply(
    conn: Conn,
    effect: fx.Effect,
    now: datetime,
    channel: str | None,
    broadcasts: Alerts,
    origin: Origin = ORIGIN,
) -> None:
    """`channel`: where the message that led to it came in; `broadcasts` sends and numbers
    broadcasts and roll calls; `origin` says where the replies they queue go."""
    match effect:
        case fx.JoinHub(person_id, hub_id):
            await hubs.join(conn, hub_id, person_id, now)
        case fx.SetCurrentHub(person_id, hub_id):
            await people.set_fields(conn, person_id, hub_id=hub_id)
        case fx.SetLocale(person_id, locale, explicit):
            await people.set_fields(conn, person_id, locale=locale, locale_explicit=int(explicit))
        case fx.SetName(person_id, name):
            await people.set_fields(conn, person_id, name=name)
        case fx.SetOptOut(person_id, opted_out):
            await delivery.opt_out(conn, person_id, opted_out, now)
        case fx.SetHubStatus(hub_id, active):
            await hubs.set_status(
                conn, hub_id, HubStatus.ACTIVE if active else HubStatus.CLOSED, now
            )
        case fx.AssignRole(hub_id, person_id, role_id, by):
            await hubs.assign(conn, hub_id, person_id, role_id, by, now)
        case fx.UnassignRole(hub_id, person_id, role_id, by):
            await hubs.unassign(conn, hub_id, person_id, role_id, by, now)
        case fx.RecordPinFailure(person_id, failures, locked_until):
            await people.set_fields(
                conn, person_id, pin_failures=failures, pin_locked_until=iso(locked_until)
            )
        case fx.ResetPinFailures(person_id):
            await people.set_fields(conn, person_id, pin_failures=0, pin_locked_until=None)
        case bx.CreateItem():
            await items.create(conn, effect, channel, now)
        case lx.LinkGroup(chat_id, hub_id, by):
            await hubs.link_group(conn, chat_id, hub_id, by, now)
        case fx.ConfirmAlert(confirmation_id, _person_id):
            await confirmations.confirm(conn, confirmation_id, now)
        case lx.StartLink(person_id, target_id, code, expires_at, confirm):
            await linking.start(conn, person_id, target_id, code, expires_at, now, confirm)
        case lx.FailLink(person_id, by_target):
            await linking.fail(conn, person_id, now, by_target)
        case lx.MergePeople(keep_id, drop_id):
            await linking.merge(conn, keep_id, drop_id, now)
        case bx.UpdateItem():
            await items.update(conn, effect)
        case fx.CreatePerson(person_id, address, locale):
            await people.create(conn, address, locale, now, person_id)
        case bx.ListState(person_id, kind, offset):
            state = json.dumps({"kind": kind, "offset": offset}) if kind else None
            await people.set_fields(conn, person_id, list_state=state)
        case bx.CreateMatch(hub_id, need, offer, by):
            await matches.create(conn, hub_id, need, offer, by, now)
        case bx.MatchConsent(match_id, side, shared):
            await matches.consent(conn, match_id, side, shared)
        case bx.CloseMatch(need, offer):
            await matches.close(conn, need, offer)
        case bx.RecordRouted(hub_id, person_id, role_id):
            await routed.record(conn, hub_id, person_id, role_id, now)
        case fx.RecordOnsite(hub_id, delta, total, person_id):
            await situation.record_onsite(conn, hub_id, delta, total, person_id, now)
        case fx.RecordLifeline(hub_id, topic, state, unconfirmed, person_id):
            await situation.record_lifeline(conn, hub_id, topic, state, unconfirmed, person_id, now)
        case fx.RecordSitrep(hub_id, figures, person_id):
            await situation.record_sitrep(conn, hub_id, figures, person_id, now)
        case fx.AnswerCheckin(ask_id, state, text):
            await schedule.answer(conn, ask_id, state, text, now)
        case fx.ScheduleRound(hub_id, checkin):
            await schedule.add(conn, DueKind.MANUAL_ROUND, hub_id, checkin, now)
        case tx.ScheduleDue(kind, hub_id, ref, at):
            await schedule.add(conn, kind, hub_id, ref, at)
        case tx.StartRound(hub_id, checkin, asks, step_at):
            round_id = await schedule.start_round(conn, hub_id, checkin, now)
            for person_id, role in asks:
                await schedule.add_ask(conn, round_id, person_id, role)
            await schedule.add(conn, DueKind.STEP, hub_id, str(round_id), step_at)
            log.info("check-in round %d (%s) at hub %d", round_id, checkin, hub_id)
        case tx.AdvanceRound(round_id, close):
            await schedule.advance_round(conn, round_id, close, now)
        case tx.MarkReminded(assignment_id):
            await hubs.mark_reminded(conn, assignment_id, now)
        case tx.MoveAsk(ask_id, to, vacant):
            await schedule.move_ask(conn, ask_id, to, vacant)
        case fx.AnswerRollcall(rollcall_id, person_id, answer, text):
            await alerts.answer_rollcall(conn, rollcall_id, person_id, answer, text, now)
        case fx.AckBroadcast(broadcast_id, person_id):
            await alerts.ack(conn, broadcast_id, person_id, now)
        case fx.CreateBroadcast():
            await broadcasts.create(conn, effect, now, origin)
        case fx.StartRollcall():
            await broadcasts.start_rollcall(conn, effect, now, origin)
        case tx.SendBroadcast(broadcast_id):
            await broadcasts.fan_out(conn, broadcast_id, now)
        case tx.CloseRollcall(rollcall_id):
            await alerts.close_rollcall(conn, rollcall_id, now)
        case fx.NoteCutOff(hub_id, person_id, role_id):
            await hubs.note_cut_off(conn, hub_id, person_id, role_id, now)
        case fx.LogActivity():
            await activity.append(conn, effect, now)
        case _:
            assert_never(effect)
