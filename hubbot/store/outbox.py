"""The outbox: every message we send, rendered, with its lane, status and attempts.

Lanes first, order within a lane: `head` = 1 marks the oldest unsent (pending or sending) row
of its address in its lane, and only heads are sent. So an urgent message overtakes that
person's older normal and bulk ones, while the parts and messages of one lane keep their order.
Whatever moves a row out of pending/sending must hand the head on (`_hand_on`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.addresses import channel_of
from hubbot.store import people
from hubbot.store.db import Database, from_iso, iso

Conn = aiosqlite.Connection

LANE_ORDER = (
    "CASE priority WHEN 'urgent' THEN 0 WHEN 'alert' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
)
UNSENT = "status IN ('pending', 'sending')"  # the exact text of outbox_unsent_lane's WHERE
SENDER = "(channel || ' ' || COALESCE(sender, ''))"  # whose pace a message waits for
_HEADS = "FROM outbox INDEXED BY outbox_head WHERE status = 'pending' AND head = 1"


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    person_id: int | None
    address: str
    channel: str
    text: str
    priority: str
    status: str
    attempts: int
    error: str | None
    created_at: str
    sender: str | None
    buttons: str | None = None  # JSON [[label, command], ...]

    @property
    def button_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((str(a), str(b)) for a, b in json.loads(self.buttons)) if self.buttons else ()

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


_COLUMNS = (
    "id, person_id, address, channel, text, priority, status, attempts, error, created_at, sender,"
    " buttons"
)


@dataclass(frozen=True)
class NewMessage:
    """One outbox row to write: a rendered, shaped part of a message to one address."""

    person_id: int | None
    address: str
    text: str
    priority: str
    msg_key: str | None = None
    inbound_id: int | None = None
    status: str = "pending"
    error: str | None = None
    sender: str | None = None
    buttons: list[tuple[str, str]] | None = None


# A new row is the newest, so it heads its lane unless an unsent row of that address and
# lane exists already (one seek in outbox_unsent_lane). Rows of one executemany see the ones
# written before them: a message's second part waits for its first. `turn` is when a row
# became a head, in id units: the row's own id at insert, the newest id when handed the head.
_NEXT_ID = "(SELECT COALESCE(MAX(id), 0) + 1 FROM outbox)"
_INSERT = (
    "INSERT INTO outbox (id, person_id, address, channel, text, msg_key, priority, status,"
    " next_attempt_at, error, inbound_id, created_at, updated_at, sender, buttons, head, turn)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    "  ?8 IN ('pending', 'sending') AND NOT EXISTS (SELECT 1 FROM outbox p"
    f"   WHERE p.address = ?3 AND p.priority = ?7 AND p.{UNSENT}), COALESCE(?1, {_NEXT_ID}))"
)


def _values(row_id: int | None, m: NewMessage, now: datetime) -> tuple[object, ...]:
    at = iso(now)
    buttons = json.dumps(m.buttons) if m.buttons else None
    return (
        row_id,
        m.person_id,
        m.address,
        channel_of(m.address),
        m.text,
        m.msg_key,
        m.priority,
        m.status,
        at,
        m.error,
        m.inbound_id,
        at,
        at,
        m.sender,
        buttons,
    )


async def enqueue(
    conn: Conn,
    *,
    person_id: int | None,
    address: str,
    text: str,
    priority: str,
    now: datetime,
    msg_key: str | None = None,
    inbound_id: int | None = None,
    status: str = "pending",
    error: str | None = None,
    sender: str | None = None,
    buttons: list[tuple[str, str]] | None = None,
) -> int:
    message = NewMessage(
        person_id, address, text, priority, msg_key, inbound_id, status, error, sender, buttons
    )
    return await _insert(conn, message, now)


async def _insert(conn: Conn, message: NewMessage, now: datetime) -> int:
    cursor = await conn.execute(_INSERT, _values(None, message, now))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def enqueue_many(conn: Conn, messages: list[NewMessage], now: datetime) -> list[int]:
    """Write many rows in one statement (a broadcast to thousands); returns their ids, in order.

    Must run inside a write transaction: BEGIN IMMEDIATE holds the write lock, so nobody else
    can take the ids handed out here.
    """
    if len(messages) < 4:  # a reply in a part or three: plain inserts are one round trip each
        return [await _insert(conn, message, now) for message in messages]
    async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM outbox") as cursor:
        row = await cursor.fetchone()
    first = int(row[0]) + 1 if row else 1
    ids = list(range(first, first + len(messages)))
    await conn.executemany(_INSERT, [_values(first + n, m, now) for n, m in enumerate(messages)])
    return ids


async def due(db: Database, now: datetime, per_sender: int = 16) -> list[OutboxRecord]:
    """Pending messages whose time has come: urgent first, then in the order they were made.

    Only the head of each address's lane goes: a message waits while an older one of its lane
    to the same address is unsent or in flight, but not for another lane's. Within a lane,
    heads go in the order they became heads, so people take turns: a queue of 40 messages to
    one person (a flood relayed to the lead) lets another person's reply go next, not 41st.
    Each sender (an SMS
    number; Telegram) offers its first `per_sender` heads, so a deep backlog on one number that
    its pace holds back never hides what another number or Telegram could send now.
    """
    rows = await db.fetchall(
        # outbox_head holds only pending heads, by sender, then in LANE_ORDER and turn: a few
        # seeks per sender (a loose index scan), however deep the queues behind the heads are.
        f"WITH RECURSIVE senders(pace) AS (SELECT MIN({SENDER}) {_HEADS}"
        f"   UNION ALL SELECT (SELECT MIN({SENDER}) {_HEADS} AND {SENDER} > senders.pace)"
        "   FROM senders WHERE senders.pace IS NOT NULL)"
        f" SELECT {_COLUMNS} FROM senders JOIN outbox ON outbox.id IN (SELECT id {_HEADS}"
        f"   AND {SENDER} = senders.pace AND next_attempt_at <= ?"
        f"   ORDER BY {LANE_ORDER}, turn LIMIT ?)"
        f" ORDER BY {LANE_ORDER}, turn, id",
        (iso(now), per_sender),
    )
    return [OutboxRecord(*row) for row in rows]


async def next_due_time(db: Database, after: datetime) -> datetime | None:
    """When the next pending message that is not yet due becomes due."""
    row = await db.fetchone(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at > ?",
        (iso(after),),
    )
    return from_iso(row[0]) if row else None


async def mark_sending(db: Database, ids: Iterable[int], now: datetime) -> None:
    """Record, durably and before any send, which messages are about to leave."""
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ?",
            [(iso(now), i) for i in ids],
        )


async def _hand_on(conn: Conn, lanes: Iterable[tuple[str, str]]) -> None:
    """After rows left pending/sending, the oldest unsent row of each of their (address, lane)
    pairs becomes its head. Idempotent; one seek in outbox_unsent_lane per pair."""
    await conn.executemany(
        f"UPDATE outbox SET head = 1, turn = {_NEXT_ID} WHERE id = (SELECT id FROM outbox"
        f" WHERE address = ? AND priority = ? AND {UNSENT} ORDER BY id LIMIT 1) AND head = 0",
        list(lanes),
    )


async def _finish(conn: Conn, sql: str, params: tuple[object, ...]) -> None:
    """Apply an UPDATE that takes rows out of pending/sending, and hand their heads on."""
    async with conn.execute(f"{sql} RETURNING address, priority", params) as cursor:
        lanes = {(str(a), str(p)) for a, p in await cursor.fetchall()}
    await _hand_on(conn, lanes)


async def mark_sent(
    db: Database, outbox_id: int, now: datetime, provider_id: str | None, delivered: bool
) -> None:
    status = "delivered" if delivered else "sent"
    async with db.transaction() as conn:
        await _finish(
            conn,
            "UPDATE outbox SET status = ?, provider_id = ?, sent_at = ?, updated_at = ?,"
            " error = NULL, head = 0 WHERE id = ?",
            (status, provider_id, iso(now), iso(now), outbox_id),
        )


async def mark_failed(
    db: Database, outbox_id: int, now: datetime, error: str, code: str | None = None
) -> None:
    async with db.transaction() as conn:
        await _finish(
            conn,
            "UPDATE outbox SET status = 'failed', error = ?, error_code = ?, updated_at = ?,"
            " head = 0 WHERE id = ?",
            (error, code, iso(now), outbox_id),
        )


async def mark_retry(db: Database, outbox_id: int, now: datetime, error: str, at: datetime) -> None:
    """Back to pending, due at `at`; it stays its lane's head, so the next ones wait for it."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'pending', error = ?, next_attempt_at = ?,"
            " updated_at = ? WHERE id = ?",
            (error, iso(at), iso(now), outbox_id),
        )


