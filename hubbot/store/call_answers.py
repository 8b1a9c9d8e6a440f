"""What a person last answered a hub's roll call or check-in, and in their words: whether a
call for help that nobody confirmed still stands (domain/safety.py decides)."""

from __future__ import annotations

from hubbot.store.conn import Conn

_ROLLCALL = (
    "SELECT a.answer, a.text FROM rollcall_answers a JOIN rollcalls r ON r.id = a.rollcall_id"
    " WHERE r.hub_id = ? AND a.person_id = ? AND a.answered_at IS NOT NULL"
    " ORDER BY a.answered_at DESC, r.id DESC LIMIT 1"
)
_CHECKIN = (
    "SELECT a.state, a.answer FROM asks a JOIN rounds r ON r.id = a.round_id"
    " WHERE r.hub_id = ? AND a.person_id = ? AND a.answered_at IS NOT NULL"
    " ORDER BY a.answered_at DESC, a.id DESC LIMIT 1"
)
_BY_KIND = {"rollcall_help": _ROLLCALL, "checkin_help": _CHECKIN}


async def latest(
    conn: Conn, kind: str, hub_id: int, person_id: int
) -> tuple[str | None, str] | None:
    """(answer, words) of the person's latest answer to what `kind` of alert was about (a
    roll call: 1, 2 or ?; a check-in: its reading), or None."""
    sql = _BY_KIND.get(kind)
    if sql is None:
        return None
    async with conn.execute(sql, (hub_id, person_id)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return (None if row[0] is None else str(row[0])), str(row[1] or "")
