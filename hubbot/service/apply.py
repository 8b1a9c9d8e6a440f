"""Apply the core's effects to the store, within the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from hubbot.domain import effects as fx
from hubbot.domain.models import HubStatus
from hubbot.store import (
    activity,
    alerts,
    confirmations,
    hubs,
    items,
    linking,
    matches,
    people,
    schedule,
    situation,
)
from hubbot.store.db import iso


async def apply(
    conn: aiosqlite.Connection, effect: fx.Effect, now: datetime, channel: str | None
) -> None:
    match effect:
        case fx.JoinHub(person_id, hub_id):
            await hubs.join(conn, hub_id, person_id, now)
        case fx.SetLocale(person_id, locale, explicit):
            await people.set_fields(conn, person_id, locale=locale, locale_explicit=int(explicit))
        case fx.SetName(person_id, name):
            await people.set_fields(conn, person_id, name=name)
        case fx.SetOptOut(person_id, opted_out):
            await people.set_opt_out(conn, person_id, opted_out, now)
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
        case fx.CreateItem():
            await items.create(conn, effect, channel, now)
        case fx.LinkGroup(chat_id, hub_id, by):
            await hubs.link_group(conn, chat_id, hub_id, by, now)
        case fx.ConfirmAlert(confirmation_id, _person_id):
            await confirmations.confirm(conn, confirmation_id, now)
        case fx.StartLink(person_id, target_id, code, expires_at, confirm):
            await linking.start(conn, person_id, target_id, code, expires_at, now, confirm)
        case fx.FailLink(person_id, by_target):
            await linking.fail(conn, person_id, now, by_target)
        case fx.MergePeople(keep_id, drop_id):
            await linking.merge(conn, keep_id, drop_id, now)
        case fx.UpdateItem(kind, number, fields):
            values = {k: iso(v) if isinstance(v, datetime) else v for k, v in fields}
            await items.update(conn, kind, number, **values)
        case fx.ListState(person_id, kind, offset):
            state = json.dumps({"kind": kind, "offset": offset}) if kind else None
            await people.set_fields(conn, person_id, list_state=state)
        case fx.CreateMatch(hub_id, need, offer, by):
            await matches.create(conn, hub_id, need, offer, by, now)
        case fx.MatchConsent(match_id, side, shared):
            await matches.consent(conn, match_id, side, shared)
        case fx.RecordOnsite(hub_id, delta, total, person_id):
            await situation.record_onsite(conn, hub_id, delta, total, person_id, now)
        case fx.RecordLifeline(hub_id, topic, state, unconfirmed, person_id):
            await situation.record_lifeline(conn, hub_id, topic, state, unconfirmed, person_id, now)
        case fx.RecordSitrep(hub_id, figures, person_id):
            await situation.record_sitrep(conn, hub_id, figures, person_id, now)
        case fx.AnswerCheckin(ask_id, state, text):
            await schedule.answer(conn, ask_id, state, text, now)
        case fx.ScheduleRound(hub_id, checkin):
            await schedule.add(conn, "manual_round", hub_id, checkin, now)
        case fx.MoveAsk(ask_id, to, vacant):
            await schedule.move_ask(conn, ask_id, to, vacant)
        case fx.AnswerRollcall(rollcall_id, person_id, answer, text):
            await alerts.answer_rollcall(conn, rollcall_id, person_id, answer, text, now)
        case fx.AckBroadcast(broadcast_id, person_id):
            await alerts.ack(conn, broadcast_id, person_id, now)
        case fx.CreateBroadcast() | fx.StartRollcall():
            pass  # they send messages: the processor hands them to the alerts service
        case fx.NoteCutOff(hub_id, person_id, role_id):
            await hubs.note_cut_off(conn, hub_id, person_id, role_id, now)
        case fx.LogActivity():
            await activity.append(conn, effect, now)
        case _:
            raise TypeError(f"unknown effect {effect!r}")
