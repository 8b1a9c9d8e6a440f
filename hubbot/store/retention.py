"""Retention: message texts and the contacts of people no hub needs go after a while.

A hub is *live* while it is open and for `retention` after it closes. What a live hub may
need is kept whatever its age: the messages of its members, role holders and coordinators, and
of its own number and team groups. Everything else older than `retention` goes:

- inbound and outbox rows keep their place (ids, times, status, lane, kind of message, who by
  member number, delivery receipts) but lose their text, channel details and address, so
  counts, broadcast tallies and references stay right; unprocessed and unsent rows are never
  touched;
- simulator mailbox rows are deleted (nothing refers to them);
- a person who is no coordinator, in no live hub, and not heard from within `retention` is
  *forgotten*: their addresses (phone numbers, Telegram ids), name, Telegram username and
  their memberships of closed hubs go; their member number stays, so the activity log, the
  board and past tallies still read "M12";
- flood-control buckets not used within `retention` are deleted;
- delivery receipts kept because they came before their send was recorded
  (store/delivery.py), and that matched no send within a day, are deleted whatever
  `retention` is: a send is recorded within seconds, so theirs will never be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hubbot.store.conn import Conn
from hubbot.store.db import iso
from hubbot.store.outbox import UNSENT

# Hubs that are open or closed less than `retention` ago, and whom and what they may need.
_KEEP = """
WITH live AS (
    SELECT id, sms_number FROM hubs
    WHERE status = 'active' OR COALESCE(status_changed_at, created_at) >= :cutoff
),
kept AS (
    SELECT person_id AS id FROM memberships WHERE hub_id IN (SELECT id FROM live)
    UNION SELECT person_id FROM role_assignments WHERE hub_id IN (SELECT id FROM live)
    UNION SELECT id FROM people WHERE hub_id IN (SELECT id FROM live)
    UNION SELECT id FROM people WHERE is_coordinator = 1 AND EXISTS (SELECT 1 FROM live)
),
kept_addresses AS (
    SELECT address FROM addresses WHERE person_id IN (SELECT id FROM kept)
    UNION SELECT 'sms:' || sms_number FROM live WHERE sms_number IS NOT NULL
    UNION SELECT 'telegram:' || chat_id FROM hub_groups WHERE hub_id IN (SELECT id FROM live)
)
"""

_INBOUND = (
    _KEEP
    + """
UPDATE inbound SET text = '', payload = NULL, address = '', purged_at = :now
WHERE purged_at IS NULL AND received_at < :cutoff AND processed_at IS NOT NULL
    AND address NOT IN (SELECT address FROM kept_addresses)
    AND COALESCE(to_address, '') NOT IN (SELECT address FROM kept_addresses)
    AND COALESCE(CASE WHEN json_valid(payload)
        THEN 'telegram:' || json_extract(payload, '$.group_chat') END, '')
        NOT IN (SELECT address FROM kept_addresses)
"""
)

_OUTBOX = (
    _KEEP
    + f"""
UPDATE outbox SET text = '', buttons = NULL, address = '', purged_at = :now
WHERE purged_at IS NULL AND created_at < :cutoff AND NOT {UNSENT}
    AND COALESCE(person_id, 0) NOT IN (SELECT id FROM kept)
    AND address NOT IN (SELECT address FROM kept_addresses)
    AND COALESCE('sms:' || sender, '') NOT IN (SELECT address FROM kept_addresses)
"""
)

_MAILBOX = (
    _KEEP
    + """
DELETE FROM sim_mailbox
WHERE at < :cutoff AND address NOT IN (SELECT address FROM kept_addresses)
"""
)

_FORGETTABLE = (
    _KEEP
    + """
SELECT id FROM people p
WHERE forgotten_at IS NULL AND is_coordinator = 0 AND created_at < :cutoff
    AND id NOT IN (SELECT id FROM kept)
    AND NOT EXISTS (
        SELECT 1 FROM addresses a WHERE a.person_id = p.id AND a.last_seen_at >= :cutoff
    )
ORDER BY id
"""
)

_FORGET = (
    "DELETE FROM addresses WHERE person_id = :id",
    "DELETE FROM memberships WHERE person_id = :id",
    "UPDATE people SET name = NULL, telegram_username = NULL, list_state = NULL, hub_id = NULL,"
    " forgotten_at = :now WHERE id = :id",
)

# A bucket is full again long before this (domain/flood.py): deleting it changes nothing.
_BUCKETS = "DELETE FROM flood WHERE at < :cutoff AND COALESCE(held_until, '') < :now"

EARLY_RECEIPT_LIFE = timedelta(days=1)
_EARLY_RECEIPTS = "DELETE FROM early_receipts WHERE received_at < :receipts_cutoff"


@dataclass(frozen=True)
class Purged:
    """How many of each kind of record a purge emptied or removed."""

    inbound: int = 0
    outbox: int = 0
    mailbox: int = 0
    people: int = 0
    buckets: int = 0
    receipts: int = 0  # delivery receipts that never matched a send

    def __str__(self) -> str:
        return (
            f"{self.inbound} inbound text(s), {self.outbox} outbox text(s), "
            f"{self.mailbox} simulator mailbox row(s) and the contacts of {self.people} "
            f"person(s) purged"
        )


async def purge(conn: Conn, now: datetime, retention: timedelta) -> Purged:
    """Purge what no live hub needs and is older than `retention`, in one transaction."""
    params = {
        "cutoff": iso(now - retention),
        "now": iso(now),
        "receipts_cutoff": iso(now - EARLY_RECEIPT_LIFE),
    }

    async def run(sql: str) -> int:
        await conn.execute(sql, params)
        # Not cursor.rowcount: Python's sqlite3 reports -1 for statements that begin with WITH.
        async with conn.execute("SELECT changes()") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    inbound, outbox, mailbox = await run(_INBOUND), await run(_OUTBOX), await run(_MAILBOX)
    async with conn.execute(_FORGETTABLE, params) as cursor:
        ids = [int(row[0]) for row in await cursor.fetchall()]
    for sql in _FORGET:
        await conn.executemany(sql, [{"id": person_id, "now": params["now"]} for person_id in ids])
    buckets, receipts = await run(_BUCKETS), await run(_EARLY_RECEIPTS)
    return Purged(inbound, outbox, mailbox, len(ids), buckets, receipts)
