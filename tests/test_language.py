"""Everyone reads hubbot in their own language: it never flips by accident, and no reply
carries a piece of the other language (ids of categories, topics, roles, durations)."""

from __future__ import annotations

import pytest

from hubbot.domain.messages import Msg
from hubbot.domain.sms import is_gsm7, segment_count
from hubbot.i18n import Renderer
from tests.conftest import Harness

LEAD = "+15145550101"
HELPER = "+15145550102"
ANGLO = "+15145550104"
FRANCO = "+15145550105"
STRANGER = "+15145550106"

# Ids a French reader must never see (their names are Eau, Accueil, Courant...).
CATEGORY_IDS = ("water", "food", "shelter", "medical", "power", "transport")
ROLE_IDS = ("lead", "reception", "needs_offers", "facility")
TOPIC_IDS = ("power", "water", "phones", "roads", "building", "toilets", "weather")


async def _whoami(harness: Harness, phone: str) -> str:
    return (await harness.text(phone, "/whoami"))[phone][0]


async def _french_hub_with_an_english_holder(harness: Harness, role: str = "accueil") -> None:
    """A French hub; the English volunteer joined in English, then took a role."""
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANGLO, "JOIN PLATEAU")
    await harness.text(LEAD, f"ASSIGNER {ANGLO} {role}")


async def _english_hub_with_a_french_holder(harness: Harness) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(FRANCO, "REJOINDRE PLATEAU")
    await harness.text(LEAD, f"ASSIGN {FRANCO} reception")


# --- Language changes only when the person chooses it ---------------------------------------


async def test_an_english_holders_text_with_a_french_keyword_keeps_english(
    harness: Harness,
) -> None:
    await _french_hub_with_an_english_holder(harness)
    got = await harness.text(ANGLO, "busy but fine, radio working")
    assert got[ANGLO][0].startswith("Got it."), "'radio' is a French playbook word"
    assert "Language EN" in await _whoami(harness, ANGLO)


async def test_a_french_holders_text_with_an_english_keyword_keeps_french(
    harness: Harness,
) -> None:
    await _english_hub_with_a_french_holder(harness)
    got = await harness.text(FRANCO, "la génératrice est out of fuel")
    assert got[FRANCO][0].startswith("Bien noté."), "'out of fuel' is an English playbook word"
    assert "Langue FR" in await _whoami(harness, FRANCO)


async def test_expire_does_not_change_a_french_holders_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "BESOIN eau potable")
    got = await harness.text(LEAD, "EXPIRE N1 3h")
    assert got[LEAD] == ["N1 reste au tableau encore 3 h."]
    assert "Langue FR" in await _whoami(harness, LEAD)


async def test_expirer_does_not_change_an_english_holders_language(harness: Harness) -> None:
    await harness.add_hub(locale="en")
    await harness.text(LEAD, "ACTIVATE PLATEAU 2468")
    await harness.text(LEAD, "NEED drinking water")
    got = await harness.text(LEAD, "EXPIRER N1 2j")
    assert got[LEAD] == ["N1 stays on the board for 2 d more."]
    assert "Language EN" in await _whoami(harness, LEAD)


async def test_an_answer_in_the_other_language_does_not_change_anyones_language(
    harness: Harness, renderer: Renderer
) -> None:
    await _french_hub_with_an_english_holder(harness)
    await harness.text(FRANCO, "REJOINDRE PLATEAU")
    english = await harness.text(ANGLO, "oui")
    french = await harness.text(FRANCO, "yes")
    assert english[ANGLO] == [renderer.render(Msg("yes.nothing"), "en")]
    assert french[FRANCO] == [renderer.render(Msg("yes.nothing"), "fr")]
    assert "Language EN" in await _whoami(harness, ANGLO)
    assert "Langue FR" in await _whoami(harness, FRANCO)


