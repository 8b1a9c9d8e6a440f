"""Exercise scenarios: the shipped drills meet their expectations on the shipped playbook, a
missed expectation fails `hubbot exercise run`, and a bad scenario is pointed at by line."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.cli.main import main
from hubbot.exercises.loader import load_scenario
from hubbot.exercises.records import Run
from hubbot.exercises.report import Report, build
from hubbot.exercises.runner import run_scenario
from hubbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"


def settings(tmp: Path) -> Settings:
    return Settings(
        database=str(tmp / "unused.db"),
        playbooks_dir=ROOT / "playbooks",
        seed_demo=False,
        sms_mps=1.0,
    )


def play(name: str, tmp: Path) -> tuple[Run, Report]:
    run = asyncio.run(run_scenario(load_scenario(EXERCISES / name), settings(tmp)))
    return run, build(run)


@pytest.fixture(scope="module")
def ice_storm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Report]:
    return play("ice-storm.yaml", tmp_path_factory.mktemp("ice"))


@pytest.fixture(scope="module")
def spring_flood(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Report]:
    return play("spring-flood.yaml", tmp_path_factory.mktemp("flood"))


def test_the_ice_storm_meets_every_expectation_on_the_shipped_playbook(
    ice_storm: tuple[Run, Report],
) -> None:
    run, report = ice_storm
    assert [v.title for v in report.verdicts if not v.met] == []
    assert len(report.verdicts) == 6
    # 2 h 30 of simulated time is played as fast as it goes, not at the wall clock's pace
    # (about 12 s alone; the bound leaves room for a loaded machine, it is not a speed test).
    assert run.wall_seconds < 15 * 60


def test_the_elderly_neighbour_who_stays_silent_is_named_to_the_lead_after_the_roll_call(
    ice_storm: tuple[Run, Report],
) -> None:
    run, report = ice_storm
    lead = next(a for a, p in run.personas.items() if p == "marie")
    yvette = next(a for a, p in run.personas.items() if p == "yvette")
    ends = [
        o.text for o in run.records.outbound if o.address == lead and "Fin de l'appel" in o.text
    ]
    assert ends and "1 sans réponse : M" in ends[0] and "Yvette" in ends[0]
    asked = [a for a in run.records.asks if a.kind == "rollcall"]
    assert len(asked) > 200 and [a for a in asked if a.answered is None] == [
        a for a in asked if a.person_id == run.records.person_of[yvette]
    ]
    assert f"Roll call answer rate: {len(asked) - 1} of {len(asked)}" in report.after_action
    assert "silent: yvette" in report.after_action


def test_sends_fail_while_the_sms_network_is_down_and_go_out_once_it_is_back(
    ice_storm: tuple[Run, Report],
) -> None:
    run, _ = ice_storm
    down, back = run.t0 + timedelta(hours=1, minutes=5), run.t0 + timedelta(hours=1, minutes=7)
    arrive = next(m for m in run.records.inbound if m.text == "ARRIVE 8")
    reply = next(o for o in run.records.outbound if o.inbound_id == arrive.id)
    assert down < arrive.at < back
    assert reply.sent is not None and reply.sent >= back
    assert not [o for o in run.records.outbound if o.sent and down <= o.sent < back]


def test_the_life_safety_reply_jumps_the_queue_of_two_hundred_welcomes(
    ice_storm: tuple[Run, Report],
) -> None:
    run, _ = ice_storm
    karim = next(a for a, p in run.personas.items() if p == "karim")
    alarm = next(m for m in run.records.inbound if m.address == karim and "respire" in m.text)
    reply = next(o for o in run.records.outbound if o.inbound_id == alarm.id)
    assert reply.priority == "urgent" and reply.sent == alarm.at  # no simulated time passed
    # Meanwhile the crowd's welcomes waited their turn at one SMS a second.
    waits = [
        (o.sent - m.at).total_seconds()
        for m in run.records.inbound
        if m.address in run.crowd and m.text == "REJOINDRE GLACE"
        for o in run.records.outbound
        if o.inbound_id == m.id and o.sent is not None
    ]
    assert len(waits) == 200 and max(waits) > 20


def test_the_transcript_shows_every_message_at_its_simulated_time(
    ice_storm: tuple[Run, Report],
) -> None:
    run, report = ice_storm
    assert "| T+00:00 | in | marie | sms | 1 | ACTIVER GLACE 2468 |" in report.transcript
    assert re.search(
        r"\| T\+11:30 \| out \| karim \| sms \| 1 \| [^|]*Appelez le 911", report.transcript
    )
    assert re.search(
        r"\| T\+2:0\d:\d\d \| in \| luc \(facility\) \| sms \| 1 \| OK \|", report.transcript
    )
    rows = [line for line in report.transcript.splitlines() if line.startswith("| T+")]
    assert len(rows) == len(run.records.inbound) + len(run.records.outbound)


def test_the_spring_flood_meets_every_expectation_and_relays_the_evacuation_warning(
    spring_flood: tuple[Run, Report],
) -> None:
    run, report = spring_flood
    assert [v.title for v in report.verdicts if not v.met] == []
    assert [outcome for inject, outcome in run.played if inject.kind == "cap"] == [
        "alert A1: relayed (to RIVIERE)"
    ]


def test_a_silent_holder_answers_the_check_in_once_back_within_its_window(
    spring_flood: tuple[Run, Report],
) -> None:
    run, report = spring_flood
    amir = next(a for a, p in run.personas.items() if p == "amir")
    answer = [m for m in run.records.inbound if m.address == amir and m.text == "OK"]
    assert [run.t0 + timedelta(hours=2, minutes=7)] == [m.at for m in answer]  # silent till 2:05
    assert "Check-in answer rate: 3 of 3 (100%)" in report.after_action


IMPOSSIBLE = """\
name: Impossible
start: "2026-03-01T10:00:00-05:00"
duration: 20m
hub: {code: TEST, name: Test, pin: "1234"}
personas:
  - {id: ana, name: Ana, phone: "+15145550131", role: lead}
  - {id: ben, name: Ben, phone: "+15145550132", language: en}
