"""What only PostgreSQL has: the schema it is given, and a connection the server drops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbot.store import people
from hubbot.store.db import Database
from hubbot.store.pg import PgDatabase
from hubbot.store.pg_connection import is_pg_storage_fault
from tests.pg import MISSING, binaries, shared_cluster

if binaries() is None:  # the one line saying that the PostgreSQL runs of the store are skipped
    pytest.skip(MISSING, allow_module_level=True)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ANA, BEN = "sms:+15145550101", "telegram:42"


async def test_both_backends_have_the_same_tables_columns_and_not_nulls(
    tmp_path: Path,
) -> None:
    lite = await Database.open(tmp_path / "hubbot.db")
    pg = await shared_cluster().database()
    try:
        tables = await lite.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        expected = set()
        for (table,) in tables:
            for column in await lite.fetchall(f"PRAGMA table_info({table})"):
                # A primary key is NOT NULL on PostgreSQL; SQLite lets a TEXT one be NULL.
                not_null = bool(column["notnull"] or column["pk"])
                expected.add((table, column["name"], not_null))
        found = await pg.fetchall(
            "SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name <> 'hubbot_schema'"
            " AND column_name <> 'rowid'"
        )
        assert {tuple(r) for r in found} - expected == set()
        assert expected - {tuple(r) for r in found} == set()
        collations = await pg.fetchall(
            "SELECT DISTINCT collation_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'text'"
        )
        assert [r[0] for r in collations] == ["C"]  # text sorts by code point, as on SQLite
    finally:
        await lite.close()
        await pg.close()


async def test_after_postgresql_drops_the_connection_at_most_one_write_fails_then_all_work() -> (
    None
):
    db = await shared_cluster().database()
    try:
        killer = await shared_cluster().database()
        pid = db.conn.raw.get_server_pid()
        await killer.fetchone("SELECT pg_terminate_backend(?, 5000)", (pid,))
        await killer.close()
        try:  # whether asyncpg saw the connection end before this or during it is timing
            async with db.transaction() as conn:
                await people.create(conn, ANA, "fr", NOW)
        except Exception as exc:
            assert is_pg_storage_fault(exc) and db.fault is not None  # kept, tried again
        async with db.transaction() as conn:
            await people.create(conn, BEN, "fr", NOW)
        assert db.fault is None
        assert await db.probe()
        row = await db.fetchone("SELECT COUNT(*) FROM addresses WHERE address = ?", (BEN,))
        assert row is not None and row[0] == 1
    finally:
        await db.close()


async def test_a_worker_that_writes_wakes_the_others_and_not_itself() -> None:
    first = await shared_cluster().database()
    second = await PgDatabase.open(first.dsn)  # another worker's connection
    woken = {"first": 0, "second": 0}
    heard = {name: asyncio.Event() for name in woken}
    tables: dict[str, frozenset[str]] = {}

    def waker(name: str) -> Callable[[frozenset[str]], None]:
        def wake(written: frozenset[str]) -> None:
            woken[name] += 1
            tables[name] = written
            heard[name].set()

        return wake

    async def written_by(db: PgDatabase, address: str) -> None:
        async with db.transaction() as conn:
            await people.create(conn, address, "fr", NOW)

    async def heard_by(name: str) -> int:
        await asyncio.wait_for(heard[name].wait(), 10)
        heard[name].clear()
        return woken[name]

    try:
        first.listen(waker("first"))
        second.listen(waker("second"))
        assert (await heard_by("first"), await heard_by("second")) == (1, 1), "a first look"
        async with second.transaction() as conn:  # a transaction that wrote nothing
            await people.by_address(conn, ANA)
        version = first.changes.version
        await written_by(second, ANA)
        assert await heard_by("first") == 2
        assert tables["first"] == {"people", "addresses"}, "it is told what was written"
        assert first.changes.version > version, "the console's live pages hear it too"
        await written_by(first, BEN)
        assert await heard_by("second") == 2, "its own write did not wake the second"
        await written_by(second, "sms:+15145550177")
        # Notifications arrive in commit order: the first's own write, before this one,
        # woke it not, and neither did the read-only transaction.
        assert await heard_by("first") == 3
    finally:
        await second.close()
        await first.close()


async def test_a_database_made_before_sequences_numbers_new_rows_past_its_old_ones() -> None:
    """Migration 25 on a deployment of 24: the people it has keep their numbers and the next
    one gets the largest plus one, as the old trigger would have given."""
    dsn = await shared_cluster().fresh_database("hubbot_v24", "hubbot_v24", "v24-pw")
    db = await PgDatabase.open(dsn)
    try:
        async with db.transaction() as conn:
            await people.create(conn, ANA, "fr", NOW, person_id=41)
        # As version 24 left it: no sequence, the trigger taking the largest id plus one
        # (and nothing of migrations 26 and 27).
        await db.conn.raw.execute(
            "DROP SEQUENCE people_id_seq; UPDATE hubbot_schema SET version = 24;"
            " DROP INDEX memberships_person;"
            " DROP INDEX role_assignments_person; ALTER TABLE hubs DROP COLUMN members_changes;"
            " DROP INDEX due_waiting; CREATE INDEX due_pending ON due(done_at, due_at)"
        )
    finally:
        await db.close()
    db = await PgDatabase.open(dsn)
    try:
        async with db.transaction() as conn:
            ben = await people.create(conn, BEN, "en", NOW)
            reserved = await people.next_id(conn)
        assert (ben.id, reserved) == (42, 43)
    finally:
        await db.close()
