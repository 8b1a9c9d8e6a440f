"""Ids handed out ahead of their insert: SQLite's rowid rule, or PostgreSQL's sequences."""

from __future__ import annotations

from hubbot.store.conn import Conn
from hubbot.store.pg_connection import PgConnection


async def reserve(conn: Conn, table: str, count: int = 1) -> list[int]:
    """`count` ids no other row of `table` will take, for rows the caller inserts with them.

    On SQLite the write transaction holds the only writer, so the ids are the largest plus
    one onwards. On PostgreSQL several workers insert at once: the ids come from the table's
    sequence (migrations_pg.py), taken for good, so a rolled-back caller leaves a gap.
    """
    if count <= 0:
        return []
    if isinstance(conn, PgConnection):
        rows = await conn.execute_fetchall(
            f"SELECT nextval('{table}_id_seq') FROM generate_series(1, ?)", (count,)
        )
        return [int(row[0]) for row in rows]
    async with conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}") as cursor:
        row = await cursor.fetchone()
    first = int(row[0]) + 1 if row else 1
    return list(range(first, first + count))
