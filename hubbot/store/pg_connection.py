"""One asyncpg connection offering the aiosqlite calls the store modules make, and its faults."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Generator, Iterable, Sequence
from types import TracebackType
from typing import Any

import asyncpg

from hubbot.store.pg_sql import Params, translate, translate_many

log = logging.getLogger(__name__)

_CHANGES = re.compile(r"\s*SELECT\s+changes\(\)\s*;?\s*", re.I)
# SQLSTATE classes that say the server or its storage failed, not the statement: connection
# (08), resources such as a full disk (53), operator intervention (57), system I/O (58), a
# serialization failure or deadlock (40), a lock not available (55P03), a read-only standby.
_STORAGE_STATES = ("08", "53", "57", "58", "40", "55P03", "25006", "XX001", "XX002")


class PgUnreachable(ConnectionError):
    """PostgreSQL could not be reached, or the socket broke under a statement: an OSError the
    store raised, which db.is_storage_fault tells from a channel's own network errors."""


_PG_ERRORS = (
    PgUnreachable,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def from_postgresql(exc: BaseException) -> bool:
    """Raised by PostgreSQL, asyncpg or this adapter (so is_pg_storage_fault decides)."""
    return isinstance(exc, _PG_ERRORS)


def connection_lost(exc: BaseException) -> bool:
    """The connection is gone or in doubt (asyncpg's client state included): make another."""
    if isinstance(exc, OSError | asyncpg.InterfaceError | asyncpg.InternalClientError):
        return True
    state = getattr(exc, "sqlstate", None)
    return isinstance(state, str) and state.startswith(("08", "57P"))


def is_pg_storage_fault(exc: BaseException) -> bool:
    """As db.is_storage_fault, for PostgreSQL: the work is kept and tried again."""
    if isinstance(exc, MemoryError) or connection_lost(exc):
        return True
    state = getattr(exc, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_STORAGE_STATES)


def is_conflict(exc: BaseException) -> bool:
    """Two workers' transactions that could not both stand (a serialization failure, a
    deadlock): the store is fine, and the one stopped is done again at once."""
    return getattr(exc, "sqlstate", None) in ("40001", "40P01")


# A server that does not answer (a firewall dropping packets) stops the start after this,
# instead of asyncpg's minute; a refused connection fails at once.
CONNECT_TIMEOUT = 10.0  # seconds


async def connect(dsn: str) -> asyncpg.Connection:
    """The store's statements, a few hundred with their variants, each prepared once."""
    return await asyncpg.connect(dsn, statement_cache_size=2048, timeout=CONNECT_TIMEOUT)


class PgCursor:
    """What the store reads of an aiosqlite cursor: rows, lastrowid, rowcount."""

    def __init__(self, rows: Sequence[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = list(rows)
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    async def close(self) -> None:
        return None


class _Running:
    """`await conn.execute(...)` and `async with conn.execute(...) as cursor`, as in aiosqlite."""

    def __init__(self, work: Generator[Any, None, PgCursor]) -> None:
        self._work = work

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._work

    async def __aenter__(self) -> PgCursor:
        return await self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.I)


def written_table(sql: str) -> str:
    """The table a write statement changes ('*' if it cannot tell: everyone looks)."""
    found = _WRITE.match(sql)
    return found.group(1).lower() if found else "*"


class PgConnection:
    """An asyncpg connection offering the aiosqlite calls the store modules make."""

    def __init__(self, raw: asyncpg.Connection, dsn: str) -> None:
        self.raw = raw
        self._dsn = dsn
        self.holding = False  # inside PgDatabase.transaction: never connect again midway
        self._lock = asyncio.Lock()
        self.total_changes = 0  # rows written, as sqlite3's: transaction() bumps on a change
        self._last_changes = 0
        self.written: set[str] = set()  # tables written since transaction() began

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.is_in_transaction())

    async def ready(self) -> asyncpg.Connection:
        """The connection, made again if the server ended it (a restart, a failover): the
        statement that found it ended failed as a storage fault, the next one goes through."""
        if self.raw.is_closed() and self.holding:  # what the transaction wrote is gone
            raise asyncpg.InterfaceError("the connection to PostgreSQL ended in a transaction")
        if self.raw.is_closed():
            log.warning("store: connecting to PostgreSQL again")
            self.raw = await connect(self._dsn)
        return self.raw

    async def call(self, method: str, sql: str, *args: Any) -> Any:
        """One statement at a time, as aiosqlite's thread runs them: a read through db.conn
        while another task's transaction is open waits for a statement, not the transaction
        (asyncpg refuses two operations at once on a connection)."""
        async with self._lock:
            try:
                return await getattr(await self.ready(), method)(sql, *args)
            except PgUnreachable:
                raise
            except OSError as exc:  # refused, timed out, reset: the server, not the statement
                raise PgUnreachable(f"PostgreSQL unreachable: {exc}") from exc

    def execute(self, sql: str, params: Params = ()) -> _Running:
        return _Running(self._execute(sql, params).__await__())

    async def _execute(self, sql: str, params: Params) -> PgCursor:
        if _CHANGES.fullmatch(sql):
            return PgCursor([(self._last_changes,)], -1, None)
        statement, args = translate(sql, params)
        lastrowid = None
        if statement.rows:
            rows = await self.call("fetch", statement.sql, *args)
            count = len(rows) if statement.writes else -1
            if statement.returns_id and rows:
                lastrowid, rows = int(rows[0]["id"]), []
        else:
            status = await self.call("execute", statement.sql, *args)
            last = str(status).rsplit(" ", 1)[-1]
            count, rows = (int(last) if last.isdigit() else -1), []
        if statement.writes:
            self._last_changes = count
            self.total_changes += max(count, 0)
            if count > 0:
                self.written.add(written_table(sql))
        return PgCursor(rows, count, lastrowid)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        cursor = await self._execute(sql, params)
        return await cursor.fetchall()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> PgCursor:
        listed = list(rows)
        if listed:
            statement, args = translate_many(sql, listed)
            await self.call("executemany", statement.sql, args)
            if statement.writes:  # asyncpg gives no count here: assume each row wrote
                self.total_changes += len(listed)
                self.written.add(written_table(sql))
        return PgCursor([], -1, None)

    async def close(self) -> None:
        await self.raw.close()
