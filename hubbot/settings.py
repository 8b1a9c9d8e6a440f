"""All configuration, from HUBBOT_* environment variables or a .env file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hubbot.domain.durations import parse_duration

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Settings(BaseSettings):
    """Every setting has a default that runs the embedded service: SQLite plus the simulator."""

    model_config = SettingsConfigDict(
        env_prefix="HUBBOT_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database: Path = Field(Path("var/hubbot.db"), description="SQLite database file.")
    playbooks_dir: Path = Field(Path("playbooks"), description="Folder of YAML playbooks.")
    locales_dir: Path = Field(PROJECT_ROOT / "locales", description="gettext catalogs.")
    default_locale: Literal["fr", "en"] = Field("fr", description="Language for new people.")
    default_region: str = Field("CA", description="Country for phone numbers without +code.")
    timezone: str = Field("America/Toronto", description="Hubs' local time zone.")
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(8080, ge=0, le=65535, description="Port of the HTTP server.")
    public_url: str | None = Field(None, description="Base URL providers call, e.g. https://x.")
    default_playbook: str = Field("community-hub", description="Playbook id for new hubs.")
    seed_demo: bool = Field(True, description="Create the DEMO hub when the database is empty.")
    send_max_attempts: int = Field(8, ge=1, description="Tries before a message is failed.")
    send_max_age: str = Field("24h", description="A message not sent after this is failed.")
    send_concurrency: int = Field(16, ge=1, description="Sends in flight at once, at most.")

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

    @field_validator("send_max_age")
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
    def twilio_enabled(self) -> bool:
        """Twilio is used when its credentials and a sender are all set."""
        sender = self.twilio_from_number or self.twilio_messaging_service_sid
        return bool(self.twilio_account_sid and self.twilio_auth_token and sender)

    def webhook_url(self, path: str) -> str:
        """The URL a provider calls for `path`, as it signs it."""
        base = self.public_url or f"http://{self.http_host}:{self.http_port}"
        return base.rstrip("/") + path
