"""Load and check exercise scenario files, every problem as file:line: message."""

from __future__ import annotations

import difflib
import logging
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hubbot.addresses import normalize_phone
from hubbot.exercises.schema import PATTERN_HINTS, ScenarioSpec
from hubbot.playbooks.loader import Problem
from hubbot.playbooks.messages import at, describe_error, given_twice
from hubbot.playbooks.yamlsource import Loc, YamlSyntaxError, parse_yaml

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    """A checked scenario and the folder its CAP files are read from."""

    spec: ScenarioSpec
    path: Path

    def cap_file(self, name: str) -> Path:
        return self.path.parent / name


class ScenarioError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def load_scenario(path: Path, region: str = "CA") -> Scenario:
    """The scenario at `path`; ScenarioError lists everything wrong with it."""
    scenario, problems = check_scenario(path, region)
    if scenario is None:
        raise ScenarioError(problems)
    return scenario


def check_scenario(path: Path, region: str = "CA") -> tuple[Scenario | None, list[Problem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(name, 0, "the file is not UTF-8 text; save it as UTF-8")]
    except OSError as exc:
        return None, [Problem(name, 0, f"cannot read the file: {exc.strerror or exc}")]
    try:
        source = parse_yaml(text)
    except YamlSyntaxError as exc:
        return None, [Problem(name, exc.line, exc.message)]
    if source.data is None:
        return None, [Problem(name, 1, "the file is empty")]
    findings = given_twice(source.duplicate_keys)
    spec: ScenarioSpec | None = None
    try:
        spec = ScenarioSpec.model_validate(source.data)
    except ValidationError as exc:
        findings.extend(_describe(error) for error in exc.errors())
    findings.extend(_semantics(source.data, path, region))
    problems = sorted(
        dict.fromkeys(Problem(name, source.line_of(loc), msg) for loc, msg in findings),
        key=lambda problem: problem.line,
    )
    if spec is None or problems:
        return None, problems
    return Scenario(spec, path), []


def _describe(error: ErrorDetails) -> tuple[Loc, str]:
    loc: Loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and loc:
        fields = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f" (allowed: {', '.join(fields)}){guess}" if fields else ""
        return loc, f"{at(loc[:-1])}unknown field '{loc[-1]}'{allowed}"
    if error["type"] == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        if pattern in PATTERN_HINTS:
            return loc, f"{at(loc)}{error.get('input')!r} is not valid: {PATTERN_HINTS[pattern]}"
    if error["type"] == "value_error" and loc and loc[-1] in ("text", "cap", "sms_down"):
        loc = loc[:-1]  # a union's branch in the path helps nobody
    return describe_error(error)


def _fields_at(loc: Loc) -> list[str]:
    """The field names (as written in YAML) of the model at `loc` in a scenario."""
    current: Any = ScenarioSpec
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) and get_origin(current) is list:
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            if field is None:
                return []
            current = field.annotation
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else annotation
    return annotation


def _semantics(data: object, path: Path, region: str) -> Iterator[tuple[Loc, str]]:
    """What pydantic cannot see: names that must refer to something, numbers that must read.
    Read from the raw file, so these show beside pydantic's own findings, not after a fix."""
    if not isinstance(data, dict):
        return
    ids: set[str] = set()
    phones: set[str] = set()
    for i, persona in _entries(data, "personas"):
        persona_id, phone = persona.get("id"), persona.get("phone")
        if isinstance(persona_id, str):
            if persona_id in ids:
                yield ("personas", i, "id"), f"personas[{i}].id: '{persona_id}' is used twice"
            ids.add(persona_id)
        if isinstance(phone, str):
            loc: Loc = ("personas", i, "phone")
            e164 = normalize_phone(phone, region)
            if e164 is None:
                yield loc, f"{at(loc)}{phone!r} is not a valid phone number"
            elif e164 in phones:
                yield loc, f"{at(loc)}{phone!r} is given to two personas"
            phones.add(e164 or phone)

    def known(loc: Loc, persona_id: object) -> Iterator[tuple[Loc, str]]:
        if isinstance(persona_id, str) and persona_id not in ids:
            close = difflib.get_close_matches(persona_id, sorted(ids), n=1)
            guess = f"; did you mean '{close[0]}'?" if close else ""
            yield loc, f"{at(loc)}no persona '{persona_id}'{guess}"

    for i, inject in _entries(data, "injects"):
        for kind in ("text", "silent"):
            if isinstance(part := inject.get(kind), dict):
                yield from known(("injects", i, kind, "persona"), part.get("persona"))
        cap = inject.get("cap")
        file = cap.get("file") if isinstance(cap, dict) else None
        if isinstance(file, str) and not (path.parent / file).is_file():
            loc = ("injects", i, "cap", "file")
            yield loc, f"{at(loc)}no file {file!r} next to the scenario"
    for i, expectation in _entries(data, "expectations"):
        checkin = expectation.get("checkin_answered")
        if isinstance(checkin, dict) and isinstance(checkin.get("by"), list):
            for persona_id in checkin["by"]:
                yield from known(("expectations", i, "checkin_answered", "by"), persona_id)
        received = expectation.get("message_received")
        if isinstance(received, dict):
            yield from known(("expectations", i, "message_received", "to"), received.get("to"))


def _entries(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    entries = data.get(key)
    if isinstance(entries, list):
        for i, entry in enumerate(entries):
            if isinstance(entry, dict):
                yield i, entry
