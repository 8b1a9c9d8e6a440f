"""The settings of official alerts (CAP feeds and the NAAD stream), part of Settings."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from hubbot.domain.durations import parse_duration


class OfficialAlertSettings(BaseSettings):
    """HUBBOT_CAP_*: where official alerts come from (see the README's Official alerts)."""

    cap_feeds: str = Field("", description="CAP feed URLs (Atom or CAP), comma-separated.")
    cap_poll: str = Field("60s", description="How often the CAP feeds are polled.")
    cap_stream: str | None = Field(None, description="host:port of a NAAD TCP stream.")
    cap_archive: str = Field(
        "http://capcp1.naad-adna.pelmorex.com",
        description="NAAD archive: alerts a heartbeat names that the stream missed.",
    )

    @field_validator("cap_feeds")
    @classmethod
    def _cap_feeds(cls, value: str) -> str:
        for url in _listed(value):
            if not _is_web_url(url):
                raise ValueError(
                    f"{url!r} is not an http(s) URL; list feed URLs separated by commas,"
                    " e.g. https://alerts.example.org/feed.atom"
                )
        return value

    @field_validator("cap_archive")
    @classmethod
    def _cap_archive(cls, value: str) -> str:
        if not _is_web_url(value.strip()):
            raise ValueError(
                f"{value!r} is not an http(s) URL, e.g. http://capcp1.naad-adna.pelmorex.com"
            )
        return value.strip()

    @field_validator("cap_poll")
    @classmethod
    def _cap_poll(cls, value: str) -> str:
        # Faster than this is hammering someone else's server for alerts that come rarely.
        if parse_duration(value) < timedelta(seconds=10):
            raise ValueError("use at least 10s, e.g. 60s")
        return value

    @field_validator("cap_stream")
    @classmethod
    def _cap_stream(cls, value: str | None) -> str | None:
        if value is not None and _host_port(value) is None:
            raise ValueError(
                f"{value!r} is not host:port; use e.g. streaming1.naad-adna.pelmorex.com:8080"
            )
        return value.strip() if value is not None else None

    @field_validator("cap_stream", mode="before")
    @classmethod
    def _blank_stream(cls, value: object) -> object:
        # `HUBBOT_CAP_STREAM=` as copied from .env.example means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def cap_feed_urls(self) -> list[str]:
        """HUBBOT_CAP_FEEDS as a list, each an http(s) URL (checked at start-up)."""
        return _listed(self.cap_feeds)

    @property
    def cap_poll_seconds(self) -> float:
        return parse_duration(self.cap_poll).total_seconds()

    @property
    def cap_stream_address(self) -> tuple[str, int] | None:
        """HUBBOT_CAP_STREAM as (host, port), or None when unset."""
        return _host_port(self.cap_stream) if self.cap_stream else None


def _listed(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _host_port(value: str) -> tuple[str, int] | None:
    """("host", port) from "host:port" or "[::1]:port"; None if it is not that."""
    try:
        parts = urlsplit("//" + value.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or not port or parts.netloc != value.strip() or "@" in value:
        return None
    if any(c.isspace() for c in parts.hostname):
        return None
    return parts.hostname, port
