"""The store's SQLite SQL turned into PostgreSQL's, by an explicit table of rules (RULES)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from hubbot.store.pg_rewrite import ID_TABLES, conditions, levels
from hubbot.store.pg_tokens import Tok, previous_word, tokenize

# Every difference translated, as (SQLite writes, PostgreSQL gets, why); tests/test_pg_sql.py
# holds an example of each. The schema's differences are migrations_pg.py's.
RULES: tuple[tuple[str, str, str], ...] = (
    ("?, ?3, :name", "$1, $3, $n", "asyncpg numbers its parameters"),
    (
        "a parameter",
        "$n::integer (::bigint if it needs it), $n::text, $n::float8 by the Python value's"
        " type; None is written NULL",
        "SQLite takes a value's own type; PostgreSQL infers one from where $n stands, and a"
        " NULL in `:hub IS NULL OR hub_id = :hub` would leave it none",
    ),
    ("LIMIT ?", "LIMIT NULLIF($n::integer, -1)", "SQLite's LIMIT -1 is no limit"),
    ("INSERT OR IGNORE INTO t ...", "INSERT INTO t ... ON CONFLICT DO NOTHING", "the same"),
    ("FROM t INDEXED BY i, NOT INDEXED", "FROM t", "PostgreSQL's planner picks the index"),
    ("MAX(a, b), MIN(a, b)", "GREATEST(a, b), LEAST(a, b)", "scalar max and min"),
    ("SUM(a = b)", "SUM(CASE WHEN a = b THEN 1 ELSE 0 END)", "a comparison is no number"),
    ("VALUES (a = b, ...)", "VALUES (CASE WHEN a = b THEN 1 ELSE 0 END, ...)", "the same"),
    (
        "ORDER BY x, y DESC",
        "ORDER BY x NULLS FIRST, y DESC NULLS LAST",
        "SQLite sorts NULL first; left out for columns NOT NULL in every table, so that primary"
        " keys still give the order (CREATE INDEX gets the same, see migrations_pg.py)",
    ),
    ("x IS ?, x IS NOT ?", "x IS [NOT] DISTINCT FROM $n", "SQLite's IS compares values"),
    (
        "CASE WHEN 0 THEN, CASE WHEN ? THEN",
        "CASE WHEN FALSE THEN, CASE WHEN ($n::integer <> 0) THEN",
        "a number is no condition (a simple CASE x WHEN 1 keeps its numbers)",
    ),
    ("FROM (SELECT ...) WHERE", "FROM (SELECT ...) AS subquery_N WHERE", "PostgreSQL 15"),
    ("INSERT INTO t ... (t has an id)", "INSERT INTO t ... RETURNING id", "cursor.lastrowid"),
    ("BEGIN IMMEDIATE", "BEGIN", "one writer at a time is the connection lock's job"),
    ("SELECT changes()", "(answered by the connection)", "the last statement's row count"),
)


def _tag(value: object) -> str:
    """The cast a parameter gets: its Python type's, as SQLite would store it."""
    if value is None:
        return ""
    if isinstance(value, bool | int):  # integer where it fits: functions take int4 mostly
        return "integer" if -(2**31) <= value < 2**31 else "bigint"
    if isinstance(value, float):
        return "float8"
    return "bytea" if isinstance(value, bytes) else "text"


def _parameters(toks: list[Tok], tags: Mapping[str, str]) -> tuple[list[Tok], tuple[str, ...]]:
    """?, ?N and :name as $n with their casts, and NULL for a None (a NULL parameter may leave
    PostgreSQL no way to tell its type). Returns the keys ("1", "2"... or names) of $1, $2..."""
    keys: list[str] = []
    count = 0
    for t in toks:  # each parameter's key, in the order they stand
        if t.kind != "param":
            continue
        if t.text.startswith(":"):
            keys.append(t.text[1:])
        else:
            number = int(t.text[1:]) if len(t.text) > 1 else count + 1
            count = max(count, number)
            keys.append(str(number))
    ordered = list(dict.fromkeys(keys))
    if all(k.isdigit() for k in ordered):
        ordered.sort(key=int)
    kept = [k for k in ordered if tags.get(k, "?") != ""]
    out: list[Tok] = []
    params = iter(keys)
    for i, t in enumerate(toks):
        if t.kind != "param":
            out.append(t)
            continue
        key = next(params)
        text = "NULL"
        if key in kept:
            cast = f"::{tags[key]}" if tags.get(key) else ""
            text = f"${kept.index(key) + 1}{cast}"
        if previous_word(toks, i) == "LIMIT":
            text = f"NULLIF({text}, -1)"
        out.append(Tok("param", text))
    return out, tuple(kept)


