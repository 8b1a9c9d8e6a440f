"""When a hub closes, its members hear it once, each in their own language."""

from __future__ import annotations

from tests.conftest import Harness

LEAD, FR_MEMBER, EN_MEMBER, STOPPED, COORD = (
    "+15145550101",
    "+15145550102",
    "+15145550103",
    "+15145550104",
    "+15145550199",
)
FR_CLOSED = "Le centre PLATEAU (Plateau) est maintenant fermé. Merci à tous ! Vie en danger : 911."
EN_CLOSED = "Hub PLATEAU (Plateau) is now closed. Thank you all! Life in danger: 911."


async def _hub(harness: Harness, locale: str = "fr") -> None:
    await harness.add_hub(locale=locale)
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(LEAD, "ACTIVER PLATEAU 2468" if locale == "fr" else "ACTIVATE PLATEAU 2468")
    await harness.text(FR_MEMBER, "REJOINDRE PLATEAU")
    await harness.text(EN_MEMBER, "JOIN PLATEAU")
    await harness.text(STOPPED, "REJOINDRE PLATEAU")
    await harness.text(STOPPED, "STOP")
    await harness.text(COORD, "JOIN PLATEAU")  # a coordinator who is also a member


async def test_closing_a_hub_tells_each_member_in_their_language_but_not_the_closer(
    harness: Harness,
) -> None:
    await _hub(harness)
    got = await harness.text(LEAD, "FERMER")
    assert got[FR_MEMBER] == [FR_CLOSED]
    assert got[EN_MEMBER] == [EN_CLOSED]
    assert got[LEAD] == [
        "Plateau est maintenant FERMÉ. La coordination est avisée. Les postes restent en place."
    ]
    assert STOPPED not in got, "who sent STOP hears nothing"
    assert got[COORD] == [f"Hub PLATEAU (Plateau) is CLOSED, by M{await harness.person_id(LEAD)}."]


async def test_closing_an_english_hub_tells_a_french_member_in_french(harness: Harness) -> None:
    await _hub(harness, locale="en")
    got = await harness.text(LEAD, "CLOSE")
    assert got[FR_MEMBER] == [FR_CLOSED] and got[EN_MEMBER] == [EN_CLOSED]
    assert got[LEAD][0].startswith("Plateau is now CLOSED.")


async def test_closing_a_closed_hub_again_tells_the_members_nothing_more(harness: Harness) -> None:
    await _hub(harness)
    await harness.text(LEAD, "FERMER")
    again = await harness.text(LEAD, "FERMER")
    assert again == {LEAD: ["Plateau est déjà fermé."]}
