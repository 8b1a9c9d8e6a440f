"""A region's timed work falling due in the same second runs together (issue 17): rounds,
reports and shift checks of many hubs read, decided and written at once. Users must not see
the difference from rows run one by one: the same asks, in each holder's language, to the
holders a message reaches, each once; a failing row is left out alone."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from hubbot.domain import timed
from hubbot.domain.jobs import DueKind
from hubbot.domain.models import HubStatus
from hubbot.security import hash_pin
from hubbot.store import hubs, people, situation
from hubbot.store.sitrep_figures import figures_many
from tests.conftest import Harness

ROLES = ("lead", "reception", "needs_offers", "communications", "facility")
CODES = ("HA", "HB", "HC", "HD", "HE")
DRILL, STOPPED, BLOCKED = "HC", "HD", "HE"  # in exercise; reception sent STOP; facility blocked


def _phone(h: int, r: int) -> str:
    return f"sms:+1514555{h}{r}00"


def _locale(h: int, r: int) -> str:
    return "en" if (h + r) % 2 else "fr"


async def _region(harness: Harness) -> dict[str, dict[str, int]]:
    """Five open hubs, a holder for each role (French and English by turns), a coordinator
    in none of them; returns each hub's holders by role ('coordinator' under '')."""
    now = harness.clock.now()
    holders: dict[str, dict[str, int]] = {}
    async with harness.db.transaction() as conn:
        for h, code in enumerate(CODES):
            hub_id = await hubs.create(
                conn, code, code, hash_pin("2468"), "fr", None, "community-hub", now
            )
            await hubs.set_status(conn, hub_id, HubStatus.ACTIVE, now)
            holders[code] = {}
            for r, role in enumerate(ROLES):
                address = _phone(h, r)
                person = await people.create(conn, address, _locale(h, r), now)
                await hubs.join(conn, hub_id, person.id, now)
                lead = holders[code].get("lead", person.id)
                await hubs.assign(conn, hub_id, person.id, role, lead, now)
                holders[code][role] = person.id
            if code == DRILL:
                await hubs.set_exercise(conn, hub_id, True)
        await people.set_opt_out(conn, holders[STOPPED]["reception"], True, now)
        await people.mark_unreachable(conn, _phone(CODES.index(BLOCKED), ROLES.index("facility")))
        coordinator = await people.create(conn, "sms:+15145550199", "en", now)
        await people.set_coordinator(conn, coordinator.id)
    holders[""] = {"coordinator": coordinator.id}
    await harness.scheduler.plan()
    harness.clock.advance(hours=2)  # every hub's round and report fall due now
    return holders


async def _outbox(harness: Harness) -> list[tuple[int, str, str, str]]:
    rows = await harness.db.fetchall(
        "SELECT person_id, msg_key, text, status FROM outbox ORDER BY id"
    )
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def _one_by_one(harness: Harness) -> None:
    """The jobs without their batch loaders: every row runs alone, as before issue 17."""
    table = harness.scheduler.jobs.table
    for kind, job in table.items():
        table[kind] = dataclasses.replace(job, load_many=None)


_FR = {"Reception": "Accueil", "Facility maintenance": "Entretien des lieux"}


def _prompt(code: str, locale: str, drill: bool) -> str:
    text = f"Pointage {code} : tout va bien ?" if locale == "fr" else f"Check-in {code}: all good?"
    return (("EXERCICE " if locale == "fr" else "EXERCISE ") + text) if drill else text


def _check_region(
    holders: dict[str, dict[str, int]], sent: list[tuple[int, str, str, str]]
) -> None:
    """Each reachable holder asked once, in their language; cut-off roles reported unfilled;
    each hub's report to the coordinator, the drill's held from a coordinator outside it."""
    prompts: dict[int, list[str]] = {}
    for person_id, key, text, _ in sent:
        if key == "checkin.prompt":
            prompts.setdefault(person_id, []).append(text)
    for h, code in enumerate(CODES):
        for r, role in enumerate(ROLES[1:], start=1):
            person_id = holders[code][role]
            cut = (code, role) in ((STOPPED, "reception"), (BLOCKED, "facility"))
            if cut:
                assert person_id not in prompts, f"{code} {role}: no message reaches them"
                continue
            locale = _locale(h, r)
            assert len(prompts[person_id]) == 1, f"{code} {role} asked once"
            assert prompts[person_id][0].startswith(_prompt(code, locale, code == DRILL))
        assert holders[code]["lead"] not in prompts, "the lead is not asked"
    for code, role in ((STOPPED, "Reception"), (BLOCKED, "Facility maintenance")):
        lead, h = holders[code]["lead"], CODES.index(code)
        told = [t for p, k, t, _ in sent if p == lead and k == "checkin.unfilled"]
        if _locale(h, 0) == "fr":
            assert told == [f"Pointage {code} : personne n'occupe le poste {_FR[role]}."]
        else:
            assert told == [f"Check-in {code}: nobody holds {role}."]
    reports = [
        (t, s) for p, k, t, s in sent if p == holders[""]["coordinator"] and k == "sitrep.short"
    ]
    assert len(reports) == len(CODES), "one report a hub"
    held = [t for t, s in reports if s != "pending"]
    assert len(held) == 1 and held[0].startswith("EXERCISE"), "the drill's, kept from outsiders"


