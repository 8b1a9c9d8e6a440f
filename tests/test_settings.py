"""Every setting is documented in .env.example and the README, and read with its prefix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

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


@pytest.mark.parametrize(
    ("variables", "named", "says"),
    [
        ({"HUBBOT_TIMEZONE": "Mars/Olympus"}, "timezone", "unknown time zone 'Mars/Olympus'"),
        ({"HUBBOT_DEFAULT_REGION": "ZZ"}, "default_region", "unknown region 'ZZ'"),
        ({"HUBBOT_PUBLIC_URL": "hub.example.org"}, "public_url", "not an http(s) URL"),
        ({"HUBBOT_PUBLIC_URL": "ftp://hub.example.org"}, "public_url", "not an http(s) URL"),
        ({"HUBBOT_LOG_LEVEL": "LOUD"}, "log_level", "unknown log level 'LOUD'"),
        ({"HUBBOT_LOCALES_DIR": "/nowhere/locales"}, "locales_dir", "no folder '/nowhere/locales'"),
        ({"HUBBOT_LOCALES_DIR": "playbooks"}, "locales_dir", "has no fr/LC_MESSAGES/hubbot.po"),
        ({"HUBBOT_PLAYBOOKS_DIR": "/nowhere/playbooks"}, "playbooks_dir", "no folder"),
        ({"HUBBOT_SIM_TOKEN": "short"}, "sim_token", "16 to 256"),
        ({"HUBBOT_CAP_FEEDS": "https://a.example/f, b.example"}, "cap_feeds", "'b.example' is"),
        ({"HUBBOT_CAP_FEEDS": "ftp://a.example/feed"}, "cap_feeds", "not an http(s) URL"),
        ({"HUBBOT_CAP_POLL": "5s"}, "cap_poll", "at least 10s"),
        ({"HUBBOT_CAP_POLL": "often"}, "cap_poll", "invalid duration 'often'"),
        ({"HUBBOT_CAP_STREAM": "naad.example"}, "cap_stream", "not host:port"),
        ({"HUBBOT_CAP_STREAM": "naad.example:99999"}, "cap_stream", "not host:port"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_a_setting_that_cannot_work_is_refused_at_start_with_its_name(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], named: str, says: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    (error,) = refused.value.errors()
    assert error["loc"] == (named,) and says in error["msg"]


SID, TOKEN, SENDER = "AC" + "0" * 32, "tok-SECRET-123", "+15145550000"


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({"HUBBOT_TWILIO_ACCOUNT_SID": SID}, "HUBBOT_TWILIO_AUTH_TOKEN: not set"),
        (
            {"HUBBOT_TWILIO_ACCOUNT_SID": SID, "HUBBOT_TWILIO_AUTH_TOKEN": TOKEN},
            "HUBBOT_TWILIO_FROM_NUMBER or HUBBOT_TWILIO_MESSAGING_SERVICE_SID: not set",
        ),
        (
            {"HUBBOT_TWILIO_AUTH_TOKEN": TOKEN, "HUBBOT_TWILIO_FROM_NUMBER": SENDER},
            "HUBBOT_TWILIO_ACCOUNT_SID: not set",
        ),
        (
            {
                "HUBBOT_TWILIO_ACCOUNT_SID": SID,
                "HUBBOT_TWILIO_AUTH_TOKEN": TOKEN,
                "HUBBOT_TWILIO_FROM_NUMBER": SENDER,
            },
            "HUBBOT_PUBLIC_URL: not set",
        ),
    ],
    ids=["sid only", "no sender", "no sid", "no public url"],
)
def test_half_a_twilio_configuration_is_refused_naming_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], missing: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    message = refused.value.errors()[0]["msg"]
    assert message.removeprefix("Value error, ").startswith(missing)
    assert TOKEN not in message, "the token is never echoed"


def test_a_whole_twilio_configuration_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBOT_TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("HUBBOT_TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("HUBBOT_TWILIO_MESSAGING_SERVICE_SID", "MG" + "0" * 32)
    monkeypatch.setenv("HUBBOT_PUBLIC_URL", "https://hub.example.org")
    assert Settings(_env_file=None).twilio_enabled  # type: ignore[call-arg]


def test_the_example_file_copied_as_is_runs_the_simulator() -> None:
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert not settings.twilio_enabled and not settings.telegram_enabled
    assert settings.public_url is None and settings.sim_served


def test_region_and_log_level_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBOT_DEFAULT_REGION", "fr")
    monkeypatch.setenv("HUBBOT_LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.default_region, settings.log_level) == ("FR", "DEBUG")


PG_PASSWORD = "Pw-never-shown-42"


def test_a_file_path_selects_sqlite_and_a_postgresql_url_selects_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", "/srv/hubbot/hubbot.db")
    on_file = Settings(_env_file=None)  # type: ignore[call-arg]
    assert on_file.database_url is None and on_file.database_path == Path("/srv/hubbot/hubbot.db")
    for scheme in ("postgresql", "postgres"):
        url = f"{scheme}://hubbot:{PG_PASSWORD}@db.example.org:5432/hubbot"
        monkeypatch.setenv("HUBBOT_DATABASE", url)
        on_server = Settings(_env_file=None)  # type: ignore[call-arg]
        assert on_server.database_url == url, "the // of the URL is kept, not read as a path"
        assert on_server.database_shown == f"{scheme}://hubbot:***@db.example.org:5432/hubbot"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"postgresql://hubbot:{PG_PASSWORD}@db:port/hubbot", "is not a valid URL"),
        (f"postgresql://hubbot:{PG_PASSWORD}@db:5432", "names no database"),
        (f"mysql://hubbot:{PG_PASSWORD}@db/hubbot", "use a file path (SQLite)"),
    ],
    ids=["bad port", "no database", "another database"],
)
def test_a_database_url_that_cannot_work_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", url)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)  # type: ignore[call-arg]
    (error,) = refused.value.errors()
    assert error["loc"] == ("database",) and says in error["msg"]
    assert PG_PASSWORD not in error["msg"]
