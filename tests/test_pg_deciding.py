"""Workers deciding at once on PostgreSQL: a hub is one worker's at a time, a text or a due
row one worker's, other work waits its turn, and two numberings that collide are done again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from hubbot.domain.board_effects import CreateItem
from hubbot.domain.jobs import DueKind
from hubbot.domain.models import ItemKind
from hubbot.store import hubs, inbound, items, people, schedule, turns
from hubbot.store.db import is_conflict, is_storage_fault
from hubbot.store.pg import PgDatabase
from hubbot.store.pg_connection import PgConnection
from tests.pg import MISSING, binaries, shared_cluster

if binaries() is None:
    pytest.skip(MISSING, allow_module_level=True)

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
async def two() -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    """Two workers' connections to one database."""
    first = await shared_cluster().database()
    second = await PgDatabase.open(first.dsn)
    yield first, second
    await second.close()
    await first.close()


async def _hubs(db: PgDatabase) -> tuple[int, int]:
    async with db.transaction() as conn:
        plateau = await hubs.create(
            conn, "PLATEAU", "Plateau", "x", "fr", None, "community-hub", NOW
        )
        verdun = await hubs.create(conn, "VERDUN", "Verdun", "x", "fr", None, "community-hub", NOW)
    return plateau, verdun


async def test_two_workers_decide_for_two_hubs_at_once_but_never_for_one(
    two: tuple[PgDatabase, PgDatabase],
) -> None:
    first, second = two
    plateau, verdun = await _hubs(first)
    async with first.deciding() as a:
        assert await turns.hub_turn(a, plateau)
        # The second worker's transaction opens while the first's is open: they run together.
        async with second.deciding() as b:
            assert not await turns.hub_turn(b, plateau), "Plateau is the first worker's"
            assert await turns.hub_turn(b, verdun)
    async with second.deciding() as b:
        assert await turns.hub_turn(b, plateau), "free again once the first committed"


async def test_a_text_one_worker_is_deciding_is_passed_over_by_the_other(
    two: tuple[PgDatabase, PgDatabase],
) -> None:
    first, second = two
    ids = [
        await inbound.record(first, "sms", f"SM{n}", f"sms:+1514555010{n}", None, "OK", NOW)
        for n in range(3)
    ]
    known = [i for i in ids if i is not None]
    async with first.deciding() as a:
        assert await inbound.still_unprocessed(a, known[:2]) == set(known[:2])
        async with second.deciding() as b:
            assert await inbound.still_unprocessed(b, known) == {known[2]}
        await inbound.mark_processed_many(a, known[:2], NOW)
    async with second.deciding() as b:
        assert await inbound.still_unprocessed(b, known) == {known[2]}, "decided once"


async def test_other_writes_wait_for_the_deciding_ones_and_hold_new_ones_off(
    two: tuple[PgDatabase, PgDatabase],
) -> None:
    first, second = two
    order: list[str] = []

    async def in_turn() -> None:
        async with second.transaction() as conn:
            order.append("in turn")
            await people.create(conn, "sms:+15145550109", "fr", NOW)

    async with first.deciding() as a:
        await people.create(a, "sms:+15145550108", "en", NOW)
        waiting = asyncio.create_task(in_turn())
        await asyncio.sleep(0.3)
        assert not order, "the transaction in turn waits for the deciding one"
        order.append("decided")
    await asyncio.wait_for(waiting, 10)
    assert order == ["decided", "in turn"]
    async with first.transaction() as conn:
        assert await people.by_address(conn, "sms:+15145550109") is not None


async def test_two_workers_numbering_needs_at_once_never_give_one_number_twice(
    two: tuple[PgDatabase, PgDatabase],
) -> None:
    first, second = two
    plateau, verdun = await _hubs(first)
    async with first.transaction() as conn:
        ana = await people.create(conn, "sms:+15145550101", "fr", NOW)

    async def need(conn: PgConnection, hub_id: int, number: int) -> None:
        item = CreateItem(ItemKind.NEED, number, hub_id, ana.id, "eau", None, NOW + timedelta(1))
        await items.create(conn, item, "sms", NOW)

    read = asyncio.Event()

    async def second_worker() -> None:
        async with second.deciding() as b:
            # It reads N1 as the next number too: the first's need is not committed yet.
            assert (await items.next_numbers(b))[ItemKind.NEED] == 1
            read.set()
            await need(b, verdun, 1)  # waits for the first's N1, then cannot stand

    async with first.deciding() as a:
        assert (await items.next_numbers(a))[ItemKind.NEED] == 1
        await need(a, plateau, 1)
        task = asyncio.create_task(second_worker())
        await asyncio.wait_for(read.wait(), 10)
        await asyncio.sleep(0.2)
    with pytest.raises(Exception) as stopped:
        await asyncio.wait_for(task, 10)
    assert is_conflict(stopped.value), "the server stops the second: it is done again"
    assert is_storage_fault(stopped.value), "so the processor retries the batch, not fails it"
    assert first.fault is None and second.fault is None, "and no one reports the store unwell"
    async with second.deciding() as b:  # the stopped one, done again
        await need(b, verdun, (await items.next_numbers(b))[ItemKind.NEED])
    rows = await first.fetchall("SELECT hub_id, number FROM items ORDER BY number")
    assert [tuple(r) for r in rows] == [(plateau, 1), (verdun, 2)]


async def test_timed_work_of_a_hub_another_worker_holds_waits_and_runs_once(
    two: tuple[PgDatabase, PgDatabase],
) -> None:
    first, second = two
    plateau, verdun = await _hubs(first)
    async with first.transaction() as conn:
        await schedule.add(conn, DueKind.SITREP, plateau, "", NOW)
        await schedule.add(conn, DueKind.SITREP, verdun, "", NOW)
    due = {d.hub_id: d.id for d in await schedule.due_now(first, NOW)}
    try:
        async with first.deciding() as a:
            assert await turns.hub_turns(a, [plateau]) == {plateau}
            assert await schedule.claim_many(a, [due[plateau]], NOW) == {due[plateau]}
            async with second.deciding() as b:
                # The second worker's scheduler, at the same moment: Verdun's report is its
                # own; Plateau's is the first's, passed over without waiting.
                assert await turns.hub_turns(b, [plateau, verdun]) == {verdun}
                assert await schedule.claim_many(b, list(due.values()), NOW) == {due[verdun]}
    except Exception as exc:
        # On a table this small the server may stop one of the two at COMMIT (its checks
        # go by page): that worker's scheduler looks again, as the service does.
        assert is_conflict(exc)
        async with first.deciding() as a:
            await schedule.claim_many(a, [d.id for d in await schedule.due_now(first, NOW)], NOW)
    assert await schedule.due_now(first, NOW) == [], "both reports ran"
    async with second.deciding() as b:
        assert await schedule.claim_many(b, list(due.values()), NOW) == set(), "once each"
