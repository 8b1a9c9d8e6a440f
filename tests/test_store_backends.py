"""The store's functions give the same answers on SQLite and on PostgreSQL (a pytest parameter;
PostgreSQL is a throwaway cluster from the machine's binaries, one per xdist worker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hubbot.domain.board_effects import CreateItem, UpdateItem
from hubbot.domain.messages import Priority
from hubbot.domain.models import HubStatus, ItemKind
from hubbot.domain.outbox_state import OutboxStatus
from hubbot.store import (
    delivery,
    hubs,
    inbound,
    items,
    linking,
    many_hubs,
    outbox,
    people,
    requeue,
    retention,
)
from hubbot.store.db import Database
from hubbot.store.inbound import NewInbound
from hubbot.store.migrations import MIGRATIONS
from hubbot.store.outbox import NewMessage
from tests.pg import binaries, shared_cluster

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ANA, BEN = "sms:+15145550101", "telegram:42"


# Without PostgreSQL binaries the parameter is left out here, and tests/test_store_pg.py says so
# in its one skip line.
BACKENDS = ["sqlite", "postgresql"] if binaries() is not None else ["sqlite"]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """A migrated, empty store on each backend."""
    if request.param == "sqlite":
        db: Any = await Database.open(tmp_path / "hubbot.db")
    else:
        db = await shared_cluster().database()
    try:
        yield db
    finally:
        await db.close()


async def _hub(db: Any, code: str = "NDG") -> int:
    async with db.transaction() as conn:
        return int(await hubs.create(conn, code, "Hub", "hash", "fr", None, "default", NOW))


async def test_a_new_store_is_at_the_latest_schema_version(store: Any) -> None:
    assert await store.schema_version() == len(MIGRATIONS)


async def test_people_are_numbered_from_one_and_found_by_their_address(store: Any) -> None:
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        reserved = await people.next_id(conn)  # a lead names a new number: their id, ahead
        ben = await people.create(conn, BEN, "en", NOW, person_id=reserved)
        await people.set_fields(conn, ben.id, name="Ben", opted_out=1)
        await people.set_coordinator(conn, ana.id)
    async with store.transaction() as conn:
        found = await people.by_address(conn, BEN)
        assert (ana.id, ben.id, reserved) == (1, 2, 2)
        assert found is not None and (found.name, found.opted_out, found.locale) == (
            "Ben",
            True,
            "en",
        )
        assert [p.id for p in await people.coordinators(conn)] == [1]
        assert await people.labels(conn, {1, 2}) == {1: "M1", 2: "M2 Ben"}
        assert await people.by_address(conn, "sms:+10000000000") is None


async def test_a_person_is_reached_where_they_last_wrote_never_written_last(store: Any) -> None:
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        await people.add_address(conn, ana.id, BEN, None)
        await people.add_address(conn, ana.id, "sms:+15145550102", NOW - timedelta(hours=1))
        assert await people.preferred_address(conn, ana.id) == "sms:+15145550102"
        await people.touch_address(conn, ANA, NOW)
        assert await people.preferred_address(conn, ana.id) == ANA
        listed = [a.address for a in await people.addresses_of(conn, ana.id)]
    assert listed == [ANA, "sms:+15145550102", BEN]


async def test_a_hub_has_its_members_roster_and_groups(store: Any) -> None:
    hub_id = await _hub(store)
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        await hubs.join(conn, hub_id, ana.id, NOW)
        await hubs.join(conn, hub_id, ana.id, NOW)  # again: still one membership
        await hubs.assign(conn, hub_id, ana.id, "lead", ana.id, NOW)
        await hubs.set_status(conn, hub_id, HubStatus.ACTIVE, NOW)
        await hubs.link_group(conn, -100123, hub_id, ana.id, NOW)
        await hubs.link_group(conn, -100123, hub_id, ana.id, NOW + timedelta(minutes=1))
    async with store.transaction() as conn:
        record = await hubs.by_code(conn, "ndg")
        assert record is not None and (record.id, record.status) == (hub_id, "active")
        assert await hubs.roster(conn, hub_id) == {"lead": (ana.id,)}
        assert await hubs.members(conn, hub_id) == frozenset({ana.id})
        assert await hubs.groups(conn, hub_id) == ["telegram:-100123"]
        assert await people.hubs_of(conn, ana.id) == frozenset({hub_id})
        assert await linking.privileged(conn, ana.id)


async def test_a_role_holder_who_sent_stop_is_cut_off_until_the_lead_is_told(store: Any) -> None:
    hub_id = await _hub(store)
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        await hubs.assign(conn, hub_id, ana.id, "first_aid", ana.id, NOW)
        await people.set_opt_out(conn, ana.id, True, NOW)
        before = await hubs.cut_off(conn, hub_id)
        await hubs.note_cut_off(conn, hub_id, ana.id, "first_aid", NOW)
        after = await hubs.cut_off(conn, hub_id)
    assert before.reasons == {ana.id: "opted_out"} and not before.told
    assert after.told == frozenset({(ana.id, "first_aid")})


async def test_board_items_are_numbered_listed_critical_first_and_expire(store: Any) -> None:
    hub_id = await _hub(store)
    later = NOW + timedelta(days=1)
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        for n, critical in ((1, False), (2, True)):
            number = await items.next_number(conn, ItemKind.NEED)
            assert number == n
            item = CreateItem(
                ItemKind.NEED, number, hub_id, ana.id, "water", "water", later, critical=critical
            )
            await items.create(conn, item, "sms", NOW)
        await items.update(conn, UpdateItem(ItemKind.NEED, 1, quantity=3))
        listed = await items.open_items(conn, hub_id, NOW)
        assert [(i.number, i.critical) for i in listed] == [(2, True), (1, False)]
        assert [i.number for i in await items.open_items(conn, hub_id, NOW, limit=1)] == [2]
        first = await items.get(conn, ItemKind.NEED, 1)
        assert first is not None and first.quantity == 3
        assert await items.expire_due(conn, later) == 2
        assert await items.open_items(conn, hub_id, NOW) == []


async def test_inbound_is_stored_once_then_taken_sender_by_sender(store: Any) -> None:
    # Ids grow with arrival; PostgreSQL's sequences may skip a number (a repeat draws one).
    one = await inbound.record(store, "sms", "SM1", ANA, None, "one", NOW)
    assert one is not None
    assert await inbound.record(store, "sms", "SM1", ANA, None, "one", NOW) is None
    async with store.transaction() as conn:
        rows = [NewInbound("sms", f"SM{n}", ANA, None, str(n), NOW) for n in (2, 3)]
        rows.append(NewInbound("telegram", "7", BEN, None, "hi", NOW, '{"chat": 42}'))
        two, three, hi, repeat = await inbound.record_many(conn, [*rows, rows[0]])
    assert repeat is None and two is not None and three is not None and hi is not None
    assert one < two < three < hi
    taken = await inbound.unprocessed(store, limit=10, per_sender=2)
    assert [(r.id, r.text) for r in taken] == [(one, "one"), (hi, "hi"), (two, "2")]
    async with store.transaction() as conn:
        await inbound.mark_processed(conn, one, NOW)
        await inbound.mark_processed(conn, hi, NOW, "it failed")
    assert [r.id for r in await inbound.unprocessed(store)] == [two, three]
    row = await store.fetchone("SELECT error FROM inbound WHERE id = ?", (hi,))
    assert row is not None and row["error"] == "it failed"


async def test_a_senders_flood_bucket_is_kept_and_replaced(store: Any) -> None:
    from hubbot.domain.flood import Bucket

    async with store.transaction() as conn:
        assert await inbound.bucket(conn, ANA) is None
        await inbound.save_bucket(conn, ANA, Bucket(2.5, NOW, None))
        await inbound.save_bucket(conn, ANA, Bucket(1.5, NOW, NOW + timedelta(minutes=5)))
        assert await inbound.bucket(conn, ANA) == Bucket(1.5, NOW, NOW + timedelta(minutes=5))


async def test_outbox_rows_go_lane_first_and_their_heads_move_on(store: Any) -> None:
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        first = await outbox.enqueue(
            conn, person_id=ana.id, address=ANA, text="a", priority=Priority.NORMAL, now=NOW
        )
        many = [NewMessage(ana.id, ANA, f"b{n}", Priority.BULK) for n in range(4)]
        ids = await outbox.enqueue_many(conn, many, NOW)
        urgent = await outbox.enqueue(
            conn, person_id=ana.id, address=ANA, text="c", priority=Priority.URGENT, now=NOW
        )
    assert (first, ids, urgent) == (1, [2, 3, 4, 5], 6)
    assert [r.id for r in await delivery.due(store, NOW)] == [6, 1, 2]
    assert await delivery.mark_sending(store, [6, 1], NOW) == frozenset({6, 1})
    await delivery.mark_sent(store, 6, NOW, "SMa", delivered=False)
    await delivery.provider_update(store, "SMa", "delivered", OutboxStatus.DELIVERED, None, NOW)
    await delivery.provider_update(store, "SMz", "failed", OutboxStatus.FAILED, "30003", NOW)
    await delivery.mark_failed(store, 2, NOW, "boom")
    assert [r.id for r in await delivery.due(store, NOW)] == [3]
    statuses = {r.id: r.status for r in await outbox.listing(store, OutboxStatus)}
    assert statuses == {
        1: OutboxStatus.SENDING,
        2: OutboxStatus.FAILED,
        3: OutboxStatus.PENDING,
        4: OutboxStatus.PENDING,
        5: OutboxStatus.PENDING,
        6: OutboxStatus.DELIVERED,
    }
    assert await requeue.requeue_interrupted(store, NOW) == 1
    early = await store.fetchall("SELECT provider_id FROM early_receipts")
    assert [r[0] for r in early] == ["SMz"]


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # PostgreSQL keeps no count
async def test_every_change_to_a_hubs_members_moves_its_count_and_nothing_else_does(
    store: Any,
) -> None:
    """The processor keeps a hub's members between batches while this count stands still."""
    hub_id, other = await _hub(store), await _hub(store, "PLATEAU")

    async def counts() -> tuple[int, int]:
        async with store.transaction() as conn:
            found = await many_hubs.members_changes(conn, [hub_id, other])
            record = await hubs.by_id(conn, hub_id)
        assert record is not None and record.members_changes == found[hub_id]
        return found[hub_id], found[other]

    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        ben = await people.create(conn, BEN, "fr", NOW)
    start = await counts()
    async with store.transaction() as conn:
        await hubs.join(conn, hub_id, ana.id, NOW)
    joined = await counts()
    async with store.transaction() as conn:
        await hubs.join(conn, hub_id, ana.id, NOW)  # a member already: no change
        await hubs.assign(conn, hub_id, ana.id, "lead", ana.id, NOW)
    assert await counts() == joined and joined[0] > start[0] and joined[1] == start[1]
    async with store.transaction() as conn:
        await hubs.join(conn, hub_id, ben.id, NOW)
        await linking.merge(conn, ana.id, ben.id, NOW)  # Ben's membership goes
    merged = await counts()
    assert merged[0] > joined[0] and merged[1] == start[1]


