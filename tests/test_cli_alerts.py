"""`hubbot hub set` places a hub for official alerts, and `hubbot alerts` says what came in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.cap_relay import CapRelay
from hubbot.service.outbound import Outbound
from tests.conftest import Harness
from tests.test_cli import console, hubbot

__all__ = ["console"]  # the fixture, shared with test_cli
CAP = Path(__file__).parent / "fixtures" / "cap"


async def test_a_hub_placed_by_the_command_line_is_shown_with_its_location(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.add_hub()
    code, out, _ = await hubbot(
        capsys, "hub", "set", "plateau", "--lat", "45.545", "--lon", "-73.68", "--sgc", "2466023"
    )
    assert (code, out) == (0, "Hub PLATEAU: at 45.5450, -73.6800 SGC 2466023.\n")
    _, out, _ = await hubbot(capsys, "hub", "show", "PLATEAU")
    assert "  location   45.5450, -73.6800 SGC 2466023" in out.splitlines()
    await hubbot(capsys, "hub", "set", "PLATEAU", "--exercise", "on")
    _, out, _ = await hubbot(capsys, "hub", "show", "PLATEAU")
    assert "EXERCISE MODE" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--lat", "45.5"), "give --lat and --lon together"),
        (("--lat", "145", "--lon", "-73"), "a latitude is between -90 and 90"),
        (("--sgc", "Montréal"), "use 2, 4 or 7 digits"),
        ((), "say what to set"),
    ],
)
async def test_a_wrong_location_is_refused_with_what_to_write_instead(
    harness: Harness,
    console: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    said: str,
) -> None:
    await harness.add_hub()
    code, out, err = await hubbot(capsys, "hub", "set", "PLATEAU", *args)
    assert code != 0 and said in out + err


async def test_hub_add_with_a_bad_location_adds_no_hub(
    harness: Harness, console: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = await hubbot(
        capsys, "hub", "add", "NORD", "--name", "Nord", "--pin", "2468", "--lat", "45"
    )
    assert code != 0
    _, out, _ = await hubbot(capsys, "hub", "list")
    assert "NORD" not in out


async def test_alerts_lists_what_was_relayed_dropped_and_why(
    harness: Harness,
    console: Path,
    capsys: pytest.CaptureFixture[str],
    playbooks: dict[str, Playbook],
    renderer: Renderer,
) -> None:
    await harness.add_hub()
    await hubbot(capsys, "hub", "set", "PLATEAU", "--lat", "45.545", "--lon", "-73.68")
    await harness.text("+15145550101", "ACTIVER PLATEAU 2468")
    harness.clock.current = datetime(2026, 4, 20, 11, 0, tzinfo=UTC)
    outbound = Outbound(renderer, {"sms": harness.channel}, harness.clock)
    relay = CapRelay(harness.db, harness.clock, outbound, playbooks, lambda: None)
    await relay.receive((CAP / "alert.xml").read_bytes(), "https://feed.example/cap")
    await relay.receive((CAP / "bomb.xml").read_bytes(), "tcp://naad.example:8080")
    code, out, _ = await hubbot(capsys, "alerts")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("A2") and "dropped" in lines[0]
    assert "DTD" in lines[2] and "tcp://naad.example:8080" in lines[2]
    assert lines[3].startswith("A1") and "relayed" in lines[3] and "Severe" in lines[3]
    assert lines[4].strip() == "flood warning - Rivière des Prairies"
    assert any(line.strip() == "to PLATEAU; from https://feed.example/cap" for line in lines)
