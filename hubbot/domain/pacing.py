"""Pacing sends to a rate: each key (a sender, a chat) may send `rate` units per second.

Each send of cost k books k/rate seconds of the key's time, starting when the previous
booking ends (the generic cell rate algorithm). A send that starts a little late, by less than
its own interval, is still booked from the end of the previous booking: the dispatcher's own
delays (a database write, a busy event loop) then do not eat into the rate, and over a long run
a key sends exactly `rate` units per second. The price is a tolerance of one send: any window
of one second holds at most `rate` + 1 units. After a longer pause the key starts afresh, so
no burst builds up while it is idle.
Libraries such as aiolimiter read the event loop's clock; hubbot needs a clock it can inject
and costs above one, so the arithmetic lives here, pure. The times themselves live in the
database, shared by every worker (store/pacing.py loads them into a Pacer for each pass).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Need = tuple[str, float, float]  # (key, rate in units a second, cost in units)


@dataclass
class Pacer:
    """The time at which each key may next send."""

    free_at: dict[str, datetime] = field(default_factory=dict)

    def wait(self, key: str, now: datetime) -> float:
        """Seconds until `key` may send again (0 if it may send now)."""
        free = self.free_at.get(key)
        if free is None or free <= now:
            return 0.0
        return (free - now).total_seconds()

    def take(self, key: str, rate: float, cost: float, now: datetime) -> None:
        """Book a send of `cost` units now; the key is free again after cost/rate seconds."""
        if rate <= 0:
            return  # unlimited
        interval = timedelta(seconds=cost / rate)
        free = self.free_at.get(key, now)
        # Late by less than one interval: book from when the key became free (see above).
        start = free if now - free < interval else now
        self.free_at[key] = start + interval

    def reserve(self, needs: Sequence[Need], now: datetime, horizon: float) -> tuple[float, bool]:
        """Book one send at the first moment every key of `needs` is free, if that is within
        `horizon` seconds of `now`: (its delay, True); the send must not start before it.
        Otherwise nothing is booked: (the wait, False). With a horizon of 0 this is book():
        a key that frees within a pass's own time takes more than one send per pass."""
        wait = max((self.wait(key, now) for key, _, _ in needs), default=0.0)
        if wait > horizon:
            return wait, False
        at = now + timedelta(seconds=wait)
        for key, rate, cost in needs:
            self.take(key, rate, cost, at)
        return wait, True

    def book(self, needs: Sequence[Need], now: datetime) -> float:
        """Book one send that spends on every key of `needs`, or say how long it must wait.

        If every key is free, each is booked and 0.0 is returned. Otherwise nothing is booked
        and the wait until all of them are free is returned: the longest of their waits. A
        pass that offers messages in lane order at one `now` so never lets a later message
        take a key an earlier one is waiting for.
        """
        wait, booked = self.reserve(needs, now, 0.0)
        return 0.0 if booked else wait
