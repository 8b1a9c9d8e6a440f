"""What a console account's person sent and was answered, read back for the hub page."""

from __future__ import annotations

from hubbot.store.conn import Conn


async def last_sent(conn: Conn, address: str) -> str | None:
    """The text of the last command the console sent as this address."""
    async with conn.execute(
        "SELECT text FROM inbound WHERE address = ? ORDER BY id DESC LIMIT 1", (address,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row is not None else None


async def replies(conn: Conn, address: str, limit: int = 5) -> list[str]:
    """The last replies hubbot queued for this address, newest first."""
    async with conn.execute(
        "SELECT text FROM outbox WHERE address = ? AND purged_at IS NULL ORDER BY id DESC LIMIT ?",
        (address, limit),
    ) as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def holds_role_in(conn: Conn, person_id: int, hub_id: int) -> bool:
    async with conn.execute(
        "SELECT 1 FROM role_assignments WHERE person_id = ? AND hub_id = ?"
        " AND unassigned_at IS NULL",
        (person_id, hub_id),
    ) as cursor:
        return await cursor.fetchone() is not None
