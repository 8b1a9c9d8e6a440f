"""What the service counts for Prometheus: one `Metrics` per service, on its own registry."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from hubbot.store import stats
from hubbot.store.conn import Store

# Seconds: a reply within a second or two is normal; minutes mean a queue or a provider stall.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)


class Metrics:
    """Counters the workers move as they go, and gauges read from the store at each scrape.

    Each instance has its own `CollectorRegistry`, never the global one, so that tests and
    several services in one process do not collide."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.inbound = Counter(
            "hubbot_inbound_messages",
            "Inbound messages stored, by channel (a provider's retry of one is not counted).",
            ["channel"],
            registry=registry,
        )
        self.sends = Counter(
            "hubbot_sends",
            "Send attempts by channel and result: sent (accepted), delivered (accepted and"
            " known to have arrived), retry (will be tried again) or failed (given up).",
            ["channel", "result"],
            registry=registry,
        )
        self.retries = Counter(
            "hubbot_send_retries",
            "Sends put back to be tried again.",
            ["channel"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "hubbot_send_rate_limited",
            "Sends the provider refused as too fast (HTTP 429, Twilio 20429, a 503 to slow down).",
            ["channel"],
            registry=registry,
        )
        self.opt_outs = Counter(
            "hubbot_opt_outs",
            "People who opted out: by a STOP text (source=command) or as the provider reports"
            " it (source=provider).",
            ["source"],
            registry=registry,
        )
        self.conflicts = Counter(
            "hubbot_store_conflicts",
            "Transactions done again because another worker's won (PostgreSQL, several"
            " workers): a few are normal, a steady climb means workers fight over one hub.",
            ["work"],
            registry=registry,
        )
        self.throttled = Counter(
            "hubbot_throttled_messages",
            "Inbound texts held back by the flood limit.",
            registry=registry,
        )
        self.throttled_senders = Counter(
            "hubbot_throttled_senders",
            "Times a sender went over the flood limit (counted once per hold, when told).",
            registry=registry,
        )
        self.send_latency = Histogram(
            "hubbot_send_latency_seconds",
            "Seconds from an outbox row's creation to the provider accepting it, by lane.",
            ["lane"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.life_safety_latency = Histogram(
            "hubbot_life_safety_latency_seconds",
            "Seconds from the receipt of a text to the provider accepting each urgent-lane"
            " message it caused (the life-safety reply and the alerts to staff).",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.processing_latency = Histogram(
            "hubbot_processing_latency_seconds",
            "Seconds from a text's receipt to its processing (replies queued), throttled or not.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.outbox = Gauge(
            "hubbot_outbox_messages",
            "Outbox rows by lane and status, read from the store at scrape time.",
            ["lane", "status"],
            registry=registry,
        )
        self.open_hubs = Gauge("hubbot_open_hubs", "Hubs open now.", registry=registry)
        self.open_needs = Gauge(
            "hubbot_open_needs", "Needs open or matched, not yet done.", registry=registry
        )
        self.critical_needs = Gauge(
            "hubbot_critical_needs", "Open needs marked critical.", registry=registry
        )
        self.checkin_answers = Gauge(
            "hubbot_checkin_answers",
            "Check-in asks of every round so far, by state (waiting, ok, help, silent...).",
            ["state"],
            registry=registry,
        )

    def sent(
        self, channel: str, lane: str, created: datetime, now: datetime, delivered: bool
    ) -> None:
        """The provider accepted a message written at `created`."""
        self.sends.labels(channel, "delivered" if delivered else "sent").inc()
        self.send_latency.labels(lane).observe(seconds_between(created, now))

    def retry(self, channel: str) -> None:
        self.sends.labels(channel, "retry").inc()
        self.retries.labels(channel).inc()

    async def scrape(self, db: Store) -> bytes:
        """The text format, the gauges read from the store first (a few GROUP BY queries)."""
        now = await stats.snapshot(db)
        # Cleared and set with no await between: a scrape never sees half a refresh, and a
        # lane/status with no rows left reads as gone rather than stuck at its last count.
        self.outbox.clear()
        for (lane, status), count in now.outbox.items():
            self.outbox.labels(lane, status).set(count)
        self.open_hubs.set(now.open_hubs)
        self.open_needs.set(now.open_needs)
        self.critical_needs.set(now.critical_needs)
        self.checkin_answers.clear()
        for state, count in now.asks.items():
            self.checkin_answers.labels(state).set(count)
        return generate_latest(self.registry)


def seconds_between(start: datetime, end: datetime) -> float:
    """Elapsed seconds, never negative (a clock stepped back is not a negative latency)."""
    return max(0.0, (end - start).total_seconds())
