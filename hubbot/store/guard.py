"""What both stores (SQLite's Database, PostgreSQL's PgDatabase) keep alike: one use of the
connection at a time, the storage fault the last write hit, and the change counter."""

from __future__ import annotations

import asyncio
import logging
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

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """One use of the connection at a time, re-entrant for the task that holds it.

        A read left open on a connection pins a WAL snapshot; a BEGIN IMMEDIATE interleaved
        with it fails at once with 'database is locked' once the other connection has written
        (and asyncpg refuses two operations at once). So reads and transactions on one
        connection never interleave.
        """
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            self._owner = task
            yield
        finally:
            self._owner = None
            self._lock.release()

    def turn(self) -> AbstractAsyncContextManager[None]:
        """The connection for the calling task alone, for as long as it holds it; transactions
        inside are its own (the lock is re-entrant)."""
        return self._exclusive()

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
