"""Load playbook YAML files into domain Playbooks, reporting every problem with its line.

Warnings (a text that would go as UCS-2) are reported the same way but do not stop a load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hubbot.domain.playbook import (
    Playbook,
)
from hubbot.playbooks.checks import RESERVED_WORDS, check_semantics, ucs2_texts
from hubbot.playbooks.messages import describe_error, given_twice
from hubbot.playbooks.schema import PlaybookSpec
from hubbot.playbooks.to_domain import to_domain
from hubbot.playbooks.yamlsource import Loc, Source, YamlSyntaxError, parse_yaml

__all__ = [
    "RESERVED_WORDS",
    "Checked",
    "PlaybookError",
    "Problem",
    "check_path",
    "load_dir",
    "load_file",
    "load_playbooks",
    "playbook_json_schema",
]

log = logging.getLogger(__name__)

PLAYBOOK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a playbook file; line is 1-based, 0 when no line applies."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PlaybookError(Exception):
    """The playbooks could not be loaded; problems says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the playbooks:\n{lines}")


@dataclass(frozen=True)
class Checked:
    """What `check_path` found: the playbooks that load, what stops the others, and warnings."""

    playbooks: dict[str, Playbook]
    problems: list[Problem]
    warnings: list[Problem]


@dataclass
class _Loaded:
    playbook: Playbook | None
    problems: list[Problem]
    raw_id: str | None = None
    id_line: int = 1
    warnings: list[Problem] = field(default_factory=list)


def load_file(
    path: Path, known_keys: set[str] | None = None
) -> tuple[Playbook | None, list[Problem]]:
    """Load one playbook; the Playbook is None unless the problem list is empty."""
    loaded = _load(path, known_keys)
    return loaded.playbook, loaded.problems


def load_dir(
    path: Path, known_keys: set[str] | None = None
) -> tuple[dict[str, Playbook], list[Problem]]:
    """Load every *.yaml and *.yml file in a directory, in name order, keyed by playbook id."""
    checked = _load_dir(path, known_keys)
    return checked.playbooks, checked.problems


def check_path(path: Path, known_keys: set[str] | None = None) -> Checked:
    """Playbooks from a directory or a single file, with every problem and every warning."""
    if path.is_dir():
        return _load_dir(path, known_keys)
    loaded = _load(path, known_keys)
    playbooks = {loaded.playbook.id: loaded.playbook} if loaded.playbook is not None else {}
    return Checked(playbooks, loaded.problems, loaded.warnings)


def _load_dir(path: Path, known_keys: set[str] | None) -> Checked:
    if not path.is_dir():
        return Checked({}, [Problem(str(path), 0, "not a directory")], [])
    files = sorted(p for p in path.iterdir() if p.suffix in PLAYBOOK_SUFFIXES and p.is_file())
    if not files:
        message = "no playbook files (*.yaml or *.yml) in this directory"
        return Checked({}, [Problem(str(path), 0, message)], [])
    playbooks: dict[str, Playbook] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    owners: dict[str, str] = {}
    for file in files:
        loaded = _load(file, known_keys)
        problems.extend(loaded.problems)
        warnings.extend(loaded.warnings)
        if loaded.raw_id is None:
            continue
        if loaded.raw_id in owners:
            owner = owners[loaded.raw_id]
            message = f"id: playbook id '{loaded.raw_id}' is already used by {owner}"
            problems.append(Problem(str(file), loaded.id_line, message))
            continue
        owners[loaded.raw_id] = str(file)
        if loaded.playbook is not None:
            playbooks[loaded.playbook.id] = loaded.playbook
    return Checked(playbooks, problems, warnings)


def load_playbooks(path: Path, known_keys: set[str] | None = None) -> dict[str, Playbook]:
    """Playbooks from a directory or a single file; raise PlaybookError if anything is wrong.

    Warnings are logged: the playbooks load, but their SMS cost more than they need to."""
    checked = check_path(path, known_keys)
    if checked.problems:
        raise PlaybookError(checked.problems)
    for warning in checked.warnings:
        log.warning("%s", warning)
    playbooks = checked.playbooks
    log.info("loaded %d playbook(s) from %s: %s", len(playbooks), path, ", ".join(playbooks))
    return playbooks


def playbook_json_schema() -> dict[str, Any]:
    """The JSON schema of a playbook file, for editor completion and validation."""
    schema = PlaybookSpec.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _load(path: Path, known_keys: set[str] | None) -> _Loaded:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _Loaded(None, [Problem(name, 0, "the file is not UTF-8 text; save it as UTF-8")])
    except OSError as exc:
        return _Loaded(None, [Problem(name, 0, f"cannot read the file: {exc.strerror or exc}")])
    try:
        source = parse_yaml(text)
    except YamlSyntaxError as exc:
        return _Loaded(None, [Problem(name, exc.line, exc.message)])
    if source.data is None:
        return _Loaded(None, [Problem(name, 1, "the file is empty")])
    findings = given_twice(source.duplicate_keys)
    spec: PlaybookSpec | None = None
    try:
        spec = PlaybookSpec.model_validate(source.data)
    except ValidationError as exc:
        findings.extend(describe_error(error) for error in exc.errors())
    findings.extend(check_semantics(source.data, known_keys))
    problems = _to_problems(name, source, findings)
    raw_id = source.data.get("id") if isinstance(source.data, dict) else None
    loaded = _Loaded(None, problems, warnings=_ucs2_warnings(name, source, text))
    if isinstance(raw_id, str):
        loaded.raw_id, loaded.id_line = raw_id.strip(), source.line_of(("id",))
    if spec is not None and not problems:
        loaded.playbook = to_domain(spec)
    return loaded


def _to_problems(name: str, source: Source, findings: list[tuple[Loc, str]]) -> list[Problem]:
    problems = [Problem(name, source.line_of(loc), message) for loc, message in findings]
    # Sorted by line, so the report reads top to bottom like the file; sort is stable.
    return sorted(dict.fromkeys(problems), key=lambda problem: problem.line)


def _ucs2_warnings(name: str, source: Source, text: str) -> list[Problem]:
    """A warning per text that would go as UCS-2, on the line of its first such character."""
    lines = text.splitlines()
    warnings = []
    for found in ucs2_texts(source.data):
        line = _line_holding(lines, source.line_of(found.loc), found.odd[0])
        warnings.append(Problem(name, line, found.message()))
    return sorted(warnings, key=lambda warning: warning.line)


def _line_holding(lines: list[str], start: int, char: str) -> int:
    """The first line from `start` (1-based) that holds `char`: in a card written as a block,
    the line to fix rather than the line of its key."""
    for number in range(start, min(len(lines), start + 200) + 1):
        if char in lines[number - 1]:
            return number
    return start
