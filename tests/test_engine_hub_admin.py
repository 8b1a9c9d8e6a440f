"""A hub is opened, staffed and closed by text, in the language each person uses."""

from __future__ import annotations

from tests.conftest import Harness

LEAD = "+15145550101"
HELPER = "+15145550102"
VOLUNTEER = "+15145550103"
COORD = "+15145550199"


async def test_activating_with_the_pin_opens_the_hub_and_makes_the_activator_lead(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    got = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert any("OUVERT" in t for t in got[LEAD])
    assert any("Responsable du centre" in t for t in got[LEAD]), "the lead gets the lead task card"
    assert got[COORD] == [
        f"Centre PLATEAU (Plateau) OUVERT, activé par M{await harness.person_id(LEAD)}."
    ]
    roles = await harness.text(LEAD, "ROLES")
    assert "Responsable du centre : M" in roles[LEAD][0]


async def test_the_lead_assigns_a_role_by_phone_number_and_the_assignee_gets_the_task_card(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    got = await harness.text(LEAD, "ASSIGNER (514) 555-0102 besoins et offres")
    card = got[HELPER][0]
    assert card.startswith("Votre poste au centre PLATEAU : Besoins et offres.")
    assert "C'est fait" in got[LEAD][0]
    assert "514" not in got[LEAD][0], "the lead sees member numbers, not phone numbers"


async def test_an_english_lead_gets_english_replies_and_the_assignee_gets_the_hub_language(
    harness: Harness,
) -> None:
    await harness.add_hub(code="NEWTOWN", locale="en", name="Newtown School")
    got = await harness.text(LEAD, "ACTIVATE NEWTOWN 2468")
    assert any("Newtown School is now OPEN" in t for t in got[LEAD])
    got = await harness.text(LEAD, "ASSIGN 514 555 0102 needs_offers")
    assert got[HELPER][0].startswith("Your role at hub NEWTOWN: Needs & offers.")
    assert got[LEAD] == [
        f"Done: M{await harness.person_id(HELPER)} is now Needs & offers. They got their task card."
    ]


async def test_someone_who_is_not_lead_cannot_assign_roles(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    got = await harness.text(VOLUNTEER, "ASSIGNER 514-555-0102 accueil")
    assert got == {VOLUNTEER: ["ASSIGNER : Responsable du centre seulement. AIDE : vos commandes."]}
    roster = await harness.text(LEAD, "ROLES")
    assert "Accueil : VACANT" in roster[LEAD][0]


async def test_a_coordinator_may_assign_in_their_hub(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(COORD, "REJOINDRE PLATEAU")
    got = await harness.text(COORD, f"ASSIGNER M{await harness.person_id(LEAD)} accueil")
    assert got[LEAD][0].startswith("Votre poste au centre PLATEAU : Accueil.")


async def test_a_wrong_pin_is_refused_and_three_lock_activation_for_fifteen_minutes(
    harness: Harness,
) -> None:
    await harness.add_hub()
    first = await harness.text(LEAD, "ACTIVER PLATEAU 0000")
    assert first[LEAD] == ["NIP erroné. Encore 2 essais avant une attente de 15 minutes."]
    await harness.text(LEAD, "ACTIVER PLATEAU 1111")
    third = await harness.text(LEAD, "ACTIVER PLATEAU 2222")
    assert third[LEAD] == ["Trop de NIP erronés. Réessayez dans 15 minutes."]
    harness.clock.advance(minutes=10)
    locked = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert locked[LEAD] == ["Trop de NIP erronés. Réessayez dans 5 minutes."]
    harness.clock.advance(minutes=5, seconds=1)
    opened = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert any("OUVERT" in t for t in opened[LEAD])


async def test_an_unknown_hub_code_gets_a_helpful_reply(harness: Harness) -> None:
    got = await harness.text(VOLUNTEER, "JOIN NOWHERE")
    assert got[VOLUNTEER] == [
        "No hub has the code NOWHERE. Check the code on the hub's sign, or ask the hub team."
    ]


async def test_unknown_roles_and_people_get_replies_that_say_what_is_valid(
    harness: Harness,
) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    role = await harness.text(LEAD, "ASSIGN M1 juggler")
    assert 'No role called "juggler"' in role[LEAD][0]
    assert "Reception, Needs & offers" in role[LEAD][0], "role names in the reader's language"
    person = await harness.text(LEAD, "ASSIGN @nobody_here reception")
    assert person[LEAD][0].startswith('I do not know "@nobody_here"')
    usage = await harness.text(LEAD, "ASSIGN")
    assert usage[LEAD] == ["Text ASSIGN + person + role, e.g. ASSIGN 514-555-0101 reception."]


async def test_a_person_can_hold_several_roles_and_unassign_removes_one(harness: Harness) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(LEAD, "ASSIGN 5145550102 reception")
    await harness.text(LEAD, "ASSIGN 5145550102 communications")
    helper = await harness.person_id(HELPER)
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert f"Reception: M{helper}" in roster and f"Communications: M{helper}" in roster
    got = await harness.text(LEAD, f"UNASSIGN M{helper} reception")
    assert got[HELPER] == ["You no longer hold the role Reception at hub PLATEAU. Thank you!"]
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert "Reception: UNFILLED (priority)" in roster
    assert f"Communications: M{helper}" in roster


async def test_closing_the_hub_tells_the_coordinators(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    got = await harness.text(LEAD, "FERMER")
    assert got[COORD] == [f"Hub PLATEAU (Plateau) is CLOSED, by M{await harness.person_id(LEAD)}."]
    assert got[LEAD][0].startswith("Plateau est maintenant FERMÉ.")
