"""Every setting is documented in .env.example and the README, and read with its prefix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hubbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(f"HUBBOT_{name.upper()}" for name in Settings.model_fields)


def test_every_setting_is_in_env_example_and_every_example_is_a_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*(HUBBOT_[A-Z0-9_]+)=", example, re.MULTILINE))
    assert listed == set(NAMES)


def test_every_setting_is_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in NAMES if f"`{name}`" not in readme]
    assert not missing


def test_settings_come_from_hubbot_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBOT_HTTP_PORT", "9099")
    monkeypatch.setenv("HUBBOT_DEFAULT_LOCALE", "en")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.http_port == 9099 and settings.default_locale == "en"


def test_a_bad_setting_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBOT_DEFAULT_LOCALE", "de")
    with pytest.raises(ValueError, match="default_locale"):
        Settings(_env_file=None)  # type: ignore[call-arg]