injects:
  - {at: T+0, text: {persona: ana, body: ACTIVER TEST 1234}}
  - {at: T+1m, text: {persona: ben, body: JOIN TEST}}
  - {at: T+2m, text: {persona: ben, body: NEED drinking water for 2}}
expectations:
  - needs_acknowledged: {within: 1m}
  - need_matched: {need: ben, within: 10m}
"""


def test_a_missed_expectation_makes_exercise_run_exit_1_and_the_report_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "impossible.yaml"
    scenario.write_text(IMPOSSIBLE, encoding="utf-8")
    monkeypatch.setenv("HUBBOT_PLAYBOOKS_DIR", str(ROOT / "playbooks"))
    code = main(["exercise", "run", str(scenario), "--out", str(tmp_path / "out")])
    assert code == 1
    printed = capsys.readouterr().out
    assert "MISSED the need of ben matched within 10m: N1 posted T+02:00, never matched" in printed
    assert re.search(r"met    every need acknowledged within 1m: N1 in \d s", printed)
    report = (tmp_path / "out" / "impossible-report.md").read_text(encoding="utf-8")
    assert "**1 of 2 expectations met.**" in report
    assert "| **MISSED** | the need of ben matched within 10m |" in report
    assert (tmp_path / "out" / "impossible-transcript.md").is_file()


def test_a_bad_scenario_is_refused_with_the_file_and_line_of_each_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        IMPOSSIBLE.replace("persona: ben, body: JOIN", "persona: bne, body: JOIN").replace(
            "within: 10m", "wihtin: 10m"
        ),
        encoding="utf-8",
    )
    assert main(["exercise", "check", str(bad), str(EXERCISES / "ice-storm.yaml")]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{bad}:10: injects[1].text.persona: no persona 'bne'; did you mean 'ben'?",
        f"{bad}:14: expectations[1].need_matched: unknown field 'wihtin'"
        " (allowed: need, within); did you mean 'within'?",
        "1 of 2 scenario(s) have problems",
    ]
    assert main(["exercise", "run", str(bad)]) == 1  # nothing runs


def test_the_shipped_scenarios_pass_the_check_and_the_schema_describes_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["exercise", "check", *map(str, sorted(EXERCISES.glob("*.yaml")))]) == 0
    assert capsys.readouterr().out.strip() == "OK: 2 scenario(s) valid"
    assert main(["check", str(EXERCISES)]) == 0, "hubbot check takes the scenarios' folder too"
    assert capsys.readouterr().out.strip() == "OK: 2 scenario(s) valid"
    assert main(["exercise", "schema"]) == 0
    schema = capsys.readouterr().out
    assert '"title": "Exercise scenario"' in schema and '"sms_down"' in schema


def test_a_scenario_naming_a_playbook_that_is_not_there_is_refused_before_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "elsewhere.yaml"
    scenario.write_text(IMPOSSIBLE.replace('"1234"}', '"1234", playbook: flood}'), encoding="utf-8")
    monkeypatch.setenv("HUBBOT_PLAYBOOKS_DIR", str(ROOT / "playbooks"))
    assert main(["exercise", "run", str(scenario), "--out", str(tmp_path / "out")]) == 1
    assert "hub.playbook: no playbook 'flood'" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()
