"""Group commit: webhooks that arrive together share a commit, and texts are decided in batches,
one transaction each, with the same answers as one by one."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import pytest
from aiohttp import test_utils, web

from hubbot.addresses import parse_address
from hubbot.channels.simulator import SimulatorChannel, sim_routes
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.decide import decide
from hubbot.domain.effects import Outcome
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service import processor as processor_module
from hubbot.service.ingest import JournalIngest
from hubbot.store import inbound
from hubbot.store.db import Database
from hubbot.store.inbound import NewInbound
from hubbot.web.app import build_web_app
from tests.conftest import Harness
from tests.fakes import FakeClock, workers

HUB = "+15145550000"
LEAD, ANA, BOB, CLAIRE = "+15145550101", "+15145550102", "+15145550103", "+15145550104"
SORRY = "Désolé, une erreur de notre part. Votre message est gardé et l'équipe peut le voir."


async def _store(harness: Harness, phone: str, text: str, to: str | None = HUB) -> int:
    """Store a text as a webhook does, without deciding it yet."""
    stored = await inbound.record(
        harness.db,
        "sms",
        f"{phone}:{text}:{harness.db.changes.version}",
        parse_address(phone, "CA"),
        parse_address(to, "CA") if to else None,
        text,
        harness.clock.now(),
    )
    assert stored is not None
    return stored


async def _decide_stored(
    harness: Harness, seconds: float = 60.0
) -> tuple[dict[str, list[str]], int]:
    """Decide every stored text and send the replies: what each phone received, and how many
    transactions the deciding took. A batch may take `seconds`: by default long enough for
    this machine, however busy, to decide a whole batch in one."""
    before, version = len(harness.channel.sent), harness.db.changes.version
    harness.processor.batch_seconds = seconds
    await harness.processor.drain()
    commits = harness.db.changes.version - version
    while await harness.dispatcher.run_once():
        pass
    received: dict[str, list[str]] = {}
    for to, text in harness.channel.sent[before:]:
        received.setdefault(to.removeprefix("sms:"), []).append(text)
    return received, commits


async def _open_hub(harness: Harness) -> None:
    await harness.add_hub(sms_number=HUB)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468", to=HUB)


async def test_a_text_whose_decision_fails_gets_the_plain_apology_and_the_rest_of_its_batch_commits(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails_on_trap(cmd: Command, ctx: Context) -> Outcome:
        if "piege" in cmd.args:
            raise ZeroDivisionError("a bug")
        return decide(cmd, ctx)

    await _open_hub(harness)
    await harness.text(BOB, "REJOINDRE PLATEAU", to=HUB)
    monkeypatch.setattr(processor_module, "decide", fails_on_trap)
    await _store(harness, ANA, "BESOIN eau potable pour 2")
    trap = await _store(harness, BOB, "BESOIN piege")
    await _store(harness, CLAIRE, "BESOIN couvertures pour 3")
    received, commits = await _decide_stored(harness)
    assert commits == 1, "three texts, one transaction"
    assert received[BOB] == [SORRY]
    assert any("N1" in text for text in received[ANA]), received
    assert any("N2" in text for text in received[CLAIRE]), "the need before it was kept"
    needs = [text for text in received[LEAD] if "eau potable" in text or "couvertures" in text]
    assert len(needs) == 2 and not any("piege" in text for text in received[LEAD])
    rows = await harness.db.fetchall("SELECT id, processed_at, error FROM inbound")
    assert all(row["processed_at"] is not None for row in rows)
    [(failed, error)] = [(row["id"], row["error"]) for row in rows if row["error"]]
    assert failed == trap and "ZeroDivisionError" in error


@pytest.mark.parametrize("seconds", [60.0, 0.0])
async def test_one_senders_texts_are_decided_in_the_order_they_came_across_batches(
    harness: Harness, seconds: float
) -> None:
    await _open_hub(harness)
    stored: dict[str, list[int]] = {ANA: [], BOB: [], CLAIRE: []}
    for n in range(30):
        for phone in stored:
            stored[phone].append(await _store(harness, phone, f"BESOIN article {n}"))
    _, commits = await _decide_stored(harness, seconds)
    if seconds:
        assert 1 < commits < 10, "90 texts in a few batches, not one transaction each"
    else:
        assert commits == 90, "a batch out of time ends after the text in hand"
    rows = await harness.db.fetchall(
        "SELECT inbound_id FROM outbox WHERE inbound_id IS NOT NULL"
        " GROUP BY inbound_id ORDER BY MIN(id)"
    )
    order = [int(row[0]) for row in rows]
    for phone, ids in stored.items():
        assert [i for i in order if i in ids] == ids, f"{phone}'s texts kept their order"
    numbers = await harness.db.fetchall("SELECT text FROM items ORDER BY number")
    assert len(numbers) == 90


async def test_a_join_and_a_need_from_one_person_in_one_batch_act_as_if_sent_apart(
    harness: Harness,
) -> None:
    await _open_hub(harness)
    await _store(harness, ANA, "REJOINDRE PLATEAU", to=None)
    await _store(harness, ANA, "BESOIN couvertures pour 2", to=None)
    received, commits = await _decide_stored(harness)
    assert commits == 1
    assert len(received[ANA]) == 2 and "N1" in received[ANA][1], received
    assert any("couvertures" in text for text in received[LEAD]), "the need reached the hub"


async def test_a_need_texted_to_the_hub_makes_its_sender_a_member_for_their_next_text(
    harness: Harness,
) -> None:
    await _open_hub(harness)
    await _store(harness, ANA, "BESOIN eau potable pour 2")
    await _store(harness, ANA, "ROLES")
    received, commits = await _decide_stored(harness)
    assert commits == 1
    assert received[ANA][-1].startswith("Postes à PLATEAU"), "a member may see the roster"


async def test_a_role_given_earlier_in_a_batch_shows_in_the_roster_later_in_it(
    harness: Harness,
) -> None:
    await _open_hub(harness)
    await harness.text(ANA, "REJOINDRE PLATEAU", to=HUB)
    await _store(harness, LEAD, "ROLES")
    await _store(harness, LEAD, "ASSIGNER 514-555-0102 accueil")
    await _store(harness, LEAD, "ROLES")
    received, commits = await _decide_stored(harness)
    assert commits == 1
    ana = f"M{await harness.person_id(ANA)}"
    before, after = received[LEAD][0], received[LEAD][-1]
    assert ana not in before and f"Accueil : {ana}" in after, received[LEAD]


class FullDisk(Database):
    """A database whose disk fills up on demand: while `full`, a transaction that wrote fails
    at COMMIT as SQLite's does ("database or disk is full"), and its writes are rolled back."""

    full = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with super().transaction() as conn:
            before = conn.total_changes
            yield conn
            if self.full and conn.total_changes != before:
                raise sqlite3.OperationalError("database or disk is full")


