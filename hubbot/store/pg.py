"""PostgreSQL through asyncpg, with Database's interface (store/db.py), for the same store."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg

from hubbot.store.db import StoreUnusable
from hubbot.store.guard import Guarded
from hubbot.store.migrations_pg import MIGRATIONS_PG
from hubbot.store.pg_connection import (
    CONNECT_TIMEOUT,
    PgConnection,
    connect,
    connection_lost,
    is_conflict,
    is_pg_storage_fault,
)
from hubbot.store.pg_notify import NOTIFY, Listener, new_token, payload
from hubbot.store.pg_sql import Params

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS hubbot_schema (version INTEGER NOT NULL)"
_MIGRATION_LOCK = 0x6875_6262  # pg_advisory_lock: one process migrates at a time
# Write transactions run one at a time across every connection, as SQLite's BEGIN IMMEDIATE
# makes them: the store's read-then-write steps (a lane's head handed on by the dispatcher's
# connection while the processor's queues behind it) assume it, and under READ COMMITTED two
# at once left a lane with no head, its messages never sent. The wait is bounded as SQLite's
# busy_timeout is; past it, 55P03 is a storage fault and the work is tried again.
_WRITE_LOCK = 0x6875_6263
_BEGIN = f"BEGIN; SET LOCAL lock_timeout = '10s'; SELECT pg_advisory_xact_lock({_WRITE_LOCK})"
# A connection whose transactions only add rows that nothing reads back in the same step (the
# webhooks' journal: store/intake_writer.py) needs no turn: its ids come from sequences and
# its rows are read by the deciding transactions once committed.
_BEGIN_APPENDING = "BEGIN; SET LOCAL lock_timeout = '10s'"
# Deciding transactions (deciding()) of several workers run at once, each holding the write
# lock shared. A session lock, taken before BEGIN: a SERIALIZABLE snapshot is taken by the
# first statement, and one taken while waiting would miss what the holder then commits.
_SHARED = f"SET lock_timeout = '10s'; SELECT pg_advisory_lock_shared({_WRITE_LOCK})"
_BEGIN_DECIDING = "BEGIN ISOLATION LEVEL SERIALIZABLE"
_UNSHARE = f"SELECT pg_advisory_unlock_shared({_WRITE_LOCK})"


class PgDatabase(Guarded):
    """Database (store/db.py) over one PostgreSQL connection: the same calls, the same
    one-transaction-at-a-time rule, the same fault and change reporting."""

    shared = True

    def __init__(self, raw: asyncpg.Connection, dsn: str, appending: bool = False) -> None:
        super().__init__()
        self.conn = PgConnection(raw, dsn)
        self.dsn = dsn
        self._appending = appending
        self._begin = _BEGIN_APPENDING if appending else _BEGIN
        self.token = new_token()  # this process's notifications (store/pg_notify.py)
        self._listener: Listener | None = None

    @classmethod
    async def open(cls, dsn: str, appending: bool = False) -> PgDatabase:
        """Connect to `dsn` (postgresql://...) and migrate; StoreUnusable if it cannot.
        `appending`: the connection's transactions only insert rows (see _BEGIN_APPENDING)."""
        try:
            raw = await connect(dsn)
        except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # OSError covers a refused connection and the connect timeout; ValueError a DSN
            # asyncpg cannot read (an unknown option, say).
            raise StoreUnusable(f"cannot connect to PostgreSQL: {_said(exc)}") from exc
        db = cls(raw, dsn, appending)
        try:
            await db.migrate()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await raw.close()
            if isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError):
                raise StoreUnusable(f"cannot prepare the database: {_said(exc)}") from exc
            raise
        return db

    async def migrate(self) -> None:
        """Each migration in its own transaction, under a lock held across them, so that
        workers starting together apply each once."""
        async with self._exclusive():
            raw = await self.conn.ready()
            await raw.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            try:
                await raw.execute(_SCHEMA)
                version = await self._version()
                if version > len(MIGRATIONS_PG):
                    raise StoreUnusable(
                        f"the database has schema version {version}, newer than this hubbot's"
                        f" ({len(MIGRATIONS_PG)}); run the hubbot that wrote it"
                    )
                for number, script in enumerate(MIGRATIONS_PG[version:], start=version + 1):
                    log.info("applying migration %d (PostgreSQL)", number)
                    async with raw.transaction():
                        await raw.execute(script)
                        await raw.execute("DELETE FROM hubbot_schema")
                        await raw.execute("INSERT INTO hubbot_schema VALUES ($1)", number)
            finally:
                await raw.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)

    async def _version(self) -> int:
        value = await self.conn.call("fetchval", "SELECT MAX(version) FROM hubbot_schema")
        return int(value or 0)

    async def schema_version(self) -> int:
        async with self._exclusive():
            return await self._version()

    def transaction(self) -> AbstractAsyncContextManager[PgConnection]:
        """BEGIN ... COMMIT, or ROLLBACK on any error; one at a time, as Database's, and in
        turn with every other worker's write transaction."""
        return self._transaction(concurrent=False)

    def deciding(self) -> AbstractAsyncContextManager[PgConnection]:
        """A transaction that runs beside other workers' deciding ones: SERIALIZABLE, so the
        server stops (SQLSTATE 40001, `is_conflict`) whichever of two would not have given
        the same result one after the other, and the caller does its work again. It waits
        for, and holds off, the transactions in turn (transaction()), whose READ COMMITTED
        reads the server does not check: it takes their lock shared, before its snapshot."""
        return self._transaction(concurrent=not self._appending)

    @asynccontextmanager
    async def _transaction(self, concurrent: bool) -> AsyncIterator[PgConnection]:
        async with self._exclusive():
            if self._active:
                raise RuntimeError("a transaction inside a transaction")
            shared = False
            try:
                if self.conn.in_transaction:  # left open by a failure we could not undo
                    await self._rollback()
                if concurrent:
                    await self.conn.call("execute", _SHARED)
                    shared = True
                    await self.conn.call("execute", _BEGIN_DECIDING)
                else:
                    await self.conn.call("execute", self._begin)
                before = self.conn.total_changes
                self.conn.written = set()
                self._active = self.conn.holding = True
                try:
                    yield self.conn
                    if self.conn.total_changes != before:  # tell the other workers, at COMMIT
                        said = payload(self.token, self.conn.written)
                        await self.conn.call("execute", NOTIFY, said)
                    await self.conn.call("execute", "COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
                finally:
                    self._active = self.conn.holding = False
            except Exception as exc:
                if is_pg_storage_fault(exc) and not is_conflict(exc):
                    self._faulted(exc)
                if connection_lost(exc) and not self.conn.raw.is_closed():
                    self.conn.raw.terminate()  # the next transaction connects again
                await self._rollback()  # a BEGIN whose lock timed out left one open
                raise
            finally:
                if shared:
                    await self._unshare()
            if self.conn.total_changes != before:
                self._healed()
                self.changes.bump()

    async def _unshare(self) -> None:
        """Give back the shared turn (a session lock: COMMIT keeps it); a connection that
        cannot is dropped, which gives it back too."""
        if not self.conn.raw.is_closed():
            try:
                await self.conn.call("execute", _UNSHARE)
            except Exception as exc:
                log.warning(
                    "store: could not give the turn back (%r); dropping the connection", exc
                )
                self.conn.raw.terminate()

    async def _rollback(self) -> None:
        """A failing ROLLBACK must not hide the error that matters; the connection it leaves
        in doubt is dropped, and the next use connects again."""
        if self.conn.in_transaction and not self.conn.raw.is_closed():
            try:
                await self.conn.call("execute", "ROLLBACK")
            except Exception as exc:
                log.warning("store: ROLLBACK failed (%r); dropping the connection", exc)
                self.conn.raw.terminate()

    async def probe(self) -> bool:
        """After a storage fault: one real write (the schema version, rewritten as it is)."""
        try:
            async with self.transaction() as conn:
                await conn.call("execute", "UPDATE hubbot_schema SET version = version")
        except Exception as exc:
            if not is_pg_storage_fault(exc):
                raise
            return False
        self._healed()
        return True

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            return await cursor.fetchall()

    def listen(self, woken: Callable[[frozenset[str]], None]) -> None:
        """Call `woken` with the tables it wrote (and bump `changes`, for the console) whenever
        another process's transaction commits: its webhooks, sends and timers are this
        process's work too."""

        def heard(tables: frozenset[str]) -> None:
            self.changes.bump()
            woken(tables)

        self._listener = Listener(self.dsn, self.token, heard)
        self._listener.start()

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
        await self.conn.close()


def _said(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:g} s"
    return str(exc) or type(exc).__name__
