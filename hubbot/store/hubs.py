"""Queries on hubs, their members and their current roster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from hubbot.domain.models import Hub, HubStatus, person_label
from hubbot.domain.playbook import Playbook
from hubbot.store.conn import Conn, Row
from hubbot.store.db import iso
from hubbot.store.people import preferred_address_sql


@dataclass(frozen=True)
class HubRecord:
    id: int
    code: str
    name: str
    pin_hash: str
    locale: str
    sms_number: str | None
    playbook_id: str
    status: str
    address: str | None = None
    status_changed_at: str | None = None
    lat: float | None = None  # where it is, for official alerts' areas (domain/geo.py)
    lon: float | None = None
    sgc: str | None = None  # Statistics Canada geographic code, e.g. 2466023
    exercise: bool = False  # in exercise mode: its messages say EXERCICE / EXERCISE
    members_changes: int = 0  # memberships added or removed so far (migration 26's triggers)


def _record(row: Row) -> HubRecord:
    return HubRecord(
        row["id"],
        row["code"],
        row["name"],
        row["pin_hash"],
        row["locale"],
        row["sms_number"],
        row["playbook_id"],
        row["status"],
        row["address"],
        row["status_changed_at"],
        row["lat"],
        row["lon"],
        row["sgc"],
        bool(row["exercise"]),
        int(row["members_changes"]),
    )


async def _find(conn: Conn, where: str, value: object) -> HubRecord | None:
    async with conn.execute(f"SELECT * FROM hubs WHERE {where} = ?", (value,)) as cursor:
        row = await cursor.fetchone()
    return _record(row) if row else None


async def by_code(conn: Conn, code: str) -> HubRecord | None:
    return await _find(conn, "code", code.upper())


async def by_id(conn: Conn, hub_id: int) -> HubRecord | None:
    return await _find(conn, "id", hub_id)


async def by_sms_number(conn: Conn, number: str) -> HubRecord | None:
    return await _find(conn, "sms_number", number)


async def all_hubs(conn: Conn) -> list[HubRecord]:
    async with conn.execute("SELECT * FROM hubs ORDER BY code") as cursor:
        return [_record(row) for row in await cursor.fetchall()]


async def create(
    conn: Conn,
    code: str,
    name: str,
    pin_hash: str,
    locale: str,
    sms_number: str | None,
    playbook_id: str,
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO hubs (code, name, pin_hash, locale, sms_number, playbook_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code.upper(), name, pin_hash, locale, sms_number, playbook_id, iso(now)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def set_address(conn: Conn, hub_id: int, address: str | None) -> None:
    await conn.execute("UPDATE hubs SET address = ? WHERE id = ?", (address, hub_id))


async def set_pin(conn: Conn, hub_id: int, pin_hash: str) -> None:
    await conn.execute("UPDATE hubs SET pin_hash = ? WHERE id = ?", (pin_hash, hub_id))


async def set_status(conn: Conn, hub_id: int, status: HubStatus, now: datetime) -> None:
    await conn.execute(
        "UPDATE hubs SET status = ?, status_changed_at = ? WHERE id = ?",
        (status.value, iso(now), hub_id),
    )


async def roster(conn: Conn, hub_id: int) -> dict[str, tuple[int, ...]]:
    async with conn.execute(
        "SELECT role_id, person_id FROM role_assignments"
        " WHERE hub_id = ? AND unassigned_at IS NULL ORDER BY assigned_at, id",
        (hub_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    result: dict[str, list[int]] = {}
    for row in rows:
        result.setdefault(row["role_id"], []).append(row["person_id"])
    return {role: tuple(ids) for role, ids in result.items()}


async def roles_held(conn: Conn, person_id: int) -> list[tuple[int, str]]:
    """(hub id, role id) of every role a person holds now, in the order they got them."""
    async with conn.execute(
        "SELECT hub_id, role_id FROM role_assignments"
        " WHERE person_id = ? AND unassigned_at IS NULL ORDER BY assigned_at, id",
        (person_id,),
    ) as cursor:
        return [(int(row[0]), str(row[1])) for row in await cursor.fetchall()]


async def members(conn: Conn, hub_id: int) -> frozenset[int]:
    async with conn.execute("SELECT person_id FROM memberships WHERE hub_id = ?", (hub_id,)) as c:
        return frozenset(int(row[0]) for row in await c.fetchall())


async def load(
    conn: Conn,
    record: HubRecord,
    playbooks: Mapping[str, Playbook],
    known: frozenset[int] | None = None,
) -> Hub:
    """The hub as the core sees it, with its playbook, roster and members (read, unless the
    caller knows them as they are now)."""
    return Hub(
        id=record.id,
        code=record.code,
        name=record.name,
        locale=record.locale,
        status=HubStatus(record.status),
        playbook=playbooks[record.playbook_id],
        roster=await roster(conn, record.id),
        members=await members(conn, record.id) if known is None else known,
        address=record.address,
    )


async def join(conn: Conn, hub_id: int, person_id: int, now: datetime) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO memberships (hub_id, person_id, joined_at) VALUES (?, ?, ?)",
        (hub_id, person_id, iso(now)),
    )
    await conn.execute("UPDATE people SET hub_id = ? WHERE id = ?", (hub_id, person_id))


async def assign(
    conn: Conn, hub_id: int, person_id: int, role_id: str, by: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO role_assignments (hub_id, person_id, role_id, assigned_by, assigned_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (hub_id, person_id, role_id, by, iso(now)),
    )


async def unassign(
    conn: Conn, hub_id: int, person_id: int, role_id: str, by: int, now: datetime
) -> None:
    await conn.execute(
        "UPDATE role_assignments SET unassigned_at = ?, unassigned_by = ?"
        " WHERE hub_id = ? AND person_id = ? AND role_id = ? AND unassigned_at IS NULL",
        (iso(now), by, hub_id, person_id, role_id),
    )


async def link_group(conn: Conn, chat_id: int, hub_id: int, by: int, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO hub_groups (chat_id, hub_id, linked_by, linked_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(chat_id) DO UPDATE SET hub_id = excluded.hub_id,"
        " linked_by = excluded.linked_by, linked_at = excluded.linked_at",
        (str(chat_id), hub_id, by, iso(now)),
    )


async def groups(conn: Conn, hub_id: int) -> list[str]:
    """The Telegram group chats linked to a hub, as addresses."""
    async with conn.execute("SELECT chat_id FROM hub_groups WHERE hub_id = ?", (hub_id,)) as c:
        return [f"telegram:{row[0]}" for row in await c.fetchall()]


async def long_shifts(conn: Conn, hub_id: int, since: datetime) -> list[tuple[int, int, str]]:
    """(assignment id, person, role) held since before `since` and not yet reminded."""
    async with conn.execute(
        "SELECT id, person_id, role_id FROM role_assignments WHERE hub_id = ?"
        " AND unassigned_at IS NULL AND reminded_at IS NULL AND assigned_at <= ? ORDER BY id",
        (hub_id, iso(since)),
    ) as cursor:
        return [(int(r[0]), int(r[1]), str(r[2])) for r in await cursor.fetchall()]


async def mark_reminded(conn: Conn, assignment_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE role_assignments SET reminded_at = ? WHERE id = ?", (iso(now), assignment_id)
    )


@dataclass(frozen=True)
class CutOff:
    """A hub's role holders no message reaches now, and what the lead already heard."""

    reasons: dict[int, str]  # person id -> "opted_out" | "unreachable"
    told: frozenset[tuple[int, str]]  # (person id, role id) the lead heard about, this time
    labels: dict[int, str]  # "M12 Ana", for telling the lead who it is


