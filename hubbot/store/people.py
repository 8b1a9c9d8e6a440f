"""Queries on people, their addresses and the coordinators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubbot.addresses import channel_of
from hubbot.domain.models import Person, person_label
from hubbot.store import ids
from hubbot.store.conn import Conn, Row
from hubbot.store.db import from_iso, iso


def _person(row: Row) -> Person:
    return Person(
        id=row["id"],
        locale=row["locale"],
        locale_explicit=bool(row["locale_explicit"]),
        name=row["name"],
        is_coordinator=bool(row["is_coordinator"]),
        opted_out=bool(row["opted_out"]),
        hub_id=row["hub_id"],
        pin_failures=row["pin_failures"],
        pin_locked_until=from_iso(row["pin_locked_until"]),
        list_state=row["list_state"],
    )


async def _one(conn: Conn, sql: str, params: tuple[object, ...]) -> Person | None:
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return _person(row) if row else None


async def get(conn: Conn, person_id: int) -> Person | None:
    return await _one(conn, "SELECT * FROM people WHERE id = ?", (person_id,))


async def by_address(conn: Conn, address: str) -> Person | None:
    sql = "SELECT p.* FROM people p JOIN addresses a ON a.person_id = p.id WHERE a.address = ?"
    return await _one(conn, sql, (address,))


async def by_username(conn: Conn, username: str) -> Person | None:
    sql = (
        "SELECT * FROM people WHERE telegram_username = ? AND merged_into IS NULL"
        " ORDER BY id DESC LIMIT 1"
    )
    return await _one(conn, sql, (username.lower(),))


async def next_id(conn: Conn) -> int:
    """An id for a person the caller creates with it (create(person_id=...)) in this
    transaction: no one else's (store/ids.py)."""
    [person_id] = await ids.reserve(conn, "people")
    return person_id


async def create(
    conn: Conn, address: str, locale: str, now: datetime, person_id: int | None = None
) -> Person:
    cursor = await conn.execute(
        "INSERT INTO people (id, locale, created_at) VALUES (?, ?, ?)",
        (person_id, locale, iso(now)),
    )
    person_id = cursor.lastrowid
    assert person_id is not None
    await add_address(conn, person_id, address, None)
    person = await get(conn, person_id)
    assert person is not None
    return person


async def add_address(conn: Conn, person_id: int, address: str, seen: datetime | None) -> None:
    await conn.execute(
        "INSERT INTO addresses (address, channel, person_id, last_seen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(address) DO UPDATE SET person_id = excluded.person_id",
        (address, channel_of(address), person_id, iso(seen)),
    )


async def touch_address(conn: Conn, address: str, now: datetime) -> None:
    """They wrote from it: it is their current address, and the bot is not blocked there."""
    await conn.execute(
        "UPDATE addresses SET last_seen_at = ?, unreachable = 0 WHERE address = ?",
        (iso(now), address),
    )


# Where to reach someone: the reachable address they last wrote from.
_PREFERRED = (
    "SELECT address FROM addresses WHERE person_id = {person} AND unreachable = 0"
    " ORDER BY last_seen_at IS NULL, last_seen_at DESC, rowid LIMIT 1"
)


def preferred_address_sql(person_column: str) -> str:
    """The same choice as `preferred_address`, as a subquery on a column of a larger query."""
    return f"({_PREFERRED.format(person=person_column)})"


async def preferred_address(conn: Conn, person_id: int) -> str | None:
    async with conn.execute(_PREFERRED.format(person="?"), (person_id,)) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def has_written_where_reached(conn: Conn, person_id: int) -> bool:
    """Whether the address a message to this person would go to has written to hubbot."""
    sql = _PREFERRED.format(person="?").replace("SELECT address", "SELECT last_seen_at")
    async with conn.execute(sql, (person_id,)) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def hubs_of(conn: Conn, person_id: int) -> frozenset[int]:
    """The hubs a person is in: member, role holder now, or current hub."""
    async with conn.execute(
        "SELECT hub_id FROM memberships WHERE person_id = :p"
        " UNION SELECT hub_id FROM role_assignments WHERE person_id = :p"
        " AND unassigned_at IS NULL"
        " UNION SELECT hub_id FROM people WHERE id = :p AND hub_id IS NOT NULL",
        {"p": person_id},
    ) as cursor:
        return frozenset(int(row[0]) for row in await cursor.fetchall())


async def holds_a_role(conn: Conn, person_id: int) -> bool:
    """Whether the person holds a role in some hub now."""
    async with conn.execute(
        "SELECT 1 FROM role_assignments WHERE person_id = ? AND unassigned_at IS NULL LIMIT 1",
        (person_id,),
    ) as cursor:
        return await cursor.fetchone() is not None


async def coordinators(conn: Conn) -> tuple[Person, ...]:
    async with conn.execute("SELECT * FROM people WHERE is_coordinator = 1 ORDER BY id") as cur:
        return tuple(_person(row) for row in await cur.fetchall())


async def set_coordinator(conn: Conn, person_id: int, coordinator: bool = True) -> None:
    await conn.execute(
        "UPDATE people SET is_coordinator = ? WHERE id = ?", (int(coordinator), person_id)
    )


async def merged_into(conn: Conn, person_id: int) -> int | None:
    """The person this record was merged into (LINK or `hubbot person link`), if it was."""
    async with conn.execute("SELECT merged_into FROM people WHERE id = ?", (person_id,)) as c:
        row = await c.fetchone()
    return int(row[0]) if row and row[0] is not None else None


@dataclass(frozen=True)
class AddressRecord:
    address: str
    channel: str
    last_seen_at: str | None
    unreachable: bool


async def addresses_of(conn: Conn, person_id: int) -> list[AddressRecord]:
    """A person's addresses, the one messages go to first."""
    async with conn.execute(
        "SELECT address, channel, last_seen_at, unreachable FROM addresses WHERE person_id = ?"
        " ORDER BY unreachable, last_seen_at IS NULL, last_seen_at DESC, rowid",
        (person_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [AddressRecord(r[0], r[1], r[2], bool(r[3])) for r in rows]


async def set_fields(conn: Conn, person_id: int, **fields: object) -> None:
    """Update named columns of one person; names come from our own code, never from input."""
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(
        f"UPDATE people SET {assignments} WHERE id = ?", (*fields.values(), person_id)
    )


async def labels(conn: Conn, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    async with conn.execute(
        f"SELECT id, name FROM people WHERE id IN ({marks})", tuple(person_ids)
    ) as cursor:
        rows = await cursor.fetchall()
    return {row["id"]: person_label(row["id"], row["name"]) for row in rows}


async def set_username(conn: Conn, person_id: int, username: str | None) -> None:
    if username:
        await conn.execute(
            "UPDATE people SET telegram_username = ? WHERE id = ?", (username.lower(), person_id)
        )


async def mark_unreachable(conn: Conn, address: str) -> None:
    """The person blocked the bot there: stop choosing that address until they write again."""
    await conn.execute("UPDATE addresses SET unreachable = 1 WHERE address = ?", (address,))


async def set_opt_out(conn: Conn, person_id: int, opted_out: bool, now: datetime) -> None:
    """STOP (or Twilio's 21610) and START: the one place opting out is recorded."""
    await set_fields(
        conn, person_id, opted_out=int(opted_out), opted_out_at=iso(now) if opted_out else None
    )