async def test_a_new_persons_first_keyword_decides_and_later_ones_do_not(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    joined = await harness.text(ANGLO, "JOIN PLATEAU")
    assert joined[ANGLO][0].startswith("Welcome"), "JOIN in a French hub: English"
    need = await harness.text(ANGLO, "BESOIN eau")
    assert need[ANGLO][0].startswith("Need N1 saved"), "a French word later changes nothing"
    await harness.add_hub(code="EST", locale="en", name="Est")
    joined = await harness.text(FRANCO, "REJOINDRE EST")
    assert joined[FRANCO][0].startswith("Vous avez rejoint Est"), "REJOINDRE, English hub: French"
    offer = await harness.text(FRANCO, "OFFER une génératrice")
    assert offer[FRANCO][0].startswith("Offre O1"), "an English word later changes nothing"


async def test_lang_and_langue_change_the_language_at_any_time(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert (await harness.text(LEAD, "LANG EN"))[LEAD] == ["OK, I will write to you in English."]
    assert "Language EN" in await _whoami(harness, LEAD)
    assert (await harness.text(LEAD, "LANGUE FR"))[LEAD][0].startswith("D'accord")
    assert "Langue FR" in await _whoami(harness, LEAD)


async def test_telegram_start_offers_the_language_buttons_and_a_tap_settles_it(
    harness: Harness,
) -> None:
    await harness.add_hub()
    welcome = await harness.text(STRANGER, "/start")
    assert welcome[STRANGER][0].startswith("Bonjour !")
    await harness.text(STRANGER, "LANG EN")  # what the English button sends
    joined = await harness.text(STRANGER, "REJOINDRE PLATEAU")
    assert joined[STRANGER][0].startswith("You joined"), "the button chose, not the keyword"


# --- Strangers ------------------------------------------------------------------------------


async def test_a_stranger_gets_a_bilingual_first_reply(harness: Harness) -> None:
    got = await harness.text(STRANGER, "hello")
    [reply] = got[STRANGER]
    assert "REJOINDRE" in reply and "JOIN" in reply and "911" in reply
    assert "Bonjour" in reply and "Hello" in reply
    assert segment_count(reply) <= 2 and is_gsm7(reply)


async def test_a_strangers_later_keyword_still_chooses_their_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(STRANGER, "hello")
    again = await harness.text(STRANGER, "anyone there?")
    assert "Hello" in again[STRANGER][0] and "Bonjour" in again[STRANGER][0], "still both"
    joined = await harness.text(STRANGER, "JOIN PLATEAU")
    assert joined[STRANGER][0].startswith("Welcome")
    assert "Language EN" in await _whoami(harness, STRANGER)


async def test_someone_whose_language_is_known_gets_one_language_without_a_hub(
    harness: Harness, renderer: Renderer
) -> None:
    await harness.text(ANGLO, "WHOAMI")
    got = await harness.text(ANGLO, "hello")
    assert got[ANGLO] == [renderer.render(Msg("error.no_hub_text"), "en")]
    assert "REJOINDRE" not in got[ANGLO][0]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_bilingual_welcome_puts_the_readers_language_first_within_two_sms(
    renderer: Renderer, locale: str
) -> None:
    text = renderer.render(Msg("stranger.hello"), locale)
    first, _, second = text.partition(" / ")
    assert ("REJOINDRE" in first) == (locale == "fr")
    assert ("JOIN" in second) and second
    assert segment_count(text) <= 2 and is_gsm7(text)


# --- No piece of the other language ---------------------------------------------------------


async def test_cat_lists_categories_in_the_readers_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "BESOIN quelque chose")
    french = (await harness.text(LEAD, "CAT N1 fire"))[LEAD][0]
    assert french.startswith('Aucun thème "fire". Thèmes : Eau, Nourriture, Hébergement')
    assert not any(word in french.split() for word in CATEGORY_IDS)
    await harness.text(LEAD, "LANG EN")
    english = (await harness.text(LEAD, "CAT N1 fire"))[LEAD][0]
    assert english.startswith('No theme "fire". Themes: Water, Food, Shelter')
    assert segment_count(french) <= 2 and segment_count(english) <= 2


async def test_cat_takes_the_category_name_as_the_reader_writes_it(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "BESOIN quelque chose")
    got = await harness.text(LEAD, "CAT N1 hebergement")
    assert got[LEAD] == ["N1 classé dans : Hébergement."], "without its accent too"
    usage = await harness.text(LEAD, "CAT")
    assert usage[LEAD] == ["Écrivez CAT + numéro + thème, ex. CAT N12 eau."]


async def test_etat_lists_topics_in_the_readers_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    french = (await harness.text(LEAD, "ETAT licorne partie"))[LEAD][0]
    assert "Sujets : Courant, Eau, Téléphones, Routes, " in french
    assert not any(word.strip(",.") in TOPIC_IDS for word in french.split())
    await harness.text(LEAD, "LANG EN")
    english = (await harness.text(LEAD, "STATUS unicorn gone"))[LEAD][0]
    assert english.endswith("Topics: Power, Water, Phones, Roads, Building, Toilets, Weather.")
    assert segment_count(french) <= 2 and segment_count(english) <= 2


async def test_each_listed_topic_is_a_word_the_reader_can_type_back(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    usage = (await harness.text(LEAD, "ETAT licorne partie"))[LEAD][0]
    topics = usage.partition("Sujets : ")[2].rstrip(".").split(", ")
    assert len(topics) == len(TOPIC_IDS)
    for topic in topics:
        got = await harness.text(LEAD, f"ETAT {topic} ok")
        assert got[LEAD][0].startswith(f"Noté : {topic}"), got


async def test_assign_lists_roles_in_the_readers_language(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(HELPER, "REJOINDRE PLATEAU")
    helper = await harness.person_id(HELPER)
    french = (await harness.text(LEAD, f"ASSIGNER M{helper} cuisine"))[LEAD][0]
    assert "Postes : Responsable du centre, Accueil, Besoins et offres" in french
    assert not any(word.strip(",.") in ROLE_IDS for word in french.split())
    await harness.text(LEAD, "LANG EN")
    english = (await harness.text(LEAD, f"ASSIGN M{helper} kitchen"))[LEAD][0]
    assert "Roles: Hub lead, Reception, Needs & offers" in english
    assert segment_count(french) <= 2 and segment_count(english) <= 2


async def test_each_listed_role_name_can_be_typed_back(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(HELPER, "REJOINDRE PLATEAU")
    usage = (await harness.text(LEAD, f"ASSIGNER {HELPER} cuisine"))[LEAD][0]
    roles = usage.partition("Postes : ")[2].rstrip(".").split(", ")
    assert len(roles) == 5
    for role in roles:
        got = await harness.text(LEAD, f"ASSIGNER {HELPER} {role}")
        assert got[LEAD][-1].startswith("C'est fait : M2 est maintenant " + role), got


async def test_expire_shows_the_duration_in_the_readers_units(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "BESOIN eau potable")
    assert (await harness.text(LEAD, "EXPIRER N1 2j"))[LEAD] == ["N1 reste au tableau encore 2 j."]
    assert (await harness.text(LEAD, "EXPIRER N1 90m"))[LEAD] == [
        "N1 reste au tableau encore 90 min."
    ]
    await harness.text(LEAD, "LANG EN")
    assert (await harness.text(LEAD, "EXPIRE N1 2d"))[LEAD] == [
        "N1 stays on the board for 2 d more."
    ]
    assert (await harness.text(LEAD, "EXPIRE N1 48h"))[LEAD] == [
        "N1 stays on the board for 2 d more."
    ], "the shortest exact unit"


async def _round_with_vacant_roles(harness: Harness, activate: str, assign: str) -> str:
    await harness.text(LEAD, activate)
    await harness.text(LEAD, assign)
    await harness.tick()
    await harness.tick(hours=2)
    await harness.text(HELPER, "OK")
    return (await harness.tick(minutes=15))[LEAD][0]


async def test_the_check_in_summary_names_vacant_roles_in_the_french_leads_language(
    harness: Harness,
) -> None:
    await harness.add_hub()
    summary = await _round_with_vacant_roles(
        harness, "ACTIVER PLATEAU 2468", f"ASSIGNER {HELPER} accueil"
    )
    assert summary.endswith(
        "Postes vacants : Besoins et offres, Communications, Entretien des lieux."
    )
    assert "needs_offers" not in summary


async def test_the_check_in_summary_names_vacant_roles_in_the_english_leads_language(
    harness: Harness,
) -> None:
    await harness.add_hub(locale="en")
    summary = await _round_with_vacant_roles(
        harness, "ACTIVATE PLATEAU 2468", f"ASSIGN {HELPER} reception"
    )
    assert summary.endswith("Unfilled: Needs & offers, Communications, Facility maintenance.")


async def test_an_english_holder_in_a_french_hub_reads_the_hubs_names_in_english(
    harness: Harness,
) -> None:
    await _french_hub_with_an_english_holder(harness, "besoins et offres")
    await harness.text(ANGLO, "NEED drinking water")
    listed = (await harness.text(ANGLO, "CAT N1 fire"))[ANGLO][0]
    assert "Themes: Water, Food" in listed
    assert "Eau" not in listed and "Nourriture" not in listed