async def provider_update(
    db: Database,
    provider_id: str,
    provider_status: str,
    status: str,
    error_code: str | None,
    now: datetime,
    opted_out: bool = False,
) -> None:
    """Apply a delivery receipt; a final status is never overwritten. `opted_out`: the
    provider says the recipient blocked us (Twilio 21610), so they are opted out everywhere.

    Only rows `mark_sent` gave a provider id match, and it took them out of pending/sending and
    handed their lane's head on already."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET provider_status = ?, updated_at = ?,"
            " error_code = COALESCE(?, error_code),"
            " status = CASE WHEN status IN ('delivered', 'failed') THEN status ELSE ? END,"
            " error = CASE WHEN ? = 'failed' AND status NOT IN ('delivered', 'failed')"
            "   THEN 'provider: ' || ? ELSE error END"
            " WHERE provider_id = ? RETURNING person_id",
            (
                provider_status,
                iso(now),
                error_code,
                status,
                status,
                provider_status,
                provider_id,
            ),
        )
        row = await cursor.fetchone()
        if opted_out and row and row[0] is not None:
            await people.set_opt_out(conn, int(row[0]), True, now)


async def requeue_interrupted(db: Database, now: datetime) -> int:
    """After a crash, sends that were under way may or may not have left: send them again."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, updated_at = ?"
            " WHERE status = 'sending'",
            (iso(now), iso(now)),
        )
        return cursor.rowcount


async def listing(db: Database, statuses: tuple[str, ...], limit: int = 200) -> list[OutboxRecord]:
    marks = ",".join("?" * len(statuses))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE status IN ({marks}) ORDER BY id LIMIT ?",
        (*statuses, limit),
    )
    return [OutboxRecord(*row) for row in rows]


async def set_buttons(conn: Conn, outbox_id: int, buttons: list[tuple[str, str]]) -> None:
    await conn.execute(
        "UPDATE outbox SET buttons = ? WHERE id = ?", (json.dumps(buttons), outbox_id)
    )
