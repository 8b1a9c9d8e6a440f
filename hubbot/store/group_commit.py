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
        self._refused = False  # a ride failed on an item: the rest go the usual way

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
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._queue:
                # The batch is taken once the store is ours: a long transaction that held it
                # may have carried the items meanwhile (ride()), leaving nothing to write.
                async with self.db.turn():
                    batch, self._queue = self._queue, []
                    await self._write_all(batch)
                    self._refused = False
        except asyncio.CancelledError:
            for _, future in batch + self._queue:
                future.cancel()
            raise

    async def _write_all(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        if not batch or (failure := await self._write(batch)) is None:
            return
        if len(batch) == 1 or is_storage_fault(failure):
            self._fail(batch, failure)
            return
        for one in batch:  # find the item refused, and store the others
            if (alone := await self._write([one])) is not None:
                self._fail([one], alone)

    async def ride(self, conn: Conn) -> Ride[T, R] | None:
        """Write the items waiting into the caller's open transaction, so they share its commit
        instead of waiting for it to end and then paying one of their own. The caller must not
        be inside a savepoint of its own, and tells the Ride how its transaction ended. Items
        one of which is refused go back to the usual way, which finds which."""
        if not self._queue or self._refused:
            return None
        batch, self._queue = self._queue, []
        await conn.execute("SAVEPOINT riding")
        try:
            results = await self.write_batch(conn, [item for item, _ in batch])
        except BaseException as exc:
            self._again(batch)
            if not isinstance(exc, Exception) or is_storage_fault(exc):
                raise  # the caller's transaction fails: it says so to its own caller
            await conn.execute("ROLLBACK TO riding")
            await conn.execute("RELEASE riding")
            self._refused = True  # until the usual way has written them
            return None
        await conn.execute("RELEASE riding")
        return Ride(self, batch, results)

    def _again(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        """Items that were not stored go first in the queue again."""
        self._queue = batch + self._queue
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_queued(), name=self.name)

    async def _write(self, batch: list[tuple[T, asyncio.Future[R]]]) -> Exception | None:
        """Store `batch` in one transaction and answer its callers; the error, if it failed."""
        try:
            async with self.db.transaction() as conn:
                results = await self.write_batch(conn, [item for item, _ in batch])
        except Exception as exc:
            return exc
        self._answer(batch, results)
        return None

    def _answer(self, batch: list[tuple[T, asyncio.Future[R]]], results: Sequence[R]) -> None:
        self.commits += 1
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _fail(self, batch: list[tuple[T, asyncio.Future[R]]], exc: Exception) -> None:
        log.warning("%s: could not store %d item(s): %r", self.name, len(batch), exc)
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)


class Ride(Generic[T, R]):
    """Items written into another's transaction (GroupCommit.ride): answered once it commits,
    queued again if it does not."""

    def __init__(
        self,
        writer: GroupCommit[T, R],
        batch: list[tuple[T, asyncio.Future[R]]],
        results: Sequence[R],
    ) -> None:
        self.writer = writer
        self.batch = batch
        self.results = results

    def committed(self) -> None:
        self.writer._answer(self.batch, self.results)

    def undone(self) -> None:
        self.writer._again(self.batch)