async def test_merging_two_records_of_one_person_keeps_everything_on_one(store: Any) -> None:
    hub_id = await _hub(store)
    async with store.transaction() as conn:
        ana = await people.create(conn, ANA, "fr", NOW)
        ben = await people.create(conn, BEN, "fr", NOW)
        await people.set_coordinator(conn, ben.id)
        await hubs.join(conn, hub_id, ana.id, NOW)
        await hubs.join(conn, hub_id, ben.id, NOW)
        await linking.merge(conn, ana.id, ben.id, NOW)
        kept = await people.get(conn, ana.id)
        assert kept is not None and kept.is_coordinator
        assert await people.merged_into(conn, ben.id) == ana.id
        assert await hubs.members(conn, hub_id) == frozenset({ana.id})
        assert {a.address for a in await people.addresses_of(conn, ana.id)} == {ANA, BEN}


async def test_retention_purges_old_texts_of_people_no_hub_needs(store: Any) -> None:
    old = NOW - timedelta(days=90)
    await inbound.record(store, "telegram", "1", BEN, None, "old", old, '{"group_chat": 5}')
    async with store.transaction() as conn:
        await people.create(conn, BEN, "fr", old)
        await inbound.mark_processed(conn, 1, old)
        purged = await retention.purge(conn, NOW, timedelta(days=30))
    assert (purged.inbound, purged.people) == (1, 1)
    row = await store.fetchone("SELECT text, address FROM inbound WHERE id = 1")
    assert row is not None and tuple(row) == ("", "")


