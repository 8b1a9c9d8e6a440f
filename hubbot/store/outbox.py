"""The outbox: every message we send, rendered, with its lane, status and attempts.

Lanes first, order within a lane: `head` = 1 marks the oldest unsent (pending or sending) row
of its address in its lane, and only heads are sent. So an urgent message overtakes that
person's older normal and bulk ones, while the parts and messages of one lane keep their order.
Whatever moves a row out of pending/sending must hand the head on (`_hand_on`).
Which status may follow which is `hubbot.domain.outbox_state`'s: every UPDATE here that changes
a status writes its WHERE from that table, so the table and the SQL cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hubbot.addresses import channel_of
from hubbot.domain import outbox_state
from hubbot.domain.messages import Priority
from hubbot.domain.outbox_state import INITIAL, OutboxStatus, in_order
from hubbot.store import ids
from hubbot.store.conn import Conn, Row, Store
from hubbot.store.db import iso


def status_in(statuses: Iterable[OutboxStatus], column: str = "status") -> str:
    """SQL true for a row in one of `statuses`, written the same way each time (an index's
    WHERE is matched by its terms, so a query must spell them as the index does)."""
    quoted = [f"'{s}'" for s in in_order(frozenset(statuses))]
    if len(quoted) <= 1:
        return f"{column} = {quoted[0]}" if quoted else "0"
    return f"{column} IN ({', '.join(quoted)})"


def _lane_order() -> str:
    lanes = tuple(Priority)  # in the order they go; the last is the ELSE
    whens = " ".join(f"WHEN '{lane}' THEN {n}" for n, lane in enumerate(lanes[:-1]))
    return f"CASE priority {whens} ELSE {len(lanes) - 1} END"


LANE_ORDER = _lane_order()  # the exact text of outbox_head's lane expression
UNSENT = status_in(outbox_state.UNSENT)  # the exact text of outbox_unsent_lane's WHERE
SENDER = "(channel || ' ' || COALESCE(sender, ''))"  # whose pace a message waits for
PENDING = status_in([OutboxStatus.PENDING])
HEADS = f"FROM outbox INDEXED BY outbox_head WHERE {PENDING} AND head = 1"


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    person_id: int | None
    address: str
    channel: str
    text: str
    priority: Priority
    status: OutboxStatus
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


COLUMNS = (
    "id, person_id, address, channel, text, priority, status, attempts, error, created_at, sender,"
    " buttons"
)


def record_of(row: Row) -> OutboxRecord:
    """A row of COLUMNS, its lane and status typed."""
    id_, person_id, address, channel, text, lane, status, *rest = row
    return OutboxRecord(
        id_, person_id, address, channel, text, Priority(lane), OutboxStatus(status), *rest
    )


@dataclass(frozen=True)
class NewMessage:
    """One outbox row to write: a rendered, shaped part of a message to one address."""

    person_id: int | None
    address: str
    text: str
    priority: Priority
    msg_key: str | None = None
    inbound_id: int | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    error: str | None = None
    sender: str | None = None
    buttons: list[tuple[str, str]] | None = None

    def __post_init__(self) -> None:
        if self.status not in INITIAL:
            raise ValueError(f"a new outbox row cannot be {self.status!r}")


# A new row is the newest, so it heads its lane unless an unsent row of that address and
# lane exists already (one seek in outbox_unsent_lane). Rows of one executemany see the ones
# written before them: a message's second part waits for its first. `turn` is when a row
# became a head, in id units: the row's own id at insert, the newest id when handed the head.
NEXT_ID = "(SELECT COALESCE(MAX(id), 0) + 1 FROM outbox)"
_INSERT = (
    "INSERT INTO outbox (id, person_id, address, channel, text, msg_key, priority, status,"
    " next_attempt_at, error, inbound_id, created_at, updated_at, sender, buttons, head, turn)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    f"  {status_in(outbox_state.UNSENT, '?8')} AND NOT EXISTS (SELECT 1 FROM outbox p"
    f"   WHERE p.address = ?3 AND p.priority = ?7 AND p.{UNSENT}), COALESCE(?1, {NEXT_ID}))"
)


def _values(
    row_id: int | None, m: NewMessage, at: str | None, buttons: str | None
) -> tuple[object, ...]:
    """The row's parameters; `at` is now as stored, `buttons` the JSON of m.buttons."""
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
    priority: Priority,
    now: datetime,
    msg_key: str | None = None,
    inbound_id: int | None = None,
    status: OutboxStatus = OutboxStatus.PENDING,
    error: str | None = None,
    sender: str | None = None,
    buttons: list[tuple[str, str]] | None = None,
) -> int:
    message = NewMessage(
        person_id, address, text, priority, msg_key, inbound_id, status, error, sender, buttons
    )
    return await _insert(conn, message, now)


async def _insert(conn: Conn, message: NewMessage, now: datetime) -> int:
    buttons = json.dumps(message.buttons) if message.buttons else None
    cursor = await conn.execute(_INSERT, _values(None, message, iso(now), buttons))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def enqueue_many(conn: Conn, messages: list[NewMessage], now: datetime) -> list[int]:
    """Write many rows in one statement (a broadcast to thousands); returns their ids, in order.

    Must run inside a write transaction: the ids are reserved there (store/ids.py).
    """
    if len(messages) < 4:  # a reply in a part or three: plain inserts are one round trip each
        return [await _insert(conn, message, now) for message in messages]
    taken = await ids.reserve(conn, "outbox", len(messages))
    at = iso(now)
    # The messages of a batch share a few sets of buttons (one per language): each written
    # once. The messages hold their buttons meanwhile, so no id is reused.
    shown: dict[int, str] = {}
    for m in messages:
        if m.buttons and id(m.buttons) not in shown:
            shown[id(m.buttons)] = json.dumps(m.buttons)
    await conn.executemany(
        _INSERT,
        [
            _values(i, m, at, shown[id(m.buttons)] if m.buttons else None)
            for i, m in zip(taken, messages, strict=True)
        ],
    )
    return taken


async def listing(
    db: Store, statuses: Iterable[OutboxStatus], limit: int = 200
) -> list[OutboxRecord]:
    wanted = tuple(statuses)
    marks = ",".join("?" * len(wanted))
    rows = await db.fetchall(
        f"SELECT {COLUMNS} FROM outbox WHERE status IN ({marks}) ORDER BY id LIMIT ?",
        (*wanted, limit),
    )
    return [record_of(row) for row in rows]


async def set_buttons(conn: Conn, outbox_id: int, buttons: list[tuple[str, str]]) -> None:
    await conn.execute(
        "UPDATE outbox SET buttons = ? WHERE id = ?", (json.dumps(buttons), outbox_id)
    )
