"""LINK codes, and merging two records of one person into one."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from hubbot.store.db import from_iso, iso

Conn = aiosqlite.Connection
MAX_ATTEMPTS = 3


def _hash(code: str) -> str:
    return hashlib.sha256(f"hubbot-link:{code}".encode()).hexdigest()


@dataclass(frozen=True)
class PendingLink:
    target_id: int
    code_hash: str
    expires_at: datetime
    attempts: int

    def matches(self, code: str) -> bool:
        return self.attempts < MAX_ATTEMPTS and hmac.compare_digest(_hash(code), self.code_hash)


async def pending(conn: Conn, person_id: int) -> PendingLink | None:
    async with conn.execute(
        "SELECT target_id, code_hash, expires_at, attempts FROM link_codes WHERE person_id = ?",
        (person_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    expires = from_iso(row[2])
    assert expires is not None
    return PendingLink(row[0], row[1], expires, row[3])


async def start(conn: Conn, person_id: int, target_id: int, code: str, expires: datetime) -> None:
    await conn.execute(
        "INSERT INTO link_codes (person_id, target_id, code_hash, expires_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(person_id) DO UPDATE SET target_id = excluded.target_id,"
        " code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0",
        (person_id, target_id, _hash(code), iso(expires)),
    )


async def fail(conn: Conn, person_id: int) -> None:
    await conn.execute(
        "UPDATE link_codes SET attempts = attempts + 1 WHERE person_id = ?", (person_id,)
    )
    await conn.execute(
        "DELETE FROM link_codes WHERE person_id = ? AND attempts >= ?", (person_id, MAX_ATTEMPTS)
    )


async def merge(conn: Conn, keep: int, drop: int, now: datetime) -> None:
    """Move everything of `drop` to `keep`; `drop` stays as a record pointing at `keep`."""
    moves = [
        "UPDATE addresses SET person_id = :keep WHERE person_id = :drop",
        "INSERT OR IGNORE INTO memberships (hub_id, person_id, joined_at)"
        " SELECT hub_id, :keep, joined_at FROM memberships WHERE person_id = :drop",
        "DELETE FROM memberships WHERE person_id = :drop",
        "UPDATE role_assignments SET person_id = :keep WHERE person_id = :drop",
        "UPDATE items SET person_id = :keep WHERE person_id = :drop",
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
        "DELETE FROM link_codes WHERE person_id IN (:keep, :drop)",
    ]
    params = {"keep": keep, "drop": drop, "now": iso(now)}
    for sql in moves:
        await conn.execute(sql, params)
