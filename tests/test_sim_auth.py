"""The simulator lets anyone text as anyone: only on a loopback host, or behind its token."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import test_utils

from hubbot.app import Hubbot
from hubbot.settings import Settings
from tests.service import Service

TOKEN = "sim-token-for-the-tests-0123456789"
ROOT = Path(__file__).resolve().parent.parent
TEXT = {"from": "+15145550101", "text": "HELP"}
SIM = [("POST", "/sim/inbound"), ("GET", "/sim/outbound?to=+15145550101"), ("POST", "/sim/network")]


@asynccontextmanager
async def served(tmp_path: Path, **settings: Any) -> AsyncIterator[test_utils.TestClient[Any, Any]]:
    """hubbot's web app as `hubbot run` would build it from these settings (in-process)."""
    config = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database=tmp_path / "hub.db",
        playbooks_dir=ROOT / "playbooks",
        seed_demo=False,
        **settings,
    )
    hubbot = await Hubbot.build(config)
    try:
        async with test_utils.TestClient(test_utils.TestServer(hubbot.web_app)) as client:
            yield client
    finally:
        await hubbot.stop()


def stored(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "hub.db") as db:
        count = int(db.execute("SELECT COUNT(*) FROM inbound").fetchone()[0])
    db.close()
    return count


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
async def test_on_a_loopback_host_the_simulator_needs_no_token(tmp_path: Path, host: str) -> None:
    async with served(tmp_path, http_host=host) as client:
        assert (await client.post("/sim/inbound", json=TEXT)).status == 202
        assert (await client.get("/sim/outbound", params={"to": "+15145550101"})).status == 200


async def test_on_another_host_without_a_token_the_simulator_is_not_served_and_a_warning_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hubbot")
    async with served(tmp_path, http_host="0.0.0.0") as client:
        for method, path in SIM:
            assert (await client.request(method, path, json={})).status == 404
        assert (await client.get("/healthz")).status != 404, "the rest is served"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "/sim" in w]) == 1
    assert "HUBBOT_SIM_TOKEN" in warnings[0] and "0.0.0.0" in warnings[0]
    assert stored(tmp_path) == 0


async def test_on_another_host_the_simulator_wants_its_bearer_token(tmp_path: Path) -> None:
    async with served(tmp_path, http_host="0.0.0.0", sim_token=TOKEN) as client:
        for method, path in SIM:
            none = await client.request(method, path, json=TEXT)
            assert none.status == 401 and none.headers["WWW-Authenticate"].startswith("Bearer")
            wrong = await client.request(
                method, path, json=TEXT, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"}
            )
            assert wrong.status == 401
        assert stored(tmp_path) == 0, "a refused text is not stored"
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert (await client.post("/sim/inbound", json=TEXT, headers=right)).status == 202
        outbound = await client.get("/sim/outbound", params={"to": "+15145550101"}, headers=right)
        assert outbound.status == 200
    assert stored(tmp_path) == 1


async def test_a_token_is_wanted_on_loopback_too_once_it_is_set(tmp_path: Path) -> None:
    async with served(tmp_path, sim_token=TOKEN) as client:
        assert (await client.post("/sim/inbound", json=TEXT)).status == 401


async def test_with_twilio_configured_there_is_no_simulator_at_all(tmp_path: Path) -> None:
    twilio = {
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "secret",
        "twilio_from_number": "+15145550000",
        "public_url": "https://hub.example.org",
    }
    async with served(tmp_path, sim_token=TOKEN, **twilio) as client:
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert (await client.post("/sim/inbound", json=TEXT, headers=right)).status == 404


async def chat(service: Service, line: str, **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubbot",
        "chat",
        "--from",
        "514 555 0177",
        cwd=service.workdir,
        env={**service.env, **env},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(f"{line}\n".encode()), 30)
    return proc.returncode or 0, out.decode()


async def test_hubbot_chat_sends_the_token_the_service_wants(service: Service) -> None:
    service.env["HUBBOT_SIM_TOKEN"] = TOKEN
    await service.start()
    code, out = await chat(service, "HELP")
    assert code == 0 and "< " in out, out
    code, out = await chat(service, "HELP", HUBBOT_SIM_TOKEN="")
    assert code == 1 and "HUBBOT_SIM_TOKEN" in out
