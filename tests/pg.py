"""A throwaway PostgreSQL cluster for the tests: the machine's initdb and pg_ctl, a temporary
folder, 127.0.0.1 on a free port, and one database, emptied before each test."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from hubbot.store.pg import PgDatabase

INITDB = "/usr/lib/postgresql/*/bin/initdb"
MISSING = f"PostgreSQL is not installed here (no {INITDB}): the PostgreSQL runs are skipped"
DATABASE = "hubbot_test"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path
    prefix: list[str]  # run as the postgres user when we are root: initdb refuses root
    _created: bool = False
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    async def database(self) -> PgDatabase:
        """The cluster's test database, migrated once and emptied for each test: deleting a
        few rows takes milliseconds, where CREATE DATABASE from a template takes half a
        second (tests of one worker run one after another, so they can share it)."""
        if not self._created:
            admin = await asyncpg.connect(self.dsn())
            try:
                await admin.execute(f"CREATE DATABASE {DATABASE}")
            finally:
                await admin.close()
            self._created = True
        db = await PgDatabase.open(self.dsn(DATABASE))
        tables = await db.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'hubbot_schema'"
        )
        # As replica, foreign keys are not checked, so the tables empty in any order.
        await db.conn.raw.execute(
            "SET session_replication_role = replica;"
            + "".join(f"DELETE FROM {row[0]};" for row in tables)
            + "SET session_replication_role = DEFAULT;"
            # Each test numbers its rows from 1 again, as on a fresh database.
            " SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"
            " AND c.relnamespace = 'public'::regnamespace;"
        )
        return db

    async def fresh_database(self, name: str, user: str, password: str) -> str:
        """A new, empty database `name` owned by `user` (made with `password`), dropped first
        if a previous run left it; returns its URL, password included, as an operator
        writes HUBBOT_DATABASE. The cluster trusts local connections, so the password is
        never checked: it is there to show it never appears in what hubbot prints."""
        admin = await asyncpg.connect(self.dsn())
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", user):
                await admin.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.execute(f"CREATE DATABASE {name} OWNER {user}")
        finally:
            await admin.close()
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._pg_ctl("-m", "fast", "-w", "stop")
        finally:
            for _ in range(20):  # the server's last processes may still be leaving files
                shutil.rmtree(self.folder, ignore_errors=True)
                if not self.folder.exists():
                    break
                time.sleep(0.05)


_shared: list[Cluster] = []


def shared_cluster() -> Cluster:
    """This process's cluster (one per xdist worker): started on first use, stopped when the
    process ends. Callers check binaries() first."""
    if not _shared:
        found = binaries()
        assert found is not None, MISSING
        _shared.append(start_cluster(found))
        atexit.register(_shared[0].stop)
    return _shared[0]


def start_cluster(bin: Path) -> Cluster:
    """initdb and start a cluster without durability (a test's data need not survive)."""
    folder = Path(tempfile.mkdtemp(prefix="hubbot-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    options = ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
    subprocess.run(
        [*prefix, str(bin / "initdb"), "-D", str(folder / "data"), *options],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for attempt in range(3):  # another worker may take the free port first
        cluster = Cluster(folder, _free_port(), bin, prefix)
        options = (
            f"-h 127.0.0.1 -p {cluster.port} -k {folder} -F"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            cluster._pg_ctl("-w", "-l", str(folder / "log"), "-o", options, "start")
            return cluster
        except subprocess.CalledProcessError:
            if attempt == 2:
                log = (folder / "log").read_text(errors="replace")
                shutil.rmtree(folder, ignore_errors=True)
                raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
    raise AssertionError("unreachable")
