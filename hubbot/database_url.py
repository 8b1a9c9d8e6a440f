"""HUBBOT_DATABASE read: an SQLite file path, or a PostgreSQL URL shown without its password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

PG_SCHEMES = ("postgresql", "postgres")


def database_setting(value: str) -> str:
    """The setting as given, or ValueError saying why it cannot work. The URL is never echoed
    with its password: the message goes to the terminal and to logs."""
    value = value.strip()
    if not value:
        raise ValueError("empty; use a file path (SQLite) or a postgresql:// URL")
    if "://" not in value:
        return value
    scheme = value.split("://", 1)[0].lower()
    if scheme not in PG_SCHEMES:
        raise ValueError(
            f"{scheme}:// is not a database hubbot uses; use a file path (SQLite)"
            " or a postgresql://user:password@host:5432/name URL"
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError as exc:
        raise ValueError(f"{redacted(value)} is not a valid URL ({exc})") from None
    if not parts.path.strip("/"):  # else asyncpg would quietly use the user's name
        raise ValueError(
            f"{redacted(value)} names no database; use postgresql://user:password@host:5432/name"
        )
    return value


def redacted(url: str) -> str:
    """A database URL with its password, if any, as ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url.split("://", 1)[0] + "://..."
    if password is None:
        return url
    head, _, host = parts.netloc.rpartition("@")
    user = head.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
