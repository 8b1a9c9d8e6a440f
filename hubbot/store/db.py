"""The SQLite connection: WAL, durable commits, migrations and one-at-a-time transactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from hubbot.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)


def iso(value: datetime | None) -> str | None:
    """Times are stored as UTC ISO-8601 text, which sorts in time order."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Database:
    """One aiosqlite connection shared by the service; writes go through `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly
        # the block we say it is.
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a message acknowledged to a provider survives a power cut, not only a crash.
        await conn.execute("PRAGMA synchronous=FULL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=10000")
        db = cls(conn)
        await db.migrate()
        return db

    async def migrate(self) -> None:
        async with self._exclusive():
            version = await self.schema_version()
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                log.info("applying migration %d", number)
                # executescript commits first; wrap the script so it applies whole or not at all.
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
                )

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """One use of the connection at a time, re-entrant for the task that holds it.

        A read left open on a connection pins a WAL snapshot; a BEGIN IMMEDIATE interleaved
        with it fails at once with 'database is locked' once the other connection has written.
        So reads and transactions on one connection never interleave.
        """
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error. One at a time."""
        async with self._exclusive():
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def fetchone(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            row: aiosqlite.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def close(self) -> None:
        await self.conn.close()
