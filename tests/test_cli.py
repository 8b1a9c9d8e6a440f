"""The operator's console: hubs, coordinators, people, templates, and records in local time."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from hubbot.cli import closing, records
from hubbot.cli.main import _parser, log_level, main
from hubbot.settings import Settings
from hubbot.store import people
from tests.conftest import ROOT, Harness

LEAD = "514-555-0101"
COMMS = "514-555-0105"
VOL_FR = "514-555-0103"
VOL_EN = "514-555-0104"
COORD_FR = "514-555-0190"
COORD_EN = "514-555-0191"


def settings_for(tmp_path: Path, timezone: str = "America/Toronto") -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database=tmp_path / "hub.db",
        playbooks_dir=ROOT / "playbooks",
        timezone=timezone,
    )


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`hubbot` run in-process on the harness's database, as an operator would on the server."""
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "hub.db"))
    monkeypatch.setenv("HUBBOT_PLAYBOOKS_DIR", str(ROOT / "playbooks"))
    monkeypatch.setenv("HUBBOT_TIMEZONE", "America/Toronto")
    return tmp_path


async def hubbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command line (in a thread: it runs its own event loop) and what it printed."""
    code = await asyncio.to_thread(main, list(args))
    said = capsys.readouterr()
    return code, said.out, said.err


async def open_hub(harness: Harness) -> None:
    """PLATEAU open with a lead, a communications holder, and a French and an English member."""
    await harness.add_hub()
    await harness.add_coordinator(COORD_FR, "fr")
    await harness.add_coordinator(COORD_EN, "en")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 communications")
    await harness.text(VOL_FR, "REJOINDRE PLATEAU")
    await harness.text(VOL_EN, "JOIN PLATEAU")


# Closing a hub


async def test_closing_a_hub_from_the_console_tells_coordinators_and_members_in_their_language(
    harness: Harness, tmp_path: Path
) -> None:
    await open_hub(harness)
    said = io.StringIO()
    before = len(harness.channel.sent)
    assert await closing.hub_close(settings_for(tmp_path), "plateau", said, harness.clock) == 0
    got = await harness._delivered(before)

    assert said.getvalue().startswith("Hub PLATEAU (Plateau) is closed; told 2 coordinator(s)")
    assert got[f"+1{COORD_FR.replace('-', '')}"] == [
        "Centre PLATEAU (Plateau) FERMÉ par l'opérateur (ligne de commande)."
    ]
    assert got[f"+1{COORD_EN.replace('-', '')}"] == [
        "Hub PLATEAU (Plateau) is CLOSED, by the operator (command line)."
    ]
    assert got["+15145550103"] == [
        "Le centre PLATEAU (Plateau) est maintenant fermé. Merci à tous ! Vie en danger : 911."
    ]
    assert got["+15145550104"] == [
        "Hub PLATEAU (Plateau) is now closed. Thank you all! Life in danger: 911."
    ]
    # The lead and communications holder are members too: everyone hears it once.
    assert len(got["+15145550101"]) == 1 and len(got["+15145550105"]) == 1
    entries = await harness.db.fetchall(
        "SELECT person_id, role, action FROM activity_log WHERE action = 'hub_closed'"
    )
    assert [tuple(e) for e in entries] == [(None, "operator", "hub_closed")]


async def test_a_hub_closed_from_the_console_answers_as_closed_by_text(
    harness: Harness, tmp_path: Path
) -> None:
    await open_hub(harness)
    await closing.hub_close(settings_for(tmp_path), "PLATEAU", io.StringIO(), harness.clock)
    await harness._delivered(0)
    assert (await harness.text(LEAD, "FERMER"))["+15145550101"] == ["Plateau est déjà fermé."]


async def test_closing_a_closed_hub_from_the_console_tells_nobody(
    harness: Harness, tmp_path: Path, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD_EN, "en")
    before = len(harness.channel.sent)
    code, out, _ = await hubbot(capsys, "hub", "close", "PLATEAU")
    assert (code, out) == (0, "Hub PLATEAU (Plateau) is already closed.\n")
    assert await harness._delivered(before) == {}


# Hubs


async def test_hub_show_gives_status_roles_held_and_vacant_members_and_address(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await open_hub(harness)
    code, out, _ = await hubbot(capsys, "hub", "show", "plateau")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "PLATEAU  Plateau"
    assert lines[1] == "  status     active since 2026-01-14 22:00 -05:00"
    assert "  playbook   community-hub" in lines
    assert "  members    4" in lines
    assert "  address    - (life-safety replies name no place)" in lines
    assert "  roles      2 held, 3 vacant" in lines
    lead = next(line for line in lines if line.strip().startswith("lead"))
    assert lead.endswith("M3") and "Responsable du centre" in lead  # M1, M2: coordinators
    reception = next(line for line in lines if line.strip().startswith("reception"))
    assert reception.endswith("VACANT (priority)")


async def test_a_new_pin_set_from_the_console_opens_the_hub_and_the_old_one_no_longer_does(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub(pin="2468")
    code, out, _ = await hubbot(capsys, "hub", "set-pin", "PLATEAU", "--pin", "97531")
    assert code == 0 and "new PIN set" in out and "97531" not in out
    assert (await harness.text(LEAD, "ACTIVER PLATEAU 2468"))["+15145550101"][0].startswith(
        "NIP erroné"
    )
    opened = (await harness.text(LEAD, "ACTIVER PLATEAU 97531"))["+15145550101"]
    assert opened[0] == "Plateau est maintenant OUVERT. La coordination est avisée."
    logged = await harness.db.fetchall("SELECT role, action, detail FROM activity_log")
    assert ("operator", "pin_changed", "by hubbot hub set-pin") in [tuple(r) for r in logged]
    assert not any("97531" in str(tuple(r)) for r in logged)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("hub", "show", "NOWHERE"), "error: no hub NOWHERE; see `hubbot hub list`\n"),
        (("hub", "close", "NOWHERE"), "error: no hub NOWHERE; see `hubbot hub list`\n"),
        (
            ("hub", "set-pin", "PLATEAU", "--pin", "12"),
            "error: the PIN needs 4 to 32 characters and no spaces, like 2468\n",
        ),
        (("person", "show", "M99"), "error: no person M99\n"),
        (("person", "show", "514-555-0199"), "error: nobody has the address sms:+15145550199\n"),
        (
            ("coordinator", "remove", "M1"),
            "error: M1 is not a coordinator; see `hubbot coordinator list`\n",
        ),
        (("log", "--hub", "NOWHERE"), "error: no hub NOWHERE; see `hubbot hub list`\n"),
    ],
)  # fmt: skip
async def test_a_mistake_on_the_command_line_is_one_line_and_a_failing_exit(
    harness: Harness,
    console: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    error: str,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "REJOINDRE PLATEAU")
    code, out, err = await hubbot(capsys, *args)
    assert (code, out, err) == (1, "", error)


# Coordinators


async def test_coordinators_are_listed_with_their_addresses_and_removed_by_address(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await hubbot(capsys, "coordinator", "add", COORD_FR))[0] == 0
    assert (await hubbot(capsys, "coordinator", "add", "telegram:5501", "--locale", "en"))[0] == 0
    code, out, _ = await hubbot(capsys, "coordinator", "list")
    assert code == 0
    assert out.splitlines() == [
        f"{'M1':<24} fr  sms:+15145550190",
        f"{'M2':<24} en  telegram:5501",
    ]
    code, out, _ = await hubbot(capsys, "coordinator", "remove", COORD_FR)
    assert code == 0 and out.startswith("M1 is no longer a coordinator")
    assert [c.id for c in await people.coordinators(harness.db.conn)] == [2]
    code, out, _ = await hubbot(capsys, "coordinator", "list")
    assert "sms:+15145550190" not in out
    logged = await harness.db.fetchall("SELECT role, action, detail FROM activity_log ORDER BY id")
    assert [tuple(r) for r in logged] == [
        ("operator", "coordinator_added", "M1"),
        ("operator", "coordinator_added", "M2"),
        ("operator", "coordinator_removed", "M1"),
    ]


async def test_a_removed_coordinator_is_not_told_when_a_hub_opens(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD_EN, "en")
    await hubbot(capsys, "coordinator", "remove", COORD_EN)
    got = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert "+15145550191" not in got


# People


async def test_person_show_gives_number_roles_hubs_language_opt_out_and_addresses(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await open_hub(harness)
    await harness.text(VOL_EN, "STOP")
    code, out, _ = await hubbot(capsys, "person", "show", "M3")
    assert code == 0
    assert out.splitlines() == [
        "M3",
        "  language   fr",
        "  opted out  no",
        "  hubs       PLATEAU",
        "  roles      lead at PLATEAU",
        "  address",
        f"    {'sms:+15145550101':<28} last wrote 2026-01-14 22:00 -05:00",
    ]
    code, out, _ = await hubbot(capsys, "person", "show", "(514) 555-0104")
    assert code == 0
    assert "  opted out  yes: sent STOP, hears nothing until START" in out.splitlines()
    assert "sms:+15145550104" in out  # the number is shown here, on the console only
    assert "  roles      -" in out.splitlines()


async def test_person_show_of_a_merged_member_number_shows_who_they_became(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.text(LEAD, "AIDE")
    await harness.text(VOL_FR, "AIDE")
    assert (await hubbot(capsys, "person", "link", LEAD, VOL_FR))[0] == 0
    code, out, _ = await hubbot(capsys, "person", "show", "M2")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["M2 was merged into M1:", "M1"]
    assert "  addresses  (texts go to the first)" in lines


# Templates


async def test_templates_lists_every_broadcast_template_in_french_and_english(
    console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await hubbot(capsys, "templates")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("#boil_water")
    assert lines[at + 1].startswith("  fr: AVIS : faites bouillir l'eau du robinet")
    assert lines[at + 2].startswith("  en: NOTICE: boil tap water")
    assert {"#shelter_open", "#power_restored"} <= set(lines)
    assert lines[-1].startswith("3 template(s). Send one: BROADCAST #boil_water")


# The log and exports, in local time


async def test_the_log_shows_local_time_with_its_offset(harness: Harness, tmp_path: Path) -> None:
    await open_hub(harness)
    at = harness.clock.now()
    toronto, paris = io.StringIO(), io.StringIO()
    await records.log(settings_for(tmp_path), "PLATEAU", "1h", toronto, at=at)
    await records.log(settings_for(tmp_path, "Europe/Paris"), "PLATEAU", "1h", paris, at=at)
    # 03:00 UTC is 22:00 the evening before in Montreal, and 04:00 in Paris.
    assert toronto.getvalue().splitlines()[0] == "2026-01-14 22:00 -05:00  M3  hub_opened"
    assert paris.getvalue().splitlines()[0] == "2026-01-15 04:00 +01:00  M3  hub_opened"


async def test_an_operators_action_shows_in_the_log_as_the_operators(
    harness: Harness, tmp_path: Path
) -> None:
    await open_hub(harness)
    settings = settings_for(tmp_path)
    await closing.hub_close(settings, "PLATEAU", io.StringIO(), harness.clock)
    printed = io.StringIO()
    await records.log(settings, "PLATEAU", "1h", printed, at=harness.clock.now())
    assert printed.getvalue().splitlines()[-1] == "2026-01-14 22:00 -05:00  operator  hub_closed"


async def test_exports_give_local_times_with_the_offset_in_csv_and_json(
    harness: Harness, tmp_path: Path
) -> None:
    await open_hub(harness)
    await harness.text(VOL_FR, "BESOIN eau potable pour 4")
    settings = settings_for(tmp_path)
    as_csv, as_json = io.StringIO(), io.StringIO()
    await records.export(settings, "PLATEAU", "needs", "csv", as_csv)
    await records.export(settings, "PLATEAU", "needs", "json", as_json)
    need = next(csv.DictReader(io.StringIO(as_csv.getvalue())))
    assert need["created_at"] == "2026-01-14 22:00 -05:00"
    assert json.loads(as_json.getvalue())[0]["created_at"] == "2026-01-14T22:00:00-05:00"


async def test_the_sitreps_csv_has_one_column_per_figure_and_json_keeps_the_structure(
    harness: Harness, tmp_path: Path
) -> None:
    await open_hub(harness)
    await harness.text(COMMS, "ETAT courant coupé")
    await harness.text(VOL_FR, "BESOIN eau potable pour 4")
    await harness.text(COMMS, "BILAN")
    settings = settings_for(tmp_path)
    as_csv, as_json = io.StringIO(), io.StringIO()
    await records.export(settings, "PLATEAU", "sitreps", "csv", as_csv)
    await records.export(settings, "PLATEAU", "sitreps", "json", as_json)

    report = next(csv.DictReader(io.StringIO(as_csv.getvalue())))
    assert "body" not in report and "{" not in as_csv.getvalue()
    assert report["number"] == "1" and report["by"] == "M4"
    assert report["at"] == "2026-01-14 22:00 -05:00"
    assert report["onsite"] == "0" and report["offers_open"] == "0"
    assert report["needs.water.open"] == "1"
    assert report["lifeline.power"] == "coupé"
    body = json.loads(as_json.getvalue())[0]["body"]
    assert body["needs"] == {"water": {"open": 1}}
    assert body["lifelines"][0]["topic"] == "power"


async def test_a_purge_from_the_console_is_in_the_log(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await hubbot(capsys, "purge"))[0] == 0
    logged = await harness.db.fetchall("SELECT hub_id, role, action, detail FROM activity_log")
    assert [tuple(r)[:3] for r in logged] == [(None, "operator", "purged")]
    assert "HUBBOT_RETENTION=30d" in logged[0]["detail"]


# Logging


def test_one_off_commands_only_warn_unless_asked_to_say_more() -> None:
    assert log_level("hub", "INFO", 0) == "WARNING"
    assert log_level("export", "INFO", 1) == "INFO"
    assert log_level("export", "INFO", 2) == "DEBUG"
    assert log_level("log", "DEBUG", 0) == "DEBUG"
    assert log_level("run", "INFO", 0) == "INFO"  # the service keeps HUBBOT_LOG_LEVEL


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "log", "--hub", "PLATEAU"],
        ["log", "--hub", "PLATEAU", "-v"],
        ["hub", "show", "PLATEAU", "--verbose"],
    ],
)
def test_v_is_understood_before_or_after_the_command(argv: list[str]) -> None:
    assert _parser().parse_args(argv).verbose == 1


def test_without_v_a_command_has_no_verbosity(tmp_path: Path) -> None:
    assert getattr(_parser().parse_args(["templates"]), "verbose", 0) == 0
