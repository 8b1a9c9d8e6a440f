"""Broadcasts and roll calls: who they went to, what became of each, who answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.answers import Awaiting, AwaitKind
from hubbot.domain.fanout import Member
from hubbot.domain.jobs import RollcallTally
from hubbot.domain.messages import Priority
from hubbot.domain.models import BroadcastStatus, Rollcall, person_label
from hubbot.domain.outbox_state import TALLIED, OutboxStatus, tallied_as
from hubbot.store import people
from hubbot.store.conn import Conn
from hubbot.store.db import from_iso, iso


async def create_broadcast(
    conn: Conn,
    hub_id: int | None,
    role: str | None,
    body: str,
    priority: str,
    by: int,
    now: datetime,
    send_at: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO broadcasts (hub_id, role, body, priority, by_person, created_at, send_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (hub_id, role, body, priority, by, iso(now), iso(send_at)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@dataclass(frozen=True)
class BroadcastRecord:
    id: int
    hub_id: int | None  # None: every hub
    role: str | None  # only this role's holders, if set
    body: str  # free text, or '#' and a template id
    priority: Priority
    by_person: int | None
    sent_at: datetime | None


async def broadcast(conn: Conn, broadcast_id: int) -> BroadcastRecord | None:
    async with conn.execute(
        "SELECT id, hub_id, role, body, priority, by_person, sent_at FROM broadcasts WHERE id = ?",
        (broadcast_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return BroadcastRecord(
        int(row[0]),
        row[1],
        row[2],
        str(row[3]),
        Priority(row[4]),
        row[5],
        from_iso(row[6]),
    )


async def pending(conn: Conn, broadcast_id: int) -> bool:
    """Whether the broadcast exists and was not sent yet."""
    record = await broadcast(conn, broadcast_id)
    return record is not None and record.sent_at is None


async def audience(
    conn: Conn, hub_id: int | None, role: str | None, coordinators: bool = False
) -> list[Member]:
    """Members of a hub (or of every hub), or only the current holders of a role, or the
    region's coordinators; one query, because a regional broadcast reaches thousands."""
    if coordinators:
        who = "SELECT id FROM people WHERE is_coordinator = 1"
    elif role is not None:
        who = (
            "SELECT DISTINCT person_id FROM role_assignments WHERE unassigned_at IS NULL"
            " AND role_id = :role AND (:hub IS NULL OR hub_id = :hub)"
        )
    else:
        who = "SELECT DISTINCT person_id FROM memberships WHERE (:hub IS NULL OR hub_id = :hub)"
    sql = (
        f"SELECT p.id, p.locale, p.opted_out, {people.preferred_address_sql('p.id')},"
        " COALESCE((SELECT sms_number FROM hubs WHERE id = :hub), h.sms_number)"
        f" FROM people p LEFT JOIN hubs h ON h.id = p.hub_id WHERE p.id IN ({who})"
        " AND p.merged_into IS NULL"
        " ORDER BY p.id"
    )
    async with conn.execute(sql, {"hub": hub_id, "role": role}) as cursor:
        rows = await cursor.fetchall()
    return [Member(int(r[0]), str(r[1]), bool(r[2]), r[3], r[4]) for r in rows]


async def add_recipients(
    conn: Conn, broadcast_id: int, recipients: list[tuple[int, int | None, str | None]]
) -> None:
    """(person, outbox row of their message, why they were skipped) for each recipient."""
    await conn.executemany(
        "INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, person_id, outbox_id, skipped)"
        " VALUES (?, ?, ?, ?)",
        [(broadcast_id, *recipient) for recipient in recipients],
    )


async def mark_sent(conn: Conn, broadcast_id: int, now: datetime) -> None:
    await conn.execute("UPDATE broadcasts SET sent_at = ? WHERE id = ?", (iso(now), broadcast_id))


async def recipient(conn: Conn, broadcast_id: int, person_id: int) -> tuple[bool, bool]:
    """(was it sent to them, have they acknowledged it)."""
    async with conn.execute(
        "SELECT acked_at FROM broadcast_recipients WHERE broadcast_id = ? AND person_id = ?"
        " AND skipped IS NULL",
        (broadcast_id, person_id),
    ) as cursor:
        row = await cursor.fetchone()
    return (row is not None, row is not None and row[0] is not None)


