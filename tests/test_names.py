"""NAME keeps a plain name, so nobody can pose as someone else in staff messages (#11)."""

from __future__ import annotations

import pytest

from hubbot.domain.models import person_label
from hubbot.domain.names import clean_name
from hubbot.store import people
from tests.conftest import Harness

LEAD, ANA = "+15145550101", "+15145550103"
RULES_FR = (
    "Écrivez NOM + votre nom : lettres, chiffres, espaces et - ' . seulement, 30 caractères "
    "au plus, sans numéro de téléphone ni de membre (M12). Ex. NOM Ana."
)
RULES_EN = (
    "Text NAME + your name: letters, digits, spaces and - ' . only, 30 characters at most, "
    "no phone or member number (M12). E.g. NAME Ana."
)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ana", "Ana"),
        ("  Marie-Ève   Tremblay ", "Marie-Ève Tremblay"),
        ("Seán O’Brien", "Seán O'Brien"),
        ("J.-P. Côté", "J.-P. Côté"),
        ("Ana 2e étage", "Ana 2e étage"),
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    ],
)
def test_plain_names_are_kept_as_typed(typed: str, kept: str) -> None:
    assert clean_name(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "\u202enimda",  # right-to-left override
        "Ana\u200b",  # zero-width space
        "Ana\x07",
        "Ana\nM1 lead",
        "514 555 0101",
        "Ana 5145550101",
        "51 45 55 01 01",
        "M0 lead",
        "lead m12",
        "Ana N12",
        "Ana <b>",
        "Ana 🙂",
        "x" * 31,
        "- ' .",
    ],
)
def test_names_that_could_pose_as_someone_else_are_refused(typed: str) -> None:
    assert clean_name(typed) is None


async def test_a_refused_name_gets_a_reply_saying_what_is_allowed_in_both_languages(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert await harness.text(LEAD, "NOM \u202eM1 responsable") == {LEAD: [RULES_FR]}
    await harness.text(LEAD, "LANG EN")  # an English keyword alone keeps the lead's French
    assert await harness.text(LEAD, "NAME M0 lead") == {LEAD: [RULES_EN]}
    assert await harness.text(LEAD, "NAME 514-555-0199") == {LEAD: [RULES_EN]}
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert f"Hub lead: M{await harness.person_id(LEAD)}\n" in roster, "no name was kept"
    got = await harness.text(LEAD, "NAME Ana Tremblay")
    assert got[LEAD][0].startswith("Thanks, Ana Tremblay.")


async def test_a_name_stored_before_the_rules_is_shown_without_hidden_characters(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    lead = await harness.person_id(LEAD)
    async with harness.db.transaction() as conn:
        await people.set_fields(conn, lead, name="Ana\u202e\u200b\nTremblay\x1b[2J")
    roster = (await harness.text(LEAD, "ROLES"))[LEAD][0]
    assert f"Responsable du centre : M{lead} Ana Tremblay[2J\n" in roster
    assert not any(ch in roster for ch in "\u202e\u200b\x1b")


def test_an_old_name_holding_a_member_or_phone_number_is_not_shown_at_all() -> None:
    assert person_label(7, "M0 lead") == "M7"
    assert person_label(7, "call 514 555 0101") == "M7"
    assert person_label(7, "\u2066Ana\u2069") == "M7 Ana"
    assert person_label(7, "\u202e") == "M7"
