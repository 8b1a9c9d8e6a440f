"""`hubbot export` and `hubbot log`: the hub's records, for handover and for the EOC."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from hubbot.cli.admin import UsageError
from hubbot.domain.durations import parse_duration
from hubbot.settings import Settings
from hubbot.store import hubs
from hubbot.store.db import Database, iso

QUERIES = {
    "needs": "SELECT 'N' || number AS id, category, text, quantity, location, status,"
    " CASE critical WHEN 1 THEN 'yes' ELSE '' END AS critical, resolution, created_at,"
    " expires_at, closed_at, 'M' || person_id AS posted_by, channel FROM items"
    " WHERE hub_id = ? AND kind = 'need' ORDER BY number",
    "offers": "SELECT 'O' || number AS id, category, text, quantity, location, status,"
    " resolution, created_at, expires_at, closed_at, 'M' || person_id AS posted_by, channel"
    " FROM items WHERE hub_id = ? AND kind = 'offer' ORDER BY number",
    "log": "SELECT at, 'M' || person_id AS who, role, action, detail FROM activity_log"
    " WHERE hub_id = ? ORDER BY id",
    "sitreps": "SELECT number, at, 'M' || person_id AS by, body FROM sitreps WHERE hub_id = ?"
    " ORDER BY number",
}

_LOG_SINCE = (
    "SELECT at, 'M' || person_id AS who, role, action, detail FROM activity_log"
    " WHERE hub_id = ? AND at >= ? ORDER BY id"
)


async def _rows(
    settings: Settings, code: str, sql: str, extra: tuple[object, ...] = ()
) -> list[dict[str, object]]:
    db = await Database.open(settings.database)
    try:
        record = await hubs.by_code(db.conn, code)
        if record is None:
            raise UsageError(f"no hub {code.upper()}; see `hubbot hub list`")
        rows = await db.fetchall(sql, (record.id, *extra))
        return [dict(row) for row in rows]
    finally:
        await db.close()


async def export(
    settings: Settings, code: str, what: str, fmt: str, out: TextIO = sys.stdout
) -> int:
    """Write needs, offers, the activity log or the status reports as CSV or JSON."""
    rows = await _rows(settings, code, QUERIES[what])
    if fmt == "json":
        for row in rows:
            if "body" in row:  # a report's figures are JSON already
                row["body"] = json.loads(str(row["body"]))
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out.write(buffer.getvalue())
    return 0


async def log(settings: Settings, code: str, since: str, out: TextIO = sys.stdout) -> int:
    """The activity log of the last `since` (e.g. 2h), one line per entry, oldest first."""
    try:
        window = parse_duration(since)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    start = iso(datetime.now(UTC) - window)
    rows = await _rows(settings, code, _LOG_SINCE, (start,))
    if not rows:
        print(f"Nothing logged at {code.upper()} in the last {since}.", file=out)
    for row in rows:
        local = datetime.fromisoformat(str(row["at"])).astimezone().strftime("%Y-%m-%d %H:%M")
        role = f" ({row['role']})" if row["role"] else ""
        print(f"{local}  {row['who']}{role}  {row['action']}  {row['detail']}", file=out)
    return 0
