"""All configuration, from HUBBOT_* environment variables or a .env file."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from hubbot.database_url import database_setting, redacted
from hubbot.domain.durations import parse_duration
from hubbot.domain.playbook import LOCALES
from hubbot.i18n import catalog_path
from hubbot.settings_alerts import OfficialAlertSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SIM_TOKEN = re.compile(r"^[!-~]{16,256}$")  # printable ASCII, no spaces: it goes in a header
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOOPBACK_NAMES = ("localhost", "localhost.")


class Settings(OfficialAlertSettings):
    """Every setting has a default that runs the embedded service: SQLite plus the simulator."""

    model_config = SettingsConfigDict(
        env_prefix="HUBBOT_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database: str = Field(
        "var/hubbot.db", description="SQLite database file, or a postgresql:// URL."
    )
    playbooks_dir: Path = Field(Path("playbooks"), description="Folder of YAML playbooks.")
    locales_dir: Path = Field(PROJECT_ROOT / "locales", description="gettext catalogs.")
    default_locale: Literal["fr", "en"] = Field("fr", description="Language for new people.")
    default_region: str = Field("CA", description="Country for phone numbers without +code.")
    timezone: str = Field("America/Toronto", description="Hubs' local time zone.")
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(8080, ge=0, le=65535, description="Port of the HTTP server.")
    public_url: str | None = Field(None, description="Base URL providers call, e.g. https://x.")
    sim_token: SecretStr | None = Field(
        None, description="Bearer token for /sim/*; needed to serve them on a non-loopback host."
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token for /metrics; without it /metrics is open."
    )
    default_playbook: str = Field("community-hub", description="Playbook id for new hubs.")
    seed_demo: bool = Field(True, description="Create the DEMO hub when the database is empty.")
    send_max_attempts: int = Field(8, ge=1, description="Tries before a message is failed.")
    send_max_age: str = Field("24h", description="A message not sent after this is failed.")
    send_concurrency: int = Field(32, ge=1, description="Sends in flight at once, at most.")
    send_lease: str = Field("2m", description="A send left under way by a lost worker goes again.")
    flood_rate: float = Field(
        20.0, ge=0, description="Texts a minute passed on per sender after the burst; 0: off."
    )
    flood_burst: int = Field(20, ge=1, description="Texts a sender may send at once.")
    retention: str = Field("30d", description="Message texts are purged this long after.")
    session_ttl: str = Field("12h", description="A console session lasts this long.")

    @field_validator("send_lease")
    @classmethod
    def _send_lease(cls, value: str) -> str:
        # Shorter than a send may take (Twilio's requests time out at 20 s), a live worker's
        # sends would be taken from it and sent twice.
        if parse_duration(value) < timedelta(seconds=30):
            raise ValueError("use at least 30s, e.g. 2m")
        return value

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        # '30m' is thirty minutes, not months: a retention shorter than a day is a typo.
        if parse_duration(value) < timedelta(days=1):
            raise ValueError("use at least 1d, e.g. 30d")
        return value

    twilio_account_sid: str | None = Field(None, description="Twilio account SID (AC...).")
    twilio_auth_token: SecretStr | None = Field(None, description="Twilio auth token.")
    twilio_from_number: str | None = Field(None, description="Sender number, E.164.")
    twilio_messaging_service_sid: str | None = Field(None, description="Or a Messaging Service.")
    twilio_api_url: str = Field("https://api.twilio.com", description="Twilio REST base URL.")
    telegram_token: SecretStr | None = Field(None, description="Bot token from @BotFather.")
    telegram_api_url: str = Field("https://api.telegram.org/bot", description="Bot API base URL.")
    telegram_mode: Literal["polling", "webhook"] | None = Field(
        None, description="polling or webhook; default: webhook when HUBBOT_PUBLIC_URL is set."
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="Secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token."
    )
    telegram_rate: float = Field(
        30.0, gt=0, description="Telegram messages per second, all chats together."
    )
    sms_mps: float = Field(1.0, gt=0, description="SMS segments per second per sender.")
    sms_max_segments: int = Field(3, ge=1, le=10, description="Segments per SMS before a split.")
    sms_fold_accents: bool = Field(False, description="Fold ê, ç, œ... to stay in GSM-7.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")

    @field_validator("send_max_age", "session_ttl")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.match(value.get_secret_value()):
            raise ValueError("use 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    # Start-up checks: a setting that cannot work stops `hubbot run` at once, with its name,
    # instead of failing later in the middle of a crisis (an unknown zone at the first SITREP).

    @field_validator(
        "public_url",
        "sim_token",
        "metrics_token",
        "telegram_mode",
        "telegram_token",
        "telegram_webhook_secret",
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from_number",
        "twilio_messaging_service_sid",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `HUBBOT_PUBLIC_URL=` as copied from .env.example means "not set", not an empty URL.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as America/Toronto"
            ) from None
        return value

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}; use a two-letter country code such as CA")
        return region

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 -- raises on a port that is not a number
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not an http(s) URL; use the base URL providers call,"
                " e.g. https://hub.example.org"
            )
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}; use DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        value = os.fspath(value) if isinstance(value, os.PathLike) else value  # a Path is fine
        return database_setting(value) if isinstance(value, str) else value

    @field_validator("locales_dir")
    @classmethod
    def _locales_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"no folder {_shown(value)}")
        for locale in LOCALES:
            if not catalog_path(value, locale).is_file():
                missing = catalog_path(value, locale).relative_to(value)
                raise ValueError(f"{_shown(value)} has no {missing}")
        return value

    @field_validator("playbooks_dir")
    @classmethod
    def _playbooks_dir(cls, value: Path) -> Path:
        if not value.exists():  # a folder of playbooks, or one playbook file
            raise ValueError(f"no folder {_shown(value)}")
        return value

    @field_validator("sim_token")
    @classmethod
    def _sim_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SIM_TOKEN.match(value.get_secret_value()):
            raise ValueError(
                "use 16 to 256 printable characters without spaces, e.g. the output of"
                " python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"
            )
        return value

    @model_validator(mode="after")
    def _twilio_complete(self) -> Settings:
        """Twilio is all or nothing: half a configuration would quietly serve the simulator."""
        sender = self.twilio_from_number or self.twilio_messaging_service_sid
        parts = {
            "HUBBOT_TWILIO_ACCOUNT_SID": bool(self.twilio_account_sid),
            "HUBBOT_TWILIO_AUTH_TOKEN": bool(self.twilio_auth_token),
            "HUBBOT_TWILIO_FROM_NUMBER or HUBBOT_TWILIO_MESSAGING_SERVICE_SID": bool(sender),
        }
        given = [name for name, present in parts.items() if present]
        missing = [name for name, present in parts.items() if not present]
        if given and missing:
            raise ValueError(
                f"{missing[0]}: not set, but {given[0]} is; Twilio needs the account SID, the"
                " auth token and a sender (set all three, or none to use the simulator)"
            )
        if not missing and not self.public_url:
            raise ValueError(
                "HUBBOT_PUBLIC_URL: not set, but Twilio is; Twilio calls"
                " HUBBOT_PUBLIC_URL/twilio/sms, and webhook signatures are checked against it"
            )
        return self

    @property
    def database_url(self) -> str | None:
        """The PostgreSQL URL, when HUBBOT_DATABASE is one; None for an SQLite file."""
        return self.database if "://" in self.database else None

    @property
    def database_path(self) -> Path:
        """The SQLite file (meaningless when database_url is set)."""
        return Path(self.database)

    @property
    def database_shown(self) -> str:
        """HUBBOT_DATABASE as messages and logs may show it: never the URL's password."""
        return redacted(self.database) if self.database_url else self.database

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value())

    @property
    def telegram_webhook(self) -> bool:
        return (self.telegram_mode or ("webhook" if self.public_url else "polling")) == "webhook"

    def telegram_secret(self) -> str:
        """The webhook secret: the configured one, or one derived from the token."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret.get_secret_value()
        token = self.telegram_token.get_secret_value() if self.telegram_token else ""
        return hashlib.sha256(f"hubbot-webhook:{token}".encode()).hexdigest()

    @property
    def loopback(self) -> bool:
        """The HTTP server listens on this machine only (127.0.0.1, ::1 or localhost)."""
        host = self.http_host.strip().lower()
        try:
            return host in LOOPBACK_NAMES or ip_address(host.strip("[]")).is_loopback
        except ValueError:
            return False

    @property
    def sim_served(self) -> bool:
        """The /sim routes exist only for the simulator channel, and on a non-loopback host
        only behind HUBBOT_SIM_TOKEN: anyone reaching them could text as anyone."""
        return not self.twilio_enabled and (self.loopback or self.sim_token is not None)

    @property
    def session_lifetime(self) -> timedelta:
        """How long a console login lasts (HUBBOT_SESSION_TTL)."""
        return parse_duration(self.session_ttl)

    def sim_bearer(self) -> str | None:
        return self.sim_token.get_secret_value() if self.sim_token else None

    @property
    def twilio_enabled(self) -> bool:
        """Twilio is used when its credentials and a sender are all set."""
        sender = self.twilio_from_number or self.twilio_messaging_service_sid
        return bool(self.twilio_account_sid and self.twilio_auth_token and sender)

    def webhook_url(self, path: str) -> str:
        """The URL a provider calls for `path`, as it signs it."""
        base = self.public_url or f"http://{self.http_host}:{self.http_port}"
        return base.rstrip("/") + path


def _shown(path: Path) -> str:
    """A path as the operator gave it, with where a relative one was looked for."""
    return f"{str(path)!r}" if path.is_absolute() else f"{str(path)!r} (in {Path.cwd()})"
