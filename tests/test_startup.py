"""Start-up and command-line failures: one line naming the problem, a non-zero exit, at once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_twilio import FakeTwilio
from tests.service import Service
from tests.world import World

LEAD, VOLUNTEER = "+15145550101", "+15145550103"
EXPORT_LOG_AS_JSON = ("--hub", "PLATEAU", "--what", "log", "--format", "json")  # "[]" at least
# A failed start must end, not sit in a retry loop (whose backoff would run for minutes); the
# bound is loose because a loaded CI machine takes seconds just to import the service.
QUICKLY = 30.0


@dataclass
class Exit:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def said(self) -> list[str]:
        """What hubbot itself said on stderr (its `hubbot: ...` lines)."""
        return [line for line in self.stderr.splitlines() if line.startswith("hubbot: ")]


def hubbot(service: Service, *args: str, **env: str) -> Exit:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "hubbot", *args],
        cwd=service.workdir,
        env={**service.env, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return Exit(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def refused(result: Exit, *names: str) -> str:
    """The start failed quickly, with one line naming the problem and no traceback."""
    assert result.code != 0
    assert result.seconds < QUICKLY
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.said) == 1, result.stderr
    line = result.said[0]
    assert all(name in line for name in names), line
    return line


def a_real_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO notes (text) VALUES (?)", [("x" * 1000,)] * 200)
    db.close()


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(16384))


def truncated(path: Path) -> None:
    a_real_database(path)
    os.truncate(path, path.stat().st_size // 2)


def bad_header(path: Path) -> None:
    a_real_database(path)
    with path.open("r+b") as raw:
        raw.write(b"hubbot backup 01")  # where "SQLite format 3\0" belongs


@pytest.mark.parametrize("damage", [random_bytes, truncated, bad_header])
def test_a_damaged_database_stops_the_start_with_one_line_and_is_left_as_it_was(
    service: Service, damage: Callable[[Path], None]
) -> None:
    path = service.workdir / "hubbot.db"
    damage(path)
    before = path.read_bytes()
    line = refused(hubbot(service, "run"), "HUBBOT_DATABASE", "hubbot.db", "damaged")
    assert "backup" in line
    assert path.read_bytes() == before


def test_with_debug_logging_a_failed_start_shows_its_traceback_too(service: Service) -> None:
    random_bytes(service.workdir / "hubbot.db")
    result = hubbot(service, "run", HUBBOT_LOG_LEVEL="DEBUG")
    assert result.code == 1 and "Traceback" in result.stderr
    assert result.said[-1].startswith("hubbot: HUBBOT_DATABASE: ")


def test_a_host_that_does_not_exist_stops_the_start_with_one_line(service: Service) -> None:
    line = refused(hubbot(service, "run", HUBBOT_HTTP_HOST="256.1.1.1"), "HUBBOT_HTTP_HOST")
    assert "256.1.1.1" in line


def test_a_port_already_in_use_stops_the_start_with_one_line(service: Service) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", service.port))
        taken.listen()
        line = refused(hubbot(service, "run"), "HUBBOT_HTTP_PORT", str(service.port))
    assert "already in use" in line


def test_a_missing_locales_folder_stops_the_start_with_one_line(service: Service) -> None:
    missing = service.workdir / "locales"
    line = refused(hubbot(service, "run", HUBBOT_LOCALES_DIR=str(missing)), "HUBBOT_LOCALES_DIR")
    assert str(missing) in line


def test_a_refused_setting_is_one_line_naming_it(service: Service) -> None:
    result = hubbot(service, "run", HUBBOT_TIMEZONE="Mars/Olympus")
    line = refused(result, "HUBBOT_TIMEZONE")
    assert result.code == 2
    assert line.startswith("hubbot: HUBBOT_TIMEZONE: unknown time zone 'Mars/Olympus'")
    assert not (service.workdir / "hubbot.db").exists(), "nothing was started"


async def test_sigterm_while_telegram_does_not_answer_stops_hubbot_at_once(
    service: Service,
) -> None:
    asked = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.set()  # and never answer, like a server behind a dead link
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    service.env.update(
        HUBBOT_TELEGRAM_TOKEN="123456:TEST-token_abcdefghijklmnopqrstuvwxyz",
        HUBBOT_TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubbot",
        "run",
        cwd=service.workdir,
        env=service.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(asked.wait(), 20)
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 3)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        server.close()
        await server.wait_closed()
    assert proc.returncode == 0
    assert b"Traceback" not in err


async def test_one_sms_at_info_writes_no_twilio_or_scheduler_chatter_to_the_log(
    service: Service, twilio: FakeTwilio
) -> None:
    service.use_twilio(twilio, "+15145550000")
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    await phones.sms(VOLUNTEER, "JOIN PLATEAU")
    await phones.expect_sms(VOLUNTEER, lambda t: t.startswith("Welcome"))
    assert await service.stop() == 0
    log = (service.workdir / "service.log").read_text()
    assert " INFO hubbot." in log, "hubbot's own INFO lines are still there"
    assert " INFO twilio" not in log
    assert " INFO apscheduler" not in log


@pytest.mark.parametrize(
    "command",
    [("hub", "list"), ("outbox",), ("export", "--hub", "DEMO", "--what", "needs")],
    ids=" ".join,
)
def test_a_command_on_a_database_that_does_not_exist_says_so_and_creates_none(
    service: Service, command: tuple[str, ...]
) -> None:
    result = hubbot(service, *command)
    line = refused(result, "HUBBOT_DATABASE", "no database")
    assert "hubbot.db" in line
    assert not (service.workdir / "hubbot.db").exists()


def test_an_export_into_a_pipe_closed_early_ends_without_a_traceback(service: Service) -> None:
    added = hubbot(service, "hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    assert added.code == 0, added.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubbot", "export", *EXPORT_LOG_AS_JSON],
        cwd=service.workdir,
        env=service.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -0`: the reader is gone before a byte is written
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=30) != 0
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
