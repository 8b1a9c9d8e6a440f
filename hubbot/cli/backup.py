"""`hubbot backup DEST`: a checked copy of the database, safe while `hubbot run` serves."""

from __future__ import annotations

import sys
from typing import TextIO

from hubbot.cli.console import Commands, UsageError, command
from hubbot.settings import Settings
from hubbot.store.backup import BackupError, backup


def register(commands: Commands) -> None:
    parser = command(
        commands,
        "backup",
        lambda s, a: run_backup(s, a.dest),
        help="copy the database while the service runs (checked; never overwrites)",
    )
    parser.add_argument("dest", help="the new file, e.g. backups/hubbot-2026-12-02.db")


async def run_backup(settings: Settings, dest: str, out: TextIO | None = None) -> int:
    if settings.database_url:  # SQLite's online backup has no PostgreSQL counterpart here
        raise UsageError(
            "hubbot backup copies an SQLite database; for PostgreSQL use pg_dump, e.g."
            f" pg_dump -Fc -f {dest} '{settings.database_shown}'"
        )
    try:
        copy = await backup(settings.database_path, dest)
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    counts = ", ".join(f"{n} {table}" for table, n in copy.counts.items())
    megabytes = copy.size / 1_048_576
    print(
        f"Backed up to {copy.path} ({megabytes:.1f} MB, checked): {counts}.", file=out or sys.stdout
    )
    return 0
