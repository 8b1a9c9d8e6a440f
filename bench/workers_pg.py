"""Benchmark: texts decided a second by 1, 2 and 4 `hubbot run` workers sharing one PostgreSQL.

Starts a throwaway PostgreSQL cluster (the machine's initdb and pg_ctl, as the tests do) and
the fake Twilio server of tests/. For each worker count: a fresh database, that many workers
(each its own port), one hub opened by its lead, then 2,000 signed `BESOIN ...` webhooks from
new numbers posted round-robin to the workers, flat out. *Processed/s* runs from the first
text received to the last one decided, read in the database; every text must be decided once.
Prints one JSON line per worker count.

    .venv/bin/python bench/workers_pg.py [--messages 2000] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fake_twilio  # noqa: E402
from tests.pg import MISSING, binaries, shared_cluster  # noqa: E402
from tests.service import Service, eventually  # noqa: E402

HUB = "+15145550001"


def _number(hub: int) -> str:
    return HUB if hub == 0 else f"+1514555{1000 + hub}"


async def _post_all(urls: list[str], count: int, concurrency: int, hubs: int) -> float:
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            url = f"{urls[i % len(urls)]}/twilio/sms"
            form = fake_twilio.inbound_form(
                f"SM{i:032d}",
                f"+1438{2000000 + i:07d}",
                _number(i % hubs),
                f"BESOIN eau potable pour {i}",
            )
            headers = {"X-Twilio-Signature": fake_twilio.sign(url, form)}
            async with semaphore, session.post(url, data=form, headers=headers) as resp:
                assert resp.status == 200, resp.status

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return time.perf_counter() - start


async def run(workers: int, count: int, concurrency: int, hubs: int) -> dict[str, object]:
    url = await shared_cluster().fresh_database(f"bench_{workers}_{hubs}", "hubbot", "bench")
    fake = await fake_twilio.FakeTwilio().start()
    services: list[Service] = []
    db = await asyncpg.connect(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(workers):
                service = Service(Path(tmp) / f"w{n}").use_twilio(fake, HUB)
                service.workdir.mkdir()
                service.env.update(
                    HUBBOT_DATABASE=url, HUBBOT_SMS_MPS="1000", HUBBOT_LOG_LEVEL="WARNING"
                )
                services.append(service)
            first = services[0]
            for h in range(hubs):
                code, out = await first.cli(
                    "hub", "add", f"B{h}", "--name", f"Bench {h}", "--pin", "2468",
                    "--sms-number", _number(h),
                )  # fmt: skip
                assert code == 0, out
            await asyncio.gather(*(s.start() for s in services))
            for h in range(hubs):
                lead = f"+1514556{1000 + h}"
                form = fake_twilio.inbound_form(
                    f"SMlead{h}", lead, _number(h), f"ACTIVATE B{h} 2468"
                )
                await fake_twilio.signed_post(f"{first.url}/twilio/sms", form)
            if not await eventually(lambda: len(fake.sent) >= 2 * hubs, within=60):
                raise RuntimeError("the hubs did not open")
            accept = await _post_all([s.url for s in services], count, concurrency, hubs)
            left = "SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL"
            for _ in range(3000):  # ten minutes at most
                if not await db.fetchval(left):
                    break
                await asyncio.sleep(0.2)
            span = await db.fetchval(
                "SELECT EXTRACT(EPOCH FROM MAX(processed_at::timestamptz)"
                " - MIN(received_at::timestamptz)) FROM inbound WHERE provider_id LIKE 'SM0%'"
            )
            items = await db.fetchval("SELECT COUNT(*) FROM items")
            conflicts = sum([await _conflicts(s.url) for s in services])
    finally:
        await db.close()
        for service in services:
            await service.close()
        await fake.stop()
    return {
        "benchmark": "workers_pg",
        "workers": workers,
        "hubs": hubs,
        "messages": count,
        "accepted_per_s": round(count / accept, 1),
        "processed_per_s": round(count / float(span), 1),
        "decided_once": items == count,
        "batches_done_again": conflicts,
    }


async def _conflicts(url: str) -> int:
    """The worker's deciding transactions done again after another's won (its /metrics)."""
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as resp:
        text = await resp.text()
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("hubbot_store_conflicts_total")
        )
    )


async def main(counts: list[int], messages: int, concurrency: int, hubs: list[int]) -> None:
    for spread in hubs:
        for workers in counts:  # the cluster stops when the process ends (tests/pg.py)
            print(json.dumps(await run(workers, messages, concurrency, spread)), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--hubs", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    if binaries() is None:
        print(MISSING)
        sys.exit(0)
    asyncio.run(main(args.workers, args.messages, args.concurrency, args.hubs))
