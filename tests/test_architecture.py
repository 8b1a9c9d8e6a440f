"""The layers hold: the core imports only the standard library, no layer imports upward, and
no import cycle (an import inside a function or for type checking counts too)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

HUBBOT = Path(__file__).resolve().parent.parent / "hubbot"
DOMAIN = HUBBOT / "domain"
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


# What each layer must never import: the layers above it. The clock, addresses, i18n and the
# store sit below the channels and the service; the composition root (hubbot.app), the web app
# and the command line sit on top.
UPWARD = {
    "channels": ("hubbot.service", "hubbot.web", "hubbot.cli", "hubbot.app"),
    "service": ("hubbot.web", "hubbot.cli", "hubbot.app"),
    "store": ("hubbot.service", "hubbot.channels", "hubbot.web", "hubbot.cli", "hubbot.app"),
}


def _names(path: Path, package: str) -> set[str]:
    """Every module `path` may reach: `from a import b` counts as a and a.b (b may be a
    module), and a relative import is resolved within `package`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _upward(layer: str, path: Path, package: str) -> list[str]:
    """The names imported in `path` that reach above `layer`."""
    return sorted(
        name
        for name in _names(path, package)
        for above in UPWARD[layer]
        if name == above or name.startswith(f"{above}.")
    )


def test_no_layer_imports_one_above_it() -> None:
    offenders = {}
    for layer in UPWARD:
        for path in sorted((HUBBOT / layer).rglob("*.py")):
            package = ".".join(("hubbot", *path.parent.relative_to(HUBBOT).parts))
            if found := _upward(layer, path, package):
                offenders[str(path.relative_to(HUBBOT))] = found
    assert not offenders, f"these reach up a layer: {offenders}"


def test_the_layer_check_would_catch_a_channel_reaching_up(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text(
        "from hubbot.service.ingest import JournalIngest\n"
        "from hubbot import app\n"
        "from ...web import app as web_app\n"
        "from hubbot.clock import Clock\n"
        "from hubbot.store import inbound\n"
    )
    package = "hubbot.channels.twilio"
    assert _upward("channels", leaky, package) == [
        "hubbot.app",
        "hubbot.service.ingest",
        "hubbot.service.ingest.JournalIngest",
        "hubbot.web",
        "hubbot.web.app",
    ]
    assert _upward("service", leaky, package) == ["hubbot.app", "hubbot.web", "hubbot.web.app"]


def _module_graph(root: Path) -> dict[str, set[str]]:
    """Which hubbot modules each module imports, wherever the import stands (in a function, or
    only for type checking): an import written anywhere is a dependency someone must follow."""
    modules = {
        ".".join(("hubbot", *p.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): p
        for p in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = set()
        for imported in _names(path, package):
            # `from a.b import c`: c is a module of a.b, or a name defined in a.b.
            target = imported if imported in modules else imported.rpartition(".")[0]
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, if there is any (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_imports_itself_through_others() -> None:
    assert _cycle(_module_graph(HUBBOT)) == [], "an import cycle"


def test_the_cycle_check_would_catch_a_type_only_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []
