"""`hubbot playbook check` and `hubbot playbook schema`: help organisers get playbooks right."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from hubbot.playbooks.loader import check_path, playbook_json_schema


def cmd_check(path: Path, known_keys: set[str] | None = None, out: TextIO | None = None) -> int:
    """Check a playbook file or a directory of them; print each problem as file:line: message,
    then each warning (a text that would go as UCS-2) the same way.

    Returns 0 when everything is valid, warnings or not, 1 otherwise, so scripts and CI can
    rely on it.
    """
    # Resolved at call time, not as a default argument, so redirected or captured stdout works.
    stream = out if out is not None else sys.stdout
    checked = check_path(path, known_keys)
    for problem in [*checked.problems, *checked.warnings]:
        print(problem, file=stream)
    warned = f"; {len(checked.warnings)} warning(s)" if checked.warnings else ""
    if checked.problems:
        print(f"{len(checked.problems)} problem(s) found{warned}", file=stream)
        return 1
    print(f"OK: {len(checked.playbooks)} playbook(s) valid{warned}", file=stream)
    return 0


def cmd_schema(out: TextIO | None = None) -> int:
    """Print the playbook JSON schema, e.g. for `# yaml-language-server: $schema=...`."""
    stream = out if out is not None else sys.stdout
    print(json.dumps(playbook_json_schema(), indent=2, ensure_ascii=False), file=stream)
    return 0
