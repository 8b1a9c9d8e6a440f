"""Console accounts (who logs in to the web console) and the failed logins that may lock one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso

_SELECT = (
    "SELECT a.id, a.username, a.password_hash, a.role, a.hub_id, h.code AS hub_code,"
    " a.created_at, a.password_changed_at FROM accounts a LEFT JOIN hubs h ON h.id = a.hub_id"
)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    password_hash: str = field(repr=False)  # kept out of logs and tracebacks
    role: str  # coordinator | lead (domain/console_access.py)
    hub_id: int | None
    hub_code: str | None
    created_at: datetime
    password_changed_at: datetime


def _account(row: Row) -> Account:
    created, changed = from_iso(row["created_at"]), from_iso(row["password_changed_at"])
    assert created is not None and changed is not None
    return Account(
        row["id"],
        row["username"],
        row["password_hash"],
        row["role"],
        row["hub_id"],
        row["hub_code"],
        created,
        changed,
    )


async def create(
    conn: Conn, username: str, password_hash: str, role: str, hub_id: int | None, now: datetime
) -> Account:
    """A new account; the name must be free (UNIQUE), and lower case already."""
    cursor = await conn.execute(
        "INSERT INTO accounts (username, password_hash, role, hub_id, created_at,"
        " password_changed_at) VALUES (?, ?, ?, ?, ?, ?)",
        (username, password_hash, role, hub_id, iso(now), iso(now)),
    )
    assert cursor.lastrowid is not None
    account = await by_id(conn, cursor.lastrowid)
    assert account is not None
    return account


async def _one(conn: Conn, where: str, value: object) -> Account | None:
    async with conn.execute(f"{_SELECT} WHERE {where} = ?", (value,)) as cursor:
        row = await cursor.fetchone()
    return _account(row) if row else None


async def by_id(conn: Conn, account_id: int) -> Account | None:
    return await _one(conn, "a.id", account_id)


async def by_username(conn: Conn, username: str) -> Account | None:
    return await _one(conn, "a.username", username)


async def all_accounts(conn: Conn) -> list[Account]:
    """Every account, by name."""
    async with conn.execute(f"{_SELECT} ORDER BY a.username") as cursor:
        return [_account(row) for row in await cursor.fetchall()]


async def remove(conn: Conn, username: str) -> bool:
    """Delete the account; False if there was none. Its failed logins stay until they age out."""
    cursor = await conn.execute("DELETE FROM accounts WHERE username = ?", (username,))
    return cursor.rowcount > 0


async def set_password(conn: Conn, account_id: int, password_hash: str, now: datetime) -> None:
    """A new password: sessions opened before `now` no longer count."""
    await conn.execute(
        "UPDATE accounts SET password_hash = ?, password_changed_at = ? WHERE id = ?",
        (password_hash, iso(now), account_id),
    )


async def rehash(conn: Conn, account_id: int, password_hash: str) -> None:
    """The same password under stronger parameters: sessions stay."""
    await conn.execute(
        "UPDATE accounts SET password_hash = ? WHERE id = ?", (password_hash, account_id)
    )


async def record_failure(conn: Conn, username: str, client: str, at: datetime) -> None:
    await conn.execute(
        "INSERT INTO login_failures (username, client, at) VALUES (?, ?, ?)",
        (username, client, iso(at)),
    )


async def failures_since(conn: Conn, username: str, client: str, since: datetime) -> list[datetime]:
    """The failed logins of this (user name, client address) pair after `since`, oldest first."""
    async with conn.execute(
        "SELECT at FROM login_failures WHERE username = ? AND client = ? AND at > ? ORDER BY at",
        (username, client, iso(since)),
    ) as cursor:
        rows = await cursor.fetchall()
    return [at for row in rows if (at := from_iso(row["at"])) is not None]


async def clear_failures(conn: Conn, username: str, client: str) -> None:
    """After a good login from this client: its earlier mistakes no longer count."""
    await conn.execute(
        "DELETE FROM login_failures WHERE username = ? AND client = ?", (username, client)
    )


async def forget_failures_before(conn: Conn, before: datetime) -> int:
    """Drop failed logins too old to lock anything; how many went."""
    cursor = await conn.execute("DELETE FROM login_failures WHERE at <= ?", (iso(before),))
    return cursor.rowcount
