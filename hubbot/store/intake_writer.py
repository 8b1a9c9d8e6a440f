"""Group commit for the inbound journal: the webhooks that arrive together share one commit."""

from __future__ import annotations

import asyncio
import logging

from hubbot.store import inbound
from hubbot.store.conn import Store
from hubbot.store.db import is_storage_fault
from hubbot.store.inbound import NewInbound

log = logging.getLogger(__name__)

Waiting = tuple[NewInbound, "asyncio.Future[int | None]"]  # a row and the caller waiting on it


class IntakeWriter:
    """Stores inbound rows durably, many per transaction, and answers each caller after the
    commit that holds its row.

    A caller queues its row and waits. One task, started when rows wait and ending when none
    do, takes everything queued, writes it in one transaction and answers each row with its id
    (None for a provider id seen before). Rows that arrive while a transaction is being written
    (a commit is an fsync; the processor's batch holds the store too) go together into the
    next one, so the commits per second stay few however many webhooks come in. If the
    store fails (a full disk...), every row of the transaction fails with that error: none was
    stored, each webhook answers 5xx and its provider sends it again. A row refused for itself
    (any other error) must not fail the rows that came with it: they are written again one by
    one, and only that row fails.
    """

    def __init__(self, db: Store) -> None:
        self.db = db
        self._queue: list[Waiting] = []
        self._task: asyncio.Task[None] | None = None
        self.commits = 0  # transactions written: tests see the rows share them
        self.pending = 0  # callers waiting for their row's commit

    async def write(self, row: NewInbound) -> int | None:
        """Store `row`; its journal id once committed, or None if it was taken in before."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append((row, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_queued(), name="intake-writer")
        # A caller that goes away (its client hung up) leaves its row to be stored all the
        # same: unacknowledged, it comes again and is then known by its provider id.
        self.pending += 1
        try:
            return await future
        finally:
            self.pending -= 1

    async def _write_queued(self) -> None:
        await asyncio.sleep(0)  # rows queued in this same turn of the loop join the first batch
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                failure = await self._write(batch)
                if failure is None:
                    continue
                if len(batch) == 1 or is_storage_fault(failure):
                    self._fail(batch, failure)
                    continue
                for one in batch:  # find the row refused, and store the others
                    if (alone := await self._write([one])) is not None:
                        self._fail([one], alone)
            except asyncio.CancelledError:
                for _, future in batch:
                    future.cancel()
                raise

    async def _write(self, batch: list[Waiting]) -> Exception | None:
        """Store `batch` in one transaction and answer its callers; the error, if it failed."""
        try:
            async with self.db.transaction() as conn:
                ids = await inbound.record_many(conn, [row for row, _ in batch])
        except Exception as exc:
            return exc
        self.commits += 1
        for (_, future), stored in zip(batch, ids, strict=True):
            if not future.done():
                future.set_result(stored)
        return None

    def _fail(self, batch: list[Waiting], exc: Exception) -> None:
        log.warning("could not store %d inbound message(s): %r", len(batch), exc)
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
