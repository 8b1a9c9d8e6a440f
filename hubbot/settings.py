"""All configuration, from HUBBOT_* environment variables or a .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
