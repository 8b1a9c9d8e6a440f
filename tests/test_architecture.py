"""The core stays pure: hubbot/domain imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "hubbot" / "domain"
# The standard library, minus what would smuggle I/O or concurrency into the core.
FORBIDDEN_STDLIB = {
    "asyncio",
    "sqlite3",
    "socket",
    "subprocess",
    "threading",
    "os",
    "http",
    "urllib",
    "logging",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            allowed = name.startswith("hubbot.domain") or (
                top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB
            )
            if top == "__future__" or allowed:
                continue
            offenders.setdefault(path.name, []).append(name)
    assert not offenders, f"the core must stay pure: {offenders}"


def test_the_architecture_check_would_catch_an_sdk_import(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text("import aiosqlite\nfrom hubbot.store import db\n")
    assert _imports(leaky) == {"aiosqlite", "hubbot.store"}
