"""`hubbot chat`: talk to a running hubbot through the simulator, as a volunteer's phone would."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

import aiohttp

POLL_SECONDS = 0.5
DRAIN_SECONDS = 3.0  # after the last line, wait this long for replies before leaving
REFUSALS = {
    401: "hubbot wants the simulator token: set HUBBOT_SIM_TOKEN to the service's",
    404: "this hubbot does not serve the simulator (Twilio is on, or it listens beyond"
    " 127.0.0.1 without HUBBOT_SIM_TOKEN)",
}


class Chat:
    def __init__(self, url: str, number: str, out: TextIO) -> None:
        self.url = url.rstrip("/")
        self.number = number
        self.out = out
        self.after = 0

    async def poll(self, session: aiohttp.ClientSession) -> int:
        """Print what the phone received since last time; returns how many."""
        params = {"to": self.number, "after": str(self.after)}
        async with session.get(f"{self.url}/sim/outbound", params=params) as resp:
            if resp.status != 200:
                print(f"! {(await resp.json()).get('error', resp.status)}", file=self.out)
                return 0
            messages = await resp.json()
        for message in messages:
            self.after = max(self.after, int(message["id"]))
            text = str(message["text"]).replace("\n", "\n  ")
            print(f"< {text}", file=self.out)
        self.out.flush()
        return len(messages)

    async def send(self, session: aiohttp.ClientSession, text: str) -> None:
        payload = {"from": self.number, "text": text}
        async with session.post(f"{self.url}/sim/inbound", json=payload) as resp:
            if resp.status >= 400:
                print(f"! {(await resp.json()).get('error', resp.status)}", file=self.out)


async def _read_lines(queue: asyncio.Queue[str | None]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            await queue.put(None)
            return
        if line.strip():
            await queue.put(line.strip())


async def chat(url: str, number: str, out: TextIO = sys.stdout, token: str | None = None) -> int:
    """Text from `number`; `token` is HUBBOT_SIM_TOKEN, sent as a bearer token if set."""
    session_chat = Chat(url, number, out)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with aiohttp.ClientSession(headers=headers) as session:
        try:
            # Start after what this phone already received, so old replies are not replayed.
            async with session.get(
                f"{session_chat.url}/sim/outbound", params={"to": number}
            ) as resp:
                if resp.status in REFUSALS:
                    print(f"! {REFUSALS[resp.status]}", file=out)
                    return 1
                if resp.status == 400:
                    print(f"! {(await resp.json())['error']}", file=out)
                    return 2
                old = await resp.json()
        except aiohttp.ClientConnectionError:
            print(f"! hubbot is not running at {url}: start it with `make run`", file=out)
            return 1
        session_chat.after = max((int(m["id"]) for m in old), default=0)
        print(f"Texting as {number}. Type a message and press Enter; Ctrl-D to leave.", file=out)
        out.flush()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        reader = asyncio.create_task(_read_lines(queue))
        try:
            while True:
                try:
                    line = await asyncio.wait_for(queue.get(), POLL_SECONDS)
                except TimeoutError:
                    await session_chat.poll(session)
                    continue
                if line is None:
                    break
                await session_chat.send(session, line)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + DRAIN_SECONDS
            while loop.time() < deadline:
                await session_chat.poll(session)
                await asyncio.sleep(POLL_SECONDS)
        finally:
            reader.cancel()
    return 0
