"""Many outcomes of timed work applied at once, as Effects.outcome applies one, in few writes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hubbot.domain import effects as fx
from hubbot.domain import timed_effects as tx
from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind
from hubbot.domain.messages import Outgoing
from hubbot.domain.models import Figures
from hubbot.service.apply import Effects
from hubbot.service.bulk_messages import BulkMessages
from hubbot.service.outbound import Origin
from hubbot.store import schedule, situation
from hubbot.store.conn import Conn

log = logging.getLogger(__name__)

# Effects that neither read nor write due rows, nor the asks of rounds started in the batch
# (a step's round was started before it): applied in place, while those wait to be written
# together. Before any other effect they are written, so it sees them.
_APART = (tx.MarkReminded, tx.AdvanceRound, tx.MoveAsk)


class BulkOutcomes:
    """Effects, then messages, then team messages, with the rows of a kind written in one
    statement each (due times, asks, reports, outbox rows)."""

    def __init__(self, effects: Effects) -> None:
        self.effects = effects
        self.messages = BulkMessages(effects.outbound)

    async def apply(
        self, conn: Conn, outcomes: Sequence[tuple[Outcome, Origin]], now: datetime
    ) -> None:
        """Every outcome's effects in order, then every message, then every team message."""
        waiting = _Waiting()
        for outcome, origin in outcomes:
            for effect in outcome.effects:
                match effect:
                    case tx.ScheduleDue(kind, hub_id, ref, at):
                        waiting.due.append((kind, hub_id, ref, at))
                    case tx.StartRound(hub_id, _, _, step_at):
                        # Its first step falls due at step_at: the ref is the round's id.
                        waiting.due.append((DueKind.STEP, hub_id, len(waiting.rounds), step_at))
                        waiting.rounds.append(effect)
                    case fx.RecordSitrep(hub_id, figures, person_id):
                        waiting.sitreps.append((hub_id, figures, person_id))
                    case _ if isinstance(effect, _APART):
                        await self.effects.apply(conn, effect, now, origin)
                    case _:
                        await waiting.write(conn, now)
                        await self.effects.apply(conn, effect, now, origin)
        await waiting.write(conn, now)
        sent: list[tuple[Outgoing, Origin]] = [
            (message, origin) for outcome, origin in outcomes for message in outcome.messages
        ]
        await self.messages.write(conn, sent)
        for outcome, origin in outcomes:
            for team_message in outcome.team:
                await self.effects.outbound.team(conn, team_message, origin)


@dataclass
class _Waiting:
    """Rows to write together: rounds started, with their asks, due times (an int ref stands
    for the id of rounds[ref], known once it is written) and reports."""

    rounds: list[tx.StartRound] = field(default_factory=list)
    sitreps: list[tuple[int, Figures, int | None]] = field(default_factory=list)
    due: list[tuple[DueKind, int | None, str | int, datetime]] = field(default_factory=list)

    async def write(self, conn: Conn, now: datetime) -> None:
        keys = [(r.hub_id, r.checkin) for r in self.rounds]
        ids = await schedule.start_rounds(conn, keys, now)
        for round_id, r in zip(ids, self.rounds, strict=True):
            log.info("check-in round %d (%s) at hub %d", round_id, r.checkin, r.hub_id)
        asks = [(i, p, role) for i, r in zip(ids, self.rounds, strict=True) for p, role in r.asks]
        await schedule.add_asks(conn, asks)
        await schedule.add_many(
            conn,
            [
                (kind, hub_id, str(ids[ref]) if isinstance(ref, int) else ref, at)
                for kind, hub_id, ref, at in self.due
            ],
        )
        await situation.record_sitreps(conn, self.sitreps, now)
        self.rounds.clear()
        self.due.clear()
        self.sitreps.clear()
