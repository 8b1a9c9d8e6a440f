"""Benchmark: one coordinator's BROADCAST ALL to 10,000 members over SMS and Telegram.

Starts `hubbot run` against the fake Twilio and Telegram servers of tests/ (real HTTP on
127.0.0.1), with hubs whose members were stored beforehand, as if they had joined over the
past days: some by SMS, some on Telegram, in French and in English. A coordinator then texts
`BROADCAST ALL #boil_water` through a signed Twilio webhook, and the run measures:

- enqueue: from the coordinator's text (the signed webhook) until every recipient's outbox row
  is committed, which the bench sees in the database;
- delivery: messages per second as the fake providers receive them, first to last, and the
  whole time from the coordinator's text to the last member's message;
- the service process's peak resident memory (VmHWM, from /proc).

Two cases: "unlimited" (the provider accepts whatever comes; hubbot's own pacing set far above
what the machine can do) and "paced" (one hub's SMS number at HUBBOT_SMS_MPS, Telegram at
HUBBOT_TELEGRAM_RATE), where the achieved rate must be at least 95% of the configured one and
never above it: at most R*W + 1 sends in any window of W = 1 or 10 seconds, which is what a
rate of R a second allows (a perfectly regular stream has a send at each end of a window);
windows are counted 10 ms short, for the receiving side's timing jitter (see JITTER).
One JSON line per case; the exit status is 1 if the paced case misses either mark.

    .venv/bin/python bench/broadcast.py [--members 10000] [--telegram-share 0.3]
        [--paced-sms 1000 --sms-rate 50 --paced-telegram 600 --telegram-rate 30]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procstat import cpu_seconds, peak_rss_mib  # noqa: E402
from hubbot.domain.models import HubStatus  # noqa: E402
from hubbot.domain.sms import segment_count  # noqa: E402
from hubbot.store import hubs, people  # noqa: E402
from hubbot.store.db import Database  # noqa: E402
from tests import fake_twilio  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.service import Service, eventually  # noqa: E402

COORDINATOR = "+15145559999"
NOTICES = ("AVIS : faites bouillir", "NOTICE: boil tap water")


def _is_notice(text: str) -> bool:
    # Inside the frame: "[Coordination B1] AVIS : ..." (B1 in bold on Telegram).
    return any(notice in text for notice in NOTICES)


UNLIMITED = "1000000"  # per second: far above what one process can send
# Sends are timed where the fake providers receive them, a few milliseconds after hubbot let
# them go, and not all by the same delay (loopback, two event loops). So a send can land a
# hair inside the next window without having left early. The rate verdict counts each window
# as W - JITTER seconds; the raw peaks are printed beside it.
JITTER = 0.010


def _hub_number(index: int) -> str:
    return f"+1514555{index:04d}"


async def _seed(db_path: Path, hub_count: int, sms: int, telegram: int) -> None:
    """Store the members directly, as if each had joined earlier: half French, half English."""
    db = await Database.open(db_path)
    now = datetime.now(UTC)
    async with db.transaction() as conn:
        hub_ids = [hub.id for hub in await hubs.all_hubs(conn)]
        for hub_id in hub_ids:
            await hubs.set_status(conn, hub_id, HubStatus.ACTIVE, now)
        addresses = [f"sms:+1438{i:07d}" for i in range(sms)]
        addresses += [f"telegram:{900_000 + i}" for i in range(telegram)]
        for i, address in enumerate(addresses):
            person = await people.create(conn, address, "fr" if i % 2 else "en", now)
            await hubs.join(conn, hub_ids[i % hub_count], person.id, now)
    await db.close()


def _peak_in_window(times: list[float], weights: list[int], window: float) -> int:
    """The most units sent in any `window` seconds, over windows starting at each send."""
    cumulative = [0]
    for weight in weights:
        cumulative.append(cumulative[-1] + weight)
    peak = 0
    for i, start in enumerate(times):
        end = bisect.bisect_left(times, start + window)
        peak = max(peak, cumulative[end] - cumulative[i])
    return peak


async def _run(
    *,
    hub_count: int,
    sms: int,
    telegram: int,
    sms_rate: str,
    telegram_rate: str,
) -> dict[str, object]:
    twilio = await fake_twilio.FakeTwilio().start()
    tg = await FakeTelegram().start()
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Path(tmp)).use_twilio(twilio, _hub_number(0)).use_telegram(tg)
        service.env.update(
            HUBBOT_SMS_MPS=sms_rate, HUBBOT_TELEGRAM_RATE=telegram_rate, HUBBOT_LOG_LEVEL="WARNING"
        )
        try:
            for index in range(1, hub_count + 1):
                code, out = await service.cli(
                    "hub", "add", f"HUB{index}", "--name", f"Hub {index}", "--pin", "2468",
                    "--sms-number", _hub_number(index),
                )  # fmt: skip
                assert code == 0, out
            code, out = await service.cli("coordinator", "add", COORDINATOR, "--locale", "en")
            assert code == 0, out
            db_path = Path(tmp) / "hubbot.db"
            await _seed(db_path, hub_count, sms, telegram)
            await service.start()
            assert service.proc is not None
            total = sms + telegram

            def notices() -> int:
                return sum(_is_notice(m.body) for m in twilio.sent) + sum(
                    _is_notice(m.text) for m in tg.sent
                )

            started = time.monotonic()
            cpu_before = cpu_seconds(service.proc.pid)
            text = "BROADCAST ALL #boil_water"
            form = fake_twilio.inbound_form("SM" + "b" * 32, COORDINATOR, _hub_number(1), text)
            assert await fake_twilio.signed_post(f"{service.url}/twilio/sms", form) == 200
            # Every recipient's outbox row is written once the broadcast's sent_at is visible.
            committed = "SELECT COUNT(*) FROM broadcasts WHERE id = 1 AND sent_at IS NOT NULL"
            if not await eventually(lambda: service.query(committed) == [(1,)], within=600):
                raise RuntimeError("the broadcast was not queued within 10 minutes")
            enqueue = time.monotonic() - started
            if not await eventually(lambda: notices() >= total, within=1800):
                raise RuntimeError(f"only {notices()} of {total} notices arrived")
            cpu = cpu_seconds(service.proc.pid) - cpu_before
            delivered_at = time.monotonic()
            peak_rss = peak_rss_mib(service.proc.pid)
        finally:
            await service.close()
            await twilio.stop()
            await tg.stop()
    sms_sent = sorted((m.at, m.body) for m in twilio.sent if _is_notice(m.body))
    tg_sent = sorted(m.at for m in tg.sent if _is_notice(m.text))
    arrivals = sorted([t for t, _ in sms_sent] + tg_sent)
    recipients = {m.to for m in twilio.sent if _is_notice(m.body)} | {
        m.chat_id for m in tg.sent if _is_notice(m.text)
    }
    result: dict[str, object] = {
        "members": total,
        "sms": sms,
        "telegram": telegram,
        "hubs": hub_count,
        "recipients_reached": len(recipients),
        "duplicates": len(arrivals) - len(recipients),
        "enqueue_s": round(enqueue, 2),
        "delivered_per_s": round((len(arrivals) - 1) / (arrivals[-1] - arrivals[0]), 1),
        "text_to_last_delivery_s": round(arrivals[-1] - started, 2),
        "service_peak_rss_mib": round(peak_rss, 1),
        # The service's own CPU, from the coordinator's text to the last delivery: what a send
        # costs it, and how much of one core it kept busy meanwhile.
        "service_cpu_s": round(cpu, 2),
        "service_cpu_ms_per_send": round(1000 * cpu / max(1, len(arrivals)), 3),
        "service_cpu_share": round(cpu / (delivered_at - started), 2),
    }
    if sms_rate != UNLIMITED:
        times = [t for t, _ in sms_sent]
        weights = [segment_count(body) for _, body in sms_sent]
        achieved = (sum(weights) - weights[-1]) / (times[-1] - times[0])
        result |= {
            "sms_rate_configured": float(sms_rate),
            "sms_rate_achieved": round(achieved, 2),
            "sms_peak_in_1s": _peak_in_window(times, weights, 1.0),
            "sms_peak_in_10s": _peak_in_window(times, weights, 10.0),
            "sms_peak_in_1s_less_jitter": _peak_in_window(times, weights, 1.0 - JITTER),
            "sms_peak_in_10s_less_jitter": _peak_in_window(times, weights, 10.0 - JITTER),
        }
    if telegram_rate != UNLIMITED and tg_sent:
        achieved = (len(tg_sent) - 1) / (tg_sent[-1] - tg_sent[0])
        result |= {
            "telegram_rate_configured": float(telegram_rate),
            "telegram_rate_achieved": round(achieved, 2),
            "telegram_peak_in_1s": _peak_in_window(tg_sent, [1] * len(tg_sent), 1.0),
            "telegram_peak_in_10s": _peak_in_window(tg_sent, [1] * len(tg_sent), 10.0),
            "telegram_peak_in_1s_less_jitter": _peak_in_window(
                tg_sent, [1] * len(tg_sent), 1.0 - JITTER
            ),
            "telegram_peak_in_10s_less_jitter": _peak_in_window(
                tg_sent, [1] * len(tg_sent), 10.0 - JITTER
            ),
        }
    return result


async def main(args: argparse.Namespace) -> int:
    telegram = round(args.members * args.telegram_share)
    if args.only == "paced":
        return await _paced(args)
    unlimited = await _run(
        hub_count=args.hubs,
        sms=args.members - telegram,
        telegram=telegram,
        sms_rate=UNLIMITED,
        telegram_rate=UNLIMITED,
    )
    print(json.dumps({"benchmark": "broadcast", "case": "unlimited", **unlimited}), flush=True)
    if args.only == "unlimited":
        return 0
    return await _paced(args)


async def _paced(args: argparse.Namespace) -> int:
    paced = await _run(
        hub_count=1,
        sms=args.paced_sms,
        telegram=args.paced_telegram,
        sms_rate=str(args.sms_rate),
        telegram_rate=str(args.telegram_rate),
    )
    verdicts: dict[str, bool] = {}
    for name, rate in (("sms", args.sms_rate), ("telegram", args.telegram_rate)):
        achieved = float(paced[f"{name}_rate_achieved"])  # type: ignore[arg-type]
        verdicts[f"{name}_uses_95_percent"] = achieved >= 0.95 * rate
        # A rate of R a second allows R*W + 1 sends in any window of W seconds: a regular
        # stream puts one at each end of the window (a token bucket of one, see pacing.py).
        verdicts[f"{name}_within_rate"] = all(
            int(paced[f"{name}_peak_in_{w}s_less_jitter"]) <= rate * w + 1  # type: ignore[call-overload]
            for w in (1, 10)
        )
    print(json.dumps({"benchmark": "broadcast", "case": "paced", **paced, **verdicts}), flush=True)
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--hubs", type=int, default=10)
    parser.add_argument("--telegram-share", type=float, default=0.3)
    parser.add_argument("--paced-sms", type=int, default=1000)
    parser.add_argument("--sms-rate", type=float, default=50)
    parser.add_argument("--paced-telegram", type=int, default=600)
    parser.add_argument("--telegram-rate", type=float, default=30)
    parser.add_argument("--only", choices=("unlimited", "paced"), help="run one case only")
    sys.exit(asyncio.run(main(parser.parse_args())))
