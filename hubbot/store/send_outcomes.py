"""What became of each send (sent, failed, to retry), written many to a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hubbot.store import delivery
from hubbot.store.conn import Conn, Store
from hubbot.store.group_commit import GroupCommit


@dataclass(frozen=True)
class Sent:
    outbox_id: int
    at: datetime  # when the provider took it
    provider_id: str | None
    delivered: bool  # the channel knows it arrived (Telegram)


@dataclass(frozen=True)
class Failed:
    outbox_id: int
    at: datetime
    error: str
    code: str | None = None


@dataclass(frozen=True)
class Retry:
    outbox_id: int
    at: datetime
    error: str
    retry_at: datetime


Outcome = Sent | Failed | Retry


async def record(conn: Conn, outcomes: Sequence[Outcome]) -> list[None]:
    """Write `outcomes` in the caller's transaction, in the order the sends ended."""
    for outcome in outcomes:
        match outcome:
            case Sent():
                await delivery.mark_sent_in(
                    conn, outcome.outbox_id, outcome.at, outcome.provider_id, outcome.delivered
                )
            case Failed():
                await delivery.mark_failed_in(
                    conn, outcome.outbox_id, outcome.at, outcome.error, outcome.code
                )
            case Retry():
                await delivery.mark_retry_in(
                    conn, outcome.outbox_id, outcome.at, outcome.error, outcome.retry_at
                )
    return [None] * len(outcomes)


class OutcomeWriter(GroupCommit[Outcome, None]):
    """The sends that end together share one commit: a send costs its row a transaction of
    its own no more. A send is over for the dispatcher (its slot free, its lane's next message
    due) only once its outcome is committed; if the store fails, the row stays `sending` and
    goes again (at least once, never lost)."""

    def __init__(self, db: Store) -> None:
        super().__init__(db, record, "send-outcomes")
