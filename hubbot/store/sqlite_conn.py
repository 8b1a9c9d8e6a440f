"""SQLite through aiosqlite, with the statements of a transaction run on the event loop."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    """aiosqlite's connection, except that statements inside a transaction run on the event loop.

    Inside BEGIN IMMEDIATE ... COMMIT this connection holds SQLite's write lock, so no statement
    there waits for a lock: each costs microseconds of CPU, fewer than the two thread hops
    aiosqlite spends on it (about 57 hops a message, measured for issue 15). BEGIN, which may
    wait for another process's lock, COMMIT, which waits for the fsync, and every read outside
    a transaction stay on aiosqlite's thread, off the loop. `transaction()` is one at a time, so
    the two threads never use the connection at once."""

    inline = False

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.inline:
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def inline_connect(path: str) -> InlineConnection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly the
    # block we say it is. check_same_thread=False: made on aiosqlite's thread, used on both.
    return InlineConnection(
        lambda: sqlite3.connect(path, isolation_level=None, check_same_thread=False), 64
    )
