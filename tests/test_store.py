"""The store: numbered migrations, WAL, and transactions that apply whole or not at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbot.store import inbound, outbox
from hubbot.store.db import Database
from hubbot.store.migrations import MIGRATIONS


async def test_a_new_database_is_migrated_to_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
    finally:
        await db.close()


async def test_reopening_a_database_keeps_its_data_and_runs_no_migration_twice(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "a.db")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO activity_log (action, at) VALUES ('x', 'now')")
    await db.close()
    db = await Database.open(tmp_path / "a.db")
    try:
        row = await db.fetchone("SELECT COUNT(*) FROM activity_log")
        assert row is not None and row[0] == 1
        assert await db.schema_version() == len(MIGRATIONS)
    finally:
        await db.close()


async def test_a_failing_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO activity_log (action, at) VALUES ('x', 'now')")
                raise RuntimeError("boom")
        row = await db.fetchone("SELECT COUNT(*) FROM activity_log")
        assert row is not None and row[0] == 0
    finally:
        await db.close()


async def test_an_inbound_message_is_unique_by_channel_and_provider_id(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    now = datetime.now(UTC)
    try:
        assert await inbound.record(db, "sms", "SM1", "sms:+15145550101", None, "hi", now)
        assert await inbound.record(db, "sms", "SM1", "sms:+15145550101", None, "hi", now) is None
        assert await inbound.record(db, "telegram", "SM1", "telegram:1", None, "hi", now)
    finally:
        await db.close()


@pytest.mark.parametrize("count", [1, 3, 50])
async def test_many_outbox_rows_are_written_under_the_ids_handed_back(
    tmp_path: Path, count: int
) -> None:
    db = await Database.open(tmp_path / "a.db")
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    try:
        async with db.transaction() as conn:
            await outbox.enqueue(
                conn, person_id=None, address="sms:+1", text="x", priority="normal", now=now
            )
            rows = [
                outbox.NewMessage(
                    None, f"telegram:{i}", f"notice {i}", "bulk", buttons=[("OK", "ACK b1")]
                )
                for i in range(count)
            ]
            ids = await outbox.enqueue_many(conn, rows, now)
        for i, outbox_id in enumerate(ids):
            row = await db.fetchone(
                "SELECT address, text, buttons FROM outbox WHERE id = ?", (outbox_id,)
            )
            assert row is not None and tuple(row) == (
                f"telegram:{i}",
                f"notice {i}",
                '[["OK", "ACK b1"]]',
            )
    finally:
        await db.close()
