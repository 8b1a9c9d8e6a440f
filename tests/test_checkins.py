"""Check-in rounds on an injected clock: asking, answers, escalation, summary, restarts."""

from __future__ import annotations

from hubbot.store import hubs
from tests.conftest import Harness
from tests.fakes import workers

LEAD, RECEPTION, HELPER, COORD = "+15145550101", "+15145550102", "+15145550103", "+15145550199"


async def _open(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 accueil")
    await harness.text(LEAD, "ASSIGNER 514-555-0103 besoins et offres")
    assert await harness.tick() == {}, "planning a round sends nothing yet"


async def test_a_round_asks_every_holder_and_reports_unfilled_roles(harness: Harness) -> None:
    await _open(harness)
    assert await harness.tick(hours=1, minutes=59) == {}
    got = await harness.tick(minutes=1)
    assert got[RECEPTION][0].startswith("Pointage PLATEAU : tout va bien ?")
    assert got[HELPER][0].startswith("Pointage PLATEAU : tout va bien ?")
    unfilled = got[LEAD]
    assert any("Communications" in t for t in unfilled) and any("Entretien" in t for t in unfilled)
    assert [t for t in got[COORD] if "Communications" in t], "a priority role: coordinators too"
    assert not [t for t in got[COORD] if "Entretien" in t], "facility is not a priority role"


async def test_silence_escalates_step_by_step_and_the_lead_gets_the_summary(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    assert (await harness.text(RECEPTION, "OK"))[RECEPTION] == ["Merci, pointage noté."]
    again = await harness.tick(minutes=15)
    assert list(again) == [HELPER] and again[HELPER][0].startswith("Rappel pointage")
    lead = await harness.tick(minutes=15)
    assert list(lead) == [LEAD] and "ne répond pas" in lead[LEAD][0]
    coord = await harness.tick(minutes=15)
    assert list(coord) == [COORD] and "ne répond pas" in coord[COORD][0]
    summary = await harness.tick(minutes=15)
    text = summary[LEAD][0]
    assert text.startswith("Pointage état des postes PLATEAU : OK : M")
    assert f"Silence : M{await harness.person_id(HELPER)}" in text
    assert await harness.tick(minutes=15) == {}, "the round is over"


async def test_a_two_tells_the_lead_at_once(harness: Harness) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    got = await harness.text(HELPER, "2")
    assert got[HELPER] == ["C'est noté : le responsable est avisé et vient vers vous."]
    assert got[LEAD][0].startswith(f"M{await harness.person_id(HELPER)} a besoin d'aide")


async def test_any_text_answers_and_is_kept_as_status(harness: Harness) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "Tout roule, 4 besoins en cours")
    row = await harness.db.fetchone(
        "SELECT state, answer FROM asks WHERE person_id = ?", (await harness.person_id(HELPER),)
    )
    assert row is not None and tuple(row) == ("ok", "Tout roule, 4 besoins en cours")


async def test_a_restart_neither_repeats_nor_skips_a_step(harness: Harness) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(RECEPTION, "OK")
    assert HELPER in await harness.tick(minutes=15)
    # A new process on the same database: the next step is the lead's, once.
    outbound = harness.processor.outbound
    _, harness.scheduler = workers(
        harness.db, harness.clock, harness.processor.playbooks, outbound.renderer, outbound.channels
    )
    assert await harness.tick() == {}, "nothing due is run again"
    assert list(await harness.tick(minutes=15)) == [LEAD]


async def test_rounds_missed_while_down_run_once(harness: Harness) -> None:
    await _open(harness)
    got = await harness.tick(hours=7)
    prompts = [t for t in got.get(RECEPTION, []) if t.startswith("Pointage PLATEAU")]
    assert len(prompts) == 1


async def test_the_lead_can_run_a_round_now_and_others_cannot(harness: Harness) -> None:
    await _open(harness)
    refused = (await harness.text(RECEPTION, "POINTAGE"))[RECEPTION][0]
    assert refused.startswith("POINTAGE : Responsable du centre seulement.")
    assert (await harness.text(LEAD, "POINTAGE"))[LEAD] == [
        "Pointage lancé : chaque poste est interrogé maintenant."
    ]
    got = await harness.tick()
    assert got[RECEPTION][0].startswith("Pointage PLATEAU")


async def test_a_closed_hub_runs_no_rounds(harness: Harness) -> None:
    await _open(harness)
    await harness.text(LEAD, "FERMER")
    assert await harness.tick(hours=3) == {}


async def test_an_open_hub_sends_its_numbered_report_to_coordinators_every_two_hours(
    harness: Harness,
) -> None:
    await _open(harness)
    got = await harness.tick(hours=2)
    assert got[COORD][-1].startswith("BILAN #1 PLATEAU")
    later = await harness.tick(hours=2)
    assert any(t.startswith("BILAN #2 PLATEAU") for t in later[COORD])


async def test_handover_moves_a_role_with_its_task_card(harness: Harness) -> None:
    await _open(harness)
    got = await harness.text(RECEPTION, "RELEVE accueil 514-555-0177")
    assert got["+15145550177"][0].startswith("Votre poste au centre PLATEAU : Accueil.")
    assert got[RECEPTION][0].startswith("Relève faite : M")
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert f"Accueil : M{await harness.person_id('+15145550177')}" in roster
    refused = await harness.text(HELPER, "RELEVE accueil 514-555-0178")
    assert refused[HELPER][0].startswith(
        "RELEVE : la personne en poste ou Responsable du centre seulement."
    ), "only the lead or the role's holder"


async def test_a_holder_past_their_shift_is_reminded_once_and_so_is_the_lead(
    harness: Harness,
) -> None:
    await _open(harness)
    got = await harness.tick(hours=12, minutes=15)
    assert any(
        t.startswith("Vous tenez le poste Accueil depuis plus de 12 heures") for t in got[RECEPTION]
    )
    assert any("Accueil depuis plus de 12 heures : prévoyez la relève" in t for t in got[LEAD])
    later = await harness.tick(minutes=30)
    assert not [t for t in later.get(RECEPTION, []) if t.startswith("Vous tenez")]


NEW = "+15145550177"


async def test_a_handover_moves_the_open_check_in_to_the_new_holder_and_the_lead_hears_of_them(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    got = await harness.text(LEAD, "RELEVE accueil 514-555-0177")
    assert got[NEW][0].startswith("Votre poste au centre PLATEAU : Accueil.")
    assert got[NEW][1].startswith("Pointage PLATEAU : tout va bien ?"), "asked at once"
    assert not [t for t in got[RECEPTION] if t.startswith("Pointage")]
    late = await harness.text(RECEPTION, "OK")
    assert "Merci, pointage noté." not in late.get(RECEPTION, []), "the old holder's OK is void"
    again = await harness.tick(minutes=15)
    assert again[NEW][0].startswith("Rappel pointage") and RECEPTION not in again
    lead = (await harness.tick(minutes=15))[LEAD]
    new, old = await harness.person_id(NEW), await harness.person_id(RECEPTION)
    assert len(lead) == 1 and lead[0].startswith(f"Pointage PLATEAU : M{new} (Accueil) ne répond")
    assert f"M{old} " not in lead[0]
    await harness.tick(minutes=15)
    summary = (await harness.tick(minutes=15))[LEAD][0]
    assert f"OK : M{await harness.person_id(HELPER)}." in summary
    assert f"Silence : M{new}." in summary and f"M{old}" not in summary


async def test_the_new_holder_answering_after_a_handover_closes_the_check_in_for_the_role(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    await harness.text(RECEPTION, "HANDOVER reception 514-555-0177")
    assert (await harness.text(NEW, "OK"))[NEW] == ["Merci, pointage noté."]
    got = await harness.tick(minutes=15)
    assert list(got) == [LEAD], "nobody to remind: the round ends at once"
    helper, new = await harness.person_id(HELPER), await harness.person_id(NEW)
    assert f"OK : M{helper}, M{new}. Aide : -. Silence : -." in got[LEAD][0]


async def test_an_unassigned_holder_with_nobody_in_their_place_shows_as_a_vacant_role(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    got = await harness.text(LEAD, "RETIRER 514-555-0102 accueil")
    assert "Pointage PLATEAU : personne n'occupe le poste Accueil." in got[LEAD]
    assert "Pointage PLATEAU : personne n'occupe le poste Accueil." in got[COORD]
    got = await harness.tick(minutes=15)
    assert list(got) == [LEAD], "no reminder to the old holder, no word of them being silent"
    assert got[LEAD][0].endswith(
        "Silence : -. Postes vacants : Accueil, Communications, Entretien des lieux."
    )


async def test_a_role_filled_during_a_round_is_asked_of_its_new_holder(harness: Harness) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    got = await harness.text(LEAD, "ASSIGNER 514-555-0177 communications")
    assert got[NEW][-1].startswith("Pointage PLATEAU : tout va bien ?")
    await harness.text(NEW, "OK")
    await harness.text(RECEPTION, "OK")
    await harness.text(HELPER, "OK")
    summary = (await harness.tick(minutes=15))[LEAD][0]
    assert f"M{await harness.person_id(NEW)}. Aide" in summary
    assert summary.endswith("Postes vacants : Entretien des lieux."), "communications is held"


async def test_at_escalation_an_ask_follows_a_roster_that_changed_behind_the_rounds_back(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    old, new = await _swap_reception_behind_the_rounds_back(harness)
    step = await harness.tick(minutes=15)
    assert step[NEW] == [step[NEW][0]] and step[NEW][0].startswith("Pointage PLATEAU : tout va")
    assert RECEPTION not in step, "no reminder for a role they no longer hold"
    lead = (await harness.tick(minutes=15))[LEAD]
    assert len(lead) == 1 and lead[0].startswith(f"Pointage PLATEAU : M{new} (Accueil) ne")
    assert f"M{old} " not in lead[0]


async def test_a_holder_asked_at_the_last_step_gets_a_window_before_the_round_closes(
    harness: Harness,
) -> None:
    await _open(harness)
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    for _ in range(3):
        await harness.tick(minutes=15)  # reminder, lead, coordinators: all about reception
    old, new = await _swap_reception_behind_the_rounds_back(harness)
    step = await harness.tick(minutes=15)
    assert list(step) == [NEW] and step[NEW][0].startswith("Pointage PLATEAU : tout va bien ?")
    assert (await harness.text(NEW, "OK"))[NEW] == ["Merci, pointage noté."]
    summary = (await harness.tick(minutes=15))[LEAD][0]
    assert f"M{new}. Aide : -. Silence : -." in summary and f"M{old}" not in summary


async def _swap_reception_behind_the_rounds_back(harness: Harness) -> tuple[int, int]:
    """Reception moves from RECEPTION to NEW without a command (a repaired database, say)."""
    await harness.text(NEW, "REJOINDRE PLATEAU")
    old, new = await harness.person_id(RECEPTION), await harness.person_id(NEW)
    async with harness.db.transaction() as conn:
        hub = await hubs.by_code(conn, "PLATEAU")
        assert hub is not None
        await hubs.unassign(conn, hub.id, old, "reception", old, harness.clock.now())
        await hubs.assign(conn, hub.id, new, "reception", old, harness.clock.now())
    return old, new


async def test_the_summary_names_the_round_in_each_readers_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(LEAD, "ASSIGN 514-555-0102 reception")
    assert await harness.tick() == {}, "planning a round sends nothing yet"
    await harness.tick(hours=2)
    assert (await harness.text(RECEPTION, "OK"))[RECEPTION] == ["Merci, pointage noté."]
    summary = (await harness.tick(minutes=15))[LEAD]
    assert len(summary) == 1 and summary[0].startswith("Check-in status PLATEAU: OK: M")


async def test_the_lead_can_run_a_round_by_its_name(harness: Harness) -> None:
    await _open(harness)
    assert (await harness.text(LEAD, "POINTAGE état des postes"))[LEAD] == [
        "Pointage lancé : chaque poste est interrogé maintenant."
    ]
    assert (await harness.tick())[RECEPTION][0].startswith("Pointage PLATEAU")
    assert (await harness.text(LEAD, "POINTAGE inventaire"))[LEAD] == [
        "Ce centre n'a pas de pointage dans son guide."
    ]
