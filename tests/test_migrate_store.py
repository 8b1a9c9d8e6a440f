"""`hubbot migrate-store`: a hub's SQLite database copied into PostgreSQL, whole, checked by
counts, and read the same by the store afterwards; refused or undone as a whole otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from hubbot.addresses import parse_address
from hubbot.domain.messages import Priority
from hubbot.store import accounts, hubs, inbound, items, linking, outbox, people, sessions
from hubbot.store.copy import copy_store
from hubbot.store.migrations import MIGRATIONS
from hubbot.store.pg import PgDatabase
from tests.conftest import Harness
from tests.pg import DATABASE, MISSING, binaries, shared_cluster
from tests.test_cli import console, hubbot

if binaries() is None:  # the one line saying that the copies to PostgreSQL are skipped
    pytest.skip(MISSING, allow_module_level=True)

__all__ = ["console"]  # the fixture: `hubbot` in-process on the harness's database

LEAD, ANA, BEN, COORD = "514-555-0101", "514-555-0102", "514-555-0103", "514-555-0190"
OLD_TG, NEW_TG = "telegram:1001", "telegram:1002"
SECRET = "s3cret-pw"  # the test cluster trusts every login: a password is accepted, unused


@dataclass(frozen=True)
class Target:
    dsn: str  # with SECRET as its password
    db: PgDatabase


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    """The test cluster's database, migrated and empty."""
    cluster = shared_cluster()
    db = await cluster.database()
    try:
        yield Target(cluster.dsn(DATABASE).replace("postgres@", f"postgres:{SECRET}@"), db)
    finally:
        await db.close()


@dataclass(frozen=True)
class Made:
    hub: int
    merged: int  # a person merged into `kept`, a later row of the same table
    kept: int
    token: str  # a console session's cookie


async def _a_hub_at_work(harness: Harness) -> Made:
    """A hub in use, written as the service writes it: members, a need and an offer, texts in
    and out, a coordinator, a person merged into a newer record, a console login."""
    now = harness.clock.now()
    hub_id = await harness.add_hub()
    async with harness.db.transaction() as conn:
        old = await people.create(conn, OLD_TG, "fr", now)
        new = await people.create(conn, NEW_TG, "fr", now)
        await linking.merge(conn, new.id, old.id, now)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(ANA, "BESOIN eau potable pour 3")
    await harness.text(BEN, "REJOINDRE PLATEAU")
    await harness.text(BEN, "OFFRE couvertures")
    await harness.add_coordinator(COORD)
    async with harness.db.transaction() as conn:
        account = await accounts.create(conn, "lea", "hash", "coordinator", None, now)
        token, _ = await sessions.create(conn, account.id, now, timedelta(hours=8))
    return Made(hub_id, old.id, new.id, token)


async def _counts(db: Any) -> dict[str, int]:
    """Rows per table of a store, SQLite's or PostgreSQL's."""
    if isinstance(db, PgDatabase):
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    tables = [row[0] for row in await db.fetchall(sql) if row[0] != "hubbot_schema"]
    return {t: (await db.fetchone(f"SELECT COUNT(*) FROM {t}"))[0] for t in tables}


def _url(folder: Path) -> str:
    return f"sqlite:///{folder / 'hub.db'}"  # sqlite:////tmp/...: an absolute path


