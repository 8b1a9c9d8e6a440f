"""Answers and OK in a running hub: help is never counted as fine, and OK confirms what was
asked last, telling the person in need who is coming."""

from __future__ import annotations

from tests.conftest import Harness

LEAD, RECEPTION, HELPER, COMMS, COORD = (
    "+15145550101",
    "+15145550102",
    "+15145550103",
    "+15145550104",
    "+15145550199",
)
ANA, BOB = "+15145550111", "+15145550112"


async def _hub(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 accueil")
    await harness.text(LEAD, "ASSIGNER 514-555-0103 besoins et offres")
    await harness.text(LEAD, "ASSIGNER 514-555-0104 communications")
    for phone in (ANA, BOB):
        await harness.text(phone, "REJOINDRE PLATEAU")
    await harness.tick()


async def _ask_state(harness: Harness, phone: str) -> tuple[str, str | None]:
    row = await harness.db.fetchone(
        "SELECT state, answer FROM asks WHERE person_id = ? ORDER BY id DESC",
        (await harness.person_id(phone),),
    )
    assert row is not None
    return row[0], row[1]


async def test_a_check_in_answer_that_starts_with_2_and_explains_is_help_shown_to_the_lead(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    got = await harness.text(HELPER, "2 eau dans le sous-sol, je suis coincée")
    assert await _ask_state(harness, HELPER) == ("help", "2 eau dans le sous-sol, je suis coincée")
    assert "coincée" in got[LEAD][0] and "a besoin d'aide" in got[LEAD][0]
    assert got[HELPER] == ["C'est noté : le responsable est avisé et vient vers vous."]


async def test_an_unclear_check_in_answer_goes_to_the_lead_as_unclear_not_as_fine(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    got = await harness.text(HELPER, "pas vraiment")
    assert await _ask_state(harness, HELPER) == ("unclear", "pas vraiment")
    assert "n'est pas claire : pas vraiment" in got[LEAD][0]
    assert got[HELPER][0].startswith("Merci. Le responsable va vérifier avec vous.")
    lead: list[str] = []
    for _ in range(4):  # ask again, then the lead, the coordinators, and the summary
        lead += (await harness.tick(minutes=15)).get(LEAD, [])
    summary = next(t for t in lead if t.startswith("Pointage état des postes PLATEAU"))
    helper = f"M{await harness.person_id(HELPER)}"
    assert helper not in summary.split("Aide :")[0] and helper in summary.split("Aide :")[1]


async def test_a_later_check_in_answer_replaces_the_first_and_a_change_to_help_alerts_at_once(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    assert (await harness.text(HELPER, "OK"))[HELPER] == ["Merci, pointage noté."]
    got = await harness.text(HELPER, "2 finalement, l'eau monte dans l'entrepôt")
    assert await _ask_state(harness, HELPER) == (
        "help",
        "2 finalement, l'eau monte dans l'entrepôt",
    )
    assert "l'eau monte" in got[LEAD][0]
    assert RECEPTION not in got, "an answer is never passed on as chatter"
    back = await harness.text(HELPER, "ok c'est réglé")
    assert await _ask_state(harness, HELPER) == ("ok", "ok c'est réglé")
    assert "dit maintenant que tout va bien" in back[LEAD][0]


async def test_a_life_safety_word_in_a_check_in_answer_runs_the_911_path(harness: Harness) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    got = await harness.text(HELPER, "ok mais un homme ne respire pas devant la porte")
    assert got[HELPER][0].startswith("Appelez le 911 maintenant. Restez avec la personne.")
    assert any(t.startswith("URGENCE N1") for t in got[LEAD])
    assert any(t.startswith("URGENCE N1") for t in got[COMMS])
    assert (await _ask_state(harness, HELPER))[0] == "help"


async def test_a_roll_call_answer_2_with_words_counts_as_help_and_keeps_the_words(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.text(LEAD, "APPEL")
    got = await harness.text(ANA, "2 - coincé au 2e étage")
    alert = got[LEAD][0]
    assert alert.startswith(f"APPEL : M{await harness.person_id(ANA)} a besoin d'aide (N1)")
    assert "coincé au 2e étage" in alert
    row = await harness.db.fetchone("SELECT critical, text FROM items WHERE number = 1")
    assert row is not None and row[0] == 1 and "coincé au 2e étage" in row[1]
    tally = (await harness.tick(minutes=15))[LEAD][0]
    assert tally.startswith("Fin de l'appel : 0 en sécurité, 1 ont besoin d'aide")


async def test_a_one_then_a_two_in_a_roll_call_changes_the_answer_and_alerts_the_lead(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.text(LEAD, "APPEL")
    assert (await harness.text(BOB, "1"))[BOB] == ["Merci, c'est noté : en sécurité."]
    got = await harness.text(BOB, "2")
    assert got[LEAD][0].startswith(f"APPEL : M{await harness.person_id(BOB)} a besoin d'aide")
    assert RECEPTION not in got, "not forwarded to reception as chatter"
    tally = (await harness.tick(minutes=15))[LEAD][0]
    assert "0 en sécurité, 1 ont besoin d'aide" in tally


async def test_an_unclear_roll_call_answer_is_not_counted_safe(harness: Harness) -> None:
    await _hub(harness)
    await harness.text(LEAD, "APPEL")
    got = await harness.text(ANA, "bof")
    assert "réponse pas claire" in got[LEAD][0] and "bof" in got[LEAD][0]
    tally = (await harness.tick(minutes=15))[LEAD][0]
    assert tally.startswith("Fin de l'appel : 0 en sécurité")


async def test_ok_on_a_life_safety_alert_confirms_it_and_tells_the_person_who_is_coming(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.text(ANA, "Au secours, mon voisin ne respire pas")
    got = await harness.text(LEAD, "OK")
    lead = f"M{await harness.person_id(LEAD)}"
    assert got[LEAD] == ["Merci, c'est noté : vous vous occupez de N1."]
    assert got[ANA] == [f"{lead} a vu l'alerte et s'en occupe (N1)."]
    assert got[COMMS] == [f"N1 : {lead} s'en occupe."], "the others alerted know it is covered"
    assert RECEPTION not in got and HELPER not in got, "nothing is forwarded as chatter"
    assert (await harness.text(LEAD, "OK"))[LEAD] == ["Déjà noté, merci."]


async def test_ok_confirms_the_newest_thing_asked_then_the_older_one(harness: Harness) -> None:
    await _hub(harness)
    await harness.tick(hours=2)  # a check-in asks communications
    harness.clock.advance(minutes=1)
    await harness.text(ANA, "2e étage en feu, au secours")  # then an alert asks them to confirm
    first = await harness.text(COMMS, "OK")
    assert first[COMMS] == ["Merci, c'est noté : vous vous occupez de N1."]
    assert (await _ask_state(harness, COMMS))[0] == "waiting"
    second = await harness.text(COMMS, "OK")
    assert second[COMMS] == ["Merci, pointage noté."]
    assert (await _ask_state(harness, COMMS))[0] == "ok"


async def test_ok_on_a_roll_call_help_alert_tells_the_person_in_need(harness: Harness) -> None:
    await _hub(harness)
    await harness.text(LEAD, "APPEL")
    await harness.text(BOB, "2")
    got = await harness.text(LEAD, "ok")
    assert got[LEAD] == ["Merci, c'est noté : vous vous occupez de N1."]
    assert got[BOB] == [f"M{await harness.person_id(LEAD)} a vu l'alerte et s'en occupe (N1)."]


async def test_ok_on_a_silent_check_in_alert_confirms_it(harness: Harness) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    for phone in (RECEPTION, COMMS):
        await harness.text(phone, "OK")
    await harness.tick(minutes=15)  # asked again
    silent = await harness.tick(minutes=15)
    assert "ne répond pas" in silent[LEAD][0]
    got = await harness.text(LEAD, "OK")
    helper = f"M{await harness.person_id(HELPER)}"
    assert got[LEAD] == [f"Merci, c'est noté : vous vous occupez de {helper}."]
    assert got[HELPER] == [
        f"M{await harness.person_id(LEAD)} a vu l'alerte et s'en occupe ({helper})."
    ]


async def test_a_bare_ok_with_nothing_to_confirm_gets_a_plain_answer_and_is_not_forwarded(
    harness: Harness,
) -> None:
    await _hub(harness)
    got = await harness.text(ANA, "OK")
    assert list(got) == [ANA]
    assert got[ANA][0].startswith("Rien à confirmer pour l'instant.")


async def test_ok_after_a_broadcast_and_a_newer_alert_confirms_the_alert_first(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.text(LEAD, "DIFFUSER Distribution d'eau à 15h")
    harness.clock.advance(minutes=1)
    await harness.text(ANA, "Feu dans la cuisine, au secours")
    first = await harness.text(COMMS, "OK")
    assert first[COMMS] == ["Merci, c'est noté : vous vous occupez de N1."]
    second = await harness.text(COMMS, "OK")
    assert second[COMMS] == ["Merci, c'est bien noté."]
    row = await harness.db.fetchone(
        "SELECT acked_at FROM broadcast_recipients WHERE person_id = ?",
        (await harness.person_id(COMMS),),
    )
    assert row is not None and row[0] is not None


async def test_an_english_holder_reads_the_same_rules_in_english(harness: Harness) -> None:
    await harness.add_hub(code="NEWTOWN", name="Newtown", locale="en")
    await harness.text(LEAD, "ACTIVATE NEWTOWN 2468")
    await harness.text(LEAD, "ASSIGN 514-555-0102 reception")
    await harness.tick()
    await harness.tick(hours=2)
    got = await harness.text(RECEPTION, "not sure, the roof is making noises")
    assert got[LEAD][0].startswith("Check-in: the answer from M")
    assert got[RECEPTION][0].startswith("Thanks. The lead will check with you.")
    fine = await harness.text(RECEPTION, "ok all good now")
    assert "now says all is well" in fine[LEAD][0]


async def test_oui_answers_a_waiting_check_in_when_no_match_waits_for_consent(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick(hours=2)
    assert (await harness.text(HELPER, "Oui"))[HELPER] == ["Merci, pointage noté."]
    assert await _ask_state(harness, HELPER) == ("ok", "oui")
