"""A hub's records as `hubbot export` writes them and the console downloads them: needs, offers,
the activity log or the status reports, as CSV or JSON, times in the hubs' local time.

Times are stored in UTC and shown with their offset, as the texts show them:
`2026-12-02 14:05 -05:00` in CSV, ISO 8601 in JSON. People appear as M-numbers, never an address.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hubbot.store.conn import Conn

log = logging.getLogger(__name__)

WHAT = ("needs", "offers", "log", "sitreps")
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
# A report's figures in the order the SITREP text gives them; any other goes after these.
SITREP_FIELDS = ("onsite", "onsite_change", "offers_open", "critical", "significant", "required")

Row = dict[str, object]


async def rows(conn: Conn, hub_id: int, what: str) -> list[Row]:
    """The hub's records of one kind (one of WHAT), as stored."""
    async with conn.execute(QUERIES[what], (hub_id,)) as cursor:
        return [dict(row) for row in await cursor.fetchall()]


def render(records: list[Row], what: str, fmt: str, timezone: str) -> str:
    """The records as the export's text: JSON (a list, indented) or CSV (one column per field,
    a report's figures flattened); `records` is changed in place."""
    if fmt == "json":
        for row in records:
            if "body" in row:  # a report's figures are JSON already: keep their structure
                row["body"] = json.loads(str(row["body"]))
        local = [_times(row, timezone, True) for row in records]
        return json.dumps(local, ensure_ascii=False, indent=2) + "\n"
    if what == "sitreps":
        for row in records:  # the figures' JSON becomes columns of their own
            row.update(sitrep_columns(json.loads(str(row.pop("body")))))
    records = [_times(row, timezone, False) for row in records]
    columns = list(dict.fromkeys(name for row in records for name in row))  # the union, in order
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(records)
    log.debug("exported %d %s as %s", len(records), what, fmt)
    return buffer.getvalue()


def local_time(value: str | datetime, timezone: str) -> str:
    """A stored UTC time as the hubs' local time with its offset: `2026-12-02 14:05 -05:00`."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")  # `-0500`: `%:z` only comes with Python 3.12
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def _times(row: Row, timezone: str, iso_format: bool) -> Row:
    """The row with its times local: ISO 8601 with the offset for JSON, the log's form for CSV."""
    zone = ZoneInfo(timezone)
    for column, value in row.items():
        if (column == "at" or column.endswith("_at")) and isinstance(value, str) and value:
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