@pytest.mark.parametrize("together", [True, False], ids=["together", "one_by_one"])
async def test_many_hubs_due_at_once_ask_each_reachable_holder_once_in_their_language(
    harness: Harness, together: bool
) -> None:
    holders = await _region(harness)
    if not together:
        _one_by_one(harness)
    assert await harness.scheduler.tick() == 3 * len(CODES)  # rounds, reports, shift checks
    sent = await _outbox(harness)
    _check_region(holders, sent)
    assert await harness.scheduler.tick() == 0, "each row ran once"
    assert await _outbox(harness) == sent


_AGAIN = {"fr": "Rappel pointage {} : répondez OK", "en": "Check-in reminder {}: reply OK"}
_SILENT = {"fr": "Pointage {} : M", "en": "Check-in {}: M"}
_DRILL = {"fr": "EXERCICE ", "en": "EXERCISE "}


@pytest.mark.parametrize("together", [True, False], ids=["together", "one_by_one"])
async def test_the_steps_of_rounds_due_together_remind_each_holder_then_tell_each_lead(
    harness: Harness, together: bool
) -> None:
    holders = await _region(harness)
    if not together:
        _one_by_one(harness)
    await harness.scheduler.tick()
    harness.clock.advance(minutes=15)
    assert await harness.scheduler.tick() >= len(CODES), "every round's first step"
    sent = await _outbox(harness)
    asked = {p for p, k, _, _ in sent if k == "checkin.prompt"}
    again = [(p, t) for p, k, t, _ in sent if k == "checkin.again"]
    assert sorted(p for p, _ in again) == sorted(asked), "each one asked is reminded once"
    for h, code in enumerate(CODES):
        for r, role in enumerate(ROLES):
            person_id = holders[code][role]
            for _, text in (a for a in again if a[0] == person_id):
                drill = _DRILL[_locale(h, r)] if code == DRILL else ""
                assert text.startswith(drill + _AGAIN[_locale(h, r)].format(code))
    harness.clock.advance(minutes=15)
    await harness.scheduler.tick()
    sent = await _outbox(harness)
    for h, code in enumerate(CODES):
        lead = holders[code]["lead"]
        told = [t for p, k, t, _ in sent if p == lead and k == "checkin.silent"]
        silent = {holders[code][role] for role in ROLES} & asked
        drill = _DRILL[_locale(h, 0)] if code == DRILL else ""
        assert len(told) == len(silent), f"{code}: the lead hears of each silent holder once"
        assert all(t.startswith(drill + _SILENT[_locale(h, 0)].format(code)) for t in told)
    confirmations = await harness.db.fetchall("SELECT COUNT(*) FROM confirmations")
    silent_sent = [s for _, k, _, s in sent if k == "checkin.silent"]
    assert confirmations[0][0] == len(silent_sent), "each lead's OK will confirm their alert"


