"""The rewrites of pg_sql.RULES that change the statement's text, level by level."""

from __future__ import annotations

from collections.abc import Sequence

from hubbot.store.migrations import MIGRATIONS
from hubbot.store.pg_tokens import (
    Tok,
    closing,
    join,
    solid_indexes,
    solid_word,
    split_top,
    strip,
    tokenize,
)

_COMPARISONS = {"=", "==", "<", ">", "<=", ">=", "<>", "!="}
_BOOLEAN_WORDS = {"IN", "IS", "LIKE", "GLOB", "AND", "OR", "NOT", "EXISTS", "BETWEEN"}
_ORDER_ENDS = {"LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT", "RETURNING", "FOR", "WINDOW"}


def _is_boolean(toks: Sequence[Tok]) -> bool:
    """Whether the expression is a comparison or a logical one (outside parentheses and CASE)."""
    depth = 0
    for t in toks:
        if t.text == "(" or t.up == "CASE":
            depth += 1
        elif t.text == ")" or t.up == "END":
            depth -= 1
        elif depth == 0 and (t.text in _COMPARISONS or t.up in _BOOLEAN_WORDS):
            return True
    return False


def _as_number(toks: list[Tok]) -> list[Tok]:
    return [*tokenize("CASE WHEN "), *toks, *tokenize(" THEN 1 ELSE 0 END")]


def _schema_facts() -> tuple[frozenset[str], frozenset[str]]:
    """(columns NOT NULL in every table that has them, tables with an `id` primary key)."""
    nullable: dict[str, bool] = {}
    tables: dict[str, list[tuple[str, bool]]] = {}
    for script in MIGRATIONS:
        toks = [t for t in tokenize(script) if t.kind not in ("space", "comment")]
        for i, t in enumerate(toks):
            if t.up == "TABLE" and toks[i - 1].up == "CREATE":
                end = closing(toks, i + 2)
                columns = []
                for part in split_top(toks[i + 3 : end]):
                    if part and part[0].up not in ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                        text = " ".join(x.up for x in part)
                        columns.append((part[0].text, "NOT NULL" in text or "PRIMARY KEY" in text))
                tables[toks[i + 1].text] = columns
            elif t.up == "COLUMN" and toks[i - 1].up == "ADD":
                part = toks[i + 1 : toks.index(Tok("punct", ";"), i)]
                text = " ".join(x.up for x in part)
                tables[toks[i - 2].text].append((part[0].text, "NOT NULL" in text))
            elif t.up == "TABLE" and toks[i - 1].up == "DROP":
                tables.pop(toks[i + 1].text, None)
    for columns in tables.values():
        for name, not_null in columns:
            nullable[name] = nullable.get(name, False) or not not_null
    ids = frozenset(name for name, columns in tables.items() if ("id", True) in columns)
    return frozenset(n for n, may in nullable.items() if not may), ids


NOT_NULL, ID_TABLES = _schema_facts()


def null_order(term: list[Tok]) -> list[Tok]:
    """An ORDER BY (or index) term, with SQLite's place for NULLs said outright."""
    solid = [t for t in term if t.kind not in ("space", "comment")]
    words = [t.up for t in solid]
    if len(words) >= 2 and words[-2] == "NULLS":
        return term
    bare = [t for t in solid if t.up not in ("ASC", "DESC")]
    shape = "".join("w" if t.kind == "word" else t.text for t in bare)
    if shape in ("w", "w.w") and bare[-1].text in NOT_NULL:
        return term
    return [*term, *tokenize(" NULLS LAST" if words[-1] == "DESC" else " NULLS FIRST")]


