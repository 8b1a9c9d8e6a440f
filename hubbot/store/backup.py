"""A consistent copy of the live database, taken while the service runs, and checked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# What the summary counts: enough for an operator to see the copy holds their region.
_COUNTED = ("hubs", "people", "inbound", "outbox")


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int  # bytes
    counts: dict[str, int]  # table -> rows


class BackupError(Exception):
    """The copy could not be made; the message says why, in one line."""


async def backup(source: str | Path, dest: str | Path) -> Copy:
    """Copy `source` to `dest` with SQLite's online backup (a snapshot: the service keeps
    taking messages meanwhile), check the copy, then move it into place. Never overwrites."""
    return await asyncio.to_thread(_backup, Path(source), Path(dest))


def _backup(source: Path, dest: Path) -> Copy:
    if not source.exists():
        raise BackupError(f"no database at {str(source)!r}")
    if dest.exists():
        raise BackupError(
            f"{str(dest)!r} exists already: choose a new name (a backup never overwrites)"
        )
    if not dest.parent.is_dir():
        raise BackupError(f"no folder {str(dest.parent)!r} to write the backup in")
    # Written beside the destination, then renamed: a copy cut short never has its name.
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(partial)) as out,
        ):
            src.backup(out)  # one step, under a read snapshot: consistent
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = [row[0] for row in out.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy does not check out: {problems[0]}")
            counts = {t: out.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _COUNTED}
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {str(source)!r}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {str(dest)!r}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return Copy(dest, dest.stat().st_size, counts)
