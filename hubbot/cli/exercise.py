"""`hubbot exercise run|check|schema`: play a drill scenario, check one, or print its schema."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from hubbot.cli.console import Commands, command
from hubbot.exercises.loader import ScenarioError, check_scenario
from hubbot.exercises.report import build
from hubbot.exercises.runner import run_scenario
from hubbot.exercises.schema import scenario_json_schema
from hubbot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_OUT = "var/exercises"  # beside the default database, where git does not look


def register(commands: Commands) -> None:
    parser = command(commands, "exercise", None, help="run, check or describe drill scenarios")
    actions = parser.add_subparsers(dest="action", required=True)
    run = command(
        actions,
        "run",
        lambda s, a: run_file(s, Path(a.file), Path(a.out) if a.out else None),
        help="play a scenario in-process on a simulated clock; exit 1 if an expectation is missed",
    )
    run.add_argument("file", help="a scenario, e.g. exercises/ice-storm.yaml")
    run.add_argument("--out", help=f"folder for the transcript and report (default: {DEFAULT_OUT})")
    check = command(
        actions,
        "check",
        lambda s, a: check_files(s, [Path(f) for f in a.files]),
        help="validate scenarios; errors as file:line: message",
    )
    check.add_argument("files", nargs="+")
    command(actions, "schema", lambda s, a: print_schema(), help="print the scenarios' JSON Schema")


async def check_files(settings: Settings, files: list[Path], out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    failed = 0
    for file in files:
        _, problems = check_scenario(file, settings.default_region)
        for problem in problems:
            print(problem, file=stream)
        failed += bool(problems)
    if failed:
        print(f"{failed} of {len(files)} scenario(s) have problems", file=stream)
        return 1
    print(f"OK: {len(files)} scenario(s) valid", file=stream)
    return 0


async def print_schema(out: TextIO | None = None) -> int:
    print(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False), file=out or sys.stdout)
    return 0


async def run_file(
    settings: Settings, file: Path, out_dir: Path | None, out: TextIO | None = None
) -> int:
    """Run one scenario; write `<name>-transcript.md` and `<name>-report.md`; 1 if missed."""
    stream = out or sys.stdout
    scenario, problems = check_scenario(file, settings.default_region)
    if scenario is None:
        for problem in problems:
            print(problem, file=stream)
        return 1
    try:
        run = await run_scenario(scenario, settings)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=stream)
        return 1
    report = build(run)
    folder = out_dir or Path(DEFAULT_OUT)
    folder.mkdir(parents=True, exist_ok=True)
    stem = file.stem
    transcript = folder / f"{stem}-transcript.md"
    after_action = folder / f"{stem}-report.md"
    transcript.write_text(report.transcript, encoding="utf-8")
    after_action.write_text(report.after_action, encoding="utf-8")
    print(report.summary(), file=stream)
    print(f"Wrote {transcript} and {after_action}", file=stream)
    return 0 if report.passed else 1
