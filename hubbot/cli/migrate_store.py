"""`hubbot migrate-store --from sqlite:///... --to postgresql://...`: copied, then checked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hubbot.cli.console import Commands, UsageError, command
from hubbot.store.copy import CopyError, copy_store

_SQLITE = "sqlite:///"
_HIDDEN = "***"


def register(commands: Commands) -> None:
    parser = command(
        commands,
        "migrate-store",
        lambda s, a: migrate(a.source, a.target),
        help="copy an SQLite database into an empty PostgreSQL one, checked by counts",
    )
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="sqlite:///var/hubbot.db (relative) or sqlite:////srv/hubbot.db (absolute)",
    )
    parser.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="postgresql://user@host/db"
    )


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/hubbot.db` is var/hubbot.db, `sqlite:////srv/hubbot.db` /srv/hubbot.db
    (SQLAlchemy's reading, which operators may know)."""
    if not url.startswith(_SQLITE) or len(url) == len(_SQLITE):
        raise UsageError(
            f"--from {url!r} is not an SQLite URL: give sqlite:///var/hubbot.db (relative)"
            " or sqlite:////srv/hubbot/hubbot.db (absolute)"
        )
    return Path(url.removeprefix(_SQLITE))


def shown(dsn: str) -> str:
    """The URL as it may be printed: a password, in the address or as ?password=, hidden."""
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{_HIDDEN}@{host}"
    query = [(k, _HIDDEN if k == "password" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*")))


def _secrets(dsn: str) -> list[str]:
    parts = urlsplit(dsn)
    found = [v for k, v in parse_qsl(parts.query, True) if k == "password"]
    return [s for s in [parts.password, *found] if s]


def _scrubbed(text: str, dsn: str) -> str:
    for secret in _secrets(dsn):
        text = text.replace(secret, _HIDDEN)
    return text


async def migrate(source_url: str, target: str, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    source = sqlite_path(source_url)
    if urlsplit(target).scheme not in ("postgresql", "postgres"):
        raise UsageError(f"--to {shown(target)!r} is not a postgresql:// URL")
    tables: list[str] = []

    def copied(table: str, rows: int) -> None:
        if not tables:  # once the refusals are behind: a refusal is one line, on stderr
            print(f"Copying {source} into {shown(target)}:", file=out)
        tables.append(table)
        print(f"  {table:<22} {rows:>9,} rows", file=out, flush=True)

    try:
        result = await copy_store(source, target, copied)
    except CopyError as exc:
        raise UsageError(_scrubbed(str(exc), target)) from exc
    total = sum(result.counts.values())
    print(
        f"Checked: each of the {len(result.counts)} tables holds as many rows on PostgreSQL"
        f" as in a snapshot of {source} ({total:,} rows, schema version {result.version}).",
        file=out,
    )
    return 0
