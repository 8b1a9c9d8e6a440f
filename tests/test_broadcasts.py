"""Broadcasts and roll calls: who gets them, in which language, and the tallies."""

from __future__ import annotations

from tests.conftest import Harness
from tests.fakes import workers

LEAD, A, B, C, COORD = (
    "+15145550101",
    "+15145550102",
    "+15145550103",
    "+15145550104",
    "+15145550199",
)
OTHER_LEAD, OTHER = "+16135550101", "+16135550102"


async def _hubs(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_hub(code="NEWTOWN", name="Newtown", locale="en")
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    for phone in (A, B, C):
        await harness.text(phone, "REJOINDRE PLATEAU")
    await harness.text(OTHER_LEAD, "ACTIVATE NEWTOWN 2468")
    await harness.text(OTHER, "JOIN NEWTOWN")


async def test_the_lead_broadcasts_to_the_hub_and_opted_out_people_are_skipped(
    harness: Harness,
) -> None:
    await _hubs(harness)
    await harness.text(C, "STOP")
    got = await harness.text(LEAD, "DIFFUSER Réunion d'équipe à 18 h dans le gymnase")
    assert got[LEAD] == ["Diffusion B1 : 2 messages en route, 1 exclu(s) (ARRET)."]
    assert (
        got[A] == got[B] == ["[PLATEAU B1] Réunion d'équipe à 18 h dans le gymnase\nRépondez OK."]
    )
    assert C not in got and OTHER not in got
    assert (await harness.text(A, "OK"))[A] == ["Merci, c'est bien noté."]
    tally = (await harness.text(LEAD, "ETATALERTE B1"))[LEAD][0]
    assert tally.startswith("B1 : 3 destinataires, 0 en attente, 2 envoyés, 0 livrés")
    assert "1 confirmés, 1 exclus (ARRET)" in tally
    assert tally.endswith(f"Sans confirmation : M{await harness.person_id(B)}")


async def test_a_coordinator_template_reaches_every_hub_in_each_language(harness: Harness) -> None:
    await _hubs(harness)
    got = await harness.text(COORD, "BROADCAST ALL URGENT #boil_water")
    assert got[A][0].startswith("URGENT [Coordination B1] AVIS : faites bouillir l'eau")
    assert got[OTHER][0].startswith("URGENT [Coordination B1] NOTICE: boil tap water")
    assert got[OTHER_LEAD][0].startswith("URGENT [Coordination B1] NOTICE: boil tap water")
    assert got[A][0].endswith("\nRépondez OK.") and got[OTHER][0].endswith("\nReply OK.")
    refused = await harness.text(LEAD, "DIFFUSER TOUS bonjour")
    assert refused[LEAD][0].startswith("Seule une coordination")


async def test_a_role_broadcast_reaches_only_its_holders(harness: Harness) -> None:
    await _hubs(harness)
    await harness.text(LEAD, f"ASSIGNER {A} accueil")
    got = await harness.text(LEAD, "DIFFUSER POSTE accueil Ouvrez la porte nord")
    assert got[A] == ["[PLATEAU B1] Ouvrez la porte nord\nRépondez OK."] and B not in got


async def test_a_scheduled_broadcast_fires_once_at_its_time_even_after_a_restart(
    harness: Harness,
) -> None:
    await _hubs(harness)  # the fake clock reads 22:00 in Montréal
    got = await harness.text(LEAD, "DIFFUSER A 23h30 Couvre-feu du centre")
    assert got[LEAD] == ["Diffusion B1 prévue à 23:30."]
    assert A not in await harness.tick(hours=1, minutes=29)
    outbound = harness.processor.outbound
    _, harness.scheduler = workers(
        harness.db, harness.clock, harness.processor.playbooks, outbound.renderer, outbound.channels
    )
    fired = await harness.tick(minutes=1)
    assert fired[A] == ["[PLATEAU B1] Couvre-feu du centre\nRépondez OK."]
    assert A not in await harness.tick(hours=2), "once"


async def test_a_roll_call_tallies_lists_the_silent_and_turns_a_two_into_a_critical_need(
    harness: Harness,
) -> None:
    await _hubs(harness)
    started = await harness.text(LEAD, "APPEL")
    assert started[LEAD] == ["Appel lancé : 3 personnes interrogées, réponses pendant 15 min."]
    assert started[A][0].startswith("APPEL PLATEAU : répondez 1")
    assert (await harness.text(A, "1"))[A] == ["Merci, c'est noté : en sécurité."]
    help_me = await harness.text(B, "2")
    assert help_me[LEAD][0].startswith(
        f"APPEL : M{await harness.person_id(B)} a besoin d'aide (N1)"
    )
    row = await harness.db.fetchone("SELECT critical, status FROM items WHERE number = 1")
    assert row is not None and tuple(row) == (1, "open")
    tally = (await harness.tick(minutes=15))[LEAD][0]
    assert tally == (
        f"Fin de l'appel : 1 en sécurité, 1 ont besoin d'aide, 1 sans réponse : "
        f"M{await harness.person_id(C)}"
    )
