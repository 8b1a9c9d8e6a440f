"""A flood of texts from one number does not hold back everyone else's."""

from __future__ import annotations

import asyncio

from hubbot.addresses import parse_address
from hubbot.store import inbound
from tests.conftest import Harness

FLOODER, NEIGHBOUR = "+15145550150", "+15145550160"


async def _store(harness: Harness, phone: str, n: int) -> int:
    """Store a text as the webhook does, without processing it yet."""
    address = parse_address(phone, "CA")
    stored = await inbound.record(
        harness.db, "sms", f"{phone}-{n}", address, None, f"AIDE {n}", harness.clock.now()
    )
    assert stored is not None
    return stored


async def _processing_order(harness: Harness) -> list[int]:
    """Inbound ids in the order they were processed: the order their replies were queued."""
    rows = await harness.db.fetchall(
        "SELECT inbound_id FROM outbox WHERE inbound_id IS NOT NULL"
        " GROUP BY inbound_id ORDER BY MIN(id)"
    )
    return [int(row[0]) for row in rows]


async def test_a_text_behind_200_from_one_number_is_processed_second_not_201st(
    harness: Harness,
) -> None:
    flood = [await _store(harness, FLOODER, n) for n in range(200)]
    mine = await _store(harness, NEIGHBOUR, 0)
    await harness.processor.drain()
    order = await _processing_order(harness)
    assert order.index(mine) == 1
    assert [i for i in order if i != mine] == flood, "the flooder's own texts stay in order"


async def test_a_text_arriving_during_a_flood_waits_for_a_few_messages_not_the_rest(
    harness: Harness,
) -> None:
    flood = [await _store(harness, FLOODER, n) for n in range(200)]
    draining = asyncio.create_task(harness.processor.drain())
    done: list[int] = []
    while len(done) < 40:
        await harness.processor.after.wait()  # set after each message
        harness.processor.after.clear()
        done = await _processing_order(harness)
    mine = await _store(harness, NEIGHBOUR, 0)
    await draining
    order = await _processing_order(harness)
    assert order.index(mine) - len(done) <= 20, "the rest of one small batch, then its turn"
    assert [i for i in order if i != mine] == flood
