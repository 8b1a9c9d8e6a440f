"""Pydantic's validation errors, reworded for a hub organiser editing a YAML file."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from hubbot.playbooks.schema import PATTERN_HINTS, PlaybookSpec
from hubbot.playbooks.yamlsource import Loc


def format_loc(loc: Sequence[str | int]) -> str:
    """('roles', 2, 'name') -> 'roles[2].name', the way people point at a spot in the file."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def at(loc: Sequence[str | int]) -> str:
    """The 'where: ' prefix of a message; nothing for the top of the file."""
    return f"{format_loc(loc)}: " if loc else ""


def describe_error(error: ErrorDetails) -> tuple[Loc, str]:
    """The path to point at and a plain-language message for one pydantic error."""
    loc: Loc = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    parent, name = loc[:-1], loc[-1] if loc else ""
    if kind == "missing":
        return loc, f"{at(parent)}field '{name}' is required"
    if kind == "extra_forbidden":
        return loc, f"{at(parent)}unknown field '{name}'{_allowed_fields(parent, str(name))}"
    if value is None and kind.endswith("_type"):
        return loc, f"{at(loc)}is empty; give it a value"
    if kind == "string_type" and name in ("expires", "item_expiry"):
        return loc, f"{at(loc)}must be a duration with a unit, like 90s, 15m, 2h or 3d"
    if kind == "string_type":
        return loc, f"{at(loc)}must be text{_quote_hint(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return loc, f"{at(loc)}must be true or false, not {value!r}"
    if kind == "list_type":
        return loc, f"{at(loc)}must be a list: [a, b] or one '- ' line per entry"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"{at(loc) or 'the file '}must be a block of 'field: value' lines"
    if kind == "string_too_short":
        return loc, f"{at(loc)}must not be empty"
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        hint = PATTERN_HINTS.get(pattern, f"it must match {pattern}")
        return loc, f"{at(loc)}{value!r} is not valid: {hint}"
    message = error["msg"].removeprefix("Value error, ")
    return loc, f"{at(loc)}{message}"


def _quote_hint(value: object) -> str:
    # YAML turns bare yes/no/on/off into booleans and 911 into a number.
    if isinstance(value, bool):
        return ", but YAML read it as yes/no: put the word in quotes"
    if isinstance(value, int | float):
        return ", but YAML read it as a number: put it in quotes"
    if isinstance(value, dict):
        return ", not a block of fields"
    if isinstance(value, list):
        return ", not a list"
    return ""


def _allowed_fields(loc: Loc, name: str) -> str:
    model = _model_at(loc)
    if model is None:
        return ""
    fields = list(model.model_fields)
    close = difflib.get_close_matches(name, fields, n=1)
    guess = f"; did you mean '{close[0]}'?" if close else ""
    return f" (allowed: {', '.join(fields)}){guess}"


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model that describes the mapping at loc, following lists and optionals."""
    current: Any = PlaybookSpec
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) and get_origin(current) is list:
            current = get_args(current)[0]
        elif isinstance(part, str) and _is_model(current) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if _is_model(current) else None


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def given_twice(duplicates: Iterable[Loc]) -> list[tuple[Loc, str]]:
    """Each field written twice in a YAML file: the last one counts, and its author is told."""
    return [
        (loc, f"{at(loc[:-1])}field '{loc[-1]}' is given twice; remove one (the last one counts)")
        for loc in duplicates
    ]
