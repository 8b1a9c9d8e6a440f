"""What every person can do: help, language, name, opting out and back in."""

from __future__ import annotations

from hubbot.domain.sms import segment_count
from tests.conftest import Harness

LEAD = "+15145550101"
HELPER = "+15145550102"
VOLUNTEER = "+15145550103"


async def test_stop_is_confirmed_once_and_then_nothing_else_is_sent(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    got = await harness.text(HELPER, "ARRÊT")
    assert got == {
        HELPER: [
            "Vous ne recevrez plus de messages. START pour revenir. / "
            "You will get no more messages. Text START to resume."
        ]
    }
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    later = await harness.text(VOLUNTEER, "BESOIN eau")
    assert HELPER not in later, "an opted-out holder gets nothing"
    # Not lost either: the role counts as vacant, so the need goes to the lead (no_black_holes).
    assert any(t.startswith("Nouveau besoin N1") for t in later[LEAD])


async def test_a_need_from_someone_opted_out_still_reaches_the_hub_but_gets_no_reply(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await harness.text(VOLUNTEER, "STOP")
    got = await harness.text(VOLUNTEER, "BESOIN eau")
    assert VOLUNTEER not in got
    assert got[LEAD][0].startswith("Nouveau besoin N1")


async def test_start_opts_back_in(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await harness.text(VOLUNTEER, "stop")
    got = await harness.text(VOLUNTEER, "START")
    assert got[VOLUNTEER][0].startswith("Messages réactivés.")
    help_reply = await harness.text(VOLUNTEER, "AIDE")
    assert VOLUNTEER in help_reply


async def test_stop_inside_a_sentence_is_not_an_opt_out(harness: Harness) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(VOLUNTEER, "JOIN PLATEAU")
    got = await harness.text(VOLUNTEER, "please stop the water from coming in")
    assert got[VOLUNTEER][0].startswith("Got it.")


async def test_help_replies_fit_two_sms_in_both_languages(harness: Harness) -> None:
    # A member's help lists their commands (tests/test_help.py); a stranger's is one SMS.
    await harness.add_hub(name="Centre communautaire du Plateau-Mont-Royal")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await harness.text(HELPER, "JOIN PLATEAU")
    fr = (await harness.text(VOLUNTEER, "AIDE"))[VOLUNTEER][0]
    en = (await harness.text(HELPER, "HELP"))[HELPER][0]
    assert "911" in fr and "ARRET" in fr and segment_count(fr) <= 2
    assert "911" in en and "STOP" in en and segment_count(en) <= 2
    stranger = (await harness.text(LEAD, "HELP"))[LEAD][0]
    assert "911" in stranger and "STOP" in stranger and len(stranger) <= 160


async def test_lang_switches_language_and_outranks_the_keyword_used(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    assert (await harness.text(VOLUNTEER, "LANG EN"))[VOLUNTEER] == [
        "OK, I will write to you in English."
    ]
    got = await harness.text(VOLUNTEER, "BESOIN eau")
    assert got[VOLUNTEER][0].startswith("Need N1 saved"), "explicit LANG beats the French keyword"
    assert (await harness.text(VOLUNTEER, "LANG klingon"))[VOLUNTEER][0].startswith("Text LANG EN")


async def test_a_new_person_gets_the_hub_language_until_a_keyword_says_otherwise(
    harness: Harness,
) -> None:
    await harness.add_hub(sms_number="+15145550000", locale="en")
    got = await harness.text(VOLUNTEER, "hello?", to="+15145550000")
    assert got[VOLUNTEER][0].startswith("Your message is saved"), "hub default is English"
    got = await harness.text(VOLUNTEER, "BESOIN eau", to="+15145550000")
    assert got[VOLUNTEER][0].startswith("Besoin N1 noté."), "BESOIN reveals French"


async def test_a_name_shows_in_the_roster(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    got = await harness.text(LEAD, "NOM Ana Tremblay")
    assert got[LEAD][0].startswith("Merci, Ana Tremblay.")
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert "Ana Tremblay" in roster
    too_long = await harness.text(LEAD, "NOM " + "x" * 60)
    assert too_long[LEAD][0].startswith("Écrivez NOM")


async def test_a_repeated_provider_message_is_processed_once(harness: Harness) -> None:
    from hubbot.store import inbound

    await harness.add_hub()
    first = await inbound.record(
        harness.db, "sms", "SM1", "sms:+15145550103", None, "REJOINDRE PLATEAU", harness.clock.now()
    )
    again = await inbound.record(
        harness.db, "sms", "SM1", "sms:+15145550103", None, "REJOINDRE PLATEAU", harness.clock.now()
    )
    assert first is not None and again is None
    await harness.processor.drain()
    rows = await harness.db.fetchone("SELECT COUNT(*) FROM outbox")
    assert rows is not None and rows[0] == 1


async def test_whoami_tells_a_holder_their_number_hub_roles_and_language(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await harness.text(HELPER, "NOM Ana")
    got = await harness.text(HELPER, "MOI")
    [reply] = got[HELPER]
    assert reply.startswith("Votre fiche : M2 Ana, centre PLATEAU. Postes : Besoins")
    assert "Langue FR" in reply


async def test_whoami_without_a_hub_says_how_to_join_in_the_senders_language(
    harness: Harness,
) -> None:
    got = await harness.text(VOLUNTEER, "/whoami")
    [reply] = got[VOLUNTEER]
    assert reply.startswith("You are M1, not in a hub yet.")
    assert "JOIN CODE" in reply
    member = await harness.text(HELPER, "moi")
    assert member[HELPER][0].startswith("Votre fiche : M2, sans centre."), "MOI is French"
