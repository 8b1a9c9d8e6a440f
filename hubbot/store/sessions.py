"""Console sessions: a random cookie token kept only as its sha256, an account, an expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hubbot.store import accounts
from hubbot.store.accounts import Account
from hubbot.store.conn import Conn
from hubbot.store.db import from_iso, iso


@dataclass(frozen=True)
class Session:
    """A live session: whose it is, and the secret its forms carry against CSRF."""

    id: int
    account: Account
    csrf_secret: str = field(repr=False)
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(
    conn: Conn, account_id: int, now: datetime, lifetime: timedelta
) -> tuple[str, Session]:
    """A new session for the account: the token for the cookie (never stored), and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    cursor = await conn.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf_secret, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (_hash(token), account_id, csrf, iso(now), iso(now + lifetime)),
    )
    assert cursor.lastrowid is not None
    account = await accounts.by_id(conn, account_id)
    assert account is not None
    return token, Session(cursor.lastrowid, account, csrf, now + lifetime)


async def live(conn: Conn, token: str, now: datetime) -> Session | None:
    """The session behind a cookie token at `now`, or None: unknown, expired, its account
    removed, or opened before the account's password last changed."""
    async with conn.execute(
        "SELECT id, account_id, csrf_secret, created_at, expires_at FROM sessions"
        " WHERE token_hash = ?",
        (_hash(token),),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    created, expires = from_iso(row["created_at"]), from_iso(row["expires_at"])
    if created is None or expires is None or expires <= now:
        return None
    account = await accounts.by_id(conn, row["account_id"])
    if account is None or created < account.password_changed_at:
        return None
    return Session(row["id"], account, row["csrf_secret"], expires)


async def end(conn: Conn, session_id: int) -> None:
    await conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


async def forget_expired(conn: Conn, now: datetime) -> int:
    """Drop sessions past their expiry; how many went."""
    cursor = await conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (iso(now),))
    return cursor.rowcount
