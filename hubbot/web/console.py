"""The web console on the service's own aiohttp server: templates, static files and every
page's routes, gathered from the modules that hold them."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from hubbot.web.console_broadcasts import broadcast_routes
from hubbot.web.console_context import Console
from hubbot.web.console_exports import export_routes
from hubbot.web.console_live import live_routes, stop_streams
from hubbot.web.console_login import login_routes
from hubbot.web.console_pages import page_routes

HERE = Path(__file__).parent

__all__ = ["Console", "add_console"]


def add_console(app: web.Application, console: Console) -> None:
    """Templates and the console's routes on `app`."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        default_helpers=False,
    )
    app.add_routes(login_routes(console))
    app.add_routes(page_routes(console))
    app.add_routes(broadcast_routes(console))
    app.add_routes(export_routes(console))
    app.add_routes(live_routes(console))

    async def on_shutdown(_app: web.Application) -> None:
        await stop_streams(console)

    app.on_shutdown.append(on_shutdown)
    app.add_routes([web.static("/static", HERE / "static")])
