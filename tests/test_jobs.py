"""Every kind of timed work has its job and its turn; a kind nobody knows is set aside, not
retried."""

from __future__ import annotations

import ast
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hubbot.domain.effects import Outcome
from hubbot.domain.jobs import DueKind, running_order
from hubbot.service.scheduler import Job, Jobs
from hubbot.store import schedule
from hubbot.store.db import iso
from tests.conftest import Harness

ROOT = Path(__file__).resolve().parent.parent
LEAD, A = "+15145550101", "+15145550102"


def test_the_root_registers_a_job_for_every_due_kind(harness: Harness) -> None:
    assert set(harness.scheduler.jobs.table) == set(DueKind)


def test_a_registry_missing_a_kind_cannot_be_built() -> None:
    async def load(*_: object) -> None:
        return None

    with pytest.raises(ValueError, match="sitrep"):
        Jobs(
            {k: Job(load, lambda *_: Outcome()) for k in DueKind if k != DueKind.SITREP},
            lambda _: None,  # type: ignore[arg-type,return-value]
        )


def test_every_schedule_add_in_the_service_writes_a_due_kind() -> None:
    """Each call names a DueKind member, or passes on a ScheduleDue's kind (typed DueKind)."""
    calls = []
    for path in sorted((ROOT / "hubbot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "schedule"
            ):
                kind = node.args[1]
                named = isinstance(kind, ast.Attribute) and ast.unparse(kind.value) == "DueKind"
                passed_on = isinstance(kind, ast.Name) and kind.id == "kind"
                calls.append((path.name, ast.unparse(kind), named or passed_on))
    assert calls, "the scan found the calls"
    assert all(ok for *_, ok in calls), calls


async def test_the_store_refuses_a_kind_without_a_job(harness: Harness) -> None:
    with pytest.raises(ValueError):
        async with harness.db.transaction() as conn:
            await schedule.add(conn, "bogus", None, "", harness.clock.now())  # type: ignore[arg-type]


async def test_every_kind_a_busy_hub_schedules_has_a_job(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, f"ASSIGNER {A} accueil")
    await harness.text(LEAD, "DIFFUSER A 23h30 Couvre-feu")
    await harness.text(LEAD, "APPEL")
    await harness.text(LEAD, "POINTAGE")
    await harness.text(A, "Mon voisin ne respire pas")
    await harness.tick(hours=2)
    rows = await harness.db.fetchall("SELECT DISTINCT kind FROM due")
    written = {row[0] for row in rows}
    assert written == {kind.value for kind in DueKind}, "the scenario writes every kind"
    assert written <= {kind.value for kind in harness.scheduler.jobs.table}


async def test_an_unknown_kind_in_the_store_is_logged_and_marked_done_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    async with harness.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO due (kind, hub_id, ref, due_at) VALUES ('retired_kind', NULL, '', ?)",
            (iso(harness.clock.now()),),
        )
    with caplog.at_level(logging.WARNING, logger="hubbot.service.scheduler"):
        assert await harness.scheduler.tick() == 1
    warnings = [r for r in caplog.records if "retired_kind" in r.getMessage()]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    row = await harness.db.fetchone("SELECT done_at FROM due WHERE kind = 'retired_kind'")
    assert row is not None and row[0] is not None
    assert await harness.scheduler.tick() == 0, "not tried again"


def test_when_timers_pile_up_escalations_and_tallies_run_before_asks_and_reports() -> None:
    """After an outage the scheduler finds a region's rows all due: a silent holder's
    escalation runs first, even one that fell due after another hub's report or round."""
    noon = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)
    rows = [
        (1, DueKind.SHIFTS, noon),
        (2, DueKind.SITREP, noon),
        (3, DueKind.ROUND, noon),
        (4, DueKind.ROUND, noon - timedelta(minutes=1)),
        (5, DueKind.STEP, noon + timedelta(minutes=1)),
        (6, DueKind.ROLLCALL_END, noon + timedelta(minutes=2)),
        (7, "retired_kind", noon - timedelta(hours=1)),
    ]
    order = sorted(rows, key=lambda r: running_order(r[1], r[2], r[0]))
    assert [r[0] for r in order] == [5, 6, 4, 3, 2, 1, 7]


def test_every_due_kind_has_its_turn() -> None:
    unknown = running_order("retired_kind", datetime(2027, 1, 1, tzinfo=UTC), 1)[0]
    assert all(running_order(k, datetime(2027, 1, 1, tzinfo=UTC), 1)[0] < unknown for k in DueKind)
