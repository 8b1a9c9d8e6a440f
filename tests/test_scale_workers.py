"""Three `hubbot run` workers on one PostgreSQL share 5,000 texts across 20 hubs, one of them
killed with SIGKILL midway and restarted: every text is decided once, every reply sent (the
in-flight ones at most twice), need numbers stay gapless, and no sender exceeds its rate."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.pg import MISSING, binaries, shared_cluster
from tests.service import Service

# In the default suite (about 1.5 minutes here, alongside the rest): 5,000 texts make 10,240
# replies, which three workers record a batch per commit (store/send_outcomes.py).
pytestmark = pytest.mark.skipif(binaries() is None, reason=MISSING)

HUBS, MEMBERS, TEXTS = 20, 10, 25  # 20 hubs x 10 members x 25 needs = 5,000 texts
RATE = 60.0  # HUBBOT_SMS_MPS: segments a second per sender (each hub has its own number)
JITTER = 0.01  # windows are counted 10 ms short: a send is stamped just after it starts
CONCURRENCY = 24  # posts in flight at once, all workers together
LEASE = 30.0  # seconds: HUBBOT_SEND_LEASE, the shortest allowed
SETTLE = float(os.environ.get("HUBBOT_SCALE_SETTLE", "300"))  # seconds to drain, at most


def _hub(h: int) -> str:
    return f"H{h:02d}"


def _member(h: int, m: int) -> str:
    return f"+1438555{h:02d}{m:02d}"


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[tuple[list[Service], str]]:
    dsn = await shared_cluster().fresh_database("hubbot_scale", "hubbot_scale", "scale-pw")
    env = {
        "HUBBOT_DATABASE": dsn,
        "HUBBOT_SMS_MPS": f"{RATE:g}",
        "HUBBOT_FLOOD_RATE": "0",  # 25 needs from one phone in seconds are the load, not a flood
        "HUBBOT_SEED_DEMO": "false",
        "HUBBOT_LOG_LEVEL": "WARNING",
        "HUBBOT_SEND_LEASE": f"{LEASE:g}s",  # the killed worker's sends wait this, then go
    }
    services = []
    for n in range(3):
        (tmp_path / f"w{n}").mkdir()
        services.append(Service(tmp_path / f"w{n}", **env))
    yield services, dsn
    for service in services:
        await service.close()


async def _rows(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def _settled(dsn: str, within: float) -> str:
    """Poll the database until every text is decided and no reply waits or is in flight;
    what is left when time runs out ('' once settled)."""
    deadline = time.monotonic() + within
    while True:
        left = await _rows(
            dsn,
            "SELECT (SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL),"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'pending'),"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'sending')",
        )
        undecided, pending, sending = left[0]
        if undecided + pending + sending == 0:
            return ""
        if time.monotonic() > deadline:
            lanes = await _rows(
                dsn,
                "SELECT address, COUNT(*) FROM outbox WHERE status = 'pending'"
                " GROUP BY address ORDER BY 2 DESC LIMIT 5",
            )
            return (
                f"{undecided} texts undecided, {pending} replies pending, {sending} sending;"
                f" deepest lanes {[tuple(r) for r in lanes]}"
            )
        await asyncio.sleep(0.2)


async def _post(services: list[Service], first: int, phone: str, body: str, key: str) -> None:
    """Post a text to a worker; if it is down (killed), the same text (same provider id, so
    stored at most once) goes to the next worker."""
    for attempt in range(30):
        service = services[(first + attempt) % len(services)]
        if service.proc is None or service.session is None:
            continue
        try:
            payload = {"from": phone, "text": body, "id": key}
            status, answer = await service.post("/sim/inbound", payload)
        except (TimeoutError, aiohttp.ClientError):
            await asyncio.sleep(0.05)
            continue
        assert status in (200, 202), answer
        return
    raise AssertionError(f"no worker took {key}")


def _peak(times: list[float], window: float) -> int:
    """The most sends in any `window` seconds, over windows starting at each send."""
    return max(bisect_left(times, t + window) - i for i, t in enumerate(times))


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


async def _open_hubs(services: list[Service], dsn: str) -> None:
    for h in range(HUBS):
        number = f"+1514555{2000 + h}"
        code, out = await services[h % 3].cli(
            "hub", "add", _hub(h), "--name", f"Hub {h}", "--pin", "2468", "--sms-number", number
        )
        assert code == 0, out
    for h in range(HUBS):
        await _post(services, h, f"+15145560{h:03d}", f"ACTIVER {_hub(h)} 2468", f"open-{h}")
    for h in range(HUBS):
        for m in range(MEMBERS):
            await _post(services, h + m, _member(h, m), f"REJOINDRE {_hub(h)}", f"join-{h}-{m}")
    assert not await _settled(dsn, 60), "the hubs opened and the members joined"


async def test_three_workers_one_killed_midway_decide_each_text_once_and_send_every_reply(
    workers: tuple[list[Service], str],
) -> None:
    services, dsn = workers
    await asyncio.gather(*(service.start() for service in services))
    await _open_hubs(services, dsn)
    before = {r[0] for r in await _rows(dsn, "SELECT id FROM inbound")}

    started = time.monotonic()
    gate = asyncio.Semaphore(CONCURRENCY)
    posted = 0
    halfway = asyncio.Event()

    async def sender(h: int, m: int) -> None:
        nonlocal posted
        for k in range(TEXTS):  # one phone's texts go one after another, in order
            async with gate:
                first = posted % 3
                await _post(
                    services, first, _member(h, m), f"BESOIN couvertures {k + 1}", f"n-{h}-{m}-{k}"
                )
                posted += 1
                if posted == HUBS * MEMBERS * TEXTS // 2:
                    halfway.set()

    async def chaos() -> None:
        await halfway.wait()
        assert await services[1].stop(signal.SIGKILL) == -signal.SIGKILL
        await asyncio.sleep(2.0)  # the other two carry the load meanwhile
        await services[1].start()

    await asyncio.gather(chaos(), *(sender(h, m) for h in range(HUBS) for m in range(MEMBERS)))
    print(f"posted in {time.monotonic() - started:.1f} s")
    left = await _settled(dsn, SETTLE)
    assert not left, f"every text decided and every reply out in time; {left}"
    took = time.monotonic() - started

    inbound = [r for r in await _rows(dsn, "SELECT * FROM inbound") if r["id"] not in before]
    assert len(inbound) == HUBS * MEMBERS * TEXTS, "each text stored once"
    assert all(r["processed_at"] is not None and r["error"] is None for r in inbound)
    needs = await _rows(dsn, "SELECT hub_id, number FROM items WHERE kind = 'need'")
    assert len(needs) == len(inbound), "one need per BESOIN text, none lost, none twice"
    # Need numbers are the region's (N1, N2... across hubs: store/items.py next_number), so
    # they run 1..5,000 with no gap or repeat; each hub holds its members' 250.
    assert sorted(r["number"] for r in needs) == list(range(1, len(inbound) + 1)), "gapless"
    assert set(Counter(r["hub_id"] for r in needs).values()) == {MEMBERS * TEXTS}

    outbox = await _rows(dsn, "SELECT * FROM outbox")
    failed = [r for r in outbox if r["status"] not in ("sent", "delivered")]
    assert not failed, f"every reply sent: {failed[:3]}"
    acks: dict[int, list[Any]] = defaultdict(list)
    for row in outbox:
        if row["inbound_id"] is not None and row["text"].startswith("Besoin N"):
            acks[row["inbound_id"]].append(row)
    by_phone: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in inbound:
        assert len(acks[row["id"]]) == 1, f"one acknowledgement for {row['provider_id']}"
        number = int(acks[row["id"]][0]["text"].split()[1][1:])
        k = int(row["provider_id"].rsplit("-", 1)[1])
        by_phone[row["address"]].append((k, number))
    for phone, pairs in by_phone.items():
        numbers = [n for _, n in sorted(pairs)]
        assert numbers == sorted(numbers), f"{phone}'s needs numbered in the order sent"

    mailbox = await _rows(dsn, "SELECT address, text, at FROM sim_mailbox")
    twice = sum(c - 1 for c in Counter((r[0], r[1]) for r in mailbox).values() if c > 1)
    assert len(mailbox) - twice == len(outbox), "every reply reached its phone"
    # Only the killed worker's sends in flight (HUBBOT_SEND_CONCURRENCY, 32): the restarted
    # worker leaves the live ones' alone (store/requeue.py).
    assert twice <= 32, "only the sends in flight at the kill went twice"

    # The pace as the provider sees it: when each reply reached the simulator (its first copy).
    # sent_at is stamped after the send has ended, later by more the busier the machine.
    arrived: dict[tuple[str, str], float] = {}
    for r in mailbox:
        key = (r["address"], r["text"])
        arrived[key] = min(arrived.get(key, float("inf")), _seconds(r["at"]))
    sent: dict[str, list[float]] = defaultdict(list)
    for row in outbox:
        sent[row["sender"]].append(arrived[(row["address"], row["text"])])
    for sender_number, times in sent.items():
        times.sort()
        for window in (1.0, 10.0):
            peak = _peak(times, window - JITTER)
            assert peak <= RATE * window + 1, f"{sender_number}: {peak} in {window:g} s"
    print(f"5,000 texts, 3 workers, one killed: settled in {took:.1f} s; {twice} sent twice")
