"""A role whose holders sent STOP or cannot be reached is vacant: its messages go on to the lead,
then the coordinators, the poster hears where they really went, and the lead hears why, once."""

from __future__ import annotations

import itertools

from hubbot.channels.base import SendError
from hubbot.store import inbound
from tests.conftest import Harness

LEAD = "+15145550101"
HELPER = "+15145550102"  # needs & offers
MEMBER = "+15145550103"
COMMS = "+15145550104"
ANGLO = "+15145550105"
RECEPTION = "+15145550106"
COORD = "+15145550199"
TELEGRAM_HELPER = "telegram:7701"

_updates = itertools.count(1)


async def _staffed(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await harness.text(MEMBER, "REJOINDRE PLATEAU")
    harness.clock.advance(minutes=1)


async def _telegram(harness: Harness, address: str, body: str) -> dict[str, list[str]]:
    """Write to the bot from a Telegram chat; returns what each address received."""
    before = len(harness.channel.sent)
    now = harness.clock.now()
    await inbound.record(harness.db, "telegram", f"U{next(_updates)}", address, None, body, now)
    await harness.processor.drain()
    return await harness._delivered(before)


async def test_when_needs_and_offers_sent_stop_a_need_goes_to_the_lead_who_is_told_once(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(HELPER, "ARRET")
    helper = await harness.person_id(HELPER)

    got = await harness.text(MEMBER, "BESOIN eau potable pour 3 personnes")
    assert got[MEMBER] == [
        "Besoin N1 noté et transmis à : Responsable du centre. Vie en danger : faites le 911."
    ]
    assert any(t.startswith("Nouveau besoin N1 (Eau)") for t in got[LEAD])
    assert (
        f"PLATEAU : M{helper} (Besoins et offres) est injoignable : a écrit ARRET. "
        "Les messages de ce poste vous arrivent. Réassignez avec ASSIGNER."
    ) in got[LEAD]
    assert HELPER not in got

    harness.clock.advance(minutes=5)
    again = await harness.text(MEMBER, "BESOIN couvertures")
    assert again[MEMBER][0].startswith("Besoin N2 noté et transmis à : Responsable du centre.")
    assert [t for t in again[LEAD] if "injoignable" in t] == [], "the lead heard it once"
    assert len(again[LEAD]) == 1


async def test_a_poster_relay_about_their_need_reaches_the_lead_and_says_so(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(MEMBER, "BESOIN eau potable")
    await harness.text(HELPER, "ARRET")
    got = await harness.text(MEMBER, "R N1 Je suis au 2e étage")
    assert got[MEMBER] == ["Message au sujet de N1 transmis à : Responsable du centre."]
    assert any(t.endswith("Je suis au 2e étage") for t in got[LEAD])
    assert HELPER not in got


async def test_free_text_for_an_opted_out_reception_goes_to_the_lead_in_english(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(LEAD, "ASSIGNER 514-555-0106 accueil")
    await harness.text(RECEPTION, "STOP")
    await harness.text(ANGLO, "JOIN PLATEAU")
    got = await harness.text(ANGLO, "Can I bring my dog to the hub tonight?")
    assert got[ANGLO] == ["Got it. Your message went to Hub lead."]
    assert any("Can I bring my dog to the hub tonight?\n" in t for t in got[LEAD])
    assert any("(Accueil) est injoignable : a écrit ARRET" in t for t in got[LEAD])
    assert RECEPTION not in got


async def test_with_needs_and_offers_and_the_lead_opted_out_the_coordinators_get_the_need(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(HELPER, "ARRET")
    await harness.text(LEAD, "ARRET")
    helper, lead = await harness.person_id(HELPER), await harness.person_id(LEAD)

    got = await harness.text(MEMBER, "BESOIN médicaments pour le coeur")
    assert got[MEMBER][0].startswith("Besoin N1 noté et transmis à : la coordination régionale.")
    assert any(t.startswith("New need N1") for t in got[COORD])
    notices = sorted(t for t in got[COORD] if "cannot be reached" in t)
    assert notices == [
        f"PLATEAU: M{lead} (Hub lead) cannot be reached: sent STOP. "
        "Messages for this role come to you now. Reassign with ASSIGN.",
        f"PLATEAU: M{helper} (Needs & offers) cannot be reached: sent STOP. "
        "Messages for this role come to you now. Reassign with ASSIGN.",
    ]
    assert LEAD not in got and HELPER not in got


async def test_a_holder_blocked_on_telegram_is_passed_over_and_the_lead_learns_why(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await _telegram(harness, TELEGRAM_HELPER, "/rejoindre PLATEAU")
    await _telegram(harness, TELEGRAM_HELPER, "/nom Ana")
    await harness.text(MEMBER, "REJOINDRE PLATEAU")
    row = await harness.db.fetchone(
        "SELECT person_id FROM addresses WHERE address = ?", (TELEGRAM_HELPER,)
    )
    assert row is not None
    ana = int(row[0])
    await harness.text(LEAD, f"ASSIGNER M{ana} besoins et offres")

    # Ana blocked the bot: Telegram answers 403 to the next message for her.
    harness.channel.failures = [
        SendError("Telegram 403: bot was blocked", permanent=True, code="403", unreachable=True)
    ]
    first = await harness.text(MEMBER, "BESOIN eau potable")
    assert TELEGRAM_HELPER not in first
    blocked = await harness.db.fetchone(
        "SELECT unreachable FROM addresses WHERE address = ?", (TELEGRAM_HELPER,)
    )
    assert blocked is not None and blocked[0] == 1

    harness.clock.advance(minutes=2)
    got = await harness.text(MEMBER, "BESOIN couvertures")
    assert got[MEMBER][0].startswith("Besoin N2 noté et transmis à : Responsable du centre.")
    assert any(t.startswith("Nouveau besoin N2") for t in got[LEAD])
    assert (
        f"PLATEAU : M{ana} Ana (Besoins et offres) est injoignable : aucun canal ne passe. "
        "Les messages de ce poste vous arrivent. Réassignez avec ASSIGNER."
    ) in got[LEAD]
    assert TELEGRAM_HELPER not in got

    # She writes again: that chat works again, and the role's messages are hers.
    harness.clock.advance(minutes=2)
    await _telegram(harness, TELEGRAM_HELPER, "Je suis de retour")
    back = await harness.text(MEMBER, "BESOIN pain")
    assert back[TELEGRAM_HELPER][0].startswith("Nouveau besoin N3")
    assert back[MEMBER][0].startswith("Besoin N3 noté et transmis à : Besoins et offres.")


async def test_a_life_safety_message_reaches_the_coordinators_when_lead_and_comms_opted_out(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(LEAD, "ASSIGNER 514-555-0104 communications")
    await harness.text(COMMS, "ARRET")
    await harness.text(LEAD, "ARRET")

    got = await harness.text(MEMBER, "FEU dans la cuisine du 3e")
    assert got[MEMBER][0].startswith("Appelez le 911 maintenant. Restez avec la personne.")
    assert any(t.startswith("EMERGENCY N1 from M") for t in got[COORD])
    lead, comms = await harness.person_id(LEAD), await harness.person_id(COMMS)
    told = [t for t in got[COORD] if "cannot be reached" in t]
    assert sorted(t.split(" cannot")[0] for t in told) == [
        f"PLATEAU: M{lead} (Hub lead)",
        f"PLATEAU: M{comms} (Communications)",
    ], "each cut-off holder is reported once, however many alerts passed them over"
    assert LEAD not in got and COMMS not in got


async def test_after_start_the_holder_gets_the_role_again_and_a_new_stop_is_reported_anew(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(HELPER, "ARRET")
    await harness.text(MEMBER, "BESOIN eau potable")

    harness.clock.advance(minutes=10)
    await harness.text(HELPER, "REPRENDRE")
    got = await harness.text(MEMBER, "BESOIN couvertures")
    assert got[HELPER][0].startswith("Nouveau besoin N2")
    assert got[MEMBER][0].startswith("Besoin N2 noté et transmis à : Besoins et offres.")
    assert LEAD not in got

    harness.clock.advance(minutes=10)
    await harness.text(HELPER, "ARRET")
    later = await harness.text(MEMBER, "BESOIN pain")
    assert later[MEMBER][0].startswith("Besoin N3 noté et transmis à : Responsable du centre.")
    assert any("(Besoins et offres) est injoignable" in t for t in later[LEAD])


async def test_a_new_holder_takes_the_messages_of_a_role_whose_holder_opted_out(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(HELPER, "ARRET")
    await harness.text(MEMBER, "BESOIN eau potable")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 besoins et offres")
    got = await harness.text(MEMBER, "BESOIN couvertures")
    assert got[MEMBER][0].startswith("Besoin N2 noté et transmis à : Besoins et offres.")
    assert got[ANGLO][0].startswith("Nouveau besoin N2")
    assert LEAD not in got


async def test_a_relay_nobody_can_receive_says_so_instead_of_claiming_it_was_passed_on(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANGLO, "JOIN PLATEAU")
    await harness.text(ANGLO, "NEED a ride to the pharmacy")
    await harness.text(LEAD, "STOP")
    got = await harness.text(ANGLO, "R N1 I can wait until noon")
    assert got == {
        ANGLO: [
            "No one is on duty to get your message about N1 yet. Please try again later. "
            "Life in danger: call 911."
        ]
    }


async def test_a_check_in_skips_a_holder_who_sent_stop_and_reports_the_role_vacant(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(HELPER, "ARRET")
    await harness.tick()
    got = await harness.tick(hours=2)
    assert HELPER not in got, "nobody is asked who cannot answer"
    assert any("Besoins et offres" in t and "PLATEAU" in t for t in got[LEAD])
    row = await harness.db.fetchone(
        "SELECT state FROM asks WHERE role = 'needs_offers' ORDER BY id DESC"
    )
    assert row is not None and row[0] == "unfilled", "vacant, never reported as silent"


async def test_silence_at_check_in_reaches_the_coordinators_when_the_lead_sent_stop(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.add_coordinator(COORD)
    await harness.tick()
    await harness.tick(hours=2)  # the needs & offers holder is asked
    await harness.text(LEAD, "STOP")
    await harness.tick(minutes=15)  # asked again
    silent = await harness.tick(minutes=15)  # the lead's step: the lead cannot be reached
    assert LEAD not in silent
    assert any("ne répond pas" in t for t in silent[COORD])
