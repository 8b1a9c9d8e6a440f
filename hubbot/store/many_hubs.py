"""Many hubs read at once for timed work: their rows, rosters, members, exercise, long shifts."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from hubbot.domain.models import Hub, HubStatus
from hubbot.domain.playbook import Playbook
from hubbot.store.conn import Conn
from hubbot.store.db import iso


def marks(ids: Collection[object]) -> str:
    """The placeholders of an IN list; the values go as parameters, never into the SQL."""
    return ",".join("?" * len(ids))


# Holders no message reaches (hubs.cut_off's choice): they sent STOP, or no address of theirs
# is usable; the same as people.preferred_address finding none.
_CUT = (
    "CASE WHEN p.opted_out = 1 OR NOT EXISTS (SELECT 1 FROM addresses a"
    " WHERE a.person_id = r.person_id AND a.unreachable = 0) THEN 1 ELSE 0 END"
)


async def rosters(
    conn: Conn, hub_ids: Collection[int], reachable: bool = False
) -> dict[int, dict[str, tuple[int, ...]]]:
    """Each hub's roster, as hubs.roster reads it: holders in the order they were assigned.
    `reachable`: holders no message reaches are left out, so a role only they hold is vacant."""
    found: dict[int, dict[str, list[int]]] = {hub_id: {} for hub_id in hub_ids}
    if hub_ids:
        async with conn.execute(
            f"SELECT r.hub_id, r.role_id, r.person_id, {_CUT if reachable else '0'}"
            " FROM role_assignments r JOIN people p ON p.id = r.person_id"
            f" WHERE r.hub_id IN ({marks(hub_ids)}) AND r.unassigned_at IS NULL"
            " ORDER BY r.assigned_at, r.id",
            tuple(hub_ids),
        ) as cursor:
            for hub_id, role_id, person_id, cut in await cursor.fetchall():
                if not cut:
                    found[int(hub_id)].setdefault(str(role_id), []).append(int(person_id))
    return {hub: {role: tuple(ids) for role, ids in roles.items()} for hub, roles in found.items()}


async def members(conn: Conn, hub_ids: Collection[int]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {hub_id: set() for hub_id in hub_ids}
    if hub_ids:
        async with conn.execute(
            f"SELECT hub_id, person_id FROM memberships WHERE hub_id IN ({marks(hub_ids)})",
            tuple(hub_ids),
        ) as cursor:
            for row in await cursor.fetchall():
                found[int(row[0])].add(int(row[1]))
    return {hub_id: frozenset(ids) for hub_id, ids in found.items()}


async def loaded(
    conn: Conn,
    hub_ids: Collection[int],
    playbooks: Mapping[str, Playbook],
    reachable: bool,
    with_members: bool = True,
) -> dict[int, Hub]:
    """The hubs as the core sees them (hubs.load), in three queries for all of them; a hub
    that is gone is left out. `reachable`: see `rosters`. Without `with_members` a hub's
    members are left empty, for work that decides on roles alone."""
    found: dict[int, tuple[object, ...]] = {}
    if hub_ids:
        async with conn.execute(
            "SELECT id, code, name, locale, status, playbook_id, address FROM hubs"
            f" WHERE id IN ({marks(hub_ids)})",
            tuple(hub_ids),
        ) as cursor:
            found = {int(row[0]): tuple(row) for row in await cursor.fetchall()}
    roster = await rosters(conn, found, reachable)
    member = await members(conn, found) if with_members else {}
    return {
        hub_id: Hub(
            id=hub_id,
            code=str(code),
            name=str(name),
            locale=str(locale),
            status=HubStatus(str(status)),
            playbook=playbooks[str(playbook_id)],
            roster=roster[hub_id],
            members=member.get(hub_id, frozenset()),
            address=None if address is None else str(address),
        )
        for hub_id, (_, code, name, locale, status, playbook_id, address) in found.items()
    }


async def open_playbooks(conn: Conn) -> list[tuple[int, str]]:
    """(id, playbook) of every open hub, by code: two columns, not every hub's whole row
    (planning looks at them after every message)."""
    async with conn.execute(
        "SELECT id, playbook_id FROM hubs WHERE status = ? ORDER BY code",
        (HubStatus.ACTIVE.value,),
    ) as cursor:
        return [(int(row[0]), str(row[1])) for row in await cursor.fetchall()]


async def exercise_flags(conn: Conn, hub_ids: Collection[int]) -> dict[int, bool]:
    """Which of the hubs are in exercise mode (a hub that is gone is not)."""
    return {hub_id: bool(value) for hub_id, value in await _column(conn, hub_ids, "exercise")}


async def members_changes(conn: Conn, hub_ids: Collection[int]) -> dict[int, int]:
    """Each hub's count of membership changes (migration 26), as this transaction sees it."""
    return {hub_id: int(value) for hub_id, value in await _column(conn, hub_ids, "members_changes")}


async def _column(conn: Conn, hub_ids: Collection[int], column: str) -> list[tuple[int, Any]]:
    """One column of the hubs named (`column` is this module's, never a caller's input)."""
    if not hub_ids:
        return []
    sql = f"SELECT id, {column} FROM hubs WHERE id IN ({marks(hub_ids)})"
    async with conn.execute(sql, tuple(hub_ids)) as cursor:
        return [(int(row[0]), row[1]) for row in await cursor.fetchall()]


async def long_shifts(
    conn: Conn, hub_ids: Collection[int], since: datetime
) -> dict[int, list[tuple[int, int, str]]]:
    """hubs.long_shifts for many hubs: (assignment id, person, role) by hub."""
    found: dict[int, list[tuple[int, int, str]]] = {hub_id: [] for hub_id in hub_ids}
    if hub_ids:
        async with conn.execute(
            "SELECT hub_id, id, person_id, role_id FROM role_assignments"
            f" WHERE hub_id IN ({marks(hub_ids)}) AND unassigned_at IS NULL"
            " AND reminded_at IS NULL AND assigned_at <= ? ORDER BY id",
            (*hub_ids, iso(since)),
        ) as cursor:
            for r in await cursor.fetchall():
                found[int(r[0])].append((int(r[1]), int(r[2]), str(r[3])))
    return found
