"""`hubbot backup`: a checked copy of the live database, taken while the service works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Harness
from tests.test_cli import console, hubbot

__all__ = ["console"]  # the fixture: `hubbot` in-process on the harness's database

LEAD, ANA = "+15145550101", "+15145550177"


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_a_backup_taken_while_the_service_works_opens_as_a_database_with_every_need(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(ANA, "BESOIN eau potable pour 3")
    dest = console / "backups" / "hub-copy.db"
    dest.parent.mkdir()
    code, out, err = await hubbot(capsys, "backup", str(dest))  # the harness's store is open
    assert code == 0, err
    assert out.startswith(f"Backed up to {dest} (") and "checked" in out
    assert "1 hubs" in out and "2 people" in out
    assert _rows(dest, "SELECT text FROM items") == [("eau potable pour 3",)]
    assert _rows(dest, "PRAGMA journal_mode") == [("delete",)], "one self-contained file"
    assert _files(dest.parent) == ["hub-copy.db"], "nothing half-written left beside it"


async def test_a_backup_never_overwrites_a_file(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    dest = console / "yesterday.db"
    dest.write_bytes(b"yesterday's backup")
    code, _, err = await hubbot(capsys, "backup", str(dest))
    assert code == 1 and "exists already" in err and err.count("\n") == 1
    assert dest.read_bytes() == b"yesterday's backup"


async def test_a_backup_into_a_missing_folder_says_which_folder(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    code, _, err = await hubbot(capsys, "backup", str(console / "nowhere" / "copy.db"))
    assert code == 1 and "no folder" in err and "nowhere" in err
