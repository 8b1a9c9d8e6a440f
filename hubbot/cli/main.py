"""The `hubbot` command line: run, check, schema, hub, coordinator, person, templates, outbox,
export, log, purge, chat, user."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from hubbot.addresses import normalize_phone
from hubbot.cli import (
    accounts,
    admin,
    backup,
    coordinators,
    exercise,
    hub_place,
    migrate_store,
    person,
    records,
    templates,
)
from hubbot.cli.console import VERBOSE, UsageError, command
from hubbot.cli.playbook_cmds import cmd_check, cmd_schema
from hubbot.i18n import Renderer
from hubbot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubbot", description=__doc__, parents=[VERBOSE])
    sub = parser.add_subparsers(dest="command", required=True)
    command(sub, "run", None, help="serve SMS, Telegram and the simulator")
    check = command(
        sub, "check", None, help="validate playbooks or scenarios; errors as file:line: message"
    )
    check.add_argument(
        "path", nargs="?", help="a playbook or scenario file or folder (default: playbooks)"
    )
    command(sub, "schema", None, help="print the playbooks' JSON Schema")
    admin.register(sub)
    coordinators.register(sub)
    person.register(sub)
    templates.register(sub)
    accounts.register(sub)
    backup.register(sub)
    migrate_store.register(sub)
    hub_place.register_alerts(sub)
    exercise.register(sub)
    exp = command(
        sub,
        "export",
        lambda s, a: records.export(s, a.hub, a.what, a.format),
        help="write a hub's needs, offers, log or reports (local times)",
    )
    exp.add_argument("--hub", required=True)
    exp.add_argument("--what", required=True, choices=["needs", "offers", "log", "sitreps"])
    exp.add_argument("--format", default="csv", choices=["csv", "json"])
    logs = command(
        sub,
        "log",
        lambda s, a: records.log(s, a.hub, a.since),
        help="a hub's activity log, like an ICS-214 (local times)",
    )
    logs.add_argument("--hub", required=True)
    logs.add_argument("--since", default="2h", help="how far back: 30m, 2h, 1d")
    command(sub, "purge", None, help="purge old texts and contacts now (HUBBOT_RETENTION)")
    chat = command(sub, "chat", None, help="text the running service from a simulated phone")
    chat.add_argument("--from", dest="number", required=True)
    chat.add_argument("--url", help="default: http://HUBBOT_HTTP_HOST:HUBBOT_HTTP_PORT")
    return parser


# Commands that may create the database; the others (and any new one) need it to exist, so a
# mistyped HUBBOT_DATABASE is reported rather than answered from a fresh, empty database.
CREATES_DATABASE = {"run", "hub add", "coordinator add"}
NO_DATABASE = {"check", "schema", "chat", "templates", "migrate-store", "exercise"}
# Third-party loggers that speak at INFO for routine work: the Twilio SDK logs a dozen lines
# per SMS, APScheduler every wake-up, httpx every Telegram request. Heard at DEBUG only.
NOISY_LOGGERS = ("twilio", "apscheduler", "httpx")


def log_level(command: str, setting: str, verbose: int) -> str:
    """`hubbot run` logs at HUBBOT_LOG_LEVEL; the one-off commands only warn, so what they
    print is what they say. `-v` gives INFO, `-vv` (or HUBBOT_LOG_LEVEL=DEBUG) DEBUG."""
    if verbose >= 2 or setting == "DEBUG":
        return "DEBUG"
    if verbose == 1:
        return "INFO"
    if command == "run" or setting == "ERROR":
        return setting
    return "WARNING"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if level == "DEBUG" else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run one command. A failure is one line on stderr, `hubbot: ...` naming the setting or
    the thing at fault, and a non-zero exit; the traceback only with HUBBOT_LOG_LEVEL=DEBUG."""
    args = _parser().parse_args(argv)
    # python-telegram-bot 22's documented opt-in: RetryAfter.retry_after as a timedelta, which
    # the Telegram adapter expects, and no deprecation warning at each 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if args.command == "schema":  # needs no setting, so it works from any folder
        return _finish(cmd_schema)
    try:
        settings = Settings(**_overrides(args))
    except ValidationError as exc:
        for error in exc.errors():
            print(f"hubbot: {_setting_error(error)}", file=sys.stderr)
        return 2
    level = log_level(args.command, settings.log_level, getattr(args, "verbose", 0))
    configure_logging(level)
    return _finish(lambda: _dispatch(args, settings), level == "DEBUG")


