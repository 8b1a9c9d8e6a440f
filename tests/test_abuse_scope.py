"""One hub's staff cannot reach into another hub, nor learn what it holds (#11)."""

from __future__ import annotations

import pytest

from tests.conftest import Harness

LEAD_A, RECEPTION_A, MEMBER_A = "+15145550101", "+15145550102", "+15145550103"
LEAD_B, MEMBER_B = "+15145550201", "+15145550203"
COORD = "+15145550199"


async def _two_hubs(harness: Harness) -> None:
    """PLATEAU (A) with a lead, a reception holder and a member; ROSEMONT (B) with its own."""
    await harness.add_hub()
    await harness.add_hub("ROSEMONT", name="Rosemont")
    await harness.text(LEAD_A, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD_A, "ASSIGNER 514-555-0102 accueil")
    await harness.text(MEMBER_A, "REJOINDRE PLATEAU")
    await harness.text(LEAD_B, "ACTIVER ROSEMONT 2468")
    await harness.text(MEMBER_B, "REJOINDRE ROSEMONT")
    await harness.text(MEMBER_B, "NOM Ana")


async def test_a_reception_holder_cannot_hand_their_role_to_another_hubs_lead(
    harness: Harness,
) -> None:
    await _two_hubs(harness)
    lead_b = await harness.person_id(LEAD_B)
    got = await harness.text(RECEPTION_A, f"RELEVE accueil M{lead_b}")
    assert got == {
        RECEPTION_A: [
            f"M{lead_b} n'est pas membre de PLATEAU. "
            "La personne peut d'abord écrire REJOINDRE PLATEAU."
        ]
    }
    roster = (await harness.text(LEAD_B, "ROLES"))[LEAD_B][0]
    assert roster.startswith("Postes à ROSEMONT") and f"Responsable du centre : M{lead_b}" in roster
    roster_a = (await harness.text(LEAD_A, "ROLES"))[LEAD_A][0]
    assert f"Accueil : M{await harness.person_id(RECEPTION_A)}" in roster_a


async def test_a_lead_cannot_assign_another_hubs_member_whose_needs_stay_in_their_hub(
    harness: Harness,
) -> None:
    await _two_hubs(harness)
    member_b = await harness.person_id(MEMBER_B)
    got = await harness.text(LEAD_A, f"ASSIGNER M{member_b} facility")
    assert got == {
        LEAD_A: [
            f"M{member_b} n'est pas membre de PLATEAU. "
            "La personne peut d'abord écrire REJOINDRE PLATEAU."
        ]
    }
    need = await harness.text(MEMBER_B, "BESOIN couvertures pour 2")
    assert LEAD_A not in need and any("N1" in t for t in need[LEAD_B]), "the need stays in B"


@pytest.mark.parametrize("command", ["ASSIGNER {who} accueil", "RETIRER {who} lead"])
async def test_naming_another_hubs_person_by_phone_reveals_nothing_about_them(
    harness: Harness, command: str
) -> None:
    await _two_hubs(harness)
    who = "514-555-0201" if "RETIRER" in command else "514 555 0203"
    got = await harness.text(LEAD_A, command.format(who=who))
    assert got == {
        LEAD_A: [
            f"{who} n'est pas membre de PLATEAU. La personne peut d'abord écrire REJOINDRE PLATEAU."
        ]
    }, "no member number, no name, no roles of the other hub"
    log = await harness.db.fetchall(
        "SELECT action FROM activity_log WHERE person_id = ? ORDER BY id DESC LIMIT 1",
        (await harness.person_id(LEAD_A),),
    )
    assert log[0][0] == "refused"


async def test_staff_still_assign_their_own_members_and_new_numbers(harness: Harness) -> None:
    await _two_hubs(harness)
    own = await harness.text(LEAD_A, f"ASSIGNER M{await harness.person_id(MEMBER_A)} facility")
    assert own[LEAD_A][-1].startswith("C'est fait")
    new = await harness.text(LEAD_A, "ASSIGNER 514-555-0177 communications")
    assert new[LEAD_A][-1].startswith("C'est fait") and "+15145550177" in new


async def test_a_coordinator_may_move_someone_from_another_hub(harness: Harness) -> None:
    await _two_hubs(harness)
    await harness.add_coordinator(COORD)
    await harness.text(COORD, "REJOINDRE PLATEAU")
    got = await harness.text(COORD, f"ASSIGNER M{await harness.person_id(MEMBER_B)} accueil")
    assert got[MEMBER_B][0].startswith("Votre poste au centre PLATEAU : Accueil.")


async def _note_in_b(harness: Harness) -> None:
    await _two_hubs(harness)
    await harness.text(MEMBER_B, "BESOIN couvertures pour 2")
    await harness.text(MEMBER_B, "OFFRE eau potable pour 10")


@pytest.mark.parametrize("sender", [MEMBER_A, LEAD_A])
async def test_a_relay_about_another_hubs_note_reads_exactly_like_a_missing_one(
    harness: Harness, sender: str
) -> None:
    await _note_in_b(harness)
    there = await harness.text(sender, "R O1 toujours disponible ?")
    missing = await harness.text(sender, "R O9 toujours disponible ?")
    assert there == {sender: ["Aucun besoin ni offre O1. Vérifiez le numéro (ex. N12, O7)."]}
    assert missing == {sender: ["Aucun besoin ni offre O9. Vérifiez le numéro (ex. N12, O7)."]}


async def test_a_coordinator_may_relay_about_any_hubs_note(harness: Harness) -> None:
    await _note_in_b(harness)
    await harness.add_coordinator(COORD)
    await harness.text(COORD, "REJOINDRE PLATEAU")
    got = await harness.text(COORD, "R O1 toujours disponible ?")
    assert got[MEMBER_B][0].startswith("Le centre, au sujet de votre offre O1")


@pytest.mark.parametrize(
    "command",
    [
        "FAIT {need} livré",
        "ANNULER {need}",
        "CAT {need} water",
        "EXPIRER {need} 2j",
        "JUMELER {need} {offer}",
    ],
)
async def test_board_commands_on_another_hubs_notes_read_exactly_like_missing_ones(
    harness: Harness, command: str
) -> None:
    await _note_in_b(harness)
    there = await harness.text(LEAD_A, command.format(need="N1", offer="O1"))
    missing = await harness.text(LEAD_A, command.format(need="N8", offer="O9"))
    assert there[LEAD_A] == [m.replace("N8", "N1").replace("O9", "O1") for m in missing[LEAD_A]]
    assert there[LEAD_A][0].startswith("Aucun besoin ni offre N1.")
    assert list(there) == [LEAD_A], "the poster in the other hub hears nothing"
