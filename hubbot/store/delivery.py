"""Moving what the outbox holds through its statuses: which messages are due, marking them
sending, sent, failed or to retry, delivery receipts, and recovery after a crash.

Every UPDATE here that changes a status writes its WHERE from hubbot.domain.outbox_state's
table, so a final status is never overwritten. Whatever takes a row out of pending/sending
hands its lane's head on (`_hand_on`; store/outbox.py explains lanes and heads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hubbot.domain import outbox_state
from hubbot.domain.messages import Priority
from hubbot.domain.outbox_state import OutboxStatus
from hubbot.store import people
from hubbot.store.conn import Conn, Store
from hubbot.store.db import from_iso, iso
from hubbot.store.outbox import (
    COLUMNS,
    HEADS,
    LANE_ORDER,
    NEXT_ID,
    PENDING,
    SENDER,
    UNSENT,
    OutboxRecord,
    record_of,
    status_in,
)
from hubbot.store.pg import PgDatabase


async def due(db: Store, now: datetime, per_sender: int = 16) -> list[OutboxRecord]:
    """Pending messages whose time has come: urgent first, then in the order they were made.

    Only the head of each address's lane goes: a message waits while an older one of its lane
    to the same address is unsent or in flight, but not for another lane's. Within a lane,
    heads go in the order they became heads, so people take turns: a queue of 40 messages to
    one person (a flood relayed to the lead) lets another person's reply go next, not 41st.
    Each sender (an SMS
    number; Telegram) offers its first `per_sender` heads, so a deep backlog on one number that
    its pace holds back never hides what another number or Telegram could send now.
    """
    # outbox_head holds only pending heads, by sender, then in LANE_ORDER and turn: a few
    # seeks per sender (a loose index scan), however deep the queues behind the heads are.
    senders = (
        f"WITH RECURSIVE senders(pace) AS (SELECT MIN({SENDER}) {HEADS}"
        f"   UNION ALL SELECT (SELECT MIN({SENDER}) {HEADS} AND {SENDER} > senders.pace)"
        "   FROM senders WHERE senders.pace IS NOT NULL)"
    )
    if isinstance(db, PgDatabase):
        # PostgreSQL runs the IN form below as a scan per sender (about a second at 20,000
        # rows); LATERAL, which SQLite lacks, takes each sender's first heads by the index.
        picked = (
            f" SELECT {COLUMNS} FROM senders CROSS JOIN LATERAL (SELECT {COLUMNS}, turn {HEADS}"
            f"   AND {SENDER} = senders.pace AND next_attempt_at <= ?"
            f"   ORDER BY {LANE_ORDER}, turn LIMIT ?) AS heads"
        )
    else:
        picked = (
            f" SELECT {COLUMNS} FROM senders JOIN outbox ON outbox.id IN (SELECT id {HEADS}"
            f"   AND {SENDER} = senders.pace AND next_attempt_at <= ?"
            f"   ORDER BY {LANE_ORDER}, turn LIMIT ?)"
        )
    rows = await db.fetchall(
        f"{senders}{picked} ORDER BY {LANE_ORDER}, turn, id", (iso(now), per_sender)
    )
    return [record_of(row) for row in rows]


async def next_due_time(db: Store, after: datetime) -> datetime | None:
    """When the next pending message that is not yet due becomes due."""
    row = await db.fetchone(
        f"SELECT MIN(next_attempt_at) FROM outbox WHERE {PENDING} AND next_attempt_at > ?",
        (iso(after),),
    )
    return from_iso(row[0]) if row else None


def _moves(new: OutboxStatus) -> str:
    """The WHERE term of a dispatcher's move to `new`: from the statuses the table allows."""
    return status_in(outbox_state.send_sources(new))


async def mark_sending(
    db: Store, ids: Iterable[int], now: datetime, owner: str | None = None
) -> frozenset[int]:
    """Record, durably and before any send, which messages are about to leave, and which
    worker (`owner`) sends them. Returns the ids so marked: only those may be sent (a row no
    longer pending is not this send's)."""
    wanted = list(ids)
    if not wanted:
        return frozenset()
    async with db.transaction() as conn:
        return await mark_sending_in(conn, wanted, now, owner)