@pytest.fixture
async def disk(tmp_path: Path) -> AsyncIterator[FullDisk]:
    db = await FullDisk.open(tmp_path / "hub.db")
    yield db
    await db.close()


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "it did not happen in time"
        await asyncio.sleep(0.005)


Client = test_utils.TestClient[web.Request, web.Application]


@asynccontextmanager
async def _webhooks(db: Database) -> AsyncIterator[tuple[Client, JournalIngest]]:
    """The simulator's webhook over `db`, and the ingest behind it."""
    clock = FakeClock()
    ingest = JournalIngest(db, clock, lambda: None)
    sim = SimulatorChannel(db, clock, SmsPolicy(1.0, 3, False))
    app = build_web_app(db, lambda: True, sim_routes(sim, ingest, "CA", lambda: None))
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        yield client, ingest


def _post(client: Client, text: dict[str, str]) -> asyncio.Task[int]:
    async def status() -> int:
        async with client.post("/sim/inbound", json=text) as response:
            return response.status

    return asyncio.create_task(status())


def _text(n: int) -> dict[str, str]:
    return {"from": f"+1438200{n:04d}", "text": f"BESOIN eau {n}", "id": f"SM{n}"}


async def test_webhooks_arriving_together_are_acknowledged_only_once_their_shared_commit_is_done(
    disk: FullDisk,
) -> None:
    async with _webhooks(disk) as (client, ingest):
        async with disk.transaction():  # the store is busy (the processor's batch, say)
            posts = [_post(client, _text(n)) for n in range(20)]
            await _until(lambda: ingest.writer.pending == 20)
            assert not any(post.done() for post in posts), "nothing is acknowledged unstored"
        answers = await asyncio.gather(*posts)
        assert answers == [202] * 20
        assert ingest.writer.commits <= 2, "twenty webhooks, one or two commits"
    ids = [row[0] for row in await disk.fetchall("SELECT provider_id FROM inbound ORDER BY id")]
    assert sorted(ids) == sorted(f"SM{n}" for n in range(20))


