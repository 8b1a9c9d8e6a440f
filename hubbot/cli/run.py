"""`hubbot run`: serve until SIGTERM or Ctrl-C, printing how to talk to the hub."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from typing import TextIO

from hubbot.app import DEMO_CODE, Hubbot
from hubbot.settings import Settings

log = logging.getLogger(__name__)


def banner(settings: Settings, demo_pin: str | None, out: TextIO) -> None:
    url = f"http://{settings.http_host}:{settings.http_port}"
    if settings.twilio_enabled:
        print(f"hubbot is running on {url} with Twilio SMS.", file=out)
        print(f"Twilio calls {settings.webhook_url('/twilio/sms')} for incoming SMS.", file=out)
    else:
        print(
            f"hubbot is running on {url} with the simulator channel (no SMS credentials set).",
            file=out,
        )
    if settings.telegram_enabled:
        mode = "webhook" if settings.telegram_webhook else "polling"
        print(f"Telegram bot on, by {mode}.", file=out)
    if demo_pin:
        print(
            f"Demo hub {DEMO_CODE} created. Its PIN is {demo_pin} (shown only this once).", file=out
        )
    if not settings.twilio_enabled and not settings.sim_served:
        print(
            "The simulator routes are off: listen on 127.0.0.1 or set HUBBOT_SIM_TOKEN.", file=out
        )
    elif not settings.twilio_enabled:
        print("Talk to it as a volunteer would, in another terminal:", file=out)
        print(f"  .venv/bin/hubbot chat --from +15145550101 --url {url}", file=out)
        print(
            f"  then type: ACTIVATE {DEMO_CODE} {demo_pin or '<PIN>'}   (or AIDE / HELP)", file=out
        )
    print(f"Console: {url}/login. To create its first account:", file=out)
    print("  .venv/bin/hubbot user add NAME --role coordinator --password-stdin", file=out)
    print("hubbot is ready. Ctrl-C stops it.", file=out)
    out.flush()


async def serve(settings: Settings, out: TextIO = sys.stdout) -> None:
    """Serve until SIGTERM or SIGINT. Raises StartupError if it cannot start, having stopped
    what had started; a signal during the start stops it too."""
    hubbot = await Hubbot.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait(), name="stop")
    try:
        starting = asyncio.create_task(_start(hubbot), name="start")
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # a signal while starting (Telegram slow to answer, say)
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            log.info("stopped while starting")
            return
        demo_pin = starting.result()  # raises what the start raised
        # What the start built (modules, catalogs, playbooks, SDK clients) lives as long as the
        # process: kept out of the collector's full passes, which otherwise walked all of it
        # and held the loop 40-75 ms at a time in a flood of texts.
        gc.freeze()
        banner(settings, demo_pin, out)
        await stopping
        log.info("shutting down")
    finally:
        stopping.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await hubbot.stop()


async def _start(hubbot: Hubbot) -> str | None:
    demo_pin = await hubbot.seed_demo()
    await hubbot.start()
    return demo_pin
