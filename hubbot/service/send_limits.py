"""How hard delivery tries: attempts, age, sends in flight, the lease, booking ahead, backoff."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

BACKOFF_BASE = 2.0  # seconds; doubled per attempt, with jitter
BACKOFF_MAX = 300.0
# A pass books a key's next sends up to this far ahead, each waiting for its slot: a fast key
# (a short code, an unlimited test server) sends many per pass, not one; a slow one (1 SMS a
# second) is untouched, and an urgent message waits behind bookings this long at most.
AHEAD = 0.05


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Exponential backoff with jitter, never sooner than the provider asked."""
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    delay = rng.uniform(delay / 2, delay)
    return max(delay, retry_after or 0.0)


@dataclass(frozen=True)
class SendLimits:
    """How hard delivery tries: attempts before a message is failed, how old it may get before
    it is dropped as stale, how many sends may be in flight at once, and how long a send may
    stay under way before another worker sharing the store sends it again."""

    max_attempts: int
    max_age: timedelta = timedelta(hours=24)
    concurrency: int = 32
    lease: timedelta = timedelta(minutes=2)
    ahead: float = AHEAD
