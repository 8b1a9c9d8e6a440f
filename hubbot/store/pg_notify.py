"""Workers sharing one PostgreSQL wake each other: each write transaction ends with a NOTIFY,
and each process LISTENs on a connection of its own and wakes its loops when another wrote."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable

import asyncpg

from hubbot.store.pg_connection import connect

log = logging.getLogger(__name__)

CHANNEL = "hubbot"
NOTIFY = f"SELECT pg_notify('{CHANNEL}', $1)"  # delivered at COMMIT, never for a rollback
RETRY = 2.0  # seconds between attempts to listen again after the connection dropped


class Listener:
    """Calls `woken` with the tables written whenever a transaction of another process
    (another token) commits."""

    def __init__(self, dsn: str, token: str, woken: Callable[[frozenset[str]], None]) -> None:
        self.dsn, self.token, self.woken = dsn, token, woken
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="pg-listen")

    async def _listen(self) -> None:
        while True:
            lost = asyncio.Event()
            try:
                self._conn = await connect(self.dsn)
                self._conn.add_termination_listener(_setter(lost))
                await self._conn.add_listener(CHANNEL, self._heard)
                # Anything written while we were not listening: every loop looks once.
                self.woken(EVERYTHING)
                await lost.wait()
                log.warning("store: the LISTEN connection dropped; listening again")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("store: cannot LISTEN (%s); trying again in %g s", exc, RETRY)
            await asyncio.sleep(RETRY)

    def _heard(self, _conn: object, _pid: int, _channel: str, said: str) -> None:
        token, tables = heard(said)
        if token != self.token:
            self.woken(tables)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    """A termination callback bound to this connection's own event."""
    return lambda _conn: event.set()


EVERYTHING = frozenset({"*"})  # a write we cannot name, or writes we may have missed


def payload(token: str, tables: set[str]) -> str:
    """A notification: who wrote, and which tables ("abc123 inbound,outbox")."""
    return f"{token} {','.join(sorted(tables)) or '*'}"


def heard(said: str) -> tuple[str, frozenset[str]]:
    """(who wrote, which tables) from a notification; an unreadable one wakes every loop."""
    token, _, tables = said.partition(" ")
    return token, frozenset(tables.split(",")) if tables else EVERYTHING


def new_token() -> str:
    """Who wrote, in a notification: a process ignores its own."""
    return secrets.token_hex(8)