def _order_by(toks: list[Tok]) -> list[Tok]:
    """Rewrite the terms of each ORDER BY at this level (groups inside are done already)."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "(":  # done at its own level
            end = closing(toks, i)
            out += toks[i : end + 1]
            i = end + 1
            continue
        after = [j for j in range(i + 1, min(i + 4, len(toks))) if toks[j].kind != "space"]
        if t.up == "ORDER" and after and toks[after[0]].up == "BY":
            out += toks[i : after[0] + 1]
            j, depth = after[0] + 1, 0
            while j < len(toks):
                x = toks[j]
                depth += {"(": 1, ")": -1}.get(x.text, 0)
                if depth == 0 and (x.up in _ORDER_ENDS or x.text == ";"):
                    break
                j += 1
            for n, term in enumerate(split_top(toks[after[0] + 1 : j])):
                out += [Tok("space" if n == 0 else "punct", " " if n == 0 else ", ")]
                out += null_order(strip(term))
            out += [Tok("space", " ")] if j < len(toks) else []
            i = j
            continue
        out.append(t)
        i += 1
    return out


def _functions(toks: list[Tok]) -> list[Tok]:
    """MAX(a, b) and MIN(a, b) as GREATEST and LEAST; SUM and VALUES of comparisons as 0/1."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "(":  # done at its own level; a subquery in FROM must have a name
            end = closing(toks, i)
            before = solid_word(out, -1)
            out += toks[i : end + 1]
            inside, after = solid_word(toks[i + 1 : end], 0), solid_word(toks[end + 1 :], 0)
            if before in ("FROM", "JOIN") and inside in ("SELECT", "WITH") and after in _NOT_ALIAS:
                out += tokenize(f" AS subquery_{i}")
            i = end + 1
            continue
        nxt = i + 1 if i + 1 < len(toks) and toks[i + 1].text == "(" else None
        if t.up in ("MAX", "MIN", "SUM", "TOTAL") and nxt is not None:
            end = closing(toks, nxt)
            inner = toks[nxt + 1 : end]
            name = t
            if t.up in ("MAX", "MIN") and len(split_top(inner)) > 1:
                name = Tok("word", "GREATEST" if t.up == "MAX" else "LEAST")
            elif t.up in ("SUM", "TOTAL") and _is_boolean(inner):
                inner = _as_number(inner)
            out += [name, Tok("punct", "("), *inner, Tok("punct", ")")]
            i = end + 1
            continue
        if t.up == "VALUES":
            out.append(t)
            i += 1
            while i < len(toks) and (toks[i].kind == "space" or toks[i].text in ",("):
                if toks[i].text == "(":
                    end = closing(toks, i)
                    items = [
                        _as_number(strip(p)) if _is_boolean(p) else p
                        for p in split_top(toks[i + 1 : end])
                    ]
                    out += [Tok("punct", "("), *join(items), Tok("punct", ")")]
                    i = end + 1
                else:
                    out.append(toks[i])
                    i += 1
            continue
        out.append(t)
        i += 1
    return out


_NOT_ALIAS = {"", ")", ",", ";", "WHERE", "GROUP", "ORDER", "LIMIT", "JOIN", "LEFT", "INNER"}
_NOT_ALIAS |= {"CROSS", "ON", "UNION", "EXCEPT", "INTERSECT", "HAVING", "WINDOW", "OFFSET"}


def conditions(toks: list[Tok]) -> list[Tok]:
    """`IS ?` and `IS NOT ?` as IS [NOT] DISTINCT FROM; WHEN 0 / WHEN 1 as FALSE / TRUE; a
    parameter as a condition (WHEN ? THEN) as a number compared with 0."""
    out = list(toks)
    marks = solid_indexes(out)
    searched: list[bool] = []  # per open CASE: CASE WHEN cond (not CASE value WHEN value)
    for n, i in enumerate(marks):
        t = out[i]
        before = out[marks[n - 1]].up if n else ""
        after = out[marks[n + 1]].up if n + 1 < len(marks) else ""
        if t.up == "CASE":
            searched.append(after == "WHEN")
        elif t.up == "END" and searched:
            searched.pop()
        condition = bool(searched and searched[-1]) and before == "WHEN" and after == "THEN"
        if t.kind == "param" and before == "IS":
            out[marks[n - 1]] = Tok("word", "IS NOT DISTINCT FROM")
        elif t.kind == "param" and before == "NOT" and n > 1 and out[marks[n - 2]].up == "IS":
            out[marks[n - 2]], out[marks[n - 1]] = Tok("word", "IS"), Tok("word", "DISTINCT FROM")
        elif t.kind == "param" and condition:
            out[i : i + 1] = [Tok("punct", "("), t, *tokenize(" <> 0)")]
            return conditions(out)  # the indexes moved: look again from the start
        elif t.kind == "num" and condition and "." not in t.text:
            out[i] = Tok("word", "TRUE" if int(t.text) else "FALSE")
    return out


def levels(toks: list[Tok]) -> list[Tok]:
    """Apply the per-level rules from the innermost parentheses out."""
    flat: list[Tok] = []
    i = 0
    while i < len(toks):
        if toks[i].text == "(":
            end = closing(toks, i)
            flat += [toks[i], *levels(toks[i + 1 : end]), toks[end]]
            i = end + 1
        else:
            flat.append(toks[i])
            i += 1
    return _order_by(_functions(flat))
