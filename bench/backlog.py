"""Benchmark: a deep outbox backlog is sent at the set pace, and a life-safety text overtakes it.

Starts `hubbot run` against the fake Twilio server of tests/ (real HTTP on 127.0.0.1). Two
cases, one JSON line each:

- "stall": about 20,000 pending SMS to a few addresses are written to the outbox before the
  service starts (as a long outage or a big broadcast would leave them), spread over a few
  sending numbers, each at HUBBOT_SMS_MPS. The run measures, for `--seconds` from the first
  send, what the fake Twilio server receives in each 10-second window, the slowest window as
  a share of the configured rate (the mark is 95%), and the longest gap between two sends.
- "life-safety": a hub of 400 SMS members; a coordinator broadcasts to it, sent from the hub's
  number at HUBBOT_SMS_MPS=5 (80 s of backlog); a few seconds in, the member whose copy is
  last in the queue texts a life-safety message through a signed webhook. The run measures
  the real time from that webhook until the fake Twilio server receives the member's 911
  reply, and until it receives the lead's alert (the lead's own copy is queued last too).

The exit status is 1 if the slowest window is under 95% of the rate, or if the 911 reply or
the alert takes more than one second.

    .venv/bin/python bench/backlog.py [--pending 20000 --addresses 9 --senders 3
        --rate 50 --seconds 60] [--members 400 --broadcast-rate 5]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hubbot.domain.messages import Priority  # noqa: E402
from hubbot.store import hubs, outbox, people  # noqa: E402
from hubbot.store.db import Database  # noqa: E402
from tests import fake_twilio  # noqa: E402
from tests.service import Service, eventually  # noqa: E402

HUB = "+15145550001"
LEAD, COORDINATOR = "+15145550101", "+15145559999"
WINDOW = 10.0  # seconds
NOTICE = "Distribution d'eau au gymnase a 14 h"
SOS = "Au secours mon voisin ne respire pas"
CALL_911, ALERT = "Appelez le 911 maintenant.", "URGENCE"


def _sender(index: int) -> str:
    return f"+1514555{index:04d}"


async def _seed_backlog(db_path: Path, pending: int, addresses: int, senders: int) -> None:
    """The outbox as a long outage would leave it: `pending` bulk SMS over a few people."""
    db = await Database.open(db_path)
    rows = [
        outbox.NewMessage(
            None,
            f"sms:+1438200{n % addresses:04d}",
            f"Bulletin {n}: point d'eau ouvert",
            Priority.BULK,
            sender=_sender(n % addresses % senders),
        )
        for n in range(pending)
    ]
    async with db.transaction() as conn:
        await outbox.enqueue_many(conn, rows, datetime.now(UTC))
    await db.close()


def _windows(times: list[float], seconds: float) -> list[float]:
    """Sends per second in each whole window of WINDOW seconds from the first send."""
    start = times[0]
    return [
        (
            bisect.bisect_left(times, start + (k + 1) * WINDOW)
            - bisect.bisect_left(times, start + k * WINDOW)
        )
        / WINDOW
        for k in range(int(seconds // WINDOW))
    ]


async def stall(args: argparse.Namespace) -> dict[str, object]:
    twilio = await fake_twilio.FakeTwilio().start()
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Path(tmp)).use_twilio(twilio, _sender(0))
        service.env.update(HUBBOT_SMS_MPS=str(args.rate), HUBBOT_LOG_LEVEL="WARNING")
        try:
            await _seed_backlog(Path(tmp) / "hubbot.db", args.pending, args.addresses, args.senders)
            await service.start()
            if not await eventually(lambda: bool(twilio.sent), within=30):
                raise RuntimeError("nothing was sent")
            first = twilio.sent[0].at
            await asyncio.sleep(max(0.0, first + args.seconds + 0.5 - time.monotonic()))
        finally:
            await service.close()
            await twilio.stop()
    configured = args.rate * args.senders
    per_sender: dict[str, list[float]] = {}
    for message in twilio.sent:
        per_sender.setdefault(message.sender or "", []).append(message.at)
    times = sorted(m.at for m in twilio.sent)
    windows = _windows(times, args.seconds)
    slowest_sender = min(min(_windows(t, args.seconds)) for t in per_sender.values())
    gaps = [b - a for a, b in pairwise(times) if b < first + args.seconds]
    min_pct = 100 * min(windows) / configured
    min_sender_pct = 100 * slowest_sender / args.rate
    return {
        "pending": args.pending,
        "addresses": args.addresses,
        "senders": args.senders,
        "rate_per_sender": args.rate,
        "rate_configured": configured,
        "seconds": args.seconds,
        "sent": sum(t < first + args.seconds for t in times),
        "per_s_by_10s_window": windows,
        "min_window_pct": round(min_pct, 1),
        "min_sender_window_pct": round(min_sender_pct, 1),
        "longest_gap_s": round(max(gaps), 3),
        "ok": min(min_pct, min_sender_pct) >= 95,
    }


async def _seed_members(db_path: Path, count: int) -> None:
    """Members who joined over the past days, stored directly: French, by SMS."""
    db = await Database.open(db_path)
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        hub = await hubs.by_code(conn, "PLATEAU")
        assert hub is not None
        for i in range(count):
            person = await people.create(conn, f"sms:+1438300{i:04d}", "fr", now)
            await hubs.join(conn, hub.id, person.id, now)
    await db.close()


async def life_safety(args: argparse.Namespace) -> dict[str, object]:
    twilio = await fake_twilio.FakeTwilio().start()
    last_member = f"+1438300{args.members - 1:04d}"

    def first_to(number: str, starts: str) -> float | None:
        return next(
            (m.at for m in twilio.sent if m.to == number and m.body.startswith(starts)), None
        )

    def notices() -> int:
        return sum(NOTICE in m.body for m in twilio.sent)  # framed: [PLATEAU B1] ...

    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Path(tmp)).use_twilio(twilio, HUB)
        service.env.update(HUBBOT_SMS_MPS=str(args.broadcast_rate), HUBBOT_LOG_LEVEL="WARNING")
        url = f"{service.url}/twilio/sms"
        try:
            code, out = await service.cli(
                "hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468", "--sms-number", HUB
            )
            assert code == 0, out
            code, out = await service.cli("coordinator", "add", COORDINATOR, "--locale", "fr")
            assert code == 0, out
            await _seed_members(Path(tmp) / "hubbot.db", args.members)
            await service.start()
            # The lead opens the hub after the members joined: their copy is queued last too.
            form = fake_twilio.inbound_form("SM" + "a" * 32, LEAD, HUB, "ACTIVER PLATEAU 2468")
            assert await fake_twilio.signed_post(url, form) == 200
            if not await eventually(lambda: bool(twilio.bodies_to(LEAD)), within=30):
                raise RuntimeError("the hub did not open")
            text = f"DIFFUSER PLATEAU {NOTICE}"
            form = fake_twilio.inbound_form("SM" + "b" * 32, COORDINATOR, HUB, text)
            assert await fake_twilio.signed_post(url, form) == 200
            if not await eventually(lambda: notices() >= 5 * args.broadcast_rate, within=60):
                raise RuntimeError("the broadcast did not start")
            backlog = args.members + 1 - notices()
            texted = time.monotonic()
            form = fake_twilio.inbound_form("SM" + "c" * 32, last_member, HUB, SOS)
            assert await fake_twilio.signed_post(url, form) == 200
            done = await eventually(
                lambda: (
                    first_to(last_member, CALL_911) is not None
                    and first_to(LEAD, ALERT) is not None
                ),
                within=args.members / args.broadcast_rate + 30,
            )
            if not done:
                raise RuntimeError("the 911 reply or the alert never came")
            sent_meanwhile = notices() - (args.members + 1 - backlog)
        finally:
            await service.close()
            await twilio.stop()
    reply = (first_to(last_member, CALL_911) or 0.0) - texted
    alert = (first_to(LEAD, ALERT) or 0.0) - texted
    return {
        "members": args.members,
        "rate": args.broadcast_rate,
        "backlog_when_texted": backlog,
        "backlog_drain_s": round(backlog / args.broadcast_rate, 1),
        "reply_911_s": round(reply, 3),
        "lead_alert_s": round(alert, 3),
        "notices_sent_meanwhile": sent_meanwhile,
        "ok": reply <= 1.0 and alert <= 1.0,
    }


async def main(args: argparse.Namespace) -> int:
    ok = True
    for case, run in (("stall", stall), ("life-safety", life_safety)):
        result = await run(args)
        print(json.dumps({"benchmark": "backlog", "case": case, **result}), flush=True)
        ok = ok and bool(result["ok"])
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--addresses", type=int, default=9)
    parser.add_argument("--senders", type=int, default=3)
    parser.add_argument("--rate", type=float, default=50.0, help="segments/s per sender")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--broadcast-rate", type=float, default=5.0)
    sys.exit(asyncio.run(main(parser.parse_args())))
