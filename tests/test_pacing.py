"""The pacer: the full rate is used even when the dispatcher runs late, and never exceeded."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import UTC, datetime, timedelta

from hubbot.domain.pacing import Pacer

START = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


def _run(sends: int, rate: float, lateness: random.Random | None) -> list[float]:
    """Send as soon as the pacer allows, plus a random delay below one interval."""
    pacer, now, times = Pacer(), START, []
    for _ in range(sends):
        now += timedelta(seconds=pacer.wait("k", now))
        if lateness is not None:
            now += timedelta(seconds=lateness.uniform(0, 0.99 / rate))
        pacer.take("k", rate, 1, now)
        times.append((now - START).total_seconds())
    return times


def test_a_dispatcher_running_late_still_uses_the_whole_rate() -> None:
    times = _run(500, rate=50, lateness=random.Random(7))
    achieved = (len(times) - 1) / (times[-1] - times[0])
    assert 49.0 <= achieved <= 50.0


def test_no_second_holds_more_than_the_rate_plus_the_one_send_tolerance() -> None:
    times = _run(500, rate=50, lateness=random.Random(11))
    peak = max(bisect_left(times, t + 1.0) - i for i, t in enumerate(times))
    assert peak <= 51


def test_sends_on_time_are_spaced_by_exactly_one_interval() -> None:
    times = _run(11, rate=5, lateness=None)
    assert times[-1] - times[0] == 2.0


def test_an_idle_key_starts_afresh_instead_of_saving_up_a_burst() -> None:
    pacer = Pacer()
    pacer.take("k", 1, 1, START)
    later = START + timedelta(minutes=5)
    pacer.take("k", 1, 1, later)
    assert pacer.wait("k", later) == 1.0, "the second send after a pause waits a full second"


def test_a_costlier_send_books_more_of_the_keys_time() -> None:
    pacer = Pacer()
    pacer.take("k", 5, 3, START)  # a 3-segment SMS at 5 segments a second
    assert pacer.wait("k", START) == 0.6


def test_a_message_on_two_keys_waits_for_the_later_of_them_and_books_neither() -> None:
    pacer = Pacer()
    pacer.take("chat", 1, 1, START)  # this chat just got a message: 1 a second
    pacer.take("all", 30, 1, START)  # and the bot as a whole: 30 a second
    bot_wait = pacer.wait("all", START)
    assert pacer.book([("all", 30, 1), ("chat", 1, 1)], START) == 1.0
    assert pacer.wait("all", START) == bot_wait, "nothing booked while it waits"


def test_a_message_on_free_keys_is_booked_on_each_and_goes_at_once() -> None:
    pacer = Pacer()
    assert pacer.book([("all", 30, 1), ("chat", 1, 1)], START) == 0.0
    assert pacer.wait("chat", START) == 1.0 and pacer.wait("all", START) > 0
