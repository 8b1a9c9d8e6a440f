"""Which hubs a worker may act for now: on PostgreSQL, one worker at a time per hub."""

from __future__ import annotations

from collections.abc import Collection

from hubbot.store.conn import Conn
from hubbot.store.pg_connection import PgConnection

# pg_try_advisory_xact_lock(_HUB_TURNS, hub id): held until the transaction ends.
_HUB_TURNS = 0x6875_6200


async def hub_turn(conn: Conn, hub_id: int) -> bool:
    """Whether this transaction may decide for `hub_id`: on PostgreSQL one worker at a time
    holds a hub, until its transaction ends, so the hub's messages and timed work go one after
    another and its board numbers and roster follow them; false while another worker has it.
    SQLite's transactions are one at a time already."""
    return hub_id in await hub_turns(conn, [hub_id])


async def hub_turns(conn: Conn, hub_ids: Collection[int]) -> set[int]:
    """`hub_turn` for many hubs in one statement: those this transaction now holds."""
    wanted = sorted(set(hub_ids))
    if not isinstance(conn, PgConnection) or not wanted:
        return set(wanted)
    values = ", ".join("(?)" for _ in wanted)
    rows = await conn.execute_fetchall(
        f"SELECT h FROM (VALUES {values}) AS v(h) WHERE pg_try_advisory_xact_lock(?, h)",
        (*wanted, _HUB_TURNS),
    )
    return {int(row[0]) for row in rows}
