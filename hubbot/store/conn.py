"""What store functions take: a connection, and the store that owns it, on either backend."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Protocol

from hubbot.store.changes import Changes

# A row: sqlite3.Row (aiosqlite) or asyncpg.Record. Both are read by column name and by
# position, which is all the store does with one; no common type names that, hence Any.
Row = Any


class Cursor(Protocol):
    """What the store reads of a cursor: aiosqlite's, or pg_connection.PgCursor."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    async def fetchone(self) -> Row: ...

    async def fetchall(self) -> Iterable[Row]: ...


class Running(Protocol):
    """`await conn.execute(...)` and `async with conn.execute(...) as cursor`."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> object: ...


class Conn(Protocol):
    """The calls store modules make on a connection: aiosqlite.Connection has them, and so
    has pg_connection.PgConnection, which translates the SQL for PostgreSQL."""

    @property
    def in_transaction(self) -> bool: ...

    @property
    def total_changes(self) -> int: ...

    def execute(self, sql: str, parameters: Any = ..., /) -> Running: ...

    async def execute_fetchall(self, sql: str, parameters: Any = ..., /) -> Iterable[Row]: ...

    async def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...


class Store(Protocol):
    """Database (store/db.py, SQLite) or PgDatabase (store/pg.py): one connection, writes in
    `transaction()` one at a time, and the storage fault the last write hit."""

    @property
    def conn(self) -> Conn: ...

    @property
    def fault(self) -> str | None: ...

    @property
    def faults(self) -> int: ...

    @property
    def changes(self) -> Changes: ...

    @property
    def shared(self) -> bool: ...

    @property
    def contended(self) -> bool: ...

    def transaction(self) -> AbstractAsyncContextManager[Conn]: ...

    def deciding(self) -> AbstractAsyncContextManager[Conn]: ...

    def turn(self) -> AbstractAsyncContextManager[None]: ...

    async def fetchone(self, sql: str, params: Any = (), /) -> Row: ...

    async def fetchall(self, sql: str, params: Any = (), /) -> list[Row]: ...

    async def probe(self) -> bool: ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
