"""Group commit: callers that write at the same moment share one transaction (one fsync)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from hubbot.store.conn import Conn, Store
from hubbot.store.db import is_storage_fault

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

WriteBatch = Callable[[Conn, Sequence[T]], Awaitable[Sequence[R]]]


class GroupCommit(Generic[T, R]):
    """Writes items durably, many per transaction, and answers each caller after the commit
    that holds its item.

    A caller queues its item and waits. One task, started when items wait and ending when none
    do, takes everything queued, writes it in one transaction with `write_batch` and answers
    each item with its result. Items that arrive while a transaction is being written (a
    commit is an fsync, and other work holds the store too) go together into the next one, so
    the commits per second stay few however many callers come. If the store fails (a full
    disk...), every item of the transaction fails with that error: none was stored. An item
    refused for itself (any other error) must not fail the items that came with it: they are
    written again one by one, and only that item fails.
    """

    def __init__(self, db: Store, write_batch: WriteBatch[T, R], name: str) -> None:
        self.db = db
        self.write_batch = write_batch
        self.name = name
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None
        self.commits = 0  # transactions written: tests see the items share them
        self.pending = 0  # callers waiting for their item's commit

    async def write(self, item: T) -> R:
        """Store `item`; its result once committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_queued(), name=self.name)
        # A caller that goes away leaves its item to be stored all the same.
        self.pending += 1
        try:
            return await future
        finally:
            self.pending -= 1

    async def _write_queued(self) -> None:
        await asyncio.sleep(0)  # items queued in this same turn of the loop join the first batch
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                failure = await self._write(batch)
                if failure is None:
                    continue
                if len(batch) == 1 or is_storage_fault(failure):
                    self._fail(batch, failure)
                    continue
                for one in batch:  # find the item refused, and store the others
                    if (alone := await self._write([one])) is not None:
                        self._fail([one], alone)
            except asyncio.CancelledError:
                for _, future in batch:
                    future.cancel()
                raise

    async def _write(self, batch: list[tuple[T, asyncio.Future[R]]]) -> Exception | None:
        """Store `batch` in one transaction and answer its callers; the error, if it failed."""
        try:
            async with self.db.transaction() as conn:
                results = await self.write_batch(conn, [item for item, _ in batch])
        except Exception as exc:
            return exc
        self.commits += 1
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        return None

    def _fail(self, batch: list[tuple[T, asyncio.Future[R]]], exc: Exception) -> None:
        log.warning("%s: could not store %d item(s): %r", self.name, len(batch), exc)
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
