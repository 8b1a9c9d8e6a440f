"""`hubbot export` and `hubbot log`: the hub's records, for handover and for the EOC.

Times are stored in UTC and shown in the hubs' local time (HUBBOT_TIMEZONE) with the offset,
as the texts show them: `2026-12-02 14:05 -05:00` in CSV and the log, ISO 8601 in JSON.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO

from hubbot.cli.console import UsageError, hub_named, local_time, now, store
from hubbot.domain.durations import parse_duration
from hubbot.settings import Settings
from hubbot.store import exports
from hubbot.store.db import iso

_LOG_SINCE = (
    "SELECT at, COALESCE('M' || person_id, '') AS who, role, action, detail FROM activity_log"
    " WHERE hub_id = ? AND at >= ? ORDER BY id"
)
Row = dict[str, object]


async def _rows(
    settings: Settings, code: str, sql: str, extra: tuple[object, ...] = ()
) -> list[Row]:
    async with store(settings) as db:
        record = await hub_named(db.conn, code)
        rows = await db.fetchall(sql, (record.id, *extra))
        return [dict(row) for row in rows]


async def export(
    settings: Settings, code: str, what: str, fmt: str, out: TextIO | None = None
) -> int:
    """Write needs, offers, the activity log or the status reports as CSV or JSON (the same
    text the console's downloads give: store/exports.py)."""
    out = out or sys.stdout
    async with store(settings) as db:
        record = await hub_named(db.conn, code)
        rows = await exports.rows(db.conn, record.id, what)
    out.write(exports.render(rows, what, fmt, settings.timezone))
    return 0


async def log(
    settings: Settings, code: str, since: str, out: TextIO | None = None, at: datetime | None = None
) -> int:
    """The activity log of the last `since` (e.g. 2h), one line per entry, oldest first."""
    out = out or sys.stdout
    try:
        window = parse_duration(since)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    start = iso((at or now()) - window)
    rows = await _rows(settings, code, _LOG_SINCE, (start,))
    if not rows:
        print(f"Nothing logged at {code.upper()} in the last {since}.", file=out)
    for row in rows:
        when = local_time(str(row["at"]), settings.timezone)
        who, role = str(row["who"] or ""), str(row["role"] or "")
        by = f"{who} ({role})" if who and role else who or role or "-"
        detail = f"  {row['detail']}" if row["detail"] else ""
        print(f"{when}  {by}  {row['action']}{detail}", file=out)
    return 0
