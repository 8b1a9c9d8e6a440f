"""`hubbot export` and `hubbot log`: the hub's records, for handover and for the EOC.

Times are stored in UTC and shown in the hubs' local time (HUBBOT_TIMEZONE) with the offset,
as the texts show them: `2026-12-02 14:05 -05:00` in CSV and the log, ISO 8601 in JSON.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from hubbot.cli.console import UsageError, hub_named, local_time, now, store
from hubbot.domain.durations import parse_duration
from hubbot.settings import Settings
from hubbot.store.db import iso

QUERIES = {
    "needs": "SELECT 'N' || number AS id, category, text, quantity, location, status,"
    " CASE critical WHEN 1 THEN 'yes' ELSE '' END AS critical, resolution, created_at,"
    " expires_at, closed_at, 'M' || person_id AS posted_by, channel FROM items"
    " WHERE hub_id = ? AND kind = 'need' ORDER BY number",
    "offers": "SELECT 'O' || number AS id, category, text, quantity, location, status,"
    " resolution, created_at, expires_at, closed_at, 'M' || person_id AS posted_by, channel"
    " FROM items WHERE hub_id = ? AND kind = 'offer' ORDER BY number",
    "log": "SELECT at, COALESCE('M' || person_id, '') AS who, role, action, detail"
    " FROM activity_log WHERE hub_id = ? ORDER BY id",
    "sitreps": "SELECT number, at, COALESCE('M' || person_id, '') AS by, body FROM sitreps"
    " WHERE hub_id = ? ORDER BY number",
}

_LOG_SINCE = (
    "SELECT at, COALESCE('M' || person_id, '') AS who, role, action, detail FROM activity_log"
    " WHERE hub_id = ? AND at >= ? ORDER BY id"
)
# A report's figures in the order the SITREP text gives them; any other goes after these.
SITREP_FIELDS = ("onsite", "onsite_change", "offers_open", "critical", "significant", "required")

Row = dict[str, object]


async def _rows(
    settings: Settings, code: str, sql: str, extra: tuple[object, ...] = ()
) -> list[Row]:
    async with store(settings) as db:
        record = await hub_named(db.conn, code)
        rows = await db.fetchall(sql, (record.id, *extra))
        return [dict(row) for row in rows]


def _is_time(column: str) -> bool:
    return column == "at" or column.endswith("_at")


def _times(row: Row, timezone: str, iso_format: bool) -> Row:
    """The row with its times local: ISO 8601 with the offset for JSON, the log's form for CSV."""
    zone = ZoneInfo(timezone)
    for column, value in row.items():
        if _is_time(column) and isinstance(value, str) and value:
            at = datetime.fromisoformat(value).astimezone(zone)
            row[column] = (
                at.isoformat(timespec="seconds") if iso_format else local_time(at, timezone)
            )
    return row


def sitrep_columns(body: Mapping[str, object]) -> Row:
    """A report's figures flat, one column each: `needs.water.open` counts, the lists joined,
    `lifeline.power` the state as reported (`(?)` when not confirmed)."""
    flat: Row = {}
    for name in SITREP_FIELDS:
        value = body.get(name)
        flat[name] = "; ".join(map(str, value)) if isinstance(value, list) else value
    needs = body.get("needs")
    if isinstance(needs, dict):
        for category, counts in sorted(needs.items()):
            for status, count in sorted(dict(counts).items()):
                flat[f"needs.{category}.{status}"] = count
    lifelines = body.get("lifelines")
    for line in lifelines if isinstance(lifelines, list) else []:
        mark = " (?)" if line.get("unconfirmed") else ""
        flat[f"lifeline.{line.get('topic')}"] = f"{line.get('state')}{mark}"
    for name, value in body.items():  # a figure added later still gets its column
        if name not in flat and name not in ("needs", "lifelines"):
            flat[name] = json.dumps(value, ensure_ascii=False)
    return flat


async def export(
    settings: Settings, code: str, what: str, fmt: str, out: TextIO | None = None
) -> int:
    """Write needs, offers, the activity log or the status reports as CSV or JSON."""
    out = out or sys.stdout
    rows = await _rows(settings, code, QUERIES[what])
    tz = settings.timezone
    if fmt == "json":
        for row in rows:
            if "body" in row:  # a report's figures are JSON already: keep their structure
                row["body"] = json.loads(str(row["body"]))
        json.dump([_times(row, tz, True) for row in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if what == "sitreps":
        for row in rows:  # the figures' JSON becomes columns of their own
            row.update(sitrep_columns(json.loads(str(row.pop("body")))))
    rows = [_times(row, tz, False) for row in rows]
    columns = list(dict.fromkeys(name for row in rows for name in row))  # the union, in order
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    out.write(buffer.getvalue())
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
