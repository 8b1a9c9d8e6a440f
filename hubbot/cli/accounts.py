"""`hubbot user add|list|remove|set-password`: the accounts that log in to the web console."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from hubbot.cli.console import Commands, UsageError, command, hub_named, log, now, store
from hubbot.domain.console_access import (
    ConsoleRole,
    password_problem,
    typed_name,
    username_problem,
)
from hubbot.passwords import hash_password
from hubbot.settings import Settings
from hubbot.store import accounts

STDIN_HELP = "read the password from standard input (one line, at least 12 characters)"


def register(commands: Commands) -> None:
    user = command(commands, "user", None, help="accounts of the web console")
    actions = user.add_subparsers(dest="action", required=True)
    add = command(
        actions,
        "add",
        lambda s, a: user_add(s, a.name, a.role, a.hub, _password(a.password_stdin)),
        help="an account: a coordinator (every hub) or a lead (one hub)",
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in ConsoleRole])
    add.add_argument("--hub", help="the lead's hub (a lead only)")
    add.add_argument("--password-stdin", action="store_true", help=STDIN_HELP)
    command(actions, "list", lambda s, a: user_list(s), help="the accounts: name, role, hub")
    remove = command(
        actions, "remove", lambda s, a: user_remove(s, a.name), help="delete an account"
    )
    remove.add_argument("name")
    password = command(
        actions,
        "set-password",
        lambda s, a: user_set_password(s, a.name, _password(a.password_stdin)),
        help="a new password for an account",
    )
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help=STDIN_HELP)


def _password(from_stdin: bool, source: TextIO | None = None) -> str:
    """The password, as one line on standard input (its line ending is not part of it)."""
    if not from_stdin:
        raise UsageError(
            "the password is read from standard input only: add --password-stdin and pipe"
            " it in (never on the command line, where others may see it)"
        )
    text = (source or sys.stdin).read()
    password = text.removesuffix("\n").removesuffix("\r")
    if "\n" in password or "\r" in password:
        raise UsageError("the password must be one line")
    return password


def _checked_password(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise UsageError(problem)
    return password


async def user_add(
    settings: Settings,
    name: str,
    role: str,
    hub_code: str | None,
    password: str,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    problem = username_problem(name)
    if problem is not None:
        raise UsageError(problem)
    if role == ConsoleRole.LEAD and not hub_code:
        raise UsageError("a lead account needs --hub CODE: the hub it sees and acts on")
    if role == ConsoleRole.COORDINATOR and hub_code:
        raise UsageError("a coordinator sees every hub: leave out --hub")
    username = typed_name(name)
    hashed = await asyncio.to_thread(hash_password, _checked_password(password))
    async with store(settings) as db, db.transaction() as conn:
        hub = await hub_named(conn, hub_code) if hub_code else None
        if await accounts.by_username(conn, username) is not None:
            raise UsageError(
                f"there is already a user {username}; see `hubbot user list`, or"
                " `hubbot user set-password`"
            )
        at = now()
        await accounts.create(conn, username, hashed, role, hub.id if hub else None, at)
        await log(conn, hub.id if hub else None, "account_added", f"{username} ({role})", at)
    where = f"hub {hub.code} only" if hub else "every hub"
    print(f"User {username} added: a {role}, who sees {where} in the console.", file=out)
    return 0


async def user_list(settings: Settings, out: TextIO | None = None) -> int:
    """One line per account: name, role, hub. Never a password hash."""
    out = out or sys.stdout
    async with store(settings) as db:
        found = await accounts.all_accounts(db.conn)
    if not found:
        print(
            "No console accounts yet. Add one:"
            " hubbot user add NAME --role coordinator --password-stdin",
            file=out,
        )
    for account in found:
        print(f"{account.username:<24} {account.role:<12} {account.hub_code or '-'}", file=out)
    return 0


async def user_remove(settings: Settings, name: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    username = typed_name(name)
    async with store(settings) as db, db.transaction() as conn:
        account = await accounts.by_username(conn, username)
        if account is None:
            raise UsageError(f"no user {username}; see `hubbot user list`")
        await accounts.remove(conn, username)
        detail = f"{username} ({account.role})"
        await log(conn, account.hub_id, "account_removed", detail, now())
    print(f"User {username} removed: they can no longer log in to the console.", file=out)
    return 0


async def user_set_password(
    settings: Settings, name: str, password: str, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    username = typed_name(name)
    hashed = await asyncio.to_thread(hash_password, _checked_password(password))
    async with store(settings) as db, db.transaction() as conn:
        account = await accounts.by_username(conn, username)
        if account is None:
            raise UsageError(f"no user {username}; see `hubbot user list`")
        at = now()
        await accounts.set_password(conn, account.id, hashed, at)
        await log(conn, account.hub_id, "password_changed", f"{username} ({account.role})", at)
    print(f"User {username} has a new password; the old one no longer works.", file=out)
    return 0
