"""Benchmark: signed inbound SMS webhooks per second and latency to a reply in the outbox.

Starts `hubbot run` (Twilio configured, pointed at the fake Twilio server of tests/) on a
temporary database, opens a hub, then posts signed `BESOIN ...` webhooks with a bounded
concurrency. Latency is measured inside the database, from the inbound row's `received_at`
to the first outbox row written for it. In the same run it measures how fast the same rows
can be inserted into aiosqlite with the same durability settings (WAL, synchronous=FULL) and
the same grouping as the service (the inbound rows, then their replies, 64 messages a
transaction: `raw_insert_per_s`, the ceiling the ratio is taken against), and one transaction
each for the inbound row and for its reply, as the service did before group commit
(`raw_insert_per_s_one_by_one`). The service's CPU time (user + system, /proc), from the first
webhook until every text is decided and every reply sent, is divided by the texts (and the
bench's own, client and fake server, likewise); it prints everything as one JSON line.

    .venv/bin/python bench/sms_inbound.py [--messages 2000] [--concurrency 32] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procstat import cpu_seconds  # noqa: E402
from hubbot.domain.messages import Priority  # noqa: E402
from hubbot.service.processor import BATCH  # noqa: E402
from hubbot.store import inbound, outbox  # noqa: E402
from hubbot.store.db import Database  # noqa: E402
from tests import fake_twilio  # noqa: E402
from tests.service import Service, eventually  # noqa: E402

HUB = "+15145550001"


async def _post_all(service: Service, count: int, concurrency: int, rate: float) -> float:
    import aiohttp

    url = f"{service.url}/twilio/sms"
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            form = fake_twilio.inbound_form(
                f"SM{i:032d}", f"+1438{2000000 + i:07d}", HUB, f"BESOIN eau potable pour {i}"
            )
            headers = {"X-Twilio-Signature": fake_twilio.sign(url, form)}
            async with semaphore, session.post(url, data=form, headers=headers) as resp:
                assert resp.status == 200, resp.status

        async def paced(i: int) -> None:
            if rate:  # an open-loop arrival rate, like a town texting at once
                await asyncio.sleep(i / rate)
            await one(i)

        start = time.perf_counter()
        await asyncio.gather(*(paced(i) for i in range(count)))
        return time.perf_counter() - start


def _latencies(db_path: Path) -> tuple[list[float], float]:
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute(
            "SELECT i.received_at, MIN(o.created_at), i.processed_at FROM inbound i"
            " JOIN outbox o ON o.inbound_id = i.id WHERE i.provider_id LIKE 'SM0%'"
            " GROUP BY i.id"
        ).fetchall()
    finally:
        db.close()
    parse = datetime.fromisoformat
    latencies = [(parse(o) - parse(r)).total_seconds() * 1000 for r, o, _ in rows]
    first = min(parse(r) for r, _, _ in rows)
    last = max(parse(p) for _, _, p in rows)
    return latencies, (last - first).total_seconds()


async def _raw_inserts(path: Path, count: int, group: int) -> float:
    """Messages a second: inbound rows stored, then each answered twice and marked processed,
    `group` messages a transaction for each step."""
    db = await Database.open(path)
    now = datetime.now(UTC)
    start = time.perf_counter()
    for first in range(0, count, group):
        numbers = range(first, min(count, first + group))
        rows = [
            inbound.NewInbound(
                "sms", f"SM{i}", f"sms:+1438{i:07d}", f"sms:{HUB}", f"BESOIN eau pour {i}", now
            )
            for i in numbers
        ]
        async with db.transaction() as conn:
            ids = await inbound.record_many(conn, rows)
        async with db.transaction() as conn:
            for i, row in zip(numbers, ids, strict=True):
                for _ in range(2):  # the acknowledgement and the need sent to the lead
                    await outbox.enqueue(
                        conn,
                        person_id=None,
                        address=f"sms:+1438{i:07d}",
                        text="Besoin N1 noté",
                        priority=Priority.NORMAL,
                        now=now,
                        inbound_id=row,
                    )
                await inbound.mark_processed(conn, row or 0, now)
    elapsed = time.perf_counter() - start
    await db.close()
    return count / elapsed


def _percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


async def main(count: int, concurrency: int, rate: float) -> dict[str, object]:
    fake = await fake_twilio.FakeTwilio().start()
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Path(tmp)).use_twilio(fake, HUB)
        service.env.update(HUBBOT_SMS_MPS="1000", HUBBOT_LOG_LEVEL="WARNING")
        try:
            await service.cli(
                "hub", "add", "BENCH", "--name", "Bench", "--pin", "2468", "--sms-number", HUB
            )
            await service.start()
            form = fake_twilio.inbound_form("SMlead", "+15145550101", HUB, "ACTIVATE BENCH 2468")
            await fake_twilio.signed_post(f"{service.url}/twilio/sms", form)
            if not await eventually(lambda: len(fake.sent) >= 2, within=30):
                raise RuntimeError("the hub did not open")
            assert service.proc is not None
            cpu_before, bench_before = cpu_seconds(service.proc.pid), time.process_time()
            accept_seconds = await _post_all(service, count, concurrency, rate)
            db_path = Path(tmp) / "hubbot.db"
            left = "SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL"
            if not await eventually(lambda: service.query(left) == [(0,)], within=600):
                raise RuntimeError(f"{service.query(left)[0][0]} messages left unprocessed")
            # Every reply sent too: a text's whole cost, its webhook, its decision and its sends.
            unsent = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
            if not await eventually(lambda: service.query(unsent) == [(0,)], within=600):
                raise RuntimeError(f"{service.query(unsent)[0][0]} replies left unsent")
            cpu = cpu_seconds(service.proc.pid) - cpu_before
            bench_cpu = time.process_time() - bench_before
            latencies, processing_seconds = _latencies(db_path)
            raw_rate = await _raw_inserts(Path(tmp) / "raw.db", count, BATCH)
            one_by_one = await _raw_inserts(Path(tmp) / "one.db", count, 1)
        finally:
            await service.close()
            await fake.stop()
    processed_rate = count / processing_seconds
    return {
        "benchmark": "sms_inbound",
        "messages": count,
        "concurrency": concurrency,
        "offered_per_s": rate or "max",
        "accepted_per_s": round(count / accept_seconds, 1),
        "processed_per_s": round(processed_rate, 1),
        "latency_ms_p50": round(_percentile(latencies, 50), 1),
        "latency_ms_p99": round(_percentile(latencies, 99), 1),
        "service_cpu_ms_a_text": round(1000 * cpu / count, 2),
        "bench_cpu_ms_a_text": round(1000 * bench_cpu / count, 2),
        "raw_insert_per_s": round(raw_rate, 1),
        "processed_to_raw_ratio": round(processed_rate / raw_rate, 3),
        "raw_insert_per_s_one_by_one": round(one_by_one, 1),
        # Issue 15's yardstick: its "raw durable insert ceiling" was measured one by one.
        "processed_to_one_by_one_ratio": round(processed_rate / one_by_one, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0, help="webhooks per second; 0: flat out")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.messages, args.concurrency, args.rate))))