async def unacked_since(conn: Conn, person_id: int, since: datetime) -> Awaiting | None:
    """The newest broadcast sent to the person since `since` that they have not acknowledged."""
    async with conn.execute(
        "SELECT b.id, b.sent_at, b.cap_alert_id FROM broadcast_recipients r JOIN broadcasts b"
        " ON b.id = r.broadcast_id WHERE r.person_id = ? AND r.acked_at IS NULL"
        " AND r.skipped IS NULL AND b.sent_at >= ? ORDER BY b.id DESC LIMIT 1",
        (person_id, iso(since)),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    at = from_iso(row[1]) or since
    label = f"A{row[2]}" if row[2] is not None else f"B{row[0]}"  # an official alert: A3
    return Awaiting(AwaitKind.BROADCAST, int(row[0]), at, label)


async def ack(conn: Conn, broadcast_id: int, person_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE broadcast_recipients SET acked_at = COALESCE(acked_at, ?)"
        " WHERE broadcast_id = ? AND person_id = ?",
        (iso(now), broadcast_id, person_id),
    )


async def status(conn: Conn, broadcast_id: int) -> BroadcastStatus | None:
    row = await broadcast(conn, broadcast_id)
    if row is None:
        return None
    return await tally(conn, "r.broadcast_id = ?", broadcast_id, row.by_person)


async def tally(
    conn: Conn, where: str, param: int, by_person: int | None, prefix: str = "B"
) -> BroadcastStatus:
    """The tallies of the recipients `where` picks (one broadcast, or every hub's relay of an
    official alert), numbered `prefix` and `param` (B5, A3)."""
    async with conn.execute(
        "SELECT r.person_id, r.skipped, r.acked_at, o.status, p.name FROM broadcast_recipients r"
        " LEFT JOIN outbox o ON o.id = r.outbox_id JOIN people p ON p.id = r.person_id"
        f" WHERE {where} ORDER BY r.person_id",
        (param,),
    ) as cursor:
        rows = list(await cursor.fetchall())
    count = dict.fromkeys(TALLIED, 0)
    skipped = acked = 0
    not_acked: list[str] = []
    for person_id, skip, acked_at, outbox_status, name in rows:
        if skip:
            skipped += 1
            continue
        count[tallied_as(outbox_status)] += 1
        if acked_at:
            acked += 1
        else:
            not_acked.append(person_label(person_id, name))
    return BroadcastStatus(
        param,
        by_person,
        len(rows),
        count[OutboxStatus.PENDING],
        count[OutboxStatus.SENT],
        count[OutboxStatus.DELIVERED],
        count[OutboxStatus.FAILED],
        skipped,
        acked,
        tuple(not_acked),
        prefix,
    )


async def start_rollcall(conn: Conn, hub_id: int, by: int, now: datetime, ends: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO rollcalls (hub_id, by_person, started_at, ends_at) VALUES (?, ?, ?, ?)",
        (hub_id, by, iso(now), iso(ends)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def ask_rollcall(conn: Conn, rollcall_id: int, person_id: int) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO rollcall_answers (rollcall_id, person_id) VALUES (?, ?)",
        (rollcall_id, person_id),
    )


async def open_rollcall_for(conn: Conn, person_id: int) -> tuple[Rollcall, datetime] | None:
    """The newest open roll call that asked this person, with their answer so far, and when
    it started."""
    async with conn.execute(
        "SELECT r.id, r.hub_id, r.by_person, a.answer, r.started_at FROM rollcalls r"
        " JOIN rollcall_answers a ON a.rollcall_id = r.id WHERE a.person_id = ?"
        " AND r.closed_at IS NULL ORDER BY r.id DESC LIMIT 1",
        (person_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return Rollcall(row[0], row[1], row[2], row[3]), from_iso(row[4]) or datetime.min


async def answer_rollcall(
    conn: Conn, rollcall_id: int, person_id: int, answer: str, text: str, now: datetime
) -> None:
    """Record an answer; a later one replaces an earlier one."""
    await conn.execute(
        "UPDATE rollcall_answers SET answer = ?, text = ?, answered_at = ? WHERE rollcall_id = ?"
        " AND person_id = ?",
        (answer, text, iso(now), rollcall_id, person_id),
    )


async def close_rollcall(conn: Conn, rollcall_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE rollcalls SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
        (iso(now), rollcall_id),
    )


async def rollcall_tally(conn: Conn, rollcall_id: int) -> RollcallTally:
    """The answers so far: safe, need help or unclear, the silent, who started it."""
    async with conn.execute(
        "SELECT a.person_id, a.answer, r.by_person FROM rollcall_answers a"
        " JOIN rollcalls r ON r.id = a.rollcall_id WHERE a.rollcall_id = ? ORDER BY a.person_id",
        (rollcall_id,),
    ) as cursor:
        rows = list(await cursor.fetchall())
    silent = tuple(int(r[0]) for r in rows if r[1] is None)
    by = int(rows[0][2]) if rows and rows[0][2] is not None else None
    safe = sum(1 for r in rows if r[1] == "1")
    helpme = sum(1 for r in rows if r[1] is not None and r[1] != "1")  # unclear counts too
    return RollcallTally(safe, helpme, silent, by)
