"""Find every message key the code can pass to Msg, reply, tell or alert, statically.

A key written as a literal, an `a if x else b`, an f-string over a known set (DYNAMIC), a local
name bound to those (including `for who, key in ((.., "a.b"), ...)`), or a parameter whose
callers in the module pass those, is found; any other expression fails the check, so a typo or
a key built out of sight fails a test, not a volunteer's message at 3 a.m.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Where the key argument sits, by the name called.
POSITIONS = {"Msg": 0, "reply": 0, "tell": 1, "alert": 1}
# Calls whose key is checked elsewhere: the helpers that pass their caller's key on, a spec's
# own keys (the registry test), and a playbook's reply and prompt keys (the playbook test).
CHECKED_ELSEWHERE = {
    ("checkins.py", "checkin.prompt"),
    ("context.py", "key"),
    ("guard.py", "spec.no_hub"),
    ("personal.py", "spec.help.key"),  # every spec's help key: test_help checks each
    ("routing.py", "reply_key"),
    ("bot.py", "menu.key"),  # the registry's menu keys: test_locales checks each
    ("console_context.py", "key"),  # the web console's template keys: test_console_web checks each
}
Function = ast.FunctionDef | ast.AsyncFunctionDef


class UnreadableKey(AssertionError):
    pass


@dataclass(frozen=True)
class _Module:
    name: str
    tree: ast.Module
    dynamic: Mapping[str, Sequence[str]]

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The innermost function holding `node`, or the module."""
        best: ast.AST = self.tree
        for function in ast.walk(self.tree):
            if isinstance(function, Function) and node in set(ast.walk(function)):
                best = function  # ast.walk goes outside in: the last one found is innermost
        return best


def keys_in(root: Path, dynamic: Mapping[str, Sequence[str]]) -> set[str]:
    keys: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        module = _Module(path.name, ast.parse(path.read_text(encoding="utf-8")), dynamic)
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            position = POSITIONS.get(name)
            if position is None or len(node.args) <= position:
                continue
            keys |= _values(module, node.args[position], f"{path.name}:{node.lineno}")
    return keys


def _values(module: _Module, node: ast.expr, where: str) -> set[str]:
    if (module.name, ast.unparse(node)) in CHECKED_ELSEWHERE:
        return set()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(module, node.body, where) | _values(module, node.orelse, where)
    if isinstance(node, ast.JoinedStr):
        return _expand(node, module.dynamic, where)
    if isinstance(node, ast.Name):
        found: set[str] = set()
        for bound in _bindings(module, node):
            found |= _values(module, bound, where)
        if found:
            return found
    raise UnreadableKey(f"{where}: write the message key {ast.unparse(node)} so it can be read")


def _bindings(module: _Module, name: ast.Name) -> Iterable[ast.expr]:
    """What `name` is bound to where it is used: assignments, loops over literal tuples, and
    for a parameter, what the module's calls of its function pass."""
    scope = module.scope_of(name)
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _unpack(name.id, target, node.value)
        elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple | ast.List):
            for element in node.iter.elts:
                yield from _unpack(name.id, node.target, element)
    if isinstance(scope, Function):
        params = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
        for call in ast.walk(module.tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == scope.name):
                continue
            if name.id in params and params.index(name.id) < len(call.args):
                yield call.args[params.index(name.id)]
            yield from (k.value for k in call.keywords if k.arg == name.id)


def _unpack(name: str, target: ast.expr, value: ast.expr) -> Iterable[ast.expr]:
    if isinstance(target, ast.Name) and target.id == name:
        yield value
    elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for t, v in zip(target.elts, value.elts, strict=False):
            yield from _unpack(name, t, v)


def _expand(node: ast.JoinedStr, dynamic: Mapping[str, Sequence[str]], where: str) -> set[str]:
    """f"topic.{ll.topic}" -> topic.power, topic.water ..."""
    parts: list[Sequence[str]] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append([str(value.value)])
            continue
        source = ast.unparse(value)
        options = next((opts for name, opts in dynamic.items() if name in source), None)
        if options is None:
            raise UnreadableKey(f"{where}: teach DYNAMIC what {source} can be")
        parts.append(options)
    return {"".join(combo) for combo in itertools.product(*parts)}
