"""A coordinator stays out of a hub's membership (broadcasts, roll calls) unless they JOIN (#13)."""

from __future__ import annotations

import pytest

from tests.conftest import Harness

LEAD, MEMBER, COORD = "+15145550101", "+15145550103", "+15145550199"
HUB_NUMBER = "+15145550000"

WORDS = {
    "fr": {
        "activate": "ACTIVER",
        "assign": "ASSIGNER",
        "join": "REJOINDRE",
        "need": "BESOIN",
        "broadcast": "DIFFUSER",
        "rollcall": "APPEL",
        "roles": "ROLES",
        "lead": "responsable du centre",
        "opened": "Plateau est maintenant OUVERT",
        "card": "Votre poste au centre PLATEAU : Responsable du centre.",
        "roster": "Postes à PLATEAU",
        "note": "Le courant est coupé rue Rachel",
    },
    "en": {
        "activate": "ACTIVATE",
        "assign": "ASSIGN",
        "join": "JOIN",
        "need": "NEED",
        "broadcast": "BROADCAST",
        "rollcall": "ROLLCALL",
        "roles": "ROLES",
        "lead": "lead",
        "opened": "Plateau is now OPEN",
        "card": "Your role at hub PLATEAU: Hub lead.",
        "roster": "Roles at PLATEAU",
        "note": "The power is out on Rachel street",
    },
}
LANGUAGES = pytest.mark.parametrize("lang", ["fr", "en"])


async def _hub(harness: Harness, lang: str) -> dict[str, str]:
    """PLATEAU, reachable at its own number, with a coordinator and a member who joined."""
    await harness.add_hub(locale=lang, sms_number=HUB_NUMBER)
    await harness.add_coordinator(COORD, locale=lang)
    await harness.text(MEMBER, f"{WORDS[lang]['join']} PLATEAU")
    return WORDS[lang]


async def _member_ids(harness: Harness) -> set[int]:
    rows = await harness.db.fetchall("SELECT person_id FROM memberships")
    return {int(row[0]) for row in rows}


async def _reached_by_broadcast_and_roll_call(harness: Harness, w: dict[str, str]) -> set[str]:
    """Who, of the member and the coordinator, a broadcast and a roll call by the lead reach."""
    broadcast = await harness.text(LEAD, f"{w['broadcast']} meeting at 5 / réunion à 17 h")
    rollcall = await harness.text(LEAD, w["rollcall"])
    return {phone for phone in (MEMBER, COORD) if phone in broadcast and phone in rollcall}


@LANGUAGES
async def test_a_coordinator_who_activates_a_hub_leads_it_without_becoming_a_member(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)

    got = await harness.text(COORD, f"{w['activate']} PLATEAU 2468")

    assert any(text.startswith(w["opened"]) for text in got[COORD])
    assert any(text.startswith(w["card"]) for text in got[COORD]), "they lead it, as before"
    assert await harness.person_id(COORD) not in await _member_ids(harness)
    roster = await harness.text(COORD, w["roles"])
    assert roster[COORD][0].startswith(w["roster"]), "their bare commands go to the hub"
    await harness.text(COORD, f"{w['assign']} 514-555-0101 {w['lead']}")
    assert await _reached_by_broadcast_and_roll_call(harness, w) == {MEMBER}


@LANGUAGES
async def test_a_coordinators_free_text_to_a_hub_is_routed_without_making_them_a_member(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await harness.text(LEAD, f"{w['activate']} PLATEAU 2468")

    got = await harness.text(COORD, w["note"], to=HUB_NUMBER)
    need = await harness.text(COORD, f"{w['need']} water / eau 3", to=HUB_NUMBER)

    assert any(w["note"] in text for text in got[LEAD]), "the message reached the hub"
    assert any("N1" in text for text in need[COORD])
    assert await harness.person_id(COORD) not in await _member_ids(harness)
    assert await _reached_by_broadcast_and_roll_call(harness, w) == {MEMBER}


@LANGUAGES
async def test_a_coordinator_who_joins_a_hub_gets_its_broadcasts_and_roll_calls(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await harness.text(LEAD, f"{w['activate']} PLATEAU 2468")

    await harness.text(COORD, f"{w['join']} PLATEAU")

    assert await _reached_by_broadcast_and_roll_call(harness, w) == {MEMBER, COORD}


@LANGUAGES
async def test_someone_who_is_not_a_coordinator_joins_the_hub_they_activate_or_text(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await harness.text(LEAD, f"{w['activate']} PLATEAU 2468")
    await harness.text("+15145550104", w["note"], to=HUB_NUMBER)
    members = await _member_ids(harness)
    assert await harness.person_id(LEAD) in members
    assert await harness.person_id("+15145550104") in members
