"""LINK codes, their counts for abuse limits, and merging two records of one person into one."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso

MAX_ATTEMPTS = 3


def _hash(code: str) -> str:
    return hashlib.sha256(f"hubbot-link:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class PendingLink:
    person_id: int  # who asked
    target_id: int  # whose address got the code
    code_hash: str
    expires_at: datetime
    attempts: int
    confirm_by_target: bool = False  # the target confirms with YES <code>, from there

    def matches(self, code: str) -> bool:
        return self.attempts < MAX_ATTEMPTS and hmac.compare_digest(_hash(code), self.code_hash)


_COLUMNS = "person_id, target_id, code_hash, expires_at, attempts, confirm_by_target"


def _pending(row: Row) -> PendingLink:
    expires = from_iso(row[3])
    assert expires is not None
    return PendingLink(row[0], row[1], row[2], expires, row[4], bool(row[5]))


async def pending(conn: Conn, person_id: int) -> PendingLink | None:
    """The code this person asked for, if any (expired or not)."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM link_codes WHERE person_id = ?", (person_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _pending(row) if row else None


async def waiting_for(conn: Conn, target_id: int, now: datetime) -> list[PendingLink]:
    """Unexpired requests that this person must confirm from their own address."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM link_codes WHERE target_id = ? AND confirm_by_target = 1"
        " AND expires_at > ? ORDER BY expires_at",
        (target_id, iso(now)),
    ) as cursor:
        return [_pending(row) for row in await cursor.fetchall()]


async def start(
    conn: Conn,
    person_id: int,
    target_id: int,
    code: str,
    expires: datetime,
    now: datetime,
    confirm_by_target: bool = False,
) -> None:
    """A new code replaces this person's earlier one; it counts against the target's limit."""
    await conn.execute(
        "INSERT INTO link_codes (person_id, target_id, code_hash, expires_at, confirm_by_target)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(person_id) DO UPDATE SET target_id = excluded.target_id,"
        " code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0,"
        " confirm_by_target = excluded.confirm_by_target",
        (person_id, target_id, _hash(code), iso(expires), int(confirm_by_target)),
    )
    await _event(conn, "code", person_id, target_id, now)


async def fail(conn: Conn, person_id: int, now: datetime, by_target: bool = False) -> None:
    """A wrong code: it uses up a try of the request (the sender's own, or with `by_target`
    those waiting for the sender's YES) and counts against the sender's daily limit."""
    column = "target_id" if by_target else "person_id"
    extra = " AND confirm_by_target = 1" if by_target else ""
    await conn.execute(
        f"UPDATE link_codes SET attempts = attempts + 1 WHERE {column} = ?{extra}", (person_id,)
    )
    await conn.execute(
        f"DELETE FROM link_codes WHERE {column} = ?{extra} AND attempts >= ?",
        (person_id, MAX_ATTEMPTS),
    )
    await _event(conn, "wrong", person_id, None, now)


async def _event(
    conn: Conn, kind: str, person_id: int, target_id: int | None, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO link_events (kind, person_id, target_id, at) VALUES (?, ?, ?, ?)",
        (kind, person_id, target_id, iso(now)),
    )


async def codes_sent_to(conn: Conn, target_id: int, since: datetime) -> int:
    """How many codes went to this person's address since then, whoever asked."""
    async with conn.execute(
        "SELECT COUNT(*) FROM link_events WHERE target_id = ? AND kind = 'code' AND at >= ?",
        (target_id, iso(since)),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def wrong_codes_by(conn: Conn, person_id: int, since: datetime) -> tuple[datetime, ...]:
    """When this person typed a wrong code since then, oldest first."""
    async with conn.execute(
        "SELECT at FROM link_events WHERE person_id = ? AND kind = 'wrong' AND at >= ? ORDER BY at",
        (person_id, iso(since)),
    ) as cursor:
        rows = await cursor.fetchall()
    return tuple(t for row in rows if (t := from_iso(row[0])) is not None)


async def privileged(conn: Conn, person_id: int) -> bool:
    """A coordinator, or the holder of a role in some hub now."""
    async with conn.execute(
        "SELECT EXISTS (SELECT 1 FROM people WHERE id = :p AND is_coordinator = 1)"
        " OR EXISTS (SELECT 1 FROM role_assignments WHERE person_id = :p"
        " AND unassigned_at IS NULL)",
        {"p": person_id},
    ) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def merge(conn: Conn, keep: int, drop: int, now: datetime) -> None:
    """Move everything of `drop` to `keep`; `drop` stays as a record pointing at `keep`."""
    moves = [
        "UPDATE addresses SET person_id = :keep WHERE person_id = :drop",
        "INSERT OR IGNORE INTO memberships (hub_id, person_id, joined_at)"
        " SELECT hub_id, :keep, joined_at FROM memberships WHERE person_id = :drop",
        "DELETE FROM memberships WHERE person_id = :drop",
        "UPDATE role_assignments SET person_id = :keep WHERE person_id = :drop",
        "UPDATE items SET person_id = :keep WHERE person_id = :drop",
        "UPDATE routed SET person_id = :keep WHERE person_id = :drop",  # R M6 answers them
        "UPDATE outbox SET person_id = :keep WHERE person_id = :drop",
        "UPDATE confirmations SET person_id = :keep WHERE person_id = :drop",
        "UPDATE confirmations SET subject_id = :keep WHERE subject_id = :drop",
        # Alerts, roll calls and check-ins under way: their answers must still count.
        "INSERT OR IGNORE INTO broadcast_recipients"
        " (broadcast_id, person_id, outbox_id, skipped, acked_at)"
        " SELECT broadcast_id, :keep, outbox_id, skipped, acked_at FROM broadcast_recipients"
        " WHERE person_id = :drop",
        "DELETE FROM broadcast_recipients WHERE person_id = :drop",
        "INSERT OR IGNORE INTO rollcall_answers"
        " (rollcall_id, person_id, answer, answered_at, text)"
        " SELECT rollcall_id, :keep, answer, answered_at, text FROM rollcall_answers"
        " WHERE person_id = :drop",
        "DELETE FROM rollcall_answers WHERE person_id = :drop",
        "UPDATE asks SET person_id = :keep WHERE person_id = :drop",
        "UPDATE broadcasts SET by_person = :keep WHERE by_person = :drop",
        "UPDATE rollcalls SET by_person = :keep WHERE by_person = :drop",
        "UPDATE people SET is_coordinator = MAX(is_coordinator,"
        "   (SELECT is_coordinator FROM people WHERE id = :drop)),"
        " name = COALESCE(name, (SELECT name FROM people WHERE id = :drop)),"
        " hub_id = COALESCE(hub_id, (SELECT hub_id FROM people WHERE id = :drop))"
        " WHERE id = :keep",
        "UPDATE people SET merged_into = :keep, is_coordinator = 0, hub_id = NULL WHERE id = :drop",
        # One role held twice after the merge stays held once.
        "UPDATE role_assignments SET unassigned_at = :now, unassigned_by = :keep"
        " WHERE person_id = :keep AND unassigned_at IS NULL AND id NOT IN ("
        "   SELECT MIN(id) FROM role_assignments WHERE person_id = :keep"
        "   AND unassigned_at IS NULL GROUP BY hub_id, role_id)",
        "DELETE FROM link_codes WHERE person_id IN (:keep, :drop) OR target_id IN (:keep, :drop)",
    ]
    params = {"keep": keep, "drop": drop, "now": iso(now)}
    for sql in moves:
        await conn.execute(sql, params)
