"""The simulator's mailbox: the texts its pretend phones have received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.store.conn import Store
from hubbot.store.db import iso


@dataclass(frozen=True)
class MailboxMessage:
    id: int
    to: str
    text: str
    at: str


async def deliver(db: Store, address: str, text: str, now: datetime) -> int:
    """Put a text in a phone's mailbox; returns its id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO sim_mailbox (address, text, at) VALUES (?, ?, ?)",
            (address, text, iso(now)),
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def read(db: Store, address: str, after: int, limit: int) -> list[MailboxMessage]:
    """What the phone received after message `after`, oldest first."""
    rows = await db.fetchall(
        "SELECT id, address, text, at FROM sim_mailbox WHERE address = ? AND id > ?"
        " ORDER BY id LIMIT ?",
        (address, after, limit),
    )
    return [MailboxMessage(*row) for row in rows]
