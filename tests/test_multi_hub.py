"""Coordinators and people in several hubs name the hub: 'PLATEAU: BESOINS' (#13)."""

from __future__ import annotations

import pytest

from hubbot.domain.commands import CommandId
from hubbot.domain.playbook import Playbook
from hubbot.domain.registry import parse
from tests.conftest import Harness

LEAD_A, HELPER_A, MEMBER_A = "+15145550101", "+15145550102", "+15145550103"
LEAD_B, MEMBER_B = "+15145550201", "+15145550203"
COORD = "+15145550199"

# The words of each language: the hubs, their people and the coordinator all speak it.
WORDS = {
    "fr": {
        "activate": "ACTIVER",
        "assign": "ASSIGNER",
        "join": "REJOINDRE",
        "need": "BESOIN",
        "needs": "BESOINS",
        "broadcast": "DIFFUSER",
        "rollcall": "APPEL",
        "reception": "accueil",
        "needs_offers": "besoins et offres",
        "roster": "Postes à {code}",
        "open_needs": "Besoins ouverts à {code}",
        "done": "C'est fait : M{id} est maintenant Accueil.",
        "card": "Votre poste au centre {code} : Accueil.",
        "unknown": (
            "Aucun de vos centres n'a le code {code}. Vérifiez-le. "
            'Sans "{code}:" la commande va à votre centre actuel.'
        ),
        "note": "Attention : le courant est coupé",
        "routed": "Bien noté.",
    },
    "en": {
        "activate": "ACTIVATE",
        "assign": "ASSIGN",
        "join": "JOIN",
        "need": "NEED",
        "needs": "NEEDS",
        "broadcast": "BROADCAST",
        "rollcall": "ROLLCALL",
        "reception": "reception",
        "needs_offers": "needs offers",
        "roster": "Roles at {code}",
        "open_needs": "Open needs at {code}",
        "done": "Done: M{id} is now Reception.",
        "card": "Your role at hub {code}: Reception.",
        "unknown": (
            "None of your hubs has the code {code}. Check it. "
            'Without "{code}:" the command goes to your current hub.'
        ),
        "note": "Note: the water is off",
        "routed": "Got it.",
    },
}
LANGUAGES = pytest.mark.parametrize("lang", ["fr", "en"])


async def _two_hubs(harness: Harness, lang: str) -> dict[str, str]:
    """PLATEAU (A): a lead, a needs & offers holder and a member; ROSEMONT (B): a lead and a
    member; a coordinator in no hub. Everyone writes in `lang`."""
    w = WORDS[lang]
    await harness.add_hub(locale=lang)
    await harness.add_hub("ROSEMONT", name="Rosemont", locale=lang)
    await harness.add_coordinator(COORD, locale=lang)
    await harness.text(LEAD_A, f"{w['activate']} PLATEAU 2468")
    await harness.text(LEAD_A, f"{w['assign']} 514-555-0102 {w['needs_offers']}")
    await harness.text(MEMBER_A, f"{w['join']} PLATEAU")
    await harness.text(LEAD_B, f"{w['activate']} ROSEMONT 2468")
    await harness.text(MEMBER_B, f"{w['join']} ROSEMONT")
    return w


@LANGUAGES
async def test_a_coordinator_assigns_a_role_in_a_hub_without_joining_it_and_gets_no_broadcast(
    harness: Harness, lang: str
) -> None:
    w = await _two_hubs(harness, lang)
    member_b = await harness.person_id(MEMBER_B)

    got = await harness.text(COORD, f"ROSEMONT: {w['assign']} M{member_b} {w['reception']}")

    assert len(got[COORD]) == 1
    assert got[COORD][0].startswith("[ROSEMONT] " + w["done"].format(id=member_b))
    assert got[MEMBER_B][0].startswith(w["card"].format(code="ROSEMONT"))
    broadcast = await harness.text(LEAD_B, f"{w['broadcast']} meeting / réunion")
    assert MEMBER_B in broadcast and COORD not in broadcast, "acting made them no member"
    rollcall = await harness.text(LEAD_B, w["rollcall"])
    assert MEMBER_B in rollcall and COORD not in rollcall


@LANGUAGES
async def test_the_hub_a_coordinator_names_becomes_the_one_their_bare_commands_are_about(
    harness: Harness, lang: str
) -> None:
    await _two_hubs(harness, lang)
    roster = WORDS[lang]["roster"]

    named = await harness.text(COORD, "plateau : roles")
    bare = await harness.text(COORD, "ROLES")
    other = await harness.text(COORD, "ROSEMONT:ROLES")

    assert named[COORD][0].startswith("[PLATEAU] " + roster.format(code="PLATEAU"))
    assert bare[COORD][0].startswith(roster.format(code="PLATEAU"))
    assert other[COORD][0].startswith("[ROSEMONT] " + roster.format(code="ROSEMONT"))