# Holders who sent STOP or have no usable address left (the same choice as where outbound
# sends). "Told" counts only if it came after the person last went quiet: after their latest
# STOP, or after they last wrote (writing in makes a blocked address usable again).
_CUT_OFF = """
SELECT r.person_id, r.role_id, p.name, p.opted_out,
    r.cut_off_told_at IS NOT NULL AND CASE WHEN p.opted_out = 1
        THEN coalesce(p.opted_out_at, '') <= r.cut_off_told_at
        ELSE coalesce((SELECT max(a.last_seen_at) FROM addresses a
                       WHERE a.person_id = r.person_id), '') <= r.cut_off_told_at
    END AS told
FROM role_assignments r JOIN people p ON p.id = r.person_id
WHERE r.hub_id = ? AND r.unassigned_at IS NULL
    AND (p.opted_out = 1 OR {address} IS NULL)
"""


async def cut_off(conn: Conn, hub_id: int) -> CutOff:
    """One query over the hub's current role holders (see domain/reach.py)."""
    sql = _CUT_OFF.format(address=preferred_address_sql("r.person_id"))
    async with conn.execute(sql, (hub_id,)) as cursor:
        rows = await cursor.fetchall()
    return CutOff(
        {row["person_id"]: "opted_out" if row["opted_out"] else "unreachable" for row in rows},
        frozenset((row["person_id"], row["role_id"]) for row in rows if row["told"]),
        {row["person_id"]: person_label(row["person_id"], row["name"]) for row in rows},
    )


async def note_cut_off(
    conn: Conn, hub_id: int, person_id: int, role_id: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE role_assignments SET cut_off_told_at = ? WHERE hub_id = ? AND person_id = ?"
        " AND role_id = ? AND unassigned_at IS NULL",
        (iso(now), hub_id, person_id, role_id),
    )


async def set_place(
    conn: Conn, hub_id: int, lat: float | None, lon: float | None, sgc: str | None
) -> None:
    """Where the hub is; None leaves that part as it was."""
    await conn.execute(
        "UPDATE hubs SET lat = COALESCE(?, lat), lon = COALESCE(?, lon), sgc = COALESCE(?, sgc)"
        " WHERE id = ?",
        (lat, lon, sgc, hub_id),
    )


async def set_exercise(conn: Conn, hub_id: int, on: bool) -> None:
    await conn.execute("UPDATE hubs SET exercise = ? WHERE id = ?", (int(on), hub_id))


async def in_exercise(conn: Conn, hub_id: int) -> bool:
    async with conn.execute("SELECT exercise FROM hubs WHERE id = ?", (hub_id,)) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def coordinators_outside(conn: Conn, hub_id: int | None) -> set[int]:
    """Coordinators who are not members of `hub_id`: an exercise there is not theirs."""
    async with conn.execute(
        "SELECT id FROM people WHERE is_coordinator = 1 AND id NOT IN"
        " (SELECT person_id FROM memberships WHERE hub_id = ?)",
        (hub_id,),
    ) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}
