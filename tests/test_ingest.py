"""The one ingest: every channel's message is stored once, then the workers wake, once."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hubbot.channels.base import InboundMessage
from hubbot.service.ingest import JournalIngest
from hubbot.store import inbound
from hubbot.store.db import Database
from tests.fakes import FakeClock


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "hub.db")
    yield db
    await db.close()


async def test_a_message_is_committed_before_the_workers_are_woken(
    db: Database, tmp_path: Path
) -> None:
    committed: list[int] = []

    def wake() -> None:  # another connection, as a worker's: it sees only what is committed
        with contextlib.closing(sqlite3.connect(tmp_path / "hub.db")) as other:
            committed.append(other.execute("SELECT COUNT(*) FROM inbound").fetchone()[0])

    ingest = JournalIngest(db, FakeClock(), wake)
    message = InboundMessage(
        "sms", "SM1", "sms:+15145550101", "HELP", to_address="sms:+15145550199"
    )
    stored = await ingest(message)
    assert stored is not None and committed == [1]
    [row] = await inbound.unprocessed(db)
    assert (row.id, row.channel, row.provider_id, row.address, row.to_address, row.text) == (
        stored,
        "sms",
        "SM1",
        "sms:+15145550101",
        "sms:+15145550199",
        "HELP",
    )


async def test_a_provider_retry_is_stored_once_and_wakes_nobody_again(db: Database) -> None:
    wakes: list[None] = []
    ingest = JournalIngest(db, FakeClock(), lambda: wakes.append(None))
    message = InboundMessage("telegram", "904512", "telegram:5501", "/aide")
    first = await ingest(message)
    again = await ingest(message)
    assert first is not None and again is None
    assert len(wakes) == 1
    assert len(await inbound.unprocessed(db)) == 1


async def test_the_same_id_on_another_channel_is_another_message(db: Database) -> None:
    ingest = JournalIngest(db, FakeClock(), lambda: None)
    assert await ingest(InboundMessage("sms", "42", "sms:+15145550101", "HELP")) is not None
    assert await ingest(InboundMessage("telegram", "42", "telegram:5501", "HELP")) is not None


async def test_channel_details_are_kept_as_json_beside_the_text(db: Database) -> None:
    ingest = JournalIngest(db, FakeClock(), lambda: None)
    details: dict[str, str | int | None] = {"username": "Marie_TG", "group_chat": None}
    await ingest(InboundMessage("telegram", "1", "telegram:5501", "/aide", details=details))
    [row] = await inbound.unprocessed(db)
    assert row.payload == '{"username": "Marie_TG", "group_chat": null}'
