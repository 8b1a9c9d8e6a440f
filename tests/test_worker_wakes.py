"""Workers sharing PostgreSQL tell each other which tables they wrote, and each wakes only the
loops whose work that may be."""

from __future__ import annotations

from hubbot.service.wakes import Wakes
from hubbot.store.pg_connection import written_table
from hubbot.store.pg_notify import heard, payload


def test_another_workers_write_wakes_only_the_loops_whose_work_it_is() -> None:
    for written, expected in [
        ({"inbound"}, {"inbound", "schedule"}),
        ({"outbox", "pacing"}, {"outbox"}),
        ({"due"}, {"schedule"}),
        ({"people", "addresses"}, set()),
        ({"*"}, {"inbound", "outbox", "schedule"}),
    ]:
        wakes = Wakes()
        wakes.heard(frozenset(written))
        woke = {name for name in ("inbound", "outbox", "schedule") if getattr(wakes, name).is_set()}
        assert woke == expected, written


def test_a_notification_names_its_writer_and_tables_and_an_odd_one_wakes_everyone() -> None:
    assert heard(payload("abc", {"outbox", "inbound"})) == ("abc", {"inbound", "outbox"})
    assert heard("abc") == ("abc", {"*"})
    assert written_table("INSERT OR IGNORE INTO inbound (a) VALUES (?)") == "inbound"
    assert written_table("  update outbox SET status = ?") == "outbox"
    assert written_table("WITH x AS (SELECT 1) DELETE FROM due") == "*"
