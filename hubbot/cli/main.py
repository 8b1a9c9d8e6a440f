"""The `hubbot` command line: run, check, schema, hub, coordinator, outbox, export, log, chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from hubbot.addresses import normalize_phone
from hubbot.cli import admin, records
from hubbot.cli.playbook_cmds import cmd_check, cmd_schema
from hubbot.domain.playbook import LOCALES
from hubbot.i18n import Renderer
from hubbot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve SMS, Telegram and the simulator")
    check = sub.add_parser("check", help="validate playbooks; errors as file:line: message")
    check.add_argument("path", nargs="?", help="a playbook file or folder (default: playbooks)")
    sub.add_parser("schema", help="print the playbooks' JSON Schema")

    hub = sub.add_parser("hub", help="add or list hubs").add_subparsers(
        dest="action", required=True
    )
    add = hub.add_parser("add", help="add a hub")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--pin", required=True, help="the PIN keyholders text to ACTIVATE")
    add.add_argument("--locale", choices=LOCALES)
    add.add_argument("--sms-number", help="the hub's own SMS number, E.164")
    add.add_argument("--playbook")
    add.add_argument("--address", help="where the hub is, e.g. '4500 rue Saint-Denis'")
    hub.add_parser("list", help="list hubs")

    coord = sub.add_parser("coordinator", help="regional coordinators")
    coord_sub = coord.add_subparsers(dest="action", required=True)
    cadd = coord_sub.add_parser("add", help="make an address a coordinator")
    cadd.add_argument("address", help="+15145550101, sms:+15145550101 or telegram:<id>")
    cadd.add_argument("--locale", choices=LOCALES)

    box = sub.add_parser("outbox", help="messages waiting to go out, or failed ones and why")
    box.add_argument("--failed", action="store_true", help="list failed messages and reasons")

    exp = sub.add_parser("export", help="write a hub's needs, offers, log or reports")
    exp.add_argument("--hub", required=True)
    exp.add_argument("--what", required=True, choices=["needs", "offers", "log", "sitreps"])
    exp.add_argument("--format", default="csv", choices=["csv", "json"])
    logs = sub.add_parser("log", help="a hub's activity log, like an ICS-214")
    logs.add_argument("--hub", required=True)
    logs.add_argument("--since", default="2h", help="how far back: 30m, 2h, 1d")

    chat = sub.add_parser("chat", help="text the running service from a simulated phone")
    chat.add_argument("--from", dest="number", required=True)
    chat.add_argument("--url", help="default: http://HUBBOT_HTTP_HOST:HUBBOT_HTTP_PORT")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # python-telegram-bot 22's documented opt-in: RetryAfter.retry_after as a timedelta, which
    # the Telegram adapter expects, and no deprecation warning at each 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "HUBBOT_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"error: setting {name}: {error['msg']}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return _dispatch(args, settings)
    except admin.UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        from hubbot.cli.run import serve

        asyncio.run(serve(settings))
        return 0
    if args.command == "check":
        keys = Renderer(settings.locales_dir).all_keys()
        return cmd_check(Path(args.path) if args.path else settings.playbooks_dir, keys)
    if args.command == "schema":
        return cmd_schema()
    if args.command == "hub" and args.action == "add":
        asyncio.run(
            admin.hub_add(
                settings,
                args.code,
                args.name,
                args.pin,
                args.locale,
                args.sms_number,
                args.playbook,
                address=args.address,
            )
        )
        return 0
    if args.command == "hub" and args.action == "list":
        asyncio.run(admin.hub_list(settings))
        return 0
    if args.command == "coordinator":
        asyncio.run(admin.coordinator_add(settings, args.address, args.locale))
        return 0
    if args.command == "outbox":
        return asyncio.run(admin.outbox_list(settings, args.failed))
    if args.command == "export":
        return asyncio.run(records.export(settings, args.hub, args.what, args.format))
    if args.command == "log":
        return asyncio.run(records.log(settings, args.hub, args.since))
    if args.command == "chat":
        from hubbot.cli.chat import chat

        number = normalize_phone(args.number, settings.default_region)
        if number is None:
            raise admin.UsageError(f"{args.number!r} is not a valid phone number")
        url = args.url or f"http://{settings.http_host}:{settings.http_port}"
        return asyncio.run(chat(url, number))
    raise admin.UsageError(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