@dataclass(frozen=True)
class Statement:
    """One statement as PostgreSQL takes it, and how to run it."""

    sql: str
    keys: tuple[str, ...]  # the parameter of $1, $2...: its name, or its number from 1
    rows: bool  # it returns rows (run with fetch); else its status gives the row count
    returns_id: bool  # RETURNING id was added, for cursor.lastrowid
    writes: bool  # INSERT, UPDATE or DELETE


_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "VALUES")


@lru_cache(maxsize=4096)
def _translate(sql: str, tags: tuple[tuple[str, str], ...], many: bool) -> Statement:
    toks = tokenize(sql.strip().rstrip(";"))
    if " ".join(t.up for t in toks if t.kind == "word") == "BEGIN IMMEDIATE":
        return Statement("BEGIN", (), False, False, False)
    out: list[Tok] = []
    ignore = False
    i = 0
    while i < len(toks):  # the hints and OR IGNORE go; their spaces stay, harmlessly
        solid = [j for j in range(i + 1, min(i + 6, len(toks))) if toks[j].kind != "space"]
        if toks[i].up == "OR" and solid and toks[solid[0]].up == "IGNORE":
            ignore, i = True, solid[0] + 1
        elif toks[i].up == "INDEXED" and solid and toks[solid[0]].up == "BY":
            i = solid[1] + 1
        elif toks[i].up == "NOT" and solid and toks[solid[0]].up == "INDEXED":
            i = solid[0] + 1
        else:
            out.append(toks[i])
            i += 1
    out = levels(conditions(out))
    out, keys = _parameters(out, dict(tags))
    top, depth = [], 0
    for t in out:
        depth += {"(": 1, ")": -1}.get(t.text, 0)
        if depth == 0 and t.kind == "word":
            top.append(t.up)
    verb = next((w for w in top if w in _VERBS), "")
    returning = "RETURNING" in top
    tail = ""
    if ignore:
        tail += " ON CONFLICT DO NOTHING"
    table = top[top.index("INTO") + 1].lower() if verb == "INSERT" and "INTO" in top else ""
    returns_id = not many and not returning and table in ID_TABLES
    if returns_id:
        tail += " RETURNING id"
    text = "".join(t.text for t in out)
    if tail and returning:  # ON CONFLICT goes before RETURNING
        at = text.upper().rindex("RETURNING")
        text = f"{text[:at].rstrip()}{tail} {text[at:]}"
    else:
        text += tail
    writes = verb in ("INSERT", "UPDATE", "DELETE")
    return Statement(
        text, keys, verb in ("SELECT", "VALUES") or returning or returns_id, returns_id, writes
    )


Params = Sequence[object] | Mapping[str, object]


def _tags(params: Params) -> tuple[tuple[str, str], ...]:
    if isinstance(params, Mapping):
        return tuple(sorted((str(k), _tag(v)) for k, v in params.items()))
    return tuple((str(n), _tag(v)) for n, v in enumerate(params, start=1))


def _args(statement: Statement, params: Params) -> list[object]:
    if isinstance(params, Mapping):
        return [params[key] for key in statement.keys]
    return [params[int(key) - 1] for key in statement.keys]


def translate(sql: str, params: Params = ()) -> tuple[Statement, list[object]]:
    """The statement for PostgreSQL, and its arguments in $n order."""
    statement = _translate(sql, _tags(params), False)
    return statement, _args(statement, params)


def translate_many(sql: str, rows: Sequence[Params]) -> tuple[Statement, list[list[object]]]:
    """The same for executemany: a parameter's cast comes from its first row not NULL."""
    tags: dict[str, str] = {}
    for row in rows:
        for key, tag in _tags(row):
            if tag and not tags.get(key):
                tags[key] = tag
            tags.setdefault(key, tag)
    statement = _translate(sql, tuple(sorted(tags.items())), True)
    return statement, [_args(statement, row) for row in rows]