def _fails_for(code: str, decide: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def deciding(event: Any, now: Any) -> Any:
        if event.hub is not None and event.hub.code == code:
            raise RuntimeError(f"a bug for {code}")
        return decide(event, now)

    return deciding


async def test_a_round_that_fails_in_the_middle_of_a_batch_leaves_the_others_done(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    holders = await _region(harness)
    job = harness.scheduler.jobs.table[DueKind.ROUND]
    harness.scheduler.jobs.table[DueKind.ROUND] = dataclasses.replace(
        job, decide=_fails_for("HB", timed.on_round)
    )
    with caplog.at_level(logging.ERROR, logger="hubbot.service.scheduler"):
        await harness.scheduler.tick()
    assert "failed; marked done" in caplog.text
    asked = {p for p, k, _, _ in await _outbox(harness) if k == "checkin.prompt"}
    assert not asked & set(holders["HB"].values()), "HB's round did not run"
    assert holders["HA"]["reception"] in asked and holders["HE"]["reception"] in asked
    await harness.scheduler.tick()
    again = {p for p, k, _, _ in await _outbox(harness) if k == "checkin.prompt"}
    assert again == asked, "the failed row is not tried again"


@pytest.mark.parametrize("where", ["reading", "writing"])
async def test_a_batch_that_fails_as_a_whole_is_undone_and_run_row_by_row(
    harness: Harness, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    holders = await _region(harness)
    if where == "reading":

        async def broken(*_: object) -> Any:
            raise RuntimeError("a bug in the batch loader")

        for kind, job in harness.scheduler.jobs.table.items():
            if job.load_many is not None:
                harness.scheduler.jobs.table[kind] = dataclasses.replace(job, load_many=broken)
    else:
        bulk = harness.scheduler.bulk
        apply = bulk.apply

        async def half_written(*args: Any) -> None:
            await apply(*args)  # every row written, then the batch fails: all of it undone
            raise RuntimeError("a bug after the writes")

        monkeypatch.setattr(bulk, "apply", half_written)
    assert await harness.scheduler.tick() == 3 * len(CODES)
    _check_region(holders, await _outbox(harness))
    rounds = await harness.db.fetchall("SELECT COUNT(*) FROM rounds")
    assert rounds[0][0] == len(CODES), "one round a hub, none left of the undone batch"


async def test_reports_due_together_count_what_a_report_of_one_hub_counts(
    harness: Harness,
) -> None:
    """The figures read for many hubs at once are each hub's own (store/sitrep_figures.py)."""
    holders = await _region(harness)
    now = harness.clock.now()
    ids = [int(r[0]) for r in await harness.db.fetchall("SELECT id FROM hubs ORDER BY id")]
    person = holders["HA"]["reception"]
    async with harness.db.transaction() as conn:
        n = 0
        for i, hub_id in enumerate(ids[:3]):
            for j in range(4 + i):
                n += 1
                kind = "offer" if j == 3 else "need"
                await conn.execute(
                    "INSERT INTO items (kind, number, hub_id, person_id, category, text, status,"
                    " created_at, expires_at, critical, significant)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        kind,
                        n,
                        hub_id,
                        person,
                        ("water", "food", None)[j % 3],
                        f"item {n} of hub {hub_id}",
                        ("matched", "open", "open", "open", "done")[j % 5],
                        (now - timedelta(minutes=50 - j)).isoformat(),
                        (now + timedelta(hours=-1 if j == 2 else 1)).isoformat(),
                        int(j == 1),
                        int(j != 2),
                    ),
                )
            await situation.record_onsite(
                conn, hub_id, 5 + i, 5 + i, person, now - timedelta(hours=2)
            )
            await situation.record_onsite(
                conn, hub_id, 2, 7 + i, person, now - timedelta(minutes=5)
            )
            await situation.record_lifeline(conn, hub_id, "power", "down", False, person, now)
            await situation.record_lifeline(conn, hub_id, "power", "up", i == 1, person, now)
            await situation.record_lifeline(conn, hub_id, "water", "ok", False, person, now)
        await situation.record_sitrep(
            conn, ids[1], await situation.figures(conn, ids[1], now), None, now
        )
        together = await figures_many(conn, ids, now)
        for hub_id in ids:
            assert together[hub_id] == await situation.figures(conn, hub_id, now)
    busy = together[ids[1]]
    assert busy.number == 2 and busy.critical and busy.significant and busy.top_needs
    assert busy.needs and busy.offers_open and busy.onsite_change == 2 and len(busy.lifelines) == 2


def _first_and_last(sent: list[tuple[int, str, str, str]], key: str) -> tuple[int, int]:
    """Where the first and the last message of this kind stand in the outbox's order."""
    at = [n for n, (_, k, _, _) in enumerate(sent) if k == key]
    assert at, f"some {key}"
    return at[0], at[-1]


async def test_a_regions_asks_are_queued_before_its_reports(harness: Harness) -> None:
    """Every hub's round and report fall due in the same second: each holder's ask goes out
    before any report to the coordinators."""
    await _region(harness)
    await harness.scheduler.tick()
    sent = await _outbox(harness)
    _, last_ask = _first_and_last(sent, "checkin.prompt")
    first_report, _ = _first_and_last(sent, "sitrep.short")
    assert last_ask < first_report
