"""`hubbot run` on PostgreSQL (HUBBOT_DATABASE=postgresql://...): the same service end to end,
its data kept across a restart, and a URL that cannot work refused in one line, password unsaid.
The runs against a server use the throwaway cluster of tests/pg.py, skipped where PostgreSQL is
not installed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from hubbot.cli.backup import run_backup
from hubbot.cli.console import UsageError
from hubbot.settings import Settings
from hubbot.store.db import is_storage_fault
from hubbot.store.pg_connection import PgUnreachable
from tests.pg import MISSING, binaries, shared_cluster
from tests.service import Service, free_port

PASSWORD = "Pw-never-shown-42"
LEAD, HELPER, VOLUNTEER = "+15145550101", "+15145550102", "+15145550103"
DEMO_LEAD = "+16135550101"
needs_postgresql = pytest.mark.skipif(binaries() is None, reason=MISSING)


@pytest.fixture
async def on_postgresql(tmp_path: Path) -> AsyncIterator[tuple[Service, str]]:
    """A service whose HUBBOT_DATABASE is a new database on the test cluster (not started)."""
    dsn = await shared_cluster().fresh_database("hubbot_e2e", "hubbot_e2e", PASSWORD)
    service = Service(tmp_path, HUBBOT_DATABASE=dsn)
    yield service, dsn
    await service.close()


async def _count(dsn: str, table: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
    finally:
        await conn.close()


@needs_postgresql
async def test_on_postgresql_a_hub_is_opened_by_cli_and_by_text_and_a_need_gets_its_replies(
    on_postgresql: tuple[Service, str], tmp_path: Path
) -> None:
    service, dsn = on_postgresql
    await service.start()
    banner = "".join(service.stdout)
    pin = banner.split("Its PIN is ")[1].split()[0]
    await service.text(DEMO_LEAD, f"ACTIVATE DEMO {pin}")
    await service.expect(DEMO_LEAD, lambda t: "is now OPEN" in t)

    code, out = await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    assert code == 0, out
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.expect(LEAD, lambda t: "Plateau est maintenant OUVERT" in t)
    await service.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await service.expect(HELPER, lambda t: t.startswith("Votre poste au centre PLATEAU"))
    await service.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await service.expect(VOLUNTEER, lambda t: t.startswith("Bienvenue"))
    await service.text(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    await service.expect(VOLUNTEER, lambda t: t.startswith("Besoin N1"))
    relayed = await service.expect(HELPER, lambda t: t.startswith("Nouveau besoin N1"))
    assert "eau potable pour 3 personnes" in relayed

    assert await _count(dsn, "hubs") == 2, "the hubs are in PostgreSQL"
    assert not (tmp_path / "var").exists(), "no SQLite file was made beside it"
    code, listing = await service.cli("hub", "list")
    assert code == 0 and "PLATEAU" in listing and "DEMO" in listing
    assert await service.stop() == 0, "SIGTERM is a clean shutdown"
    said = "".join(service.stdout) + (tmp_path / "service.log").read_text()
    assert PASSWORD not in said, "the URL's password is never printed or logged"


@needs_postgresql
async def test_on_postgresql_a_restart_finds_the_hub_its_roles_and_its_board(
    on_postgresql: tuple[Service, str],
) -> None:
    service, _ = on_postgresql
    await service.start()
    await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await service.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await service.text(VOLUNTEER, "BESOIN couvertures")
    await service.expect(HELPER, lambda t: t.startswith("Nouveau besoin N1"))
    assert await service.stop() == 0

    await service.start()
    assert "Demo hub" not in "".join(service.stdout[-12:]), "not seeded again: hubs exist"
    await service.text(LEAD, "ROLES")
    roster = await service.expect(LEAD, lambda t: t.startswith("Postes à PLATEAU"))
    assert "Besoins et offres : M" in roster
    await service.text(VOLUNTEER, "BESOIN lampes de poche")
    await service.expect(HELPER, lambda t: t.startswith("Nouveau besoin N2"))


def _run(tmp_path: Path, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HUBBOT_DATABASE": database, "HUBBOT_HTTP_PORT": str(free_port())}
    return subprocess.run(
        [sys.executable, "-m", "hubbot", *args],
        cwd=tmp_path,
        env={**Service(tmp_path).env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("database", "says"),
    [
        (f"postgresql://hubbot:{PASSWORD}@127.0.0.1:port/hubbot", "not a valid URL"),
        (f"postgresql://hubbot:{PASSWORD}@127.0.0.1:5432", "names no database"),
        (f"mysql://hubbot:{PASSWORD}@127.0.0.1/hubbot", "use a file path (SQLite)"),
        (f"postgresql://hubbot:{PASSWORD}@127.0.0.1:{free_port()}/hubbot", "cannot connect"),
    ],
    ids=["bad port", "no database", "another database", "no server"],
)
def test_a_database_url_that_cannot_work_stops_the_start_in_one_line_without_its_password(
    tmp_path: Path, database: str, says: str
) -> None:
    done = _run(tmp_path, database, "run")
    said = [line for line in done.stderr.splitlines() if line.startswith("hubbot: ")]
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert len(said) == 1 and said[0].startswith("hubbot: HUBBOT_DATABASE"), done.stderr
    assert says in said[0]
    assert PASSWORD not in done.stderr + done.stdout


def test_a_command_on_an_unreachable_postgresql_says_so_in_one_line(tmp_path: Path) -> None:
    database = f"postgresql://hubbot:{PASSWORD}@127.0.0.1:{free_port()}/hubbot"
    done = _run(tmp_path, database, "hub", "list")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("hubbot: HUBBOT_DATABASE (postgresql://hubbot:***@127.0.0.1")
    assert "cannot connect to PostgreSQL" in done.stderr and PASSWORD not in done.stderr


async def test_backup_on_postgresql_points_at_pg_dump_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql://hubbot:{PASSWORD}@db.example.org:5432/hubbot"
    settings = Settings(_env_file=None, database=url)  # type: ignore[call-arg]
    with pytest.raises(UsageError) as refused:
        await run_backup(settings, str(tmp_path / "copy.dump"))
    line = str(refused.value)
    assert "\n" not in line and "SQLite" in line and "pg_dump" in line
    assert PASSWORD not in line and not (tmp_path / "copy.dump").exists()


@pytest.mark.parametrize(
    ("exc", "kept"),
    [
        (asyncpg.exceptions.DiskFullError("could not extend file"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.exceptions.SerializationError("could not serialize access"), True),
        (PgUnreachable("PostgreSQL unreachable: [Errno 111] Connection refused"), True),
        (asyncpg.exceptions.UniqueViolationError("duplicate key value"), False),
        (ConnectionResetError("a provider hung up"), False),
    ],
    ids=["disk full", "shutdown", "connection lost", "serialization", "unreachable", "bug", "net"],
)
def test_postgresql_storage_faults_are_kept_and_tried_again_a_channels_network_error_is_not(
    exc: BaseException, kept: bool
) -> None:
    assert is_storage_fault(exc) is kept
