"""Run `hubbot run` as a real subprocess on a temporary database and port, and talk to it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram
    from tests.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0
REPLY_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """One hubbot process; `workdir` holds its database and logs and survives restarts."""

    def __init__(self, workdir: Path, **env: str) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HUBBOT_DATABASE": str(workdir / "hubbot.db"),
            "HUBBOT_HTTP_PORT": str(self.port),
            "HUBBOT_PLAYBOOKS_DIR": str(ROOT / "playbooks"),
            "HUBBOT_LOG_LEVEL": "INFO",
            "HUBBOT_SMS_MPS": "50",  # the simulator paces like a carrier; tests need not wait
            **env,
        }
        self.proc: asyncio.subprocess.Process | None = None
        self.stdout: list[str] = []
        self.session: aiohttp.ClientSession | None = None
        self.seen: dict[str, int] = {}
        self.unread: dict[str, list[str]] = {}

    def use_twilio(self, twilio: FakeTwilio, from_number: str) -> Service:
        """Send SMS through the fake Twilio server; webhooks are signed for this service."""
        self.env.update(
            HUBBOT_TWILIO_ACCOUNT_SID=twilio.account_sid,
            HUBBOT_TWILIO_AUTH_TOKEN=twilio.auth_token,
            HUBBOT_TWILIO_FROM_NUMBER=from_number,
            HUBBOT_TWILIO_API_URL=twilio.url,
            HUBBOT_PUBLIC_URL=self.url,
            HUBBOT_SEED_DEMO="false",
        )
        return self

    def use_telegram(self, tg: FakeTelegram, mode: str = "polling") -> Service:
        """Talk to the fake Telegram Bot API, by polling or through the webhook."""
        self.env.update(
            HUBBOT_TELEGRAM_TOKEN=tg.token,
            HUBBOT_TELEGRAM_API_URL=tg.url,
            HUBBOT_TELEGRAM_MODE=mode,
            HUBBOT_TELEGRAM_WEBHOOK_SECRET="s3cret-token_for-tests",
            HUBBOT_PUBLIC_URL=self.url,
            HUBBOT_SEED_DEMO="false",
        )
        return self

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the service's database directly, as an operator with sqlite3 would."""
        with contextlib.closing(sqlite3.connect(self.workdir / "hubbot.db")) as db:
            return db.execute(sql, params).fetchall()

    async def cli(self, *args: str, stdin: str | None = None) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hubbot",
            *args,
            cwd=self.workdir,
            env=self.env,
            stdin=asyncio.subprocess.PIPE if stdin is not None else None,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate(stdin.encode() if stdin is not None else None)
        return proc.returncode or 0, out.decode()

    async def start(self) -> None:
        log = (self.workdir / "service.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hubbot",
            "run",
            cwd=self.workdir,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        log.close()
        self.session = self.session or aiohttp.ClientSession()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        assert self.proc.stdout is not None
        # The banner is printed once the HTTP server listens.
        while loop.time() < deadline:
            line = await asyncio.wait_for(self.proc.stdout.readline(), STARTUP_TIMEOUT)
            if not line:
                raise RuntimeError(f"hubbot exited at start; see {self.workdir}/service.log")
            self.stdout.append(line.decode())
            if "hubbot is ready" in self.stdout[-1]:
                break
        async with self.session.get(f"{self.url}/healthz") as resp:
            assert resp.status == 200

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), 30)
        self.proc = None
        return code

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self.session is not None:
            await self.session.close()

    async def post(self, path: str, payload: Any) -> tuple[int, Any]:
        assert self.session is not None
        async with self.session.post(f"{self.url}{path}", json=payload) as resp:
            return resp.status, await resp.json()

    async def text(self, phone: str, body: str) -> None:
        status, answer = await self.post("/sim/inbound", {"from": phone, "text": body})
        assert status == 202, answer

    async def inbox(self, phone: str) -> list[str]:
        """New messages this phone received since the last look."""
        assert self.session is not None
        params = {"to": phone, "after": str(self.seen.get(phone, 0))}
        async with self.session.get(f"{self.url}/sim/outbound", params=params) as resp:
            messages = await resp.json()
        if messages:
            self.seen[phone] = messages[-1]["id"]
        return [m["text"] for m in messages]

    async def expect(
        self, phone: str, predicate: Callable[[str], bool], within: float = REPLY_TIMEOUT
    ) -> str:
        """Wait for a message to this phone that satisfies the predicate; fail if none comes.

        Messages before the match are passed over; those after it stay unread for later.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        received: list[str] = []
        unread = self.unread.setdefault(phone, [])
        while loop.time() < deadline:
            unread.extend(await self.inbox(phone))
            while unread:
                text = unread.pop(0)
                received.append(text)
                if predicate(text):
                    return text
            await asyncio.sleep(0.05)
        raise AssertionError(f"{phone} got no matching message; it got {received}")


async def eventually(predicate: Callable[[], bool], within: float = REPLY_TIMEOUT) -> bool:
    """Poll a condition about another process until it holds or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
