"""A deployment's SQLite database copied into an empty PostgreSQL one, whole or not at all."""

from __future__ import annotations

import asyncio
import contextlib
import graphlib
import logging
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from hubbot.store.db import StoreUnusable
from hubbot.store.migrations import MIGRATIONS
from hubbot.store.pg import PgDatabase
from hubbot.store.pg_connection import connect

log = logging.getLogger(__name__)

BATCH = 5000  # rows read from SQLite at a time: one thread hop each, memory bounded
# Only PostgreSQL has it: the migration number, written by PgDatabase.migrate.
_OWN = "hubbot_schema"
_TEXT = ("text", "character varying", "character")
_FAILED = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, sqlite3.Error)


class CopyError(Exception):
    """The copy was refused or failed; the message says why, in one line."""


@dataclass(frozen=True)
class Copied:
    version: int  # the schema version of both
    counts: dict[str, int]  # table -> rows, in the order copied (parents first)


def _q(name: str) -> str:
    """An identifier, quoted: table and column names come from the catalogs."""
    return '"' + name.replace('"', '""') + '"'


async def copy_store(
    source: Path, dsn: str, on_table: Callable[[str, int], None] | None = None
) -> Copied:
    """Copy every row of the SQLite database at `source` into the PostgreSQL database at `dsn`
    (migrated first; it must hold no data), in one transaction, then check the counts."""
    if not await asyncio.to_thread(source.is_file):
        raise CopyError(f"no database at {str(source)!r}")
    try:
        # Beside the source rather than in /tmp, which may be a small RAM disk.
        folder = tempfile.TemporaryDirectory(prefix=".hubbot-migrate-", dir=source.parent)
    except OSError as exc:
        raise CopyError(f"cannot write a snapshot beside {str(source)!r}: {exc}") from exc
    with folder:
        snapshot = Path(folder.name) / "snapshot.db"
        version = await asyncio.to_thread(_snapshot, source, snapshot)
        db = await _target(dsn)
        try:
            counts = await _copy(snapshot, db, on_table)
        except _FAILED as exc:
            raise CopyError(f"{_one_line(exc)}; {_NOTHING}") from exc
        finally:
            await db.close()
    return Copied(version, counts)


_NOTHING = "nothing was copied (the target holds no data)"


def _one_line(exc: BaseException) -> str:
    """The error and, from PostgreSQL, its detail (which row), on one line."""
    detail = getattr(exc, "detail", None)
    text = f"{exc} ({detail})" if detail else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _snapshot(source: Path, snapshot: Path) -> int:
    """SQLite's online backup, as `hubbot backup` takes it: one consistent state even while
    `hubbot run` writes; its schema version must be this hubbot's."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(snapshot)) as out,
        ):
            src.backup(out)
            version = int(out.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise CopyError(f"cannot read {str(source)!r}: {_one_line(exc)}") from exc
    latest = len(MIGRATIONS)
    if version > latest:
        raise CopyError(
            f"{str(source)!r} has schema version {version}, newer than this hubbot's ({latest}):"
            " copy it with the hubbot that wrote it"
        )
    if version < latest:
        raise CopyError(
            f"{str(source)!r} has schema version {version}, older than this hubbot's ({latest}):"
            " run this hubbot on it once (`hubbot hub list` migrates it), then copy it"
        )
    return version


async def _target(dsn: str) -> PgDatabase:
    """The target, migrated; refused before it is touched if it holds data already."""
    try:
        raw = await connect(dsn)
        try:
            filled = await _filled(raw)
        finally:
            await raw.close()
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # ValueError: a URL asyncpg cannot read (a port that is no number, an unknown option)
        raise CopyError(f"cannot use the PostgreSQL database: {_one_line(exc)}") from exc
    if filled:
        raise CopyError(_holds(filled))
    try:
        return await PgDatabase.open(dsn)
    except StoreUnusable as exc:
        raise CopyError(_one_line(exc)) from exc


def _holds(filled: list[str]) -> str:
    return (
        f"the PostgreSQL database holds data already (in {', '.join(filled[:3])}):"
        " migrate-store copies only into an empty one, and left it untouched"
    )


async def _filled(raw: asyncpg.Connection) -> list[str]:
    """The tables of the target's schema that hold a row (hubbot's or anyone's)."""
    tables = await raw.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> $1 ORDER BY tablename",
        _OWN,
    )
    return [
        row[0]
        for row in tables
        if await raw.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_q(row[0])})")
    ]


