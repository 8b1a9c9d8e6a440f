"""`hubbot purge`: apply the retention policy now, as the service does every hour."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TextIO

from hubbot.cli.console import log, store
from hubbot.domain.durations import parse_duration
from hubbot.settings import Settings
from hubbot.store import retention


async def purge(settings: Settings, out: TextIO | None = None, now: datetime | None = None) -> int:
    """Purge texts and contacts older than HUBBOT_RETENTION that no live hub needs."""
    keep = parse_duration(settings.retention)
    at = now or datetime.now(UTC)
    async with store(settings) as db, db.transaction() as conn:
        purged = await retention.purge(conn, at, keep)
        await log(conn, None, "purged", f"{purged}; HUBBOT_RETENTION={settings.retention}", at)
    print(
        f"{purged} (HUBBOT_RETENTION={settings.retention}; counts and the activity log are kept).",
        file=out or sys.stdout,
    )
    return 0
