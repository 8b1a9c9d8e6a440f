"""`hubbot playbook check` and `hubbot playbook schema`: help organisers get playbooks right."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from hubbot.domain.playbook import Playbook
from hubbot.playbooks.loader import Problem, load_dir, load_file, playbook_json_schema


def cmd_check(path: Path, known_keys: set[str] | None = None, out: TextIO | None = None) -> int:
    """Check a playbook file or a directory of them; print each problem as file:line: message.

    Returns 0 when everything is valid, 1 otherwise, so scripts and CI can rely on it.
    """
    # Resolved at call time, not as a default argument, so redirected or captured stdout works.
    stream = out if out is not None else sys.stdout
    playbooks: dict[str, Playbook]
    problems: list[Problem]
    if path.is_dir():
        playbooks, problems = load_dir(path, known_keys)
    else:
        playbook, problems = load_file(path, known_keys)
        playbooks = {playbook.id: playbook} if playbook is not None else {}
    for problem in problems:
        print(problem, file=stream)
    if problems:
        print(f"{len(problems)} problem(s) found", file=stream)
        return 1
    print(f"OK: {len(playbooks)} playbook(s) valid", file=stream)
    return 0


def cmd_schema(out: TextIO | None = None) -> int:
    """Print the playbook JSON schema, e.g. for `# yaml-language-server: $schema=...`."""
    stream = out if out is not None else sys.stdout
    print(json.dumps(playbook_json_schema(), indent=2, ensure_ascii=False), file=stream)
    return 0