async def test_lookups_on_an_empty_store_answer_nothing_the_same_way(store: Any) -> None:
    from hubbot.store import alerts, confirmations, hub_page, region

    async with store.transaction() as conn:
        assert await alerts.recipient(conn, 1, 1) == (False, False)
        assert await confirmations.by_outbox(conn, 1, 1) == (None, False)
        assert await hub_page.lifelines(conn, 1) == []
        assert await hubs.roles_held(conn, 1) == []
        assert await region.board(conn, 1, NOW, "need") == []
        await hubs.set_pin(conn, 1, "hash")
        await outbox.set_buttons(conn, 1, [("OK", "OK")])


async def test_a_failing_transaction_leaves_nothing_and_a_write_wakes_live_pages(
    store: Any,
) -> None:
    seen = store.changes.version
    with pytest.raises(RuntimeError):
        async with store.transaction() as conn:
            await people.create(conn, ANA, "fr", NOW)
            raise RuntimeError("boom")
    assert store.changes.version == seen
    async with store.transaction() as conn:
        await conn.execute("SAVEPOINT message")
        await people.create(conn, ANA, "fr", NOW)
        await conn.execute("ROLLBACK TO message")
        await conn.execute("RELEASE message")
        await people.create(conn, BEN, "fr", NOW)
    assert store.changes.version == seen + 1
    rows = await store.fetchall("SELECT address FROM addresses")
    assert [r[0] for r in rows] == [BEN]
