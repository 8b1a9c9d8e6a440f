"""Load what an answer or an OK may be about: the open roll call and check-in ask, the alerts
and broadcasts waiting for the sender's OK (domain/answering.py reads them)."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.answers import AWAIT_WINDOW, Awaiting, AwaitKind
from hubbot.domain.commands import Command, CommandId
from hubbot.domain.facts import AnswerFacts
from hubbot.service.named import numbered
from hubbot.store import alerts, confirmations, schedule
from hubbot.store.conn import Conn


async def load(conn: Conn, cmd: Command, person_id: int, now: datetime) -> AnswerFacts:
    if cmd.name is CommandId.ACK:
        return await _ack(conn, cmd.args.strip(), person_id, now)
    awaiting: list[Awaiting] = []
    rollcall = ask = None
    if found := await alerts.open_rollcall_for(conn, person_id):
        rollcall, asked_at = found
        if rollcall.answer is None:
            awaiting.append(Awaiting(AwaitKind.ROLLCALL, rollcall.id, asked_at))
    if open_ask := await schedule.open_ask(conn, person_id):
        ask, asked_at = open_ask
        if ask.state == "waiting":
            awaiting.append(Awaiting(AwaitKind.CHECKIN, ask.id, asked_at))
    settled = False
    if cmd.name is CommandId.SHORT_ANSWER:
        since = now - AWAIT_WINDOW
        awaiting += await confirmations.open_for(conn, person_id, since)
        if broadcast := await alerts.unacked_since(conn, person_id, since):
            awaiting.append(broadcast)
        settled = await confirmations.settled_since(conn, person_id, since)
    return AnswerFacts(tuple(awaiting), ask, rollcall, settled)


async def _ack(conn: Conn, ref: str, person_id: int, now: datetime) -> AnswerFacts:
    """ACK o12 (an alert's outbox number) or ACK b5 (a broadcast), typed or tapped."""
    if (number := numbered(r"[oO](\d+)", ref)) is not None:
        target, done = await confirmations.by_outbox(conn, number, person_id)
        return AnswerFacts(ack_target=target, already_acked=done)
    if (number := numbered(r"[bB](\d+)", ref)) is not None:
        sent, acked = await alerts.recipient(conn, number, person_id)
        target = Awaiting(AwaitKind.BROADCAST, number, now, f"B{number}")
        return AnswerFacts(ack_target=target if sent and not acked else None, already_acked=acked)
    return AnswerFacts()
