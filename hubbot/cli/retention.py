"""`hubbot purge`: apply the retention policy now, as the service does every hour."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO

from hubbot.domain.durations import parse_duration
from hubbot.settings import Settings
from hubbot.store import retention
from hubbot.store.db import Database


async def purge(settings: Settings, out: TextIO | None = None, now: datetime | None = None) -> int:
    """Purge texts and contacts older than HUBBOT_RETENTION that no live hub needs."""
    keep = parse_duration(settings.retention)
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as conn:
            purged = await retention.purge(conn, now or datetime.now(UTC), keep)
    finally:
        await db.close()
    print(
        f"{purged} (HUBBOT_RETENTION={settings.retention}; counts and the activity log are kept).",
        file=out or sys.stdout,
    )
    return 0