async def mark_sending_in(
    conn: Conn, ids: list[int], now: datetime, owner: str | None = None
) -> frozenset[int]:
    """mark_sending inside a transaction the caller holds (the pacing booking's)."""
    if not ids:
        return frozenset()
    async with conn.execute(
        "UPDATE outbox SET status = ?, attempts = attempts + 1, updated_at = ?, claimed_by = ?"
        f" WHERE id IN ({','.join('?' * len(ids))}) AND {_moves(OutboxStatus.SENDING)}"
        " RETURNING id",
        (OutboxStatus.SENDING, iso(now), owner, *ids),
    ) as cursor:
        return frozenset(int(row[0]) for row in await cursor.fetchall())


def may_send() -> str:
    """SQL true for a row that may still be marked sending (no other worker took it)."""
    return _moves(OutboxStatus.SENDING)


async def _hand_on(conn: Conn, lanes: Iterable[tuple[str, str]]) -> None:
    """After rows left pending/sending, the oldest unsent row of each of their (address, lane)
    pairs becomes its head. Idempotent; one seek in outbox_unsent_lane per pair."""
    await conn.executemany(
        f"UPDATE outbox SET head = 1, turn = {NEXT_ID} WHERE id = (SELECT id FROM outbox"
        f" WHERE address = ? AND priority = ? AND {UNSENT} ORDER BY id LIMIT 1) AND head = 0",
        list(lanes),
    )


async def _finish(conn: Conn, sql: str, params: tuple[object, ...]) -> None:
    """Apply an UPDATE that takes rows out of pending/sending, and hand their heads on."""
    async with conn.execute(f"{sql} RETURNING address, priority", params) as cursor:
        lanes = {(str(a), str(p)) for a, p in await cursor.fetchall()}
    await _hand_on(conn, lanes)


async def mark_sent(
    db: Store, outbox_id: int, now: datetime, provider_id: str | None, delivered: bool
) -> None:
    async with db.transaction() as conn:
        await mark_sent_in(conn, outbox_id, now, provider_id, delivered)


async def mark_sent_in(
    conn: Conn, outbox_id: int, now: datetime, provider_id: str | None, delivered: bool
) -> None:
    """The provider took the message under `provider_id`; receipts for that id that came
    before this (kept by provider_update) are applied now, in the order they came."""
    status = OutboxStatus.DELIVERED if delivered else OutboxStatus.SENT
    await _finish(
        conn,
        "UPDATE outbox SET status = ?, provider_id = ?, sent_at = ?, updated_at = ?,"
        f" error = NULL, head = 0 WHERE id = ? AND {_moves(status)}",
        (status, provider_id, iso(now), iso(now), outbox_id),
    )
    if provider_id is not None:
        await _apply_early(conn, provider_id, now)


async def mark_failed(
    db: Store, outbox_id: int, now: datetime, error: str, code: str | None = None
) -> None:
    async with db.transaction() as conn:
        await mark_failed_in(conn, outbox_id, now, error, code)


async def mark_failed_in(
    conn: Conn, outbox_id: int, now: datetime, error: str, code: str | None = None
) -> None:
    await _finish(
        conn,
        "UPDATE outbox SET status = ?, error = ?, error_code = ?, updated_at = ?,"
        f" head = 0 WHERE id = ? AND {_moves(OutboxStatus.FAILED)}",
        (OutboxStatus.FAILED, error, code, iso(now), outbox_id),
    )


async def mark_retry(db: Store, outbox_id: int, now: datetime, error: str, at: datetime) -> None:
    async with db.transaction() as conn:
        await mark_retry_in(conn, outbox_id, now, error, at)


async def mark_retry_in(
    conn: Conn, outbox_id: int, now: datetime, error: str, at: datetime
) -> None:
    """Back to pending, due at `at`; it stays its lane's head, so the next ones wait for it."""
    await conn.execute(
        "UPDATE outbox SET status = ?, error = ?, next_attempt_at = ?,"
        f" updated_at = ? WHERE id = ? AND {_moves(OutboxStatus.PENDING)}",
        (OutboxStatus.PENDING, error, iso(at), iso(now), outbox_id),
    )


