"""SQL as tokens: strings, names, parameters and punctuation, and the helpers that walk them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<str>'(?:[^']|'')*')"
    r'|(?P<quoted>"(?:[^"]|"")*")'
    r"|(?P<comment>--[^\n]*)"
    r"|(?P<cast>::)"
    r"|(?P<param>\?\d*|:[A-Za-z_]\w*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<num>\d+(?:\.\d*)?)"
    r"|(?P<space>\s+)"
    r"|(?P<punct><=|>=|<>|!=|==|\|\||.)",
    re.S,
)


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


def tokenize(sql: str) -> list[Tok]:
    return [Tok(m.lastgroup or "punct", m.group()) for m in _TOKEN.finditer(sql)]


def solid_indexes(toks: Sequence[Tok]) -> list[int]:
    """Indexes of the tokens that are neither space nor comment."""
    return [i for i, t in enumerate(toks) if t.kind not in ("space", "comment")]


def closing(toks: Sequence[Tok], start: int) -> int:
    """The index of the ')' that closes the '(' at `start`."""
    depth = 0
    for i in range(start, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[i].text, 0)
        if depth == 0:
            return i
    raise ValueError("unbalanced parentheses")


def split_top(toks: Sequence[Tok]) -> list[list[Tok]]:
    """Split at the commas outside parentheses and CASE ... END."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.text == "(" or t.up == "CASE":
            depth += 1
        elif t.text == ")" or t.up == "END":
            depth -= 1
        if t.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def join(parts: list[list[Tok]]) -> list[Tok]:
    return [x for n, part in enumerate(parts) for x in [*([Tok("punct", ",")] if n else []), *part]]


def strip(toks: list[Tok]) -> list[Tok]:
    marks = solid_indexes(toks)
    return toks[marks[0] : marks[-1] + 1] if marks else []


def solid_word(toks: Sequence[Tok], at: int) -> str:
    """The first (at=0) or last (at=-1) token that is not space, upper-cased; "" if none."""
    solid = [t.up for t in toks if t.kind not in ("space", "comment")]
    return solid[at] if solid else ""


def previous_word(toks: Sequence[Tok], i: int) -> str:
    for t in reversed(toks[:i]):
        if t.kind not in ("space", "comment"):
            return t.up
    return ""
