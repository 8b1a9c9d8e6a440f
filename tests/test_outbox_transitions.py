"""The outbox store moves a row only as the status table allows, and hands back typed values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.domain.messages import Priority
from hubbot.domain.outbox_state import OutboxStatus
from hubbot.store import delivery, outbox, people, requeue, retention
from hubbot.store.db import Database
from hubbot.store.migrations import MIGRATIONS
from tests.fakes import FakeClock

PHONE = "sms:+15145550101"
S = OutboxStatus


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "states.db")
    yield database
    await database.close()


async def _queue(db: Database, person_id: int | None = None) -> int:
    async with db.transaction() as conn:
        return await outbox.enqueue(
            conn,
            person_id=person_id,
            address=PHONE,
            text="Shelter open",
            priority=Priority.URGENT,
            now=FakeClock().now(),
        )


async def _sent(db: Database, sid: str, person_id: int | None = None) -> int:
    row = await _queue(db, person_id)
    now = FakeClock().now()
    assert await delivery.mark_sending(db, [row], now) == {row}
    await delivery.mark_sent(db, row, now, sid, delivered=False)
    return row


async def _row(db: Database, row: int) -> tuple[str, str | None, str | None, str | None]:
    found = await db.fetchone(
        "SELECT status, provider_status, error, error_code FROM outbox WHERE id = ?", (row,)
    )
    assert found is not None
    return (found[0], found[1], found[2], found[3])


async def _receipt(db: Database, sid: str, said: str, status: S, code: str | None = None) -> None:
    await delivery.provider_update(db, sid, said, status, code, FakeClock().now())


async def test_a_late_or_out_of_order_receipt_never_overwrites_delivered(db: Database) -> None:
    row = await _sent(db, "SM1")
    await _receipt(db, "SM1", "delivered", S.DELIVERED)
    assert await _row(db, row) == ("delivered", "delivered", None, None)
    await _receipt(db, "SM1", "sent", S.SENT)
    await _receipt(db, "SM1", "undelivered", S.FAILED, "30003")
    # The provider's own word is kept; our status and reason are not.
    assert await _row(db, row) == ("delivered", "undelivered", None, "30003")


async def test_a_failed_receipt_fails_a_sent_message_and_a_later_delivered_leaves_it(
    db: Database,
) -> None:
    row = await _sent(db, "SM2")
    await _receipt(db, "SM2", "sent", S.SENT)
    assert (await _row(db, row))[0] == "sent"
    await _receipt(db, "SM2", "undelivered", S.FAILED, "30003")
    assert await _row(db, row) == ("failed", "undelivered", "provider: undelivered", "30003")
    await _receipt(db, "SM2", "delivered", S.DELIVERED)
    assert await _row(db, row) == ("failed", "delivered", "provider: undelivered", "30003")


async def test_a_receipt_cannot_report_a_status_only_the_dispatcher_sets(db: Database) -> None:
    await _sent(db, "SM3")
    with pytest.raises(ValueError, match="pending"):
        await _receipt(db, "SM3", "queued", S.PENDING)


async def test_an_opt_out_receipt_opts_the_person_out_even_on_a_final_row(db: Database) -> None:
    async with db.transaction() as conn:
        person = await people.create(conn, PHONE, "fr", FakeClock().now())
    row = await _sent(db, "SM4", person.id)
    await _receipt(db, "SM4", "delivered", S.DELIVERED)
    await delivery.provider_update(
        db, "SM4", "failed", S.FAILED, "21610", FakeClock().now(), opted_out=True
    )
    refreshed = await people.get(db.conn, person.id)
    assert refreshed is not None and refreshed.opted_out
    assert (await _row(db, row))[0] == "delivered"


async def _sending(db: Database, person_id: int | None = None) -> int:
    """A row handed to the provider whose answer (its SID) is not recorded yet."""
    row = await _queue(db, person_id)
    assert await delivery.mark_sending(db, [row], FakeClock().now()) == {row}
    return row


async def _kept_receipts(db: Database) -> int:
    found = await db.fetchone("SELECT COUNT(*) FROM early_receipts")
    assert found is not None
    return int(found[0])


async def test_a_receipt_that_arrives_before_the_sid_is_stored_is_applied_when_it_is(
    db: Database,
) -> None:
    row = await _sending(db)
    await _receipt(db, "SM6", "sent", S.SENT)
    await _receipt(db, "SM6", "delivered", S.DELIVERED)
    assert await _row(db, row) == ("sending", None, None, None), "nothing known of SM6 yet"
    await delivery.mark_sent(db, row, FakeClock().now(), "SM6", delivered=False)
    assert await _row(db, row) == ("delivered", "delivered", None, None)
    assert await _kept_receipts(db) == 0, "applied once, then forgotten"
    await _receipt(db, "SM6", "sent", S.SENT)
    assert (await _row(db, row))[0] == "delivered", "a later receipt still cannot undo it"


async def test_a_failed_early_receipt_marks_the_row_failed_and_a_later_delivered_leaves_it(
    db: Database,
) -> None:
    row = await _sending(db)
    await _receipt(db, "SM7", "undelivered", S.FAILED, "30003")
    await _receipt(db, "SM7", "delivered", S.DELIVERED)
    await delivery.mark_sent(db, row, FakeClock().now(), "SM7", delivered=False)
    assert await _row(db, row) == ("failed", "delivered", "provider: undelivered", "30003")


async def test_an_early_21610_still_opts_the_person_out(db: Database) -> None:
    async with db.transaction() as conn:
        person = await people.create(conn, PHONE, "fr", FakeClock().now())
    row = await _sending(db, person.id)
    await delivery.provider_update(
        db, "SM8", "failed", S.FAILED, "21610", FakeClock().now(), opted_out=True
    )
    before = await people.get(db.conn, person.id)
    assert before is not None and not before.opted_out, "nobody known to opt out yet"
    await delivery.mark_sent(db, row, FakeClock().now(), "SM8", delivered=False)
    after = await people.get(db.conn, person.id)
    assert after is not None and after.opted_out
    assert await _row(db, row) == ("failed", "failed", "provider: failed", "21610")


async def test_an_early_receipt_waits_only_for_its_own_sid(db: Database) -> None:
    row = await _sending(db)
    await _receipt(db, "SM9", "delivered", S.DELIVERED)
    await delivery.mark_sent(db, row, FakeClock().now(), "SM10", delivered=False)
    assert await _row(db, row) == ("sent", None, None, None)
    assert await _kept_receipts(db) == 1, "kept for the send that has SM9"


async def test_unmatched_early_receipts_are_purged_by_retention_after_a_day(db: Database) -> None:
    clock = FakeClock()
    await delivery.provider_update(db, "SM11", "delivered", S.DELIVERED, None, clock.now())
    clock.advance(hours=23)
    await delivery.provider_update(db, "SM12", "delivered", S.DELIVERED, None, clock.now())
    clock.advance(hours=2)
    async with db.transaction() as conn:
        purged = await retention.purge(conn, clock.now(), timedelta(days=30))
    assert purged.receipts == 1
    found = await db.fetchall("SELECT provider_id FROM early_receipts")
    assert [row[0] for row in found] == ["SM12"], "the younger one may still match"


async def test_the_dispatchers_marks_move_only_rows_in_a_status_the_table_allows(
    db: Database,
) -> None:
    now = FakeClock().now()
    row = await _queue(db)
    await delivery.mark_sent(db, row, now, "SM5", delivered=False)
    await delivery.mark_retry(db, row, now, "timeout", now)
    assert await _row(db, row) == ("pending", None, None, None), "never sent: nothing to record"
    assert await delivery.mark_sending(db, [row], now) == {row}
    assert await delivery.mark_sending(db, [row], now) == set(), "already on its way"
    await delivery.mark_sent(db, row, now, "SM5", delivered=True)
    await delivery.mark_failed(db, row, now, "too late")
    assert await requeue.requeue_interrupted(db, now) == 0
    assert await _row(db, row) == ("delivered", None, None, None)


async def test_lanes_and_statuses_come_back_typed(db: Database) -> None:
    await _queue(db)
    [record] = await outbox.listing(db, [S.PENDING])
    assert record.priority is Priority.URGENT
    assert record.status is S.PENDING
    [due] = await delivery.due(db, FakeClock().now())
    assert (due.priority, due.status) == (Priority.URGENT, S.PENDING)


def test_a_new_row_starts_pending_or_suppressed_and_nothing_else() -> None:
    outbox.NewMessage(None, PHONE, "hi", Priority.NORMAL, status=S.SUPPRESSED)
    with pytest.raises(ValueError, match="sent"):
        outbox.NewMessage(None, PHONE, "hi", Priority.NORMAL, status=S.SENT)


def test_the_sql_written_from_the_tables_is_the_text_of_the_outbox_indexes() -> None:
    schema = " ".join(" ".join(MIGRATIONS).split())
    assert f"outbox_unsent_lane ON outbox(address, priority, id) WHERE {outbox.UNSENT};" in schema
    assert f"ON outbox( {outbox.SENDER}, ({outbox.LANE_ORDER}), turn" in schema


async def test_handing_a_lane_on_still_seeks_in_the_unsent_lane_index(db: Database) -> None:
    plan = await db.fetchall(
        "EXPLAIN QUERY PLAN SELECT id FROM outbox"
        f" WHERE address = ? AND priority = ? AND {outbox.UNSENT} ORDER BY id LIMIT 1",
        (PHONE, Priority.URGENT),
    )
    assert any("outbox_unsent_lane" in str(step[-1]) for step in plan), [tuple(p) for p in plan]
