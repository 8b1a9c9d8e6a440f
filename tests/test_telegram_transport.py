"""PTB's requests go over aiohttp: form parameters as PTB sends them, files as multipart, and
a server that does not answer is PTB's TimedOut, which the channel retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from hubbot.channels.telegram.aiohttp_request import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    async def echo(request: web.Request) -> web.Response:
        if request.path.endswith("/slow"):
            await asyncio.sleep(1)
        form = await request.post()
        seen.append({k: v if isinstance(v, str) else f"file:{v.filename}" for k, v in form.items()})
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_parameters_arrive_as_the_form_ptb_sends(
    server: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", 42),
                RequestParameter.from_input("text", "Abri ouvert"),
            ]
        )
        assert await request.post(f"{url}/botT/sendMessage", data) is True
    finally:
        await request.shutdown()
    assert seen == [{"chat_id": "42", "text": "Abri ouvert"}]


async def test_a_file_goes_as_multipart(server: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        document = InputFile(b"rapport", filename="bilan.txt")
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", 42),
                RequestParameter.from_input("document", document),
            ]
        )
        await request.post(f"{url}/botT/sendDocument", data)
    finally:
        await request.shutdown()
    assert seen[0]["chat_id"] == "42" and seen[0]["document"].startswith("file:")


async def test_a_server_that_does_not_answer_in_time_is_a_timeout(
    server: tuple[str, list[dict[str, str]]],
) -> None:
    url, _ = server
    request = AiohttpRequest(timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"{url}/botT/slow", RequestData([]))
    finally:
        await request.shutdown()


async def test_a_refused_connection_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post("http://127.0.0.1:9/botT/getMe", RequestData([]))
    finally:
        await request.shutdown()
