"""Reception's count, the lifelines board, and the numbered status report."""

from __future__ import annotations

from tests.conftest import Harness

LEAD, RECEPTION, COMMS, VOLUNTEER, COORD = (
    "+15145550101",
    "+15145550102",
    "+15145550105",
    "+15145550103",
    "+15145550199",
)


async def _staffed(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 accueil")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 communications")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")


async def test_reception_counts_arrivals_and_departures_and_shows_the_trend(
    harness: Harness,
) -> None:
    await _staffed(harness)
    assert (await harness.text(RECEPTION, "ARRIVEE 5"))[RECEPTION] == [
        "C'est noté (+5). 5 personnes sur place."
    ]
    await harness.text(RECEPTION, "ARRIVÉE")
    assert (await harness.text(RECEPTION, "DEPART 2"))[RECEPTION] == [
        "C'est noté (-2). 4 personnes sur place."
    ]
    harness.clock.advance(minutes=90)
    await harness.text(RECEPTION, "ARRIVEE 3")
    assert (await harness.text(LEAD, "SURPLACE"))[LEAD] == ["7 personnes sur place (+3 en 1 h)."]
    assert (await harness.text(RECEPTION, "DEPART 50"))[RECEPTION][0].startswith(
        "C'est noté (-7). 0 personne"
    ), "the count never goes below zero"


async def test_only_reception_and_the_lead_change_the_count(harness: Harness) -> None:
    await _staffed(harness)
    got = await harness.text(VOLUNTEER, "ARRIVEE 3")
    assert got[VOLUNTEER] == [
        "ARRIVEE : Accueil ou Responsable du centre seulement. AIDE : vos commandes."
    ]
    assert (await harness.text(RECEPTION, "ARRIVEE trois"))[RECEPTION][0].startswith(
        "Écrivez ARRIVEE ou DEPART + nombre"
    )


async def test_communications_records_lifelines_and_marks_unconfirmed_ones(
    harness: Harness,
) -> None:
    await _staffed(harness)
    assert (await harness.text(COMMS, "ETAT courant coupé"))[COMMS] == ["Noté : Courant : coupé."]
    assert (await harness.text(COMMS, "ETAT routes pont Champlain fermé ?"))[COMMS] == [
        "Noté, NON CONFIRMÉ : Routes : pont Champlain fermé."
    ]
    board = (await harness.text(LEAD, "ETAT"))[LEAD][0]
    assert "Courant : coupé (22:00)" in board, "times are local (America/Toronto)"
    assert "Routes : pont Champlain fermé (22:00, non confirmé)" in board
    assert (await harness.text(COMMS, "ETAT licorne partie"))[COMMS][0].startswith("Écrivez ETAT")


async def test_a_sitrep_is_numbered_counts_right_and_reaches_the_coordinators(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(RECEPTION, "ARRIVEE 12")
    await harness.text(VOLUNTEER, "BESOIN eau potable pour 4")
    await harness.text(VOLUNTEER, "BESOIN couvertures")
    await harness.text(VOLUNTEER, "Mon voisin est blessé, il saigne")
    await harness.text(LEAD, "FAIT N2 couvertures du sous-sol de l'église")
    await harness.text(COMMS, "ETAT eau potable ok ?")
    first = await harness.text(COMMS, "BILAN")
    report = first[COMMS][0]
    assert report.startswith("BILAN #1 PLATEAU 22:00 : 12 sur place (+12/h). Postes 3/5.")
    assert "Vacants : Besoins et offres." in report
    assert "Besoins : ouverts 2, jumelés 0, faits 1." in report
    assert "Critiques : N3." in report and "Services : Eau potable ok?" in report
    assert first[COORD][0].startswith("SITREP #1 PLATEAU 22:00: 12 on site")
    second = await harness.text(LEAD, "SITREP")
    assert second[LEAD][0].startswith("BILAN #2 PLATEAU"), "numbers run in sequence per hub"
