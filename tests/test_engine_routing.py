"""Needs, offers and free text reach whoever holds the right role now, never a phone number."""

from __future__ import annotations

from tests.conftest import Harness

LEAD = "+15145550101"
HELPER = "+15145550102"
VOLUNTEER = "+15145550103"
ANGLO = "+15145550104"
COORD = "+15145550199"


async def _staffed(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")


async def test_a_french_need_is_acknowledged_with_its_id_and_reaches_needs_and_offers(
    harness: Harness,
) -> None:
    await _staffed(harness)
    got = await harness.text(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    assert got[VOLUNTEER] == [
        "Besoin N1 noté et transmis à : Besoins et offres. Vie en danger : faites le 911."
    ]
    volunteer = await harness.person_id(VOLUNTEER)
    assert got[HELPER] == [
        f"Nouveau besoin N1 (Eau) de M{volunteer} : eau potable pour 3 personnes"
    ]
    assert LEAD not in got


async def test_an_english_offer_is_answered_in_english_and_numbered_separately(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(VOLUNTEER, "BESOIN eau potable")
    await harness.text(ANGLO, "JOIN PLATEAU")
    got = await harness.text(ANGLO, "OFFER generator and fuel")
    assert got[ANGLO] == ["Offer O1 saved and sent to Needs & offers. Thank you!"]
    assert got[HELPER][0].startswith("Nouvelle offre O1 (")
    again = await harness.text(ANGLO, "HELP")
    assert again[ANGLO][0].startswith("Plateau - your commands: NEED, OFFER"), "English"


async def test_with_no_needs_and_offers_holder_the_lead_gets_the_need(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    got = await harness.text(VOLUNTEER, "BESOIN couches pour bébé")
    assert got[VOLUNTEER][0].startswith("Besoin N1 noté et transmis à : Responsable du centre.")
    assert got[LEAD][0].startswith("Nouveau besoin N1")


async def test_a_closed_hub_sends_needs_to_the_coordinators(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    got = await harness.text(VOLUNTEER, "BESOIN médicaments")
    assert got[VOLUNTEER][0].startswith("Besoin N1 noté et transmis à : la coordination régionale.")
    assert got[COORD][0].startswith("New need N1")


async def test_a_need_nobody_can_receive_is_kept_and_the_sender_is_told_honestly(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    got = await harness.text(VOLUNTEER, "BESOIN un abri")
    assert got == {
        VOLUNTEER: [
            "Besoin N1 noté. Personne n'est de garde pour le recevoir ; il reste au tableau. "
            "Vie en danger : 911."
        ]
    }
    row = await harness.db.fetchone("SELECT kind, number, text, status FROM items")
    assert row is not None and tuple(row) == ("need", 1, "un abri", "open")


async def test_free_text_goes_to_the_fallback_role_and_the_sender_learns_which_role(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(LEAD, "ASSIGNER 514-555-0104 accueil")
    got = await harness.text(VOLUNTEER, "Bonjour, est-ce que je peux venir avec mon chien?")
    assert got[VOLUNTEER] == ["Bien noté. Votre message est transmis à : Accueil."]
    said, reply_with = got[ANGLO][0].splitlines()
    assert said.endswith("Bonjour, est-ce que je peux venir avec mon chien?")
    assert reply_with.startswith("Répondez R M"), "the role can answer by member number"
    assert "514" not in got[ANGLO][0]


async def test_a_playbook_intent_routes_a_building_problem_to_facility(harness: Harness) -> None:
    await _staffed(harness)
    await harness.text(LEAD, "ASSIGNER 514-555-0104 entretien des lieux")
    got = await harness.text(VOLUNTEER, "Il y a une fuite d'eau dans les toilettes")
    assert got[VOLUNTEER] == ["Bien noté. Votre message est transmis à : Entretien des lieux."]
    assert ANGLO in got


async def test_a_need_without_a_hub_explains_how_to_join(harness: Harness) -> None:
    got = await harness.text(VOLUNTEER, "NEED water")
    assert got[VOLUNTEER] == [
        "You are not in a hub yet. Text JOIN + the hub code first, e.g. JOIN PLATEAU."
    ]


async def test_an_empty_need_gets_the_usage(harness: Harness) -> None:
    await _staffed(harness)
    got = await harness.text(VOLUNTEER, "BESOIN")
    assert got[VOLUNTEER] == ["Écrivez BESOIN + ce qu'il vous faut, ex. BESOIN eau potable pour 3."]


async def test_texting_the_hub_number_reaches_that_hub_without_joining_first(
    harness: Harness,
) -> None:
    await harness.add_hub(sms_number="+15145550000")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    got = await harness.text(ANGLO, "NEED a ride to the hospital", to="+15145550000")
    assert got[ANGLO][0].startswith("Need N1 saved and sent to Hub lead.")
