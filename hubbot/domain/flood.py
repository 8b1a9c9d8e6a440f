"""Flood control per sender: a token bucket, and what always passes it.

Each sender may have `burst` texts passed on at once and `per_minute` more each minute after
that. The first text over the limit starts a hold of `hold` (the time the whole burst takes to
come back): nothing of theirs is passed on until it ends, and they are told once, at its start.
Their texts are still stored; the shell marks them throttled. After the hold the bucket is full
again, so a sender who keeps flooding has at most `burst` texts passed on, and one notice, per
hold and burst: the long-run rate stays under `per_minute`.
Compliance words (STOP, START, HELP) and life-safety words always pass and cost nothing: STOP
must be honoured whatever came before, and "911" must never wait behind a flood.
The bucket is refilled on the time each text was received, not when it is processed, so a
backlog worked through after a restart does not look like a flood.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hubbot.domain.playbook import Playbook

# Commands that are compliance words (domain/commands.py): honoured whatever the rate.
COMPLIANCE = frozenset({"stop", "start", "help"})


@dataclass(frozen=True)
class FloodLimit:
    """How much one sender may send; `per_minute` 0 turns flood control off."""

    per_minute: float = 0.0
    burst: int = 20

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def hold(self) -> timedelta:
        """How long a throttling episode lasts: the time the whole burst takes to refill."""
        return timedelta(minutes=self.minutes)

    @property
    def minutes(self) -> int:
        """The hold in whole minutes, as the sender is told it (at least one)."""
        return max(1, math.ceil(self.burst / self.per_minute)) if self.enabled else 0


@dataclass(frozen=True)
class Bucket:
    """One sender's allowance: tokens left at `at`, and the end of a hold under way."""

    tokens: float
    at: datetime
    held_until: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    bucket: Bucket
    passed: bool
    notice: bool = False  # the first text of a hold: tell the sender, once


def admit(bucket: Bucket | None, limit: FloodLimit, at: datetime) -> Verdict:
    """Whether a text received `at` is passed on, and the sender's bucket after it."""
    if not limit.enabled:
        return Verdict(bucket or Bucket(limit.burst, at), passed=True)
    if bucket is None:
        bucket = Bucket(float(limit.burst), at)
    # Texts may be judged slightly out of order (two channels): time never runs backwards.
    elapsed = max(0.0, (at - bucket.at).total_seconds() / 60)
    now = Bucket(
        min(float(limit.burst), bucket.tokens + elapsed * limit.per_minute),
        max(at, bucket.at),
        bucket.held_until,
    )
    if now.held_until is not None and at < now.held_until:
        return Verdict(now, passed=False)
    if now.tokens >= 1:
        return Verdict(replace(now, tokens=now.tokens - 1, held_until=None), passed=True)
    return Verdict(replace(now, held_until=at + limit.hold), passed=False, notice=True)


def always_passes(command: str, text: str, opted_out: bool, playbooks: Iterable[Playbook]) -> bool:
    """Compliance words, YES from someone opted out (it opts them back in), life-safety words.

    Life-safety words are those of the sender's hub's playbook, or of any playbook when the
    sender has no hub yet: better a flooder's "911" read once too often than missed.
    """
    if command in COMPLIANCE or (command == "yes" and opted_out):
        return True
    return any(playbook.is_life_safety(text) for playbook in playbooks)
