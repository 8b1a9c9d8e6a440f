"""The SQLite connection: WAL, durable commits, migrations and one-at-a-time transactions."""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from hubbot.store.guard import Guarded
from hubbot.store.migrations import MIGRATIONS, SQLITE_AFTER
from hubbot.store.pg_connection import from_postgresql, is_pg_storage_fault
from hubbot.store.pg_connection import is_conflict as is_pg_conflict
from hubbot.store.sqlite_conn import InlineConnection, inline_connect

log = logging.getLogger(__name__)

# After a storage fault, workers pause this long (doubled per failure, up to the most) and try
# again: a full disk or a stuck lock passes, and the work resumes without a restart.
FAULT_PAUSE_FIRST = 0.5  # seconds
FAULT_PAUSE_MOST = 30.0

# SQLite result codes that say the storage failed, not the statement: the same transaction may
# work later. Extended codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT...) share the prefix.
_STORAGE_CODES = (
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_NOMEM",
    "SQLITE_PROTOCOL",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
)
_STORAGE_TEXTS = (  # the same, for errors that carry no code
    "database or disk is full",
    "disk i/o error",
    "database is locked",
    "database table is locked",
    "readonly database",
    "unable to open database file",
    "database disk image is malformed",
    "file is not a database",
    "out of memory",
)


class StoreUnusable(Exception):
    """The database file cannot be used: not SQLite, damaged, or from a newer hubbot."""


def is_storage_fault(exc: BaseException) -> bool:
    """The store failed (disk full, I/O error, locked...), not the code that used it: the work
    is kept and tried again, never marked failed for it."""
    if isinstance(exc, MemoryError):
        return True
    if from_postgresql(exc):  # connection lost, disk full, admin shutdown...
        return is_pg_storage_fault(exc)
    if not isinstance(exc, sqlite3.Error) or isinstance(exc, sqlite3.ProgrammingError):
        return False
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str):
        return any(name == code or name.startswith(code + "_") for code in _STORAGE_CODES)
    text = str(exc).lower()
    return any(part in text for part in _STORAGE_TEXTS)


def is_conflict(exc: BaseException) -> bool:
    """Another worker's transaction won (PostgreSQL's deciding transactions, store/pg.py):
    nothing is wrong with the store or the work, which is done again at once."""
    return from_postgresql(exc) and is_pg_conflict(exc)


def fault_pause(failures: int) -> float:
    """Seconds to wait after the `failures`-th storage fault in a row."""
    return float(min(FAULT_PAUSE_MOST, FAULT_PAUSE_FIRST * 2 ** max(0, failures - 1)))


def iso(value: datetime | None) -> str | None:
    """Times are stored as UTC ISO-8601 text, which sorts in time order."""
    if value is None:
        return None
    return _iso(value)


# A batch stamps thousands of rows with the same few times (issue 17: the scheduler's pass
# formatted one `now` 25,000 times); a datetime hashes faster than it formats.
@functools.lru_cache(maxsize=256)
def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Database(Guarded):
    """One aiosqlite connection shared by the service; writes go through `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__()
        self.conn = conn

    @classmethod
    async def open(cls, path: str | Path, *, verify: bool = False) -> Database:
        """Open (creating it if need be) and migrate. `verify` also reads every page once
        (PRAGMA quick_check, a fraction of a second for a hub's database), so a damaged file
        is refused at start rather than found in the middle of a message.

        Raises StoreUnusable, with the connection closed: a connection left open keeps its
        thread, and so the process, alive."""
        if str(path) != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnusable(
                    f"cannot create the folder {str(Path(path).parent)!r}: {exc.strerror or exc}"
                ) from exc
        try:
            conn = await inline_connect(str(path))
        except sqlite3.Error as exc:
            raise StoreUnusable(f"cannot open {str(path)!r}: {exc}") from exc
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a message acknowledged to a provider survives a power cut, not only a crash.
            await conn.execute("PRAGMA synchronous=FULL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=10000")
            db = cls(conn)
            if verify:
                await db._verify(path)
            await db.migrate()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise StoreUnusable(_unusable(path, exc)) from exc
            raise
        return db

    async def _verify(self, path: str | Path) -> None:
        rows = await self.fetchall("PRAGMA quick_check(5)")
        problems = [str(row[0]) for row in rows if str(row[0]) != "ok"]
        if problems:
            raise StoreUnusable(
                f"{str(path)!r} is damaged ({problems[0]}); restore it from a backup, or move"
                " it aside to start afresh"
            )

    async def migrate(self) -> None:
        async with self._exclusive():
            version = await self.schema_version()
            if version > len(MIGRATIONS):
                raise StoreUnusable(
                    f"the database has schema version {version}, newer than this hubbot's"
                    f" ({len(MIGRATIONS)}); run the hubbot that wrote it"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                log.info("applying migration %d", number)
                # executescript commits first; wrap the script so it applies whole or not at all.
                script += SQLITE_AFTER.get(number, "")
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
                )

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    def deciding(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """PostgreSQL's deciding transactions run beside other workers' (store/pg.py); SQLite
        has one writer at a time, so here it is transaction()."""
        return self.transaction()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error, a failed COMMIT included (a
        disk-full COMMIT may leave the transaction open, and every later BEGIN would fail).
        One at a time."""
        async with self._exclusive(write=True):
            if self._active:
                raise RuntimeError("a transaction inside a transaction")
            try:
                if self.conn.in_transaction:  # left open by a failure we could not undo
                    await self._rollback()
                await self.conn.execute("BEGIN IMMEDIATE")
                before = self.conn.total_changes
                self._active = True
                try:
                    self._inline(True)
                    try:
                        yield self.conn
                    finally:
                        self._inline(False)
                    await self.conn.execute("COMMIT")
                except BaseException:
                    await self._rollback()
                    raise
                finally:
                    self._active = False
            except Exception as exc:
                if is_storage_fault(exc):
                    self._faulted(exc)
                raise
            if self.conn.total_changes != before:
                self._healed()  # a write reached the disk: writes work (again)
                self.changes.bump()

    def _inline(self, on: bool) -> None:
        if isinstance(self.conn, InlineConnection):  # a test may hand in a plain connection
            self.conn.inline = on

    async def probe(self) -> bool:
        """After a storage fault: try one real write (the schema version, rewritten as it is),
        so health shows when writes work again even while no work is waiting."""
        try:
            async with self.transaction() as conn:
                async with conn.execute("PRAGMA user_version") as cursor:
                    row = await cursor.fetchone()
                await conn.execute(f"PRAGMA user_version={int(row[0]) if row else 0}")
        except Exception as exc:
            if not is_storage_fault(exc):
                raise
            return False
        self._healed()
        return True

    async def _rollback(self) -> None:
        # After some errors SQLite has rolled back already; a failing ROLLBACK must not hide
        # the error that matters.
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                await self.conn.execute("ROLLBACK")

    async def fetchone(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            row: aiosqlite.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        async with self._exclusive(), self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def close(self) -> None:
        await self.conn.close()


def _unusable(path: str | Path, exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return (
            f"{str(path)!r} is damaged or not an SQLite database ({exc}); restore it from a"
            " backup, or move it aside to start afresh"
        )
    return f"cannot use {str(path)!r}: {exc}"
