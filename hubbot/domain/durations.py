"""Durations as people write them: 90s, 15m, 2h, 3d (or 3j in French)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdj])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "j": "days"}


def parse_duration(text: str) -> timedelta:
    """Parse '90s', '15m', '2h', '3d' or '3j'; raise ValueError with a helpful message."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(
            f"invalid duration {text!r}: write a number and a unit, like 90s, 15m, 2h or 3d"
        )
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount <= 0:
        raise ValueError(f"invalid duration {text!r}: it must be more than zero")
    return timedelta(**{_UNITS[unit]: amount})


def format_duration(value: timedelta) -> str:
    """The shortest exact form: 2h rather than 120m."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
