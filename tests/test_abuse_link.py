"""LINK cannot be brute-forced into someone else's record, nor used to bomb a phone (#11)."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hubbot.addresses import parse_address
from hubbot.cli.main import main
from hubbot.cli.person import person_link
from hubbot.settings import Settings
from hubbot.store import people
from hubbot.store.db import Database
from tests.conftest import Harness

ATTACKER, ACCOMPLICE = "telegram:666", "telegram:667"
VICTIM = "+15145550102"
COORD, COORD_TELEGRAM = "+15145550199", "telegram:4242"
LEAD, LEAD_TELEGRAM = "+15145550101", "telegram:5501"
NEUTRAL = [
    "If that address has texted hubbot before, a code is on its way there (3 an hour at most). "
    "Follow it within 15 minutes. Nothing came? Text HELP from there first."
]


def _code(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)


def _not(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def _actions(harness: Harness, phone: str) -> list[str]:
    rows = await harness.db.fetchall(
        "SELECT action FROM activity_log WHERE person_id = ? ORDER BY id",
        (await harness.person_id(phone),),
    )
    return [str(row[0]) for row in rows]


async def test_asking_again_sends_an_address_at_most_three_codes_an_hour_whoever_asks(
    harness: Harness,
) -> None:
    await harness.text(VICTIM, "HELP")
    replies = [await harness.text(ATTACKER, f"LINK {VICTIM}") for _ in range(4)]
    replies.append(await harness.text(ACCOMPLICE, f"LINK {VICTIM}"))
    assert [len(got.get(VICTIM, [])) for got in replies] == [1, 1, 1, 0, 0]
    assert all(got[ATTACKER if i < 4 else ACCOMPLICE] == NEUTRAL for i, got in enumerate(replies))
    harness.clock.advance(minutes=61)
    later = await harness.text(ATTACKER, f"LINK {VICTIM}")
    assert later[VICTIM][0].startswith("hubbot code:"), "an hour later a code goes again"


async def test_ten_wrong_codes_in_a_day_lock_link_and_the_reply_says_until_when(
    harness: Harness,
) -> None:
    await harness.text(VICTIM, "HELP")
    started = harness.clock.now()
    replies: list[str] = []
    for _ in range(4):  # three codes an hour: the fourth comes after an hour
        code = _code((await harness.text(ATTACKER, f"LINK {VICTIM}"))[VICTIM][0])
        for _ in range(3 if len(replies) < 9 else 1):
            replies.append((await harness.text(ATTACKER, f"LINK {_not(code)}"))[ATTACKER][0])
        harness.clock.advance(minutes=61)
    assert replies[:2] == ["Wrong code. Check it and try again."] * 2
    assert replies[2].startswith("Too many tries.")
    # The first wrong code was at 03:00 UTC on the 15th, 22:00 the 14th in Montréal.
    locked = "LINK is locked after 10 wrong codes in a day. Try again after 2026-01-15 22:00."
    assert replies[9] == locked
    assert harness.clock.now() - started < timedelta(hours=5)
    got = await harness.text(ATTACKER, f"LINK {code}")
    assert got == {ATTACKER: [locked]}, "even the right code is refused while locked"
    assert (await harness.text(ATTACKER, f"LINK {VICTIM}")) == {ATTACKER: [locked]}
    assert await harness.person_id(ATTACKER) != await harness.person_id(VICTIM)
    harness.clock.current = started.replace(day=16, minute=1)
    again = await harness.text(ATTACKER, f"LINK {VICTIM}")
    assert again[VICTIM][0].startswith("hubbot code:"), "a day after the first wrong code"
    log = await _actions(harness, ATTACKER)
    assert log.count("link_requested") == 5 and log.count("link_wrong_code") == 10
    assert log.count("link_locked") == 3


async def test_a_code_never_goes_to_an_address_that_has_not_texted_hubbot(
    harness: Harness,
) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(LEAD, "ASSIGN 514 555 0103 reception")  # a holder who never wrote
    stranger = await harness.text(ATTACKER, "LINK +1 514 555 0177")
    assigned = await harness.text(ATTACKER, "LINK 514-555-0103")
    assert stranger == assigned == {ATTACKER: NEUTRAL}, "no code, and no telling why"
    no_record = await people.by_address(harness.db.conn, parse_address("+15145550177", "CA"))
    assert no_record is None, "asking leaves no trace of the stranger's number"
    assert await _actions(harness, ATTACKER) == ["link_refused", "link_refused"]


async def test_a_code_typed_by_the_requester_cannot_take_over_a_coordinator(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(COORD, "HELP")
    got = await harness.text(ATTACKER, f"LINK {COORD}")
    code = _code(got[COORD][0])
    attacker = await harness.person_id(ATTACKER)
    assert got[COORD] == [
        f"hubbot: M{attacker} asks to link their address with this one, which holds your roles."
        f" If that is you, reply YES {code} here (15 min). If not, do not reply."
    ]
    assert got[ATTACKER] == NEUTRAL, "the reply does not say the address is a coordinator's"
    tried = await harness.text(ATTACKER, f"LINK {code}")  # even with the right code
    assert tried == {
        ATTACKER: [
            "This link must be confirmed from the other address: reply YES + the code from there."
        ]
    }
    assert await harness.person_id(ATTACKER) != await harness.person_id(COORD)
    broadcast = await harness.text(ATTACKER, "BROADCAST ALL Evacuate now")
    assert list(broadcast) == [ATTACKER], "no coordinator rights, nothing went out"


async def test_a_code_sent_before_its_address_took_a_role_cannot_take_the_role_over(
    harness: Harness,
) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(VICTIM, "JOIN PLATEAU")
    code = _code((await harness.text(ATTACKER, f"LINK {VICTIM}"))[VICTIM][0])
    await harness.text(LEAD, f"ASSIGN M{await harness.person_id(VICTIM)} reception")
    tried = await harness.text(ATTACKER, f"LINK {code}")
    assert tried[ATTACKER][0].startswith("This link must be confirmed from the other address")
    assert await harness.person_id(ATTACKER) != await harness.person_id(VICTIM)


async def test_a_coordinator_links_their_telegram_by_answering_yes_from_their_phone(
    harness: Harness,
) -> None:
    coord = await harness.add_coordinator(COORD, locale="en")
    await harness.text(COORD, "HELP")
    code = _code((await harness.text(COORD_TELEGRAM, f"LINK {COORD}"))[COORD][0])
    assert (await harness.text(COORD, "YES 000000" if code != "000000" else "YES 111111")) == {
        COORD: ["Wrong code. Check it and try again."]
    }
    done = await harness.text(COORD, f"YES {code}")
    assert done[COORD][0].startswith("Done: both addresses are linked.")
    assert await harness.person_id(COORD_TELEGRAM) == coord, "the coordinator keeps M-number"
    assert (await harness.text(COORD, f"YES {code}")) == {
        COORD: ["No link request is waiting for this address."]
    }


async def test_a_leads_phone_confirms_a_link_itself_and_keeps_the_lead_role(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    got = await harness.text(LEAD_TELEGRAM, f"LIER {LEAD}")
    message = got[LEAD][0]
    assert message.startswith("hubbot : M") and "répondez OUI" in message
    done = await harness.text(LEAD, f"OUI {_code(message)}")
    assert done[LEAD][0].startswith("C'est fait : vos deux adresses sont reliées.")
    roster = (await harness.text(LEAD_TELEGRAM, "ROLES"))[LEAD_TELEGRAM][0]
    assert f"Responsable du centre : M{await harness.person_id(LEAD)}" in roster
    assert "accounts_linked" in await _actions(harness, LEAD)


async def test_every_link_attempt_goes_to_the_activity_log(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(VICTIM, "REJOINDRE PLATEAU")
    victim = await harness.person_id(VICTIM)
    await harness.text(ATTACKER, "LINK +15145550188")
    code = _code((await harness.text(ATTACKER, f"LINK {VICTIM}"))[VICTIM][0])
    await harness.text(ATTACKER, f"LINK {_not(code)}")
    await harness.text(ATTACKER, f"LINK {code}")
    assert await _actions(harness, ATTACKER) == [
        "link_refused",
        "link_requested",
        "link_wrong_code",
        "accounts_linked",
    ]
    rows = await harness.db.fetchall(
        "SELECT hub_id, detail FROM activity_log WHERE action LIKE 'link%' ORDER BY id"
    )
    assert rows[1][1] == f"M{victim}"
    assert rows[1][0] is not None, "an attempt on a hub's member shows in that hub's log"


async def test_yes_with_a_code_leaves_plain_yes_to_match_consent(harness: Harness) -> None:
    await harness.add_hub()
    got = await harness.text(VICTIM, "OUI 123456")
    assert got == {VICTIM: ["Aucune demande de liaison n'attend cette adresse."]}
    plain = await harness.text(VICTIM, "OUI")
    assert "liaison" not in plain[VICTIM][0]


async def test_an_operator_links_a_phone_that_never_texted_from_the_command_line(
    harness: Harness, tmp_path: Path
) -> None:
    await harness.add_hub()
    await harness.text(LEAD_TELEGRAM, "REJOINDRE PLATEAU")
    settings = Settings(_env_file=None, database=tmp_path / "hub.db")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await person_link(settings, LEAD_TELEGRAM, "514-555-0101", out) == 0
    member = await harness.person_id(LEAD_TELEGRAM)
    assert out.getvalue() == f"sms:+15145550101 is now an address of M{member}.\n"
    assert await harness.person_id(LEAD) == member
    roster = await harness.text(LEAD, "ROLES")
    assert roster[LEAD][0].startswith("Postes à PLATEAU"), "the phone shares the hub at once"
    rows = await harness.db.fetchall("SELECT role, action, detail FROM activity_log")
    assert ("operator", "accounts_linked", "new sms address, by hubbot person link") in [
        tuple(row) for row in rows
    ]


def test_hubbot_person_link_merges_two_known_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.db"

    async def two_people() -> tuple[int, int]:
        db = await Database.open(path)
        try:
            async with db.transaction() as conn:
                now = datetime.now(UTC)
                first = await people.create(conn, "sms:+15145550101", "fr", now)
                second = await people.create(conn, "telegram:5501", "fr", now)
                await people.set_coordinator(conn, second.id)
            return first.id, second.id
        finally:
            await db.close()

    first, second = asyncio.run(two_people())
    monkeypatch.setenv("HUBBOT_DATABASE", str(path))
    assert main(["person", "link", "514-555-0101", "telegram:5501"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"M{second} (telegram:5501) is merged into M{first}")

    async def coordinator_now() -> bool:
        db = await Database.open(path)
        try:
            person = await people.by_address(db.conn, "telegram:5501")
            return person is not None and person.id == first and person.is_coordinator
        finally:
            await db.close()

    assert asyncio.run(coordinator_now())
    assert main(["person", "link", "514-555-0101", "nonsense"]) == 1
