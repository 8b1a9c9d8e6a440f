"""What both stores (SQLite's Database, PostgreSQL's PgDatabase) keep alike: one use of the
connection at a time, the storage fault the last write hit, and the change counter."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from hubbot.store.changes import Changes

log = logging.getLogger(__name__)


class Guarded:
    # Whether other processes may share the store (PostgreSQL): then another worker's sends
    # under way are not this one's to send again until their lease runs out.
    shared = False

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._waiting = 0  # tasks queued for the connection
        # The storage fault the last write hit, until a write works again (/healthz shows it),
        # and how many there were: the dispatcher re-queues sends whose outcome was not saved.
        self.fault: str | None = None
        self.faults = 0
        self._active = False  # inside transaction()
        self.changes = Changes()  # the console's live pages wait on it

    # SQLite: the write gate shared with this process's other connections to the same file
    # (app.py sets it). SQLite lets one of them write at a time, and one that finds the file
    # locked polls it with sleeps that grow (1, 2, 5, 10, 15, 20, 25 ms...): measured at
    # 200 texts a second, the processor slept up to 79 ms waiting for a delivery write that
    # had taken 0.3 ms. Waiting here instead, in turn, costs no such sleep; and a writer that
    # takes its items once it has the gate (GroupCommit) carries all that came meanwhile.
    gate: WriteGate | None = None

    @asynccontextmanager
    async def _exclusive(self, write: bool = False) -> AsyncIterator[None]:
        """One use of the connection at a time, re-entrant for the task that holds it; a
        `write` holds the write gate too, taken first.

        A read left open on a connection pins a WAL snapshot; a BEGIN IMMEDIATE interleaved
        with it fails at once with 'database is locked' once the other connection has written
        (and asyncpg refuses two operations at once). So reads and transactions on one
        connection never interleave.
        """
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        gate = self.gate if write else None
        self._waiting += 1
        try:
            if gate is not None:
                await gate.enter(task, self)
            try:
                await self._lock.acquire()
            except BaseException:
                if gate is not None:
                    gate.leave()
                raise
        finally:
            self._waiting -= 1
        try:
            self._owner = task
            yield
        finally:
            self._owner = None
            self._lock.release()
            if gate is not None:
                gate.leave()

    def turn(self) -> AbstractAsyncContextManager[None]:
        """The connection for the calling task alone, for as long as it holds it, and the
        write gate; transactions inside are its own (the lock is re-entrant)."""
        return self._exclusive(write=True)

    @property
    def contended(self) -> bool:
        """Whether another task waits for this connection (on SQLite the webhooks' rows, the
        scheduler's batch): a long transaction then ends early, so they do not wait for all of
        it."""
        return self._waiting > 0

    def _faulted(self, exc: BaseException) -> None:
        self.faults += 1
        if self.fault is None:
            log.error("store: a write failed (%s); work is kept and tried again", exc)
        self.fault = str(exc) or type(exc).__name__

    def _healed(self) -> None:
        if self.fault is not None:
            log.warning("store: writes work again (after: %s)", self.fault)
            self.fault = None


class WriteGate:
    """One writer at a time among one process's connections to one SQLite file.

    The favoured connection (the message processor's, which the webhooks' rows share) goes
    first when both wait, and keeps the gate for `settle` seconds after each of its writes,
    time for its next batch to ask; unless the other has waited `patience` seconds: then that
    one goes. In a flood of texts the other (delivery) so writes about every `patience`, each
    time all it gathered meanwhile, instead of a transaction for each send between two batches
    (a plain queue cost a third of the decisions a second, flat out); and it is never kept out
    longer, so replies and alerts keep leaving. At an ordinary pace the favoured side is quiet
    most of the time, and the other writes once `settle` has passed."""

    def __init__(self, favoured: object, patience: float = 0.2, settle: float = 0.005) -> None:
        self.favoured = favoured
        self.patience = patience
        self.settle = settle
        self._holder: asyncio.Task[object] | None = None
        self._held_by_favoured = False
        self._held = False
        self._favoured_left = float("-inf")  # when the favoured side last let go
        self._first: deque[asyncio.Future[None]] = deque()  # the favoured connection's writers
        self._others: deque[tuple[float, asyncio.Future[None]]] = deque()  # and since when
        self._timer: asyncio.TimerHandle | None = None

    async def enter(self, task: asyncio.Task[object] | None, who: object) -> None:
        if task is not None and self._holder is task:
            # It would wait for itself: a write on one connection inside a write on another.
            raise RuntimeError("a write on one connection inside a write on another")
        favoured = who is self.favoured
        loop = asyncio.get_running_loop()
        if self._held or (not favoured and (self._others or self._settling(loop.time()))):
            future: asyncio.Future[None] = loop.create_future()
            if favoured:
                self._first.append(future)
            else:
                self._others.append((loop.time(), future))
                self._pass()  # a first waiter: the timer that lets it in
            try:
                await future
            except BaseException:
                if future.done() and not future.cancelled():
                    self._release()  # handed the gate as it was cancelled: hand it on
                else:
                    self._pass()  # it is passed over; the one behind it may be due now
                raise
        self._held = True
        self._held_by_favoured = favoured
        self._holder = task

    def leave(self) -> None:
        self._holder = None
        self._release()

    def _release(self) -> None:
        if self._held_by_favoured:
            self._favoured_left = asyncio.get_running_loop().time()
        self._held = False
        self._pass()

    def _settling(self, now: float) -> bool:
        return now - self._favoured_left < self.settle

    def _pass(self) -> None:
        """Hand the gate on, if it is free and someone may have it now."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._held:
            return
        # Waiters that were cancelled are passed over as they come to the front.
        while self._first and self._first[0].done():
            self._first.popleft()
        while self._others and self._others[0][1].done():
            self._others.popleft()
        now = asyncio.get_running_loop().time()
        if self._others:
            since, future = self._others[0]
            waited = now - since
            if waited >= self.patience or not (self._first or self._settling(now)):
                self._others.popleft()
                self._hand(future, favoured=False)
                return
        if self._first:
            self._hand(self._first.popleft(), favoured=True)
        elif self._others:  # the favoured side wrote a moment ago, and may again at once
            wait = min(self.patience - waited, self._favoured_left + self.settle - now)
            self._timer = asyncio.get_running_loop().call_later(max(wait, 0.0), self._pass)

    def _hand(self, future: asyncio.Future[None], favoured: bool) -> None:
        future.set_result(None)
        self._held = True
        self._held_by_favoured = favoured
