"""Texts and contacts are kept while a hub may need them, and purged RETENTION after it closes."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.addresses import parse_address
from hubbot.cli.main import main
from hubbot.cli.retention import purge as purge_command
from hubbot.service.housekeeping import Housekeeping, purge
from hubbot.settings import Settings
from hubbot.store import mailbox, people
from hubbot.store.db import Database
from tests.conftest import Harness

LEAD, MEMBER, BOTH, OTHER_LEAD, COORD = (
    "+15145550101",
    "+15145550103",
    "+15145550104",
    "+15145550201",
    "+15145550199",
)
RETENTION = timedelta(days=30)
NEED = "BESOIN couvertures pour 2 au 12 rue Roy"


async def _a_closed_hub_beside_an_open_one(harness: Harness) -> None:
    """PLATEAU ran an event and closed; ROSEMONT is still open, and BOTH is a member of each."""
    await harness.add_hub()
    await harness.add_hub("ROSEMONT", name="Rosemont")
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(OTHER_LEAD, "ACTIVER ROSEMONT 2468")
    await harness.text(MEMBER, "REJOINDRE PLATEAU")
    await harness.text(MEMBER, "NOM Ana")
    await harness.text(MEMBER, NEED)
    await harness.text(BOTH, "REJOINDRE PLATEAU")
    await harness.text(BOTH, "il manque de l'eau")
    await harness.text(BOTH, "REJOINDRE ROSEMONT")
    await harness.text(LEAD, "DIFFUSER Eau potable au gymnase")
    for phone in (MEMBER, BOTH):
        await mailbox.deliver(
            harness.db, f"sms:{phone}", "copie du simulateur", harness.clock.now()
        )
    await harness.text(LEAD, "FERMER")


async def _texts_from(harness: Harness, phone: str) -> list[str]:
    rows = await harness.db.fetchall(
        "SELECT text FROM inbound WHERE address = ? ORDER BY id", (parse_address(phone, "CA"),)
    )
    return [str(row[0]) for row in rows]


async def _purged(harness: Harness, table: str) -> int:
    row = await harness.db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE purged_at IS NOT NULL")
    assert row is not None
    return int(row[0])


async def _count(harness: Harness, sql: str) -> int:
    row = await harness.db.fetchone(sql)
    assert row is not None
    return int(row[0])


async def test_texts_are_kept_for_the_retention_after_a_hub_closes(harness: Harness) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    harness.clock.advance(days=29)
    await purge(harness.db, harness.clock, RETENTION)
    assert NEED in await _texts_from(harness, MEMBER)
    assert await _purged(harness, "inbound") == await _purged(harness, "outbox") == 0
    assert await people.by_address(harness.db.conn, parse_address(MEMBER, "CA")) is not None


async def test_after_the_retention_a_closed_hubs_texts_and_contacts_are_purged(
    harness: Harness,
) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    member = await harness.person_id(MEMBER)
    harness.clock.advance(days=31)
    purged = await purge(harness.db, harness.clock, RETENTION)

    assert purged.inbound > 0 and purged.outbox > 0
    assert await _texts_from(harness, MEMBER) == [], "no text, and no number, left"
    to_member = await harness.db.fetchall(
        "SELECT text, address, status, msg_key FROM outbox WHERE person_id = ?", (member,)
    )
    assert to_member and all(row[0] == "" and row[1] == "" for row in to_member)
    assert all(row[2] == "sent" and row[3] for row in to_member), "what was sent, and how, stay"
    assert await people.by_address(harness.db.conn, parse_address(MEMBER, "CA")) is None
    assert await mailbox.read(harness.db, f"sms:{MEMBER}", 0, 10) == []


async def test_members_of_an_open_hub_and_coordinators_keep_everything(harness: Harness) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    harness.clock.advance(days=31)
    await purge(harness.db, harness.clock, RETENTION)
    assert "il manque de l'eau" in await _texts_from(harness, BOTH), "BOTH is in ROSEMONT"
    assert await people.by_address(harness.db.conn, parse_address(BOTH, "CA")) is not None
    assert len(await mailbox.read(harness.db, f"sms:{BOTH}", 0, 10)) == 1
    coordinator = await people.by_address(harness.db.conn, parse_address(COORD, "CA"))
    assert coordinator is not None and coordinator.is_coordinator


async def test_the_activity_log_the_board_and_the_broadcast_tally_stay_as_they_were(
    harness: Harness,
) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    member = await harness.person_id(MEMBER)
    log_sql = "SELECT COUNT(*) FROM activity_log"
    board_sql = "SELECT COUNT(*) FROM items WHERE text LIKE 'couvertures%'"
    before = (await _count(harness, log_sql), await _count(harness, board_sql))
    tally_before = (await harness.text(COORD, "ETATALERTE B1"))[COORD][0]

    harness.clock.advance(days=31)
    await purge(harness.db, harness.clock, RETENTION)

    assert (await _count(harness, log_sql), await _count(harness, board_sql)) == before
    tally_after = (await harness.text(COORD, "ETATALERTE B1"))[COORD][0]
    assert tally_after == tally_before.replace(f"M{member} Ana", f"M{member}"), (
        "the same figures; the member number stays, the name goes"
    )


async def test_someone_heard_from_within_the_retention_keeps_their_number(
    harness: Harness,
) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    harness.clock.advance(days=20)
    await harness.text(MEMBER, "est-ce que le centre rouvre?")
    harness.clock.advance(days=11)
    await purge(harness.db, harness.clock, RETENTION)
    assert await _texts_from(harness, MEMBER) == ["est-ce que le centre rouvre?"], (
        "the old texts go, the recent one stays"
    )
    assert await people.by_address(harness.db.conn, parse_address(MEMBER, "CA")) is not None


async def test_a_forgotten_person_who_writes_again_starts_afresh(harness: Harness) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    before = await harness.person_id(MEMBER)
    harness.clock.advance(days=31)
    await purge(harness.db, harness.clock, RETENTION)
    got = await harness.text(MEMBER, "REJOINDRE ROSEMONT")
    after = await harness.person_id(MEMBER)
    assert after != before
    assert got[MEMBER][0].startswith(f"Bienvenue à Rosemont. Votre numéro de membre : M{after}.")
    rows = await harness.db.fetchall(
        "SELECT hub_id FROM memberships WHERE person_id = ?", (before,)
    )
    assert rows == [], "off the closed hub's member list, so a reopening does not count them"


async def test_the_service_purges_on_its_own(harness: Harness) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    keeper = Housekeeping(harness.db, harness.clock, RETENTION)
    harness.clock.advance(days=29)
    await keeper.tick()
    assert NEED in await _texts_from(harness, MEMBER)
    harness.clock.advance(days=2)
    await keeper.tick()
    assert await _texts_from(harness, MEMBER) == []


async def test_hubbot_purge_runs_the_retention_now(harness: Harness, tmp_path: Path) -> None:
    await _a_closed_hub_beside_an_open_one(harness)
    settings = Settings(_env_file=None, database=tmp_path / "hub.db")  # type: ignore[call-arg]
    out = io.StringIO()
    harness.clock.advance(days=31)
    assert await purge_command(settings, out, now=harness.clock.now()) == 0
    assert "purged (HUBBOT_RETENTION=30d" in out.getvalue()
    assert "and the contacts of 2 person(s)" in out.getvalue(), "the member and PLATEAU's lead"
    assert await _texts_from(harness, MEMBER) == []


def test_hubbot_purge_is_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.db"

    async def create() -> None:
        await (await Database.open(path)).close()

    asyncio.run(create())
    monkeypatch.setenv("HUBBOT_DATABASE", str(path))
    assert main(["purge"]) == 0
    assert capsys.readouterr().out.startswith("0 inbound text(s), 0 outbox text(s)")


def test_a_retention_under_a_day_is_refused_as_a_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBOT_RETENTION", "30m")
    with pytest.raises(ValueError, match="retention"):
        Settings(_env_file=None)  # type: ignore[call-arg]