def _finish(command: Callable[[], int], debug: bool = False) -> int:
    """Run `command` and flush its output; turn every failure into one line on stderr."""
    try:
        code = command()
        sys.stdout.flush()  # here, not at exit, so a closed pipe is caught below
        return code
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`hubbot export ... | head`): stop quietly. Python would try to
        # flush stdout again at exit and complain, so point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print(f"hubbot: {_describe(exc)}", file=sys.stderr)
        return 1


def _describe(exc: Exception) -> str:
    from hubbot.startup import StartupError
    from hubbot.store.db import StoreUnusable

    if isinstance(exc, StoreUnusable):
        return f"HUBBOT_DATABASE: {exc}"
    if isinstance(exc, StartupError):  # it names its setting already
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """`hubbot check PATH` checks PATH, which it reports on if missing: the playbooks folder
    setting is not used then, so it must not stop the command from another folder."""
    if args.command == "check" and args.path:
        return {"playbooks_dir": Path(args.path) if Path(args.path).exists() else Path.cwd()}
    return {}


def _setting_error(error: ErrorDetails) -> str:
    """One refused setting as `HUBBOT_NAME: what is wrong`; secrets are never echoed."""
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a rule across settings, which names them itself
        return message
    name = "HUBBOT_" + "_".join(str(part) for part in error["loc"]).upper()
    given = error.get("input")
    secret = "TOKEN" in name or "SECRET" in name
    if error["type"] != "value_error" and isinstance(given, str) and not secret:
        message = f"{message} (got {given!r})"
    return f"{name}: {message}"


def _missing_database(args: argparse.Namespace, settings: Settings) -> str | None:
    action = getattr(args, "action", None)
    command = f"{args.command} {action}" if action else args.command
    if args.command in NO_DATABASE or command in CREATES_DATABASE or settings.database_url:
        return None  # PostgreSQL: a server that is not there says so when connected to
    path = settings.database_path
    if path.exists():
        return None
    where = "" if path.is_absolute() else f" (in {Path.cwd()})"
    return (
        f"HUBBOT_DATABASE: no database at {str(path)!r}{where};"
        " `hubbot run` or `hubbot hub add` creates it"
    )


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    missing = _missing_database(args, settings)
    if missing is not None:
        print(f"hubbot: {missing}", file=sys.stderr)
        return 1
    if args.command == "run":
        from hubbot.cli.run import serve
        from hubbot.startup import StartupError

        try:
            asyncio.run(serve(settings))
        except StartupError as exc:
            logging.getLogger("hubbot").debug("start-up failed", exc_info=True)
            print(f"hubbot: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "check":
        target = Path(args.path) if args.path else settings.playbooks_dir
        if scenarios := exercise.scenarios_in(target):  # exercises/: drill scenarios
            return asyncio.run(exercise.check_files(settings, scenarios))
        keys = Renderer(settings.locales_dir).all_keys()
        return cmd_check(target, keys)
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = asyncio.run(handler(settings, args))
        return code
    if args.command == "purge":
        from hubbot.cli.retention import purge

        return asyncio.run(purge(settings))
    if args.command == "chat":
        from hubbot.cli.chat import chat

        number = normalize_phone(args.number, settings.default_region)
        if number is None:
            raise UsageError(f"{args.number!r} is not a valid phone number")
        url = args.url or f"http://{settings.http_host}:{settings.http_port}"
        return asyncio.run(chat(url, number, token=settings.sim_bearer()))
    raise UsageError(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
