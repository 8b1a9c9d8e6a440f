"""Who may see which hub in the web console, and when repeated wrong passwords lock a login."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# 5 failed logins for one user name from one client address within 15 minutes lock that pair
# until the oldest of those five is 15 minutes old.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# What is kept of a user name typed in the login form, known or not: failures are counted per
# name, and a pasted novel must not be stored whole.
TYPED_NAME_LIMIT = 128


class ConsoleRole(StrEnum):
    COORDINATOR = "coordinator"
    LEAD = "lead"


@dataclass(frozen=True)
class Access:
    """What an account is, as far as the console's scope goes: a role (as stored) and a hub."""

    role: str
    hub_id: int | None = None


def may_see(access: Access, hub_id: int) -> bool:
    """A coordinator sees and acts on every hub; a lead on their own only. Anything else (an
    unknown role, a lead without a hub) sees nothing, and the console answers as if the hub did
    not exist: 404, so an account cannot learn which hubs there are."""
    if access.role == ConsoleRole.COORDINATOR:
        return True
    if access.role == ConsoleRole.LEAD:
        return access.hub_id is not None and access.hub_id == hub_id
    return False


def visible_hubs(access: Access, hub_ids: Iterable[int]) -> list[int]:
    """The hubs among `hub_ids` the account may see, in the order given."""
    return [hub_id for hub_id in hub_ids if may_see(access, hub_id)]


def recent(failures: Sequence[datetime], now: datetime) -> list[datetime]:
    """The failures that still count at `now`, oldest first."""
    start = now - LOCKOUT_WINDOW
    return sorted(at for at in failures if start < at <= now)


def locked(failures: Sequence[datetime], now: datetime) -> bool:
    """Whether a (user name, client address) pair with these failed logins is locked at `now`:
    5 within the last 15 minutes. 4 are not enough, and older ones no longer count."""
    return len(recent(failures, now)) >= LOCKOUT_FAILURES


def locked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """When the lock lifts (the moment fewer than 5 failures are within the window), or None
    if the pair is not locked."""
    counted = recent(failures, now)
    if len(counted) < LOCKOUT_FAILURES:
        return None
    return counted[-LOCKOUT_FAILURES] + LOCKOUT_WINDOW


def typed_name(text: str) -> str:
    """A user name as looked up and counted: trimmed, lower case, and bounded."""
    return text.strip().lower()[:TYPED_NAME_LIMIT]


def username_problem(text: str) -> str | None:
    """Why `text` cannot be an account's name, or None if it can."""
    if not USERNAME.match(typed_name(text)):
        return (
            f"{text.strip()!r} cannot be a user name: use 1 to 64 letters, digits, '.', '_'"
            " or '-', starting with a letter or digit"
        )
    return None


def password_problem(password: str) -> str | None:
    """Why `password` is refused for an account, or None if it will do."""
    if not password:
        return "the password is empty: give it on standard input"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
    return None
