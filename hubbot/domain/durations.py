"""Durations as people write them: 90s, 15m, 2h, 3d (or 3j in French)."""

from __future__ import annotations

import re
from datetime import timedelta

from hubbot.domain.messages import Msg
from hubbot.domain.numbers import parse_number

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdj])\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "j": 86400}
LONGEST = timedelta(days=36525)  # a century: a date a duration away stays before year 9999
_MOST = int(LONGEST.total_seconds())


def parse_duration(text: str) -> timedelta:
    """Parse '90s', '15m', '2h', '3d' or '3j'; raise ValueError with a helpful message."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: write a number and a unit, like 90s, 15m, 2h or 3d"
        )
    amount, unit = parse_number(match.group(1), _MOST), match.group(2).lower()
    if amount is None or amount * _SECONDS[unit] > _MOST:
        raise ValueError(f"invalid duration {text!r}: it must be at most {LONGEST.days}d")
    if amount <= 0:
        raise ValueError(f"invalid duration {text!r}: it must be more than zero")
    return timedelta(seconds=amount * _SECONDS[unit])


def format_duration(value: timedelta) -> str:
    """The shortest exact form: 2h rather than 120m."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def spoken_duration(value: timedelta) -> Msg:
    """A duration as the reader writes it, in the shortest exact unit: "2 j" to a French
    reader, "2 d" to an English one, "3 h" to both."""
    seconds = int(value.total_seconds())
    if seconds % 86400 == 0:
        return Msg("duration.days", {"number": seconds // 86400})
    if seconds % 3600 == 0:
        return Msg("duration.hours", {"number": seconds // 3600})
    if seconds % 60 == 0:
        return Msg("duration.minutes", {"number": seconds // 60})
    return Msg("duration.seconds", {"number": seconds})
