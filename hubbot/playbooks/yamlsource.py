"""Parse playbook YAML while remembering the line of every node, for error messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

# A path into the parsed document, as pydantic reports it: ('roles', 2, 'name', 'fr').
Loc = tuple[str | int, ...]

# PyYAML's wording is terse; these hints say what usually causes each error in a hand-edited file.
_HINTS = {
    "cannot start any token": "use spaces, not tabs, to indent",
    "mapping values are not allowed": (
        "check the indentation, and put text that contains ': ' in quotes"
    ),
    "could not find expected ':'": "check the indentation, and that each 'key:' has its colon",
    "expected <block end>": "check the indentation of this line and the one above",
    "found undefined alias": "'*' starts an alias in YAML; put the text in quotes",
    "expected a single document": "remove the '---' line: one playbook per file",
    "expected ',' or '}'": "check that every '{' is closed with '}' on the same entry",
    "expected ',' or ']'": "check that every '[' is closed with ']'",
}


class YamlSyntaxError(Exception):
    """The file is not valid YAML; line is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Source:
    """The parsed data, the line of every key and list item, and keys given twice."""

    data: object
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicate_keys: list[Loc] = field(default_factory=list)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The line of the deepest part of loc in the file: a missing field gets its parent's."""
        path = tuple(loc)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def parse_yaml(text: str) -> Source:
    """Parse text with the safe loader; raise YamlSyntaxError with the line of the problem."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        source = Source(data=None)
        if node is not None:
            source.lines[()] = node.start_mark.line + 1
            # Walk before constructing: construction flattens merge keys ('<<') in place.
            _walk(node, (), source, set())
            source.data = loader.construct_document(node)
        return source
    except yaml.MarkedYAMLError as exc:
        raise YamlSyntaxError(_line(exc), _describe(exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax error: {exc}") from exc
    finally:
        loader.dispose()


def _line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else 1


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "the file cannot be read as YAML"
    message = f"YAML syntax error: {problem}"
    # An unclosed bracket is noticed lines later; say where the construct began.
    start, end = exc.context_mark, exc.problem_mark
    if exc.problem and exc.context and start and end and start.line != end.line:
        message += f" ({exc.context} that starts on line {start.line + 1})"
    hint = next((h for key, h in _HINTS.items() if key in problem), None)
    return f"{message}; {hint}" if hint else message


def _walk(node: yaml.Node, loc: Loc, source: Source, active: set[int]) -> None:
    # Aliases can make the node graph cyclic; 'active' holds the nodes on the current path.
    if id(node) in active:
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*loc, key_node.value)
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                source.duplicate_keys.append(child)
            seen.add(key_node.value)
            # PyYAML keeps the last of two equal keys, so the last one's line is the right one.
            source.lines[child] = line
            _walk(value_node, child, source, active)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*loc, index)
            source.lines[child] = item.start_mark.line + 1
            _walk(item, child, source, active)
    active.discard(id(node))