async def test_a_hubs_database_is_copied_table_by_table_into_a_new_postgresql_database(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _a_hub_at_work(harness)
    cluster = shared_cluster()
    fresh = f"fresh_{os.getpid()}"  # as `createdb` leaves it: no tables yet
    admin = await asyncpg.connect(cluster.dsn())
    await admin.execute(f"CREATE DATABASE {fresh}")
    try:
        dsn = cluster.dsn(fresh).replace("postgres@", f"postgres:{SECRET}@")
        code, out, err = await hubbot(capsys, "migrate-store", "--from", _url(console), "--to", dsn)
        assert code == 0, err
        db = await PgDatabase.open(cluster.dsn(fresh))
        try:
            copied = await _counts(db)
        finally:
            await db.close()
    finally:
        await admin.execute(f"DROP DATABASE {fresh} WITH (FORCE)")
        await admin.close()
    assert copied == await _counts(harness.db)
    assert (copied["inbound"], copied["items"], copied["sessions"]) == (5, 2, 1)
    lines = out.splitlines()
    assert lines[0] == f"Copying {console / 'hub.db'} into {dsn.replace(SECRET, '***')}:"
    tables = [line.split()[0] for line in lines[1:-1]]
    assert sorted(tables) == sorted(copied), "one line per table"
    assert tables.index("hubs") < tables.index("people") < tables.index("items")
    assert f"    {copied['inbound']} rows" in lines[1 + tables.index("inbound")]
    assert lines[-1].startswith(f"Checked: each of the {len(copied)} tables holds as many rows")
    assert SECRET not in out + err


async def test_the_store_reads_the_same_hub_people_and_board_on_postgresql_after_the_copy(
    harness: Harness, target: Target, tmp_path: Path
) -> None:
    made = await _a_hub_at_work(harness)
    await copy_store(tmp_path / "hub.db", target.dsn)
    now = harness.clock.now()
    reads = []
    for db in (harness.db, target.db):
        async with db.transaction() as conn:
            session = await sessions.live(conn, made.token, now)
            reads.append(
                (
                    await hubs.roster(conn, made.hub),
                    await hubs.members(conn, made.hub),
                    await people.by_address(conn, parse_address(ANA, "CA")),
                    await items.open_items(conn, made.hub, now),
                    await people.merged_into(conn, made.merged),
                    session.account.username if session else None,
                )
            )
    assert reads[0] == reads[1]
    roster, members, ana, board, merged, user = reads[1]
    assert roster and ana is not None and ana.id in members
    assert sorted(item.text for item in board) == ["couvertures", "eau potable pour 3"]
    assert (merged, user) == (made.kept, "lea")


async def test_rows_added_after_the_copy_are_numbered_after_the_copied_ones(
    harness: Harness, target: Target, tmp_path: Path
) -> None:
    await _a_hub_at_work(harness)
    await copy_store(tmp_path / "hub.db", target.dsn)
    now = harness.clock.now()
    coord = await harness.person_id(COORD)  # the last person made, who never wrote
    async with target.db.transaction() as conn:
        most = {
            t: (await conn.execute_fetchall(f"SELECT MAX(id) FROM {t}"))[0][0]
            for t in ("people", "outbox")
        }
        newcomer = await people.create(conn, "sms:+15145550177", "fr", now)
        sent = await outbox.enqueue(
            conn,
            person_id=coord,
            address="sms:+15145550190",
            text="x",
            priority=Priority.URGENT,
            now=now,
        )
        await people.add_address(conn, coord, "telegram:77", None)
        listed = [a.address for a in await people.addresses_of(conn, coord)]
    assert (newcomer.id, sent) == (most["people"] + 1, most["outbox"] + 1)
    assert listed == ["sms:+15145550190", "telegram:77"], "the address added last comes last"


async def test_a_postgresql_database_that_holds_data_is_refused_in_one_line_and_left_as_it_was(
    harness: Harness, console: Path, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    await _a_hub_at_work(harness)
    async with target.db.transaction() as conn:
        await hubs.create(
            conn, "OTHER", "Other", "hash", "fr", None, "default", harness.clock.now()
        )
    code, out, err = await hubbot(
        capsys, "migrate-store", "--from", _url(console), "--to", target.dsn
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "holds data already (in hubs)" in err
    counts = await _counts(target.db)
    assert counts["hubs"] == 1 and sum(counts.values()) == 1


async def test_a_failure_midway_leaves_the_postgresql_database_without_a_row(
    harness: Harness, console: Path, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    await _a_hub_at_work(harness)
    # An edit by hand in the sqlite3 shell, whose foreign keys are off: a need for nobody.
    with contextlib.closing(sqlite3.connect(console / "hub.db")) as hand, hand:
        hand.execute(
            "INSERT INTO items (kind, number, hub_id, person_id, text, status, created_at,"
            " expires_at) SELECT kind, 9, hub_id, 999, text, status, created_at, expires_at"
            " FROM items LIMIT 1"
        )
    code, out, err = await hubbot(
        capsys, "migrate-store", "--from", _url(console), "--to", target.dsn
    )
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: copying items failed:") and "(person_id)=(999)" in err
    assert "  people " in out, "the tables before it were copied, then undone"
    assert sum((await _counts(target.db)).values()) == 0


@pytest.mark.parametrize("version", [len(MIGRATIONS) - 1, len(MIGRATIONS) + 1])
async def test_a_database_from_an_older_or_a_newer_hubbot_is_refused_in_one_line(
    harness: Harness,
    console: Path,
    target: Target,
    capsys: pytest.CaptureFixture[str],
    version: int,
) -> None:
    await harness.add_hub()
    with contextlib.closing(sqlite3.connect(console / "hub.db")) as hand, hand:
        hand.execute(f"PRAGMA user_version = {version}")
    code, out, err = await hubbot(
        capsys, "migrate-store", "--from", _url(console), "--to", target.dsn
    )
    word = "older" if version < len(MIGRATIONS) else "newer"
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"has schema version {version}, {word} than this hubbot's ({len(MIGRATIONS)})" in err
    assert sum((await _counts(target.db)).values()) == 0


async def test_a_copy_taken_while_the_service_keeps_taking_texts_is_one_consistent_moment(
    harness: Harness, target: Target, tmp_path: Path
) -> None:
    await _a_hub_at_work(harness)
    stop = asyncio.Event()

    async def texts_keep_arriving() -> int:
        n = 0
        while not stop.is_set():
            n += 1
            await inbound.record(
                harness.db, "sms", f"LIVE{n}", "sms:+15145550150", None, "x", harness.clock.now()
            )
        return n

    writer = asyncio.create_task(texts_keep_arriving())
    try:
        copied = await copy_store(tmp_path / "hub.db", target.dsn)
    finally:
        stop.set()
        arrived = await writer
    rows = await target.db.fetchall(
        "SELECT provider_id FROM inbound WHERE provider_id LIKE 'LIVE%'"
    )
    live = sorted(int(r[0].removeprefix("LIVE")) for r in rows)
    assert live == list(range(1, len(live) + 1)) and len(live) < arrived
    assert copied.counts["inbound"] == 5 + len(live)


async def test_a_source_that_is_no_sqlite_url_or_no_database_is_refused_in_one_line(
    console: Path, target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    for source, said in (
        ("var/hubbot.db", "is not an SQLite URL"),
        (f"sqlite:///{console / 'none.db'}", "no database at"),
    ):
        code, _, err = await hubbot(capsys, "migrate-store", "--from", source, "--to", target.dsn)
        assert code == 1 and err.count("\n") == 1 and said in err
    code, _, err = await hubbot(
        capsys, "migrate-store", "--from", _url(console), "--to", "mysql://root:pw@db/hub"
    )
    assert code == 1 and "is not a postgresql:// URL" in err and ":pw@" not in err