async def test_a_commit_that_fails_answers_503_to_every_webhook_of_its_batch_and_stores_none(
    disk: FullDisk,
) -> None:
    async with _webhooks(disk) as (client, ingest):
        async with disk.transaction():  # the store is busy (the processor's batch, say)
            posts = [_post(client, _text(n)) for n in range(10)]
            await _until(lambda: ingest.writer.pending == 10)
            disk.full = True
        answers = await asyncio.gather(*posts)
        assert answers == [503] * 10, "each provider sends again"
        disk.full = False
        again = await client.post("/sim/inbound", json=_text(3))
        assert again.status == 202, "the retry is a new message, not a duplicate"
    assert [tuple(row) for row in await disk.fetchall("SELECT provider_id FROM inbound")] == [
        ("SM3",)
    ]


async def test_one_message_delivered_twice_at_once_is_stored_once_and_both_are_acknowledged(
    disk: FullDisk,
) -> None:
    async with _webhooks(disk) as (client, ingest):
        async with disk.transaction():  # the store is busy (the processor's batch, say)
            posts = [_post(client, _text(7)) for _ in range(2)]
            await _until(lambda: ingest.writer.pending == 2)
        answers = await asyncio.gather(*posts)
        assert sorted(answers) == [200, 202]
    assert len(await disk.fetchall("SELECT id FROM inbound")) == 1