async def provider_update(
    db: Store,
    provider_id: str,
    provider_status: str,
    status: OutboxStatus,
    error_code: str | None,
    now: datetime,
    opted_out: bool = False,
) -> None:
    """Apply a delivery receipt reporting `status` (sent, delivered or failed): it moves the
    row only as the table allows, so a final status is never overwritten; the provider's own
    status and error code are recorded whatever. `opted_out`: the provider says the recipient
    blocked us (Twilio 21610), so they are opted out everywhere.

    Only rows `mark_sent` gave a provider id match, and it took them out of pending/sending and
    handed their lane's head on already; a receipt never moves an unsent row. A receipt that
    matches no row may have beaten mark_sent (the provider calls back as soon as it takes the
    message): it is kept, and mark_sent applies it when it stores that provider id."""
    receipt = _Receipt(provider_id, provider_status, status, error_code, opted_out)
    async with db.transaction() as conn:
        if not await _apply(conn, receipt, now):
            await conn.execute(
                "INSERT INTO early_receipts (provider_id, provider_status, status, error_code,"
                " opted_out, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (provider_id, provider_status, status, error_code, int(opted_out), iso(now)),
            )


@dataclass(frozen=True)
class _Receipt:
    provider_id: str
    provider_status: str
    status: OutboxStatus
    error_code: str | None
    opted_out: bool


async def _apply(conn: Conn, receipt: _Receipt, now: datetime) -> bool:
    """Apply a receipt to the row with its provider id; False if no row has that id (yet)."""
    status = receipt.status
    moves = status_in(outbox_state.receipt_sources(status))
    error = f"CASE WHEN {moves} THEN 'provider: ' || :ps ELSE error END"
    cursor = await conn.execute(
        "UPDATE outbox SET provider_status = :ps, updated_at = :now,"
        " error_code = COALESCE(:code, error_code),"
        f" status = CASE WHEN {moves} THEN :status ELSE status END,"
        f" error = {error if status == OutboxStatus.FAILED else 'error'}"
        " WHERE provider_id = :id RETURNING person_id",
        {
            "ps": receipt.provider_status,
            "now": iso(now),
            "code": receipt.error_code,
            "status": status,
            "id": receipt.provider_id,
        },
    )
    rows = await cursor.fetchall()
    if receipt.opted_out:
        for person_id in {int(row[0]) for row in rows if row[0] is not None}:
            await opt_out(conn, person_id, True, now)
    return bool(rows)


async def opt_out(conn: Conn, person_id: int, opted_out: bool, now: datetime) -> None:
    """STOP (or Twilio's 21610), and START. On STOP the person's replies and broadcasts still
    waiting to leave are never sent (`suppressed`): the confirmation, written after, is the
    last they hear. Urgent and alert messages already queued still go: life safety first."""
    await people.set_opt_out(conn, person_id, opted_out, now)
    if opted_out:
        await _finish(
            conn,
            "UPDATE outbox SET status = ?, error = 'opted out', updated_at = ?, head = 0"
            # Their addresses first: the outbox is found by address (outbox_address).
            " WHERE address IN (SELECT address FROM addresses WHERE person_id = ?)"
            f" AND person_id = ? AND priority IN (?, ?) AND {_moves(OutboxStatus.SUPPRESSED)}",
            (
                OutboxStatus.SUPPRESSED,
                iso(now),
                person_id,
                person_id,
                Priority.NORMAL,
                Priority.BULK,
            ),
        )


async def _apply_early(conn: Conn, provider_id: str, now: datetime) -> None:
    """Apply, oldest first, the receipts for `provider_id` that came before its send was
    recorded, and forget them once a row took them."""
    async with conn.execute(
        "SELECT provider_status, status, error_code, opted_out FROM early_receipts"
        " WHERE provider_id = ? ORDER BY id",
        (provider_id,),
    ) as cursor:
        early = [
            _Receipt(provider_id, str(r[0]), OutboxStatus(r[1]), r[2], bool(r[3]))
            for r in await cursor.fetchall()
        ]
    applied = False
    for receipt in early:
        applied = await _apply(conn, receipt, now) or applied
    if applied:
        await conn.execute("DELETE FROM early_receipts WHERE provider_id = ?", (provider_id,))
