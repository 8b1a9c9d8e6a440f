"""People and the address a message to each would go to, many at once (a batch of timed work)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hubbot.domain.models import person_label
from hubbot.store.conn import Conn
from hubbot.store.people import preferred_address_sql


@dataclass(frozen=True, slots=True)
class Reach:
    """What a batch needs of a person: a few columns (cheaper than the whole Person for the
    thousands of a region's role holders), and where a message to them would go."""

    id: int
    locale: str
    name: str | None
    is_coordinator: bool
    opted_out: bool
    address: str | None  # people.preferred_address; None: no channel reaches them

    @property
    def label(self) -> str:
        return person_label(self.id, self.name)


_COLUMNS = "p.id, p.locale, p.name, p.is_coordinator, p.opted_out"


async def many(conn: Conn, person_ids: Collection[int]) -> dict[int, Reach]:
    """Each person found, by id."""
    if not person_ids:
        return {}
    sql = (
        f"SELECT {_COLUMNS}, {preferred_address_sql('p.id')} FROM people p"
        f" WHERE p.id IN ({','.join('?' * len(person_ids))})"
    )
    found: dict[int, Reach] = {}
    async with conn.execute(sql, tuple(person_ids)) as cursor:
        for r in await cursor.fetchall():
            address = str(r[5]) if r[5] else None
            found[int(r[0])] = Reach(int(r[0]), r[1], r[2], bool(r[3]), bool(r[4]), address)
    return found