async def _copy(
    snapshot: Path, db: PgDatabase, on_table: Callable[[str, int], None] | None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with contextlib.closing(sqlite3.connect(snapshot, check_same_thread=False)) as lite:
        async with db.transaction() as conn:
            raw = await conn.ready()
            filled = await _filled(raw)  # written to since we looked: still refuse
            if filled:
                raise CopyError(_holds(filled))
            order = await _order(raw)
            _same_tables(lite, order)
            for table in order:
                select, columns = await _columns(raw, lite, table)
                try:
                    status = await raw.copy_records_to_table(
                        table, records=_rows(lite, select), columns=columns
                    )
                except _FAILED as exc:
                    raise CopyError(
                        f"copying {table} failed: {_one_line(exc)}; {_NOTHING}"
                    ) from exc
                counts[table] = int(str(status).rsplit(" ", 1)[-1])
                log.info("copied %d rows of %s", counts[table], table)
                if on_table is not None:
                    on_table(table, counts[table])
            await _continue_numbering(raw)
            await _check(raw, lite, order)
    return counts


async def _order(raw: asyncpg.Connection) -> list[str]:
    """The tables, each after those its foreign keys point to. A table pointing to itself
    (people.merged_into) is one COPY: PostgreSQL checks its keys at the statement's end."""
    tables = await raw.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> $1 ORDER BY tablename",
        _OWN,
    )
    keys = await raw.fetch(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        " ORDER BY 1, 2"
    )
    graph: dict[str, set[str]] = {row[0]: set() for row in tables}
    for child, parent in keys:
        if child != parent and child in graph:
            graph[child].add(parent)
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise CopyError(f"the tables' foreign keys go round in a cycle: {exc.args[1]}") from exc


def _same_tables(lite: sqlite3.Connection, order: list[str]) -> None:
    found = lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    names = {row[0] for row in found if not row[0].startswith("sqlite_")}  # SQLite's own
    if names != set(order):
        only = sorted(names - set(order)) or sorted(set(order) - names)
        side = "SQLite" if names - set(order) else "PostgreSQL"
        raise CopyError(f"tables only on {side}: {', '.join(only)}")


async def _columns(
    raw: asyncpg.Connection, lite: sqlite3.Connection, table: str
) -> tuple[str, list[str]]:
    """The SELECT that reads `table` from SQLite, and the target's columns it fills. Text is
    read as text (SQLite may hold a number in a text column; PostgreSQL's COPY takes only
    text there). PostgreSQL's `rowid` columns take SQLite's hidden rowid (migrations_pg.py);
    a column only PostgreSQL has is left to its default."""
    found = await raw.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'"
        " ORDER BY ordinal_position",
        table,
    )
    kinds = {row[0]: row[1] for row in found}
    have = [row[1] for row in lite.execute(f"PRAGMA table_info({_q(table)})")]
    missing = [name for name in have if name not in kinds]
    if missing:
        raise CopyError(f"{table}.{missing[0]} is not on PostgreSQL: the schemas differ")
    terms, columns = [], []
    for name, kind in kinds.items():
        if name in have:
            terms.append(f"CAST({_q(name)} AS TEXT)" if kind in _TEXT else _q(name))
        elif name == "rowid":
            terms.append("rowid")
        else:
            continue
        columns.append(name)
    return f"SELECT {', '.join(terms)} FROM {_q(table)}", columns


async def _rows(lite: sqlite3.Connection, select: str) -> AsyncIterator[tuple[Any, ...]]:
    """The rows, read a batch at a time off the event loop, as the COPY takes them."""
    cursor = await asyncio.to_thread(lite.execute, select)
    try:
        while batch := await asyncio.to_thread(cursor.fetchmany, BATCH):
            for row in batch:
                yield row
    finally:
        cursor.close()


async def _continue_numbering(raw: asyncpg.Connection) -> None:
    """Ids without a sequence continue by themselves (a new row gets the largest plus one);
    a column with one (addresses.rowid) is moved past what was copied."""
    owned = await raw.fetch(
        "SELECT table_name, column_name, seq FROM (SELECT table_name, column_name,"
        " pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq"
        " FROM information_schema.columns WHERE table_schema = current_schema()) AS c"
        " WHERE seq IS NOT NULL"
    )
    for table, column, sequence in owned:
        most = f"(SELECT MAX({_q(column)}) FROM {_q(table)})"
        await raw.execute(f"SELECT setval($1, COALESCE({most}, 0) + 1, false)", sequence)


async def _check(raw: asyncpg.Connection, lite: sqlite3.Connection, order: list[str]) -> None:
    """Every table holds as many rows on PostgreSQL as in the snapshot, before the commit."""
    for table in order:
        want = lite.execute(f"SELECT COUNT(*) FROM {_q(table)}").fetchone()[0]
        got = await raw.fetchval(f"SELECT COUNT(*) FROM {_q(table)}")
        if want != got:
            raise CopyError(
                f"the check failed: {table} has {want} rows in SQLite but {got} on PostgreSQL;"
                f" {_NOTHING}"
            )
