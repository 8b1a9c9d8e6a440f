"""Console logins: the lockout first, then the password, with failures counted and logged.

The answer is the same whether or not the user name exists (a wrong password and an unknown
name are both `invalid`, and both spend the time of an argon2 check), so the login form cannot
be used to find out who has an account.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hubbot.domain import console_access
from hubbot.domain.effects import LogActivity
from hubbot.passwords import Checked, check_password, waste_like_a_check
from hubbot.store import accounts, activity
from hubbot.store.accounts import Account
from hubbot.store.conn import Conn, Store

log = logging.getLogger(__name__)

CONSOLE = "console"  # the role the activity log gives logins


@dataclass(frozen=True)
class Refusal:
    """Why a login was refused: `locked` (too many failures from this client for this name,
    whatever the password), or `invalid` (wrong name or password, not told apart)."""

    reason: Literal["locked", "invalid"]
    until: datetime | None = None  # when a lock lifts


async def authenticate(
    db: Store, username: str, password: str, client: str, now: datetime
) -> Account | Refusal:
    """The account `username` logs in as, from the client address `client`, or why not."""
    name = console_access.typed_name(username)
    since = now - console_access.LOCKOUT_WINDOW
    async with db.transaction() as conn:
        failures = await accounts.failures_since(conn, name, client, since)
        account = await accounts.by_username(conn, name) if name else None
    until = console_access.locked_until(failures, now)
    if until is not None:
        # Neither checked nor counted: the lock lifts 15 minutes after the fifth failure.
        return Refusal("locked", until)
    # argon2 takes tens of milliseconds of CPU: off the event loop, and outside a transaction.
    if account is None:
        await asyncio.to_thread(waste_like_a_check, password)
        checked = Checked(False)
    else:
        checked = await asyncio.to_thread(check_password, account.password_hash, password)
    async with db.transaction() as conn:
        # Attempts racing each other may have locked the pair meanwhile: the lock wins.
        failures = await accounts.failures_since(conn, name, client, since)
        until = console_access.locked_until(failures, now)
        if until is not None:
            return Refusal("locked", until)
        if account is not None and checked.ok:
            await accounts.clear_failures(conn, name, client)
            if checked.rehashed is not None:
                await accounts.rehash(conn, account.id, checked.rehashed)
            await _log(conn, account.hub_id, "console_login", _who(account), now)
            log.info("console: %s logged in", account.username)
            return account
        await accounts.record_failure(conn, name, client, now)
        await accounts.forget_failures_before(conn, since)
        until = console_access.locked_until([*failures, now], now)
        if until is not None:
            who = _who(account) if account is not None else "an unknown user name"
            hub_id = account.hub_id if account is not None else None
            await _log(conn, hub_id, "console_locked", f"{who} from {client}", now)
            log.warning("console: logins for %s from %s locked", who, client)
            return Refusal("locked", until)
    return Refusal("invalid")


def _who(account: Account) -> str:
    return f"{account.username} ({account.role})"


async def _log(conn: Conn, hub_id: int | None, action: str, detail: str, at: datetime) -> None:
    # An unknown user name is never written: it may be a password typed in the wrong field.
    await activity.append(conn, LogActivity(hub_id, None, CONSOLE, action, detail), at)
