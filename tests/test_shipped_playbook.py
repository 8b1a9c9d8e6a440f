"""The community-hub playbook shipped with hubbot matches how real hubs work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.domain.playbook import LocalText, Playbook
from hubbot.domain.sms import is_gsm7, segment_count
from hubbot.playbooks.loader import load_file, load_playbooks

SHIPPED = Path(__file__).resolve().parent.parent / "playbooks"


@pytest.fixture(scope="module")
def hub() -> Playbook:
    return load_playbooks(SHIPPED)["community-hub"]


def test_the_shipped_playbook_loads_without_problems() -> None:
    playbook, problems = load_file(SHIPPED / "community-hub.yaml")
    assert problems == []
    assert playbook is not None
    assert playbook.fallback_role == "reception"
    assert playbook.default_expiry == timedelta(days=3)


def test_it_has_the_five_hub_roles_with_the_four_priority_positions(hub: Playbook) -> None:
    assert {role.id: role.priority for role in hub.roles} == {
        "lead": True,
        "reception": True,
        "needs_offers": True,
        "communications": True,
        "facility": False,
    }


def test_role_names_are_the_ones_hubs_use_in_both_languages(hub: Playbook) -> None:
    names = {role.id: (role.name.fr, role.name.en) for role in hub.roles}
    assert names == {
        "lead": ("Responsable du centre", "Hub lead"),
        "reception": ("Accueil", "Reception"),
        "needs_offers": ("Besoins et offres", "Needs & offers"),
        "communications": ("Communications", "Communications"),
        "facility": ("Entretien des lieux", "Facility maintenance"),
    }


# What the shipped playbook puts into SMS, by part; task cards have their own test below.
SENT_TEXTS: dict[str, Callable[[Playbook], list[LocalText]]] = {
    "playbook name": lambda playbook: [playbook.name],
    "role names": lambda playbook: [role.name for role in playbook.roles],
    "category names": lambda playbook: [category.name for category in playbook.categories],
}


@pytest.mark.parametrize("part", sorted(SENT_TEXTS))
def test_every_text_the_playbook_sends_is_gsm7_in_french_and_english(
    hub: Playbook, part: str
) -> None:
    # One ô or ç in a role name puts every SMS that names the role into UCS-2: 70 a segment.
    odd = {
        text: sorted({ch for ch in text if not is_gsm7(ch)})
        for local in SENT_TEXTS[part](hub)
        for text in (local.fr, local.en)
        if not is_gsm7(text)
    }
    assert odd == {}


def test_every_task_card_fits_three_sms_and_stays_in_gsm7(hub: Playbook) -> None:
    for role in hub.roles:
        for text in (role.card.fr, role.card.en):
            assert segment_count(text) <= 3, role.id
            # GSM-7 keeps 153 characters a segment instead of 67.
            assert is_gsm7(text), (role.id, sorted({ch for ch in text if not is_gsm7(ch)}))


def test_cards_carry_the_real_duties(hub: Playbook) -> None:
    def card(role_id: str) -> str:
        role = hub.role(role_id)
        assert role is not None
        return role.card.en

    assert "EOC" in card("lead") and "breaks" in card("lead")
    assert "count" in card("reception") and "911" in card("reception")
    assert "NEEDS and OFFERS" in card("needs_offers")
    assert "UNCONFIRMED" in card("communications") and "2 h" in card("communications")
    assert "aftershock" in card("facility")


@pytest.mark.parametrize(
    ("name", "role_id"),
    [
        ("Accueil", "reception"),
        ("needs_offers", "needs_offers"),
        ("Besoins et offres", "needs_offers"),
        ("facility maintenance", "facility"),
        ("responsable du centre", "lead"),
        ("Hub lead", "lead"),
    ],
)
def test_roles_are_found_by_id_or_by_name_in_either_language(
    hub: Playbook, name: str, role_id: str
) -> None:
    role = hub.find_role(name)
    assert role is not None
    assert role.id == role_id


@pytest.mark.parametrize(
    ("text", "role_id", "locale"),
    [
        ("il y a une fuite dans les toilettes", "facility", "fr"),
        ("The power is out in the gym", "facility", "en"),
        ("Another aftershock, new crack in the gym wall", "facility", "en"),
        ("odeur de gaz dans la cuisine", "facility", "fr"),
        ("Road closed on Main St past the bridge", "communications", "en"),
        ("Le centre d'urgence demande un rapport de situation", "communications", "fr"),
        ("Quelqu'un à la porte, je l'envoie où?", "reception", "fr"),
        ("Où dois-je aller?", "reception", "fr"),
        ("Hi, I just arrived with my kids", "reception", "en"),
    ],
)
def test_free_text_reaches_the_right_role(
    hub: Playbook, text: str, role_id: str, locale: str
) -> None:
    match = hub.match_intent(text)
    assert match is not None
    intent, found_locale = match
    assert (intent.route_to, found_locale) == (role_id, locale)
    assert intent.reply == "reply.routed"


def test_small_talk_matches_no_intent(hub: Playbook) -> None:
    assert hub.match_intent("Bonjour tout le monde, merci!") is None


@pytest.mark.parametrize(
    ("text", "category_id"),
    [
        ("On a besoin d'une génératrice", "power"),
        ("need diapers for my baby", "childcare"),
        ("Besoin d'eau potable pour 4 personnes", "water"),
        ("I can offer a spare room for two nights", "shelter"),
        ("Ma mère a besoin de son insuline", "medical"),
        ("Can someone give me a ride to the hospital?", "transport"),
        ("J'ai des pelles et des sacs poubelle à prêter", "cleanup"),
        ("Je suis plombier, je peux aider", "labour"),
        ("Quelqu'un parle arabe? On cherche un interprète", "translation"),
        ("Any news about the missing person on Rue Principale?", "information"),
        ("I need to charge my phone", "power"),
        ("On cherche de quoi manger pour ce soir", "food"),
        ("Bébé a besoin de lait maternisé", "childcare"),
        ("Besoin de vêtements chauds", "other"),
    ],
)
def test_needs_and_offers_land_on_the_right_board_theme(
    hub: Playbook, text: str, category_id: str
) -> None:
    category = hub.categorise(text)
    assert category is not None
    assert category.id == category_id


def test_the_board_has_the_usual_themes_with_realistic_expiries(hub: Playbook) -> None:
    expiries = {category.id: category.expires for category in hub.categories}
    assert list(expiries) == [
        "water",
        "food",
        "shelter",
        "medical",
        "power",
        "transport",
        "cleanup",
        "labour",
        "childcare",
        "translation",
        "information",
        "other",
    ]
    assert expiries["medical"] == timedelta(hours=12)
    assert expiries["water"] == timedelta(days=1)
    assert expiries["food"] == timedelta(days=2)
    assert expiries["other"] == hub.default_expiry
    assert hub.expiry_for("unknown") == timedelta(days=3)


def test_accentless_spellings_do_not_count_twice_when_scoring(hub: Playbook) -> None:
    power = next(c for c in hub.categories if c.id == "power")
    assert "génératrice" in power.keywords["fr"]
    assert "generatrice" not in power.keywords["fr"]
    assert 8 <= len(power.keywords["fr"]) <= 20
