"""Console passwords, hashed with argon2id (argon2-cffi's defaults); never logged, never shown."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Checked:
    """Whether a password matched, and a fresh hash to store when the old one's parameters are
    weaker than today's defaults."""

    ok: bool
    rehashed: str | None = None


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(stored: str, password: str) -> Checked:
    """Verify `password` against `stored`; a damaged hash is a mismatch, not a crash."""
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return Checked(False)
    if _HASHER.check_needs_rehash(stored):
        return Checked(True, _HASHER.hash(password))
    return Checked(True)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("hubbot: no such account")


def waste_like_a_check(password: str) -> None:
    """Spend the time of a real check, for a user name that has no account: how long a login
    takes must not tell whether the name exists."""
    check_password(_dummy_hash(), password)
