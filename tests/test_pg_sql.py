"""The SQLite-to-PostgreSQL translation table (hubbot/store/pg_sql.py), one example per rule."""

from __future__ import annotations

import pytest

from hubbot.store.pg_sql import RULES, translate, translate_many

EXAMPLES = [
    # parameters: numbered, typed by their value, and NULL written out
    (
        "SELECT * FROM t WHERE a = ? AND b = ?",
        (1, "x"),
        "SELECT * FROM t WHERE a = $1::integer AND b = $2::text",
    ),
    (
        "SELECT ?, ?",
        (2**31 - 1, 2**31),
        "SELECT $1::integer, $2::bigint",
    ),
    (
        "UPDATE t SET a = ?2 WHERE b = ?1",
        ("x", 2.5),
        "UPDATE t SET a = $2::float8 WHERE b = $1::text",
    ),
    (
        "SELECT :p + :q, :p",
        {"q": 1, "p": 2},
        "SELECT $1::integer + $2::integer, $1::integer",
    ),
    (
        "SELECT 1 WHERE (:hub IS NULL OR h = :hub) AND k = :k",
        {"hub": None, "k": "a"},
        "SELECT 1 WHERE (NULL IS NULL OR h = NULL) AND k = $1::text",
    ),
    (
        "SELECT 'a?b :c' FROM t WHERE x = ?",
        ("y",),
        "SELECT 'a?b :c' FROM t WHERE x = $1::text",
    ),
    # SQLite's LIMIT -1 is no limit
    (
        "SELECT a FROM t LIMIT ?",
        (-1,),
        "SELECT a FROM t LIMIT NULLIF($1::integer, -1)",
    ),
    # INSERT OR IGNORE
    (
        "INSERT OR IGNORE INTO m (a, b) VALUES (?, ?)",
        (1, 2),
        "INSERT  INTO m (a, b) VALUES ($1::integer, $2::integer) ON CONFLICT DO NOTHING",
    ),
    # index hints
    (
        "SELECT id FROM outbox INDEXED BY outbox_head WHERE head = 1",
        (),
        "SELECT id FROM outbox  WHERE head = 1",
    ),
    # scalar MAX and MIN; the aggregates stay
    (
        "SELECT MAX(a, (SELECT MIN(b) FROM t)), MIN(a, 2) FROM u",
        (),
        "SELECT GREATEST(a, (SELECT MIN(b) FROM t)), LEAST(a, 2) FROM u",
    ),
    # comparisons summed or stored as numbers
    (
        "SELECT SUM(state = 'ok'), SUM(state IN ('a', 'b')), SUM(delta) FROM asks",
        (),
        "SELECT SUM(CASE WHEN state = 'ok' THEN 1 ELSE 0 END), SUM(CASE WHEN state IN ('a', 'b') "
        "THEN 1 ELSE 0 END), SUM(delta) FROM asks",
    ),
    (
        "INSERT INTO m (a, head) VALUES (?, ? IN ('x') AND NOT EXISTS (SELECT 1 FROM m))",
        ("x", "y"),
        "INSERT INTO m (a, head) VALUES ($1::text,CASE WHEN $2::text IN ('x') AND NOT EXISTS "
        "(SELECT 1 FROM m) THEN 1 ELSE 0 END)",
    ),
    # NULLs sort first, as on SQLite, except on columns never NULL (so their indexes serve)
    (
        "SELECT a FROM addresses ORDER BY last_seen_at DESC, name, p.id LIMIT 1",
        (),
        "SELECT a FROM addresses ORDER BY last_seen_at DESC NULLS LAST, name NULLS FIRST, p.id "
        "LIMIT 1",
    ),
    (
        "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY id) FROM t",
        (),
        "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY id) FROM t",
    ),
    # SQLite's IS compares values
    (
        "SELECT 1 FROM c WHERE hub_id IS ? AND x IS NOT ? AND y IS NULL",
        (3, "a"),
        "SELECT 1 FROM c WHERE hub_id IS NOT DISTINCT FROM $1::integer AND x IS DISTINCT FROM "
        "$2::text AND y IS NULL",
    ),
    # numbers as conditions; a simple CASE keeps its values
    (
        "SELECT CASE WHEN 0 THEN 'a' WHEN ? THEN 'b' END, CASE c WHEN 1 THEN 'y' END",
        (True,),
        "SELECT CASE WHEN FALSE THEN 'a' WHEN ($1::integer <> 0) THEN 'b' END, CASE c WHEN 1 THEN "
        "'y' END",
    ),
    # a subquery in FROM gets a name
    (
        "SELECT * FROM (SELECT id FROM items) WHERE id = 1",
        (),
        "SELECT * FROM (SELECT id FROM items) AS subquery_6 WHERE id = 1",
    ),
    # lastrowid
    (
        "INSERT INTO hubs (code) VALUES (?)",
        ("NDG",),
        "INSERT INTO hubs (code) VALUES ($1::text) RETURNING id",
    ),
    (
        "INSERT INTO memberships (hub_id) VALUES (?)",
        (1,),
        "INSERT INTO memberships (hub_id) VALUES ($1::integer)",
    ),
    (
        "BEGIN IMMEDIATE",
        (),
        "BEGIN",
    ),
]


@pytest.mark.parametrize(("sqlite", "params", "postgres"), EXAMPLES)
def test_each_rule_turns_sqlite_into_postgresql_as_the_table_says(
    sqlite: str, params: object, postgres: str
) -> None:
    statement, _ = translate(sqlite, params)  # type: ignore[arg-type]
    assert statement.sql == postgres


def test_the_table_documents_as_many_rules_as_there_are_kinds_of_example() -> None:
    assert len(RULES) >= 12 and all(len(rule) == 3 and all(rule) for rule in RULES)


def test_arguments_follow_the_numbers_and_leave_out_nulls() -> None:
    statement, args = translate("SELECT :b, :a, :n", {"a": 1, "b": "x", "n": None})
    assert (statement.sql, args) == ("SELECT $1::text, $2::integer, NULL", ["x", 1])
    _, positional = translate("SELECT ?2, ?1, ?3", (1, None, "z"))
    assert positional == [1, "z"]


def test_a_statement_that_returns_rows_is_fetched_and_a_write_counts_its_rows() -> None:
    select, _ = translate("WITH x AS (SELECT 1) SELECT * FROM x")
    update, _ = translate("WITH x AS (SELECT 1) UPDATE t SET a = 1")
    returning, _ = translate("UPDATE t SET a = 1 RETURNING id")
    assert (select.rows, select.writes) == (True, False)
    assert (update.rows, update.writes) == (False, True)
    assert (returning.rows, returning.writes) == (True, True)


def test_many_rows_take_each_parameters_type_from_the_first_row_that_has_one() -> None:
    statement, args = translate_many(
        "INSERT INTO hubs (code, address) VALUES (?, ?)", [("A", None), ("B", "rue")]
    )
    assert statement.sql == "INSERT INTO hubs (code, address) VALUES ($1::text, $2::text)"
    assert args == [["A", None], ["B", "rue"]]