@LANGUAGES
async def test_a_role_holder_who_joins_a_second_hub_still_gets_and_lists_the_first_hubs_needs(
    harness: Harness, lang: str
) -> None:
    w = await _two_hubs(harness, lang)
    await harness.text(HELPER_A, f"{w['join']} ROSEMONT")

    need = await harness.text(MEMBER_A, f"{w['need']} water / eau 3")
    assert any("N1" in text for text in need[HELPER_A]), "A's needs still reach its holder"

    in_b = await harness.text(HELPER_A, w["needs"])
    assert in_b[HELPER_A][0].startswith("[ROSEMONT] ") and "N1" not in in_b[HELPER_A][0]

    named = await harness.text(HELPER_A, f"PLATEAU: {w['needs']}")
    bare = await harness.text(HELPER_A, w["needs"])
    for got in (named, bare):
        assert got[HELPER_A][0].startswith("[PLATEAU] " + w["open_needs"].format(code="PLATEAU"))
        assert "N1" in got[HELPER_A][0]


@LANGUAGES
async def test_someone_in_one_hub_reads_replies_without_a_hub_tag(
    harness: Harness, lang: str
) -> None:
    w = await _two_hubs(harness, lang)
    await harness.text(MEMBER_A, f"{w['need']} water / eau 3")
    got = await harness.text(HELPER_A, w["needs"])
    assert got[HELPER_A][0].startswith(w["open_needs"].format(code="PLATEAU"))


@LANGUAGES
@pytest.mark.parametrize("sender", [LEAD_B, HELPER_A, COORD])
async def test_an_unknown_code_and_a_hub_the_sender_is_not_in_get_the_same_reply(
    harness: Harness, lang: str, sender: str
) -> None:
    w = await _two_hubs(harness, lang)
    if sender == COORD:
        await harness.text(COORD, "PLATEAU: ROLES")
    theirs = "ROSEMONT" if sender == LEAD_B else "PLATEAU"
    other = "PLATEAU" if sender == LEAD_B else "ROSEMONT"
    unknown = await harness.text(sender, f"NOWHERE: {w['needs']}")

    assert unknown == {sender: [w["unknown"].format(code="NOWHERE")]}
    if sender != COORD:  # a coordinator may name any hub that exists
        known = await harness.text(sender, f"{other}: {w['needs']}")
        assert known == {sender: [w["unknown"].format(code=other)]}
    roster = await harness.text(sender, "ROLES")
    assert w["roster"].format(code=theirs) in roster[sender][0], "their hub stays current"
    log = await harness.db.fetchall(
        "SELECT action, detail FROM activity_log WHERE person_id = ? ORDER BY id DESC LIMIT 2",
        (await harness.person_id(sender),),
    )
    assert ("refused", "list_needs: hub NOWHERE") in [tuple(row) for row in log]


@LANGUAGES
async def test_a_volunteers_text_with_a_colon_still_reaches_the_hub_whatever_comes_first(
    harness: Harness, lang: str
) -> None:
    w = await _two_hubs(harness, lang)
    for body in (w["note"], f"ROSEMONT: {w['needs']}", f"NOWHERE: {w['needs']}"):
        got = await harness.text(MEMBER_A, body)
        assert got[MEMBER_A][0].startswith(w["routed"]), body
        assert any(body in text for text in got[LEAD_A]), "routed as written, as before"


def test_a_leading_code_names_the_hub_only_before_a_command_that_acts_in_a_hub(
    playbooks: dict[str, Playbook],
) -> None:
    playbook = playbooks["community-hub"]
    assign = parse("SHERBROOKE: ASSIGNER +1 819 555 0101 accueil", playbook)
    assert (assign.name, assign.hub_code) == (CommandId.ASSIGN, "SHERBROOKE")
    assert assign.role is not None and assign.role.id == "reception"
    assert assign.person_text == "+1 819 555 0101"
    needs = parse("plateau : needs", playbook)
    assert (needs.name, needs.hub_code) == (CommandId.LIST_NEEDS, "PLATEAU")
    for text in ("Note: the water is off", "Urgent: need insulin now", "Info: besoin d'eau"):
        free = parse(text, playbook)
        assert free.hub_code is None and free.name not in (CommandId.NEED, CommandId.OFFER)
    assert parse("PLATEAU: BESOINS", playbook, named=False).hub_code is None