async def test_a_message_the_store_refuses_fails_alone_and_the_ones_that_came_with_it_are_stored(
    disk: FullDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_many = inbound.record_many

    async def refuses_one(conn: aiosqlite.Connection, rows: list[NewInbound]) -> list[int | None]:
        if any(row.text == "BESOIN eau 1" for row in rows):
            raise sqlite3.InterfaceError("Error binding parameter 5")
        return await record_many(conn, rows)

    monkeypatch.setattr(inbound, "record_many", refuses_one)
    async with _webhooks(disk) as (client, ingest):
        async with disk.transaction():
            posts = [_post(client, _text(n)) for n in range(3)]
            await _until(lambda: ingest.writer.pending == 3)
        answers = await asyncio.gather(*posts)
    assert answers == [202, 500, 202]
    stored = [tuple(row) for row in await disk.fetchall("SELECT provider_id FROM inbound")]
    assert sorted(stored) == [("SM0",), ("SM2",)]


async def test_two_workers_sharing_one_journal_decide_each_text_once(
    harness: Harness, tmp_path: Path, playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    await _open_hub(harness)
    phones = [f"+1514555{1000 + n:04d}" for n in range(8)]
    for phone in phones:
        await harness.text(phone, "REJOINDRE PLATEAU", to=HUB)
    for n in range(5):
        for phone in phones:
            await _store(harness, phone, f"BESOIN article {n}")
    other = await Database.open(tmp_path / "hub.db")  # a second process's connection
    try:
        second, _ = workers(other, harness.clock, playbooks, renderer, {"sms": harness.channel})
        for worker in (harness.processor, second):
            worker.batch = 4  # small batches, so the two take turns on the same texts
        await asyncio.gather(harness.processor.drain(), second.drain())
    finally:
        await other.close()
    items = await harness.db.fetchall("SELECT COUNT(*), COUNT(DISTINCT text) FROM items")
    assert tuple(items[0]) == (40, 5), "40 needs, each stored once"
    rows = await harness.db.fetchall("SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL")
    assert rows[0][0] == 0


async def _two_needs_stored(harness: Harness) -> None:
    """An open hub, and two members' needs stored but not yet decided."""
    await _open_hub(harness)
    for phone in (ANA, BOB):
        await _store(harness, phone, "BESOIN eau potable pour 2")


async def test_webhooks_that_come_during_a_batch_share_its_commit_and_are_answered_after_it(
    harness: Harness,
) -> None:
    await _two_needs_stored(harness)
    async with _webhooks(harness.db) as (client, ingest):
        harness.processor.carrying = ingest.writer
        # Both texts in the batch, however busy the machine: it would otherwise give way to
        # the waiting webhooks after `share_seconds`, which the next test shows.
        harness.processor.batch_seconds = harness.processor.share_seconds = 60.0
        version = harness.db.changes.version
        async with harness.db.turn():  # the processor's batch holds the store
            posts = [_post(client, _text(n)) for n in range(5)]
            await _until(lambda: ingest.writer.pending == 5)
            batch = await inbound.unprocessed(harness.db, 64, 16)
            assert not any(post.done() for post in posts), "nothing is acknowledged unstored"
            assert await harness.processor.process(*batch) == 2
        answers = await asyncio.gather(*posts)
    assert answers == [202] * 5
    assert harness.db.changes.version == version + 1, "two texts decided, five stored: one commit"
    stored = await harness.db.fetchall(
        "SELECT provider_id FROM inbound WHERE provider_id LIKE 'SM%'"
    )
    assert sorted(row[0] for row in stored) == [f"SM{n}" for n in range(5)]


async def test_a_batch_gives_way_to_waiting_webhooks_and_the_rest_is_decided_next(
    harness: Harness,
) -> None:
    await _two_needs_stored(harness)
    async with _webhooks(harness.db) as (client, ingest):
        harness.processor.carrying = ingest.writer
        harness.processor.batch_seconds, harness.processor.share_seconds = 60.0, 0.0
        async with harness.db.turn():
            posts = [_post(client, _text(n)) for n in range(3)]
            await _until(lambda: ingest.writer.pending == 3)
            batch = await inbound.unprocessed(harness.db, 64, 16)
            assert await harness.processor.process(*batch) == 1, "webhooks wait: it ends early"
        assert await asyncio.gather(*posts) == [202] * 3
        await harness.processor.drain()
    items = await harness.db.fetchall("SELECT COUNT(*) FROM items")
    assert items[0][0] == 2, "the other need is decided next"
    rows = await harness.db.fetchall("SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL")
    assert rows[0][0] == 0


async def test_webhooks_a_failed_batch_carried_are_stored_afterwards_their_own_way(
    disk: FullDisk, harness: Harness, playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    processor, _ = workers(disk, harness.clock, playbooks, renderer)
    for n, phone in enumerate((ANA, BOB)):
        await inbound.record(
            disk, "sms", f"T{n}", f"sms:{phone}", None, "AIDE", harness.clock.now()
        )
    async with _webhooks(disk) as (client, ingest):
        processor.carrying = ingest.writer
        rides: list[object] = []
        ride = ingest.writer.ride

        async def watched(conn: aiosqlite.Connection) -> object:
            rides.append(await ride(conn))
            return rides[-1]

        ingest.writer.ride = watched  # type: ignore[method-assign]
        async with disk.turn():
            posts = [_post(client, _text(n)) for n in range(2)]
            await _until(lambda: ingest.writer.pending == 2)
            batch = await inbound.unprocessed(disk, 64, 16)
            disk.full = True
            with pytest.raises(sqlite3.OperationalError):
                await processor.process(*batch)
            disk.full = False
            assert any(rides), "the batch carried the webhooks' rows"
            assert not any(post.done() for post in posts), "not stored, so not answered"
        answers = await asyncio.gather(*posts)
    assert answers == [202, 202]
    rows = await disk.fetchall("SELECT provider_id FROM inbound ORDER BY id")
    assert [row[0] for row in rows] == ["T0", "T1", "SM0", "SM1"]


async def test_a_member_removed_between_batches_by_another_writer_is_no_member_in_the_next(
    harness: Harness,
) -> None:
    await _open_hub(harness)
    await harness.text(ANA, "REJOINDRE PLATEAU", to=HUB)
    assert (await harness.text(ANA, "ROLES", to=HUB))[ANA][-1].startswith("Postes à PLATEAU")
    ana = await harness.person_id(ANA)
    async with harness.db.transaction() as conn:  # as retention, or a CLI, removes her
        await conn.execute("DELETE FROM memberships WHERE person_id = ?", (ana,))
        await conn.execute("UPDATE people SET hub_id = NULL WHERE id = ?", (ana,))
    answer = (await harness.text(ANA, "ROLES", to=HUB))[ANA][-1]
    assert not answer.startswith("Postes à PLATEAU"), answer
