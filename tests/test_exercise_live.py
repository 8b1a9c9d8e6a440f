"""`hubbot exercise live`: a scenario played into a running `hubbot run`, through its simulator,
for a real hub in exercise mode; the report is read back from the service's database."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
from pathlib import Path

from tests.service import ROOT, Service

LEAD, VOLUNTEER, COORD = "+15145550121", "+15145550126", "+15145550199"

# Thirty scenario minutes, played at speed 600: three seconds. The scenario names its own hub
# (RIVIERE); the live run plays into PLATEAU instead.
SCENARIO = """\
name: Live drill
start: "2026-04-20T06:00:00-04:00"
duration: 30m
hub: {code: RIVIERE, name: Centre Ahuntsic, pin: "2468", locale: fr}
personas:
  - {id: nadia, name: Nadia Benali, phone: "+15145550121", language: fr, role: lead}
  - {id: emma, name: Emma Walsh, phone: "+15145550126", language: en}
  - {id: tg, name: Telegram Tess, telegram: 4242, language: en}
injects:
  - {at: T+0, text: {persona: nadia, body: ACTIVER RIVIERE 2468}}
  - {at: T+2m, text: {persona: emma, body: JOIN RIVIERE}}
  - {at: T+3m, crowd: {count: 3, language: en}}
  - {at: T+5m, text: {persona: emma, body: "NEED drinking water for 3 people"}}
  - {at: T+6m, text: {persona: tg, body: JOIN RIVIERE}}
  - {at: T+8m, sms_down: {for: 2m}}
  - {at: T+9m, silent: {persona: nadia, for: 5m}}
  - {at: T+10m, cap: {file: spring-flood-evacuation.xml}}
expectations:
  - needs_acknowledged: {within: 1m}
  - message_received: {to: nadia, contains: OUVERT, by: T+10m}
  - checkin_answered: {}
"""


async def _drill(service: Service, tmp_path: Path) -> tuple[int, str, Path]:
    await service.start()
    assert (await service.cli("coordinator", "add", COORD))[0] == 0
    code, out = await service.cli(
        "hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468", "--sgc", "2466023"
    )
    assert code == 0, out
    scenario = tmp_path / "drill.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    shutil.copy(ROOT / "exercises" / "spring-flood-evacuation.xml", tmp_path)
    reports = tmp_path / "reports"
    code, out = await service.cli(
        "exercise", "live", str(scenario), "--hub", "plateau", "--speed", "600",
        "--out", str(reports),
    )  # fmt: skip
    return code, out, reports


async def test_a_live_drill_marks_its_texts_reaches_no_outside_coordinator_and_reports(
    service: Service, tmp_path: Path
) -> None:
    code, out, reports = await _drill(service, tmp_path)
    assert "Hub PLATEAU is in exercise mode" in out, out
    assert code == 1, "a check-in nobody was asked counts as missed"

    lead = await service.inbox(LEAD)
    assert any("Plateau est maintenant OUVERT" in t for t in lead), lead
    assert lead and all(t.startswith("EXERCICE ") for t in lead), lead
    volunteer = await service.inbox(VOLUNTEER)
    assert any(t.startswith("EXERCISE Need N") for t in volunteer), volunteer
    assert all(t.startswith("EXERCISE ") for t in volunteer), volunteer
    assert await service.inbox("+14385551000"), "the crowd's neighbours joined too"
    assert any("A1" in t for t in lead), "the drill's alert, relayed by the CLI, reached the lead"
    assert await service.inbox(COORD) == [], "a coordinator outside the hub hears no drill"

    report = (reports / "drill-live-report.md").read_text(encoding="utf-8")
    assert "**2 of 3 expectations met.**" in report, report
    assert "| met | every need acknowledged within 1m |" in report
    assert "| met | nadia received 'OUVERT' by T+10m |" in report
    assert "| **MISSED** | check-ins answered by everyone |" in report
    assert "sms_down: NOT PLAYED LIVE" in report and "silent: NOT PLAYED LIVE" in report
    assert "tg is on Telegram" in report and "alert A1: relayed" in report
    assert "Personas do not answer by themselves" in report
    transcript = (reports / "drill-live-transcript.md").read_text(encoding="utf-8")
    assert "ACTIVER PLATEAU 2468" in transcript and "DEMO" not in transcript
    assert COORD not in transcript, "a real coordinator is named by member number, not phone"


async def test_after_a_live_drill_the_hub_is_out_of_exercise_mode_and_speaks_plainly(
    service: Service, tmp_path: Path
) -> None:
    await _drill(service, tmp_path)
    assert service.query("SELECT exercise FROM hubs WHERE code = 'PLATEAU'") == [(0,)]
    await service.inbox(LEAD)
    await service.text(LEAD, "AIDE")
    answer = await service.expect(LEAD, lambda t: True)
    assert not answer.startswith("EXERCICE"), answer


async def test_a_live_drill_without_a_running_service_leaves_the_hub_as_it_was(
    service: Service, tmp_path: Path
) -> None:
    await service.start()
    assert (await service.cli("hub", "add", "PLATEAU", "--name", "P", "--pin", "2468"))[0] == 0
    await service.stop()
    scenario = tmp_path / "drill.yaml"
    scenario.write_text(SCENARIO.replace("  - {at: T+10m, cap:", "  # "), encoding="utf-8")
    code, out = await service.cli("exercise", "live", str(scenario), "--hub", "PLATEAU")
    assert code == 1 and "Cannot play drill.yaml live: no hubbot answers" in out, out
    assert service.query("SELECT exercise FROM hubs WHERE code = 'PLATEAU'") == [(0,)]


async def test_ctrl_c_ends_a_live_drill_early_with_its_report_and_the_hub_put_back(
    service: Service, tmp_path: Path
) -> None:
    await service.start()
    assert (await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468"))[
        0
    ] == 0
    scenario = tmp_path / "drill.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    shutil.copy(ROOT / "exercises" / "spring-flood-evacuation.xml", tmp_path)
    drill = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hubbot", "exercise", "live", str(scenario), "--hub", "PLATEAU",
        "--out", str(tmp_path / "reports"), cwd=tmp_path, env=service.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    await service.expect(LEAD, lambda t: "OUVERT" in t)  # at real speed, T+2m is far off
    drill.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(drill.communicate(), 30)
    assert drill.returncode == 1, out.decode()
    assert service.query("SELECT exercise FROM hubs WHERE code = 'PLATEAU'") == [(0,)]
    report = (tmp_path / "reports" / "drill-live-report.md").read_text(encoding="utf-8")
    assert "- T+0 text: nadia texted 'ACTIVER PLATEAU 2468'" in report
    assert "- T+2m text: NOT PLAYED LIVE: the run was stopped" in report
