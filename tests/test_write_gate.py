"""The write gate: the processor's and delivery's SQLite connections write in turn, the
processor's first, and delivery is never kept out for long."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hubbot.store.db import Database
from hubbot.store.guard import WriteGate

PROCESSOR, DELIVERY = object(), object()


async def _hold(gate: WriteGate, who: object, seconds: float, order: list[str], name: str) -> None:
    await gate.enter(asyncio.current_task(), who)
    order.append(name)
    try:
        await asyncio.sleep(seconds)
    finally:
        gate.leave()


async def _queued(
    gate: WriteGate, who: object, order: list[str], name: str, seconds: float = 0.0
) -> asyncio.Task[None]:
    """A writer that has asked for the gate (and holds it, or waits in line) once this returns."""
    task = asyncio.create_task(_hold(gate, who, seconds, order, name))
    await asyncio.sleep(0)
    return task


async def test_the_processors_next_write_goes_before_a_delivery_write_that_waits() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=1.0, settle=0.0)
    order: list[str] = []
    first = await _queued(gate, PROCESSOR, order, "batch 1", seconds=0.02)
    sends = await _queued(gate, DELIVERY, order, "sends")
    second = asyncio.create_task(_hold(gate, PROCESSOR, 0.0, order, "batch 2"))
    await asyncio.gather(first, sends, second)
    assert order == ["batch 1", "batch 2", "sends"]


async def test_delivery_gets_its_turn_within_its_patience_while_the_processor_writes_on() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=0.05, settle=0.01)
    order: list[str] = []
    stop = asyncio.Event()

    async def flood() -> None:  # batch after batch, as in a flood of texts
        batch = 0
        while not stop.is_set():
            batch += 1
            await _hold(gate, PROCESSOR, 0.005, order, f"batch {batch}")

    processor = asyncio.create_task(flood())
    await asyncio.sleep(0.02)
    loop = asyncio.get_running_loop()
    asked = loop.time()
    await _hold(gate, DELIVERY, 0.0, order, "sends")
    waited = loop.time() - asked
    stop.set()
    await processor
    assert "sends" in order[:-1]  # in the middle of the flood, not after it
    assert 0.05 <= waited < 0.5


async def test_delivery_waits_a_moment_after_a_batch_for_the_next_one() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=1.0, settle=0.05)
    order: list[str] = []
    await _hold(gate, PROCESSOR, 0.0, order, "batch 1")
    sends = asyncio.create_task(_hold(gate, DELIVERY, 0.0, order, "sends"))
    await asyncio.sleep(0.01)
    await _hold(gate, PROCESSOR, 0.0, order, "batch 2")
    await sends
    assert order == ["batch 1", "batch 2", "sends"]


async def test_delivery_writes_at_once_when_the_processor_is_quiet() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=1.0, settle=0.01)
    order: list[str] = []
    loop = asyncio.get_running_loop()
    asked = loop.time()
    await _hold(gate, DELIVERY, 0.0, order, "sends")
    assert loop.time() - asked < 0.5
    assert order == ["sends"]


async def test_a_writer_cancelled_while_waiting_leaves_the_gate_to_the_next() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=1.0, settle=0.0)
    order: list[str] = []
    first = await _queued(gate, PROCESSOR, order, "batch 1", seconds=0.02)
    gone = asyncio.create_task(_hold(gate, PROCESSOR, 0.0, order, "cancelled"))
    sends = await _queued(gate, DELIVERY, order, "sends")
    gone.cancel()
    await asyncio.gather(first, sends)
    assert order == ["batch 1", "sends"]


async def test_a_writer_cancelled_as_the_gate_comes_free_is_passed_over() -> None:
    gate = WriteGate(favoured=PROCESSOR, patience=1.0, settle=0.0)
    order: list[str] = []
    await gate.enter(asyncio.current_task(), PROCESSOR)
    gone = asyncio.create_task(_hold(gate, PROCESSOR, 0.0, order, "cancelled"))
    sends = asyncio.create_task(_hold(gate, DELIVERY, 0.0, order, "sends"))
    await asyncio.sleep(0)
    gone.cancel()  # and, in the same turn of the loop, the gate comes free
    gate.leave()
    await sends
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert order == ["sends"]


async def test_a_write_on_one_connection_inside_a_write_on_another_is_refused(
    tmp_path: Path,
) -> None:
    processor = await Database.open(tmp_path / "hubbot.db")
    delivery = await Database.open(tmp_path / "hubbot.db")
    processor.gate = delivery.gate = WriteGate(favoured=processor)
    try:
        async with processor.transaction():
            with pytest.raises(RuntimeError, match="inside a write on another"):
                async with delivery.transaction():
                    pass
        async with delivery.transaction() as conn:  # and the gate is free again
            await conn.execute("CREATE TABLE after_refusal (x)")
    finally:
        await processor.close()
        await delivery.close()


async def test_two_connections_sharing_the_gate_keep_every_write(tmp_path: Path) -> None:
    processor = await Database.open(tmp_path / "hubbot.db")
    delivery = await Database.open(tmp_path / "hubbot.db")
    processor.gate = delivery.gate = WriteGate(favoured=processor)
    try:
        async with processor.transaction() as conn:
            await conn.execute("CREATE TABLE writes (who TEXT)")

        async def write(db: Database, who: str) -> None:
            for _ in range(50):
                async with db.transaction() as conn:
                    await conn.execute("INSERT INTO writes VALUES (?)", (who,))

        await asyncio.gather(write(processor, "processor"), write(delivery, "delivery"))
        rows = await delivery.fetchall("SELECT who, COUNT(*) FROM writes GROUP BY who")
        assert sorted(tuple(row) for row in rows) == [("delivery", 50), ("processor", 50)]
    finally:
        await processor.close()
        await delivery.close()
