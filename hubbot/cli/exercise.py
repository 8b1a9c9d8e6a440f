"""`hubbot exercise run|live|check|schema`: play a drill scenario (in-process, or into the running
service), check one, or print its schema."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from hubbot.cli.closing import console_effects
from hubbot.cli.console import (
    Commands,
    UsageError,
    catalogs_and_playbooks,
    command,
    hub_named,
    store,
)
from hubbot.cli.console import (
    log as log_activity,
)
from hubbot.clock import SystemClock
from hubbot.domain.sms import segment_count
from hubbot.exercises.live import Live
from hubbot.exercises.loader import ScenarioError, check_scenario
from hubbot.exercises.records import Run
from hubbot.exercises.report import build
from hubbot.exercises.runner import run_scenario
from hubbot.exercises.schema import scenario_json_schema
from hubbot.exercises.sim_client import LiveError
from hubbot.service.cap_relay import CapRelay
from hubbot.settings import Settings
from hubbot.store import hubs
from hubbot.store.conn import Store
from hubbot.store.hubs import HubRecord

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
    live = command(
        actions,
        "live",
        lambda s, a: live_file(
            s, Path(a.file), a.hub, a.url, a.speed, Path(a.out) if a.out else None
        ),
        help="play a scenario's injects into the running service, in real time, for a hub's"
        " team; the hub is in exercise mode meanwhile; exit 1 if an expectation is missed",
    )
    live.add_argument("file", help="a scenario, e.g. exercises/ice-storm.yaml")
    live.add_argument("--hub", required=True, help="the hub that trains, e.g. PLATEAU")
    live.add_argument(
        "--url", help="the service; default: http://HUBBOT_HTTP_HOST:HUBBOT_HTTP_PORT"
    )
    live.add_argument(
        "--speed", type=float, default=1.0, help="scenario minutes per real minute (default 1)"
    )
    live.add_argument(
        "--out", help=f"folder for the transcript and report (default: {DEFAULT_OUT})"
    )
    check = command(
        actions,
        "check",
        lambda s, a: check_files(s, [Path(f) for f in a.files]),
        help="validate scenarios; errors as file:line: message",
    )
    check.add_argument("files", nargs="+")
    command(actions, "schema", lambda s, a: print_schema(), help="print the scenarios' JSON Schema")


def scenarios_in(path: Path) -> list[Path]:
    """The scenario files `path` names (a scenario, or a folder of them such as exercises/),
    so `hubbot check exercises/` validates them as `exercise check` does; [] for playbooks."""
    files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    scenarios = [f for f in files if f.is_file() and _is_scenario(f)]
    return scenarios if scenarios and len(scenarios) == len(files) else []


def _is_scenario(file: Path) -> bool:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("injects:") for line in text.splitlines())


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
    return _write(run, file.stem, out_dir, stream)


def _write(run: Run, stem: str, out_dir: Path | None, stream: TextIO) -> int:
    report = build(run)
    folder = out_dir or Path(DEFAULT_OUT)
    folder.mkdir(parents=True, exist_ok=True)
    transcript = folder / f"{stem}-transcript.md"
    after_action = folder / f"{stem}-report.md"
    transcript.write_text(report.transcript, encoding="utf-8")
    after_action.write_text(report.after_action, encoding="utf-8")
    print(report.summary(), file=stream)
    print(f"Wrote {transcript} and {after_action}", file=stream)
    return 0 if report.passed else 1


async def live_file(
    settings: Settings,
    file: Path,
    code: str,
    url: str | None,
    speed: float,
    out_dir: Path | None,
    out: TextIO | None = None,
) -> int:
    """Play `file` into the running service for hub `code`; write `<name>-live-transcript.md`
    and `<name>-live-report.md`; 1 if an expectation is missed or the drill cannot start."""
    stream = out or sys.stdout
    if not speed > 0:
        raise UsageError(f"--speed {speed:g}: give more than 0, e.g. 1 (real time) or 60")
    if settings.database_url is None and not settings.database_path.exists():
        raise UsageError(f"HUBBOT_DATABASE: no database at {str(settings.database_path)!r}")
    scenario, problems = check_scenario(file, settings.default_region)
    if scenario is None:
        for problem in problems:
            print(problem, file=stream)
        return 1
    renderer, playbooks = catalogs_and_playbooks(settings)
    clock = SystemClock()
    async with store(settings) as db:
        async with db.transaction() as conn:
            record = await hub_named(conn, code)
        if record.playbook_id not in playbooks:
            raise UsageError(f"hub {record.code} uses playbook {record.playbook_id!r}, not found")
        effects = console_effects(settings, db, renderer, playbooks, clock)
        # Alerts are relayed from here, on the service's database: it sends what this writes.
        relay = CapRelay(db, clock, effects.outbound, playbooks, lambda: None)
        sms = effects.outbound.channels["sms"]

        def segments(channel: str, text: str) -> int:
            return sum(map(segment_count, sms.shape(text))) if channel == "sms" else 1

        live = Live(
            scenario,
            db,
            record,
            playbooks[record.playbook_id],
            relay.receive,
            segments,
            url or f"http://{settings.http_host}:{settings.http_port}",
            settings.sim_bearer(),
            speed,
            settings.default_region,
            clock,
        )
        try:
            await live.probe()
        except LiveError as exc:
            print(f"Cannot play {file.name} live: {exc}", file=stream)
            return 1
        await _exercise_mode(db, record, True, stream)
        try:
            run = await live.run(lambda line: print(line, file=stream, flush=True))
        finally:
            # Ctrl-C, an error or the end: the hub goes back to what it was.
            await _exercise_mode(db, record, record.exercise, stream)
        was = "on, as it was" if record.exercise else "off"
        run.notes.append(f"Hub {record.code} was in exercise mode for the run, then {was}.")
    return _write(run, f"{file.stem}-live", out_dir, stream)


async def _exercise_mode(db: Store, record: HubRecord, on: bool, stream: TextIO) -> None:
    async with db.transaction() as conn:
        await hubs.set_exercise(conn, record.id, on)
        said = f"exercise mode {'on' if on else 'off'} (exercise live)"
        await log_activity(conn, record.id, "hub_set", said, SystemClock().now())
    if on:
        print(
            f"Hub {record.code} is in exercise mode: its texts say EXERCICE / EXERCISE.",
            file=stream,
        )
    else:
        print(
            f"Hub {record.code}: exercise mode back {'on' if record.exercise else 'off'}.",
            file=stream,
        )
