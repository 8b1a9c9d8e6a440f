"""The one way in: every channel's message is stored in the journal, then the workers wake."""

from __future__ import annotations

import json
from collections.abc import Callable

from hubbot.channels.base import InboundMessage
from hubbot.clock import Clock
from hubbot.service.metrics import Metrics
from hubbot.store.conn import Store
from hubbot.store.inbound import NewInbound
from hubbot.store.intake_writer import IntakeWriter


class JournalIngest:
    """The channels' `Ingest`: store first, wake second, so nothing is acknowledged unstored.

    A repeated external id (a provider retrying a message we already have) is stored once and
    wakes nobody; the caller acknowledges it all the same, so the provider stops retrying.
    Messages taken in at the same moment share one commit (store/intake_writer.py); each
    caller returns only once the commit holding its message is done.
    """

    def __init__(
        self,
        db: Store,
        clock: Clock,
        wake: Callable[[], None],
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.wake = wake
        self.metrics = metrics or Metrics()
        self.writer = IntakeWriter(db)

    async def __call__(self, message: InboundMessage) -> int | None:
        """The journal id of the stored message; None if it was taken in before."""
        payload = json.dumps(message.details) if message.details is not None else None
        stored = await self.writer.write(
            NewInbound(
                message.channel,
                message.external_id,
                message.address,
                message.to_address,
                message.text,
                self.clock.now(),
                payload,
            )
        )
        if stored is not None:
            self.metrics.inbound.labels(message.channel).inc()
            self.wake()
        return stored
