"""What the operator's commands share: the store, finding hubs and people, local time, the log.

The command line is the operator's console: it may show phone numbers, which texts never do,
and everything it changes is written to the activity log as done by `operator`, like a command
typed by text is.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias
from zoneinfo import ZoneInfo

from hubbot.addresses import parse_address
from hubbot.clock import SystemClock
from hubbot.domain.effects import LogActivity
from hubbot.domain.models import Person
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.settings import Settings
from hubbot.startup import StartupError, catalogs, load_store, playbooks_of
from hubbot.store import activity, hubs, people
from hubbot.store.conn import Conn, Store
from hubbot.store.hubs import HubRecord

OPERATOR = "operator"  # the role the activity log gives the console
_MEMBER = re.compile(r"^[Mm](\d{1,12})$")

Handler = Callable[[Settings, argparse.Namespace], Awaitable[int]]
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# `-v` wherever it is typed (`hubbot -v log ...` or `hubbot log ... -v`): INFO, `-vv` DEBUG.
VERBOSE = argparse.ArgumentParser(add_help=False)
VERBOSE.add_argument(
    "-v",
    "--verbose",
    action="count",
    default=argparse.SUPPRESS,
    help="log what happens (-vv: everything); quiet but for warnings otherwise",
)


def command(
    commands: Commands, name: str, handler: Handler | None, **kwargs: str
) -> argparse.ArgumentParser:
    """A (sub)command that takes -v and, unless it has subcommands, runs `handler`."""
    parser = commands.add_parser(name, parents=[VERBOSE], **kwargs)  # type: ignore[arg-type]
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


class UsageError(Exception):
    """A mistake on the command line, explained to the person who typed it."""


@asynccontextmanager
async def store(settings: Settings) -> AsyncIterator[Store]:
    db = await load_store(settings)
    try:
        yield db
    finally:
        await db.close()


def catalogs_and_playbooks(settings: Settings) -> tuple[Renderer, dict[str, Playbook]]:
    """The texts and playbooks, as `hubbot run` reads them; what is wrong in one line."""
    try:
        renderer = catalogs(settings)
        return renderer, playbooks_of(settings, renderer)
    except StartupError as exc:
        raise UsageError(str(exc)) from exc


def now() -> datetime:
    return SystemClock().now()


async def hub_named(conn: Conn, code: str) -> HubRecord:
    record = await hubs.by_code(conn, code)
    if record is None:
        raise UsageError(f"no hub {code.upper()}; see `hubbot hub list`")
    return record


@dataclass(frozen=True)
class Found:
    """The person an operator named, and the record they named if it was merged into them."""

    person: Person
    merged_from: int | None = None


async def person_named(conn: Conn, text: str, region: str) -> Found:
    """`M12` or an address (`+15145550101`, `sms:...`, `telegram:<id>`); a member number that was
    merged into another person (LINK) leads to that person."""
    number = _MEMBER.match(text.strip())
    if number:
        person = await people.get(conn, int(number.group(1)))
        if person is None:
            raise UsageError(f"no person M{number.group(1)}")
        into = await people.merged_into(conn, person.id)
        if into is None:
            return Found(person)
        merged = await people.get(conn, into)
        assert merged is not None
        return Found(merged, person.id)
    try:
        address = parse_address(text, region)
    except ValueError as exc:
        raise UsageError(f"{exc}, or a member number like M12") from exc
    person = await people.by_address(conn, address)
    if person is None:
        raise UsageError(f"nobody has the address {address}")
    return Found(person)


async def log(
    conn: Conn,
    hub_id: int | None,
    action: str,
    detail: str,
    at: datetime,
    person_id: int | None = None,
) -> None:
    """One line of the activity log, by the operator. It names member numbers, never an address:
    the log is exported and handed over."""
    entry = LogActivity(hub_id, person_id, OPERATOR, action, detail)
    await activity.append(conn, entry, at)


def local_time(value: str | datetime | None, timezone: str) -> str:
    """A stored UTC time as the hubs' local time with its offset: `2026-12-02 14:05 -05:00`."""
    if value is None or value == "":
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%Y-%m-%d %H:%M} {offset(local)}"


def offset(local: datetime) -> str:
    """`-05:00`: `%z` gives `-0500`, and `%:z` only comes with Python 3.12."""
    text = local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"
