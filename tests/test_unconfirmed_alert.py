"""A 911 case's alert that nobody at the hub confirms within 5 minutes goes to the
coordinators, in their language, with the poster's contact; once someone has confirmed it,
nobody is disturbed again. With no coordinator, the lead and communications are asked again."""

from __future__ import annotations

import pytest

from hubbot.store import people
from tests.conftest import Harness

LEAD, COMMS, MEMBER = "+15145550101", "+15145550105", "+15145550103"
COORD_EN, COORD_FR = "+15145550198", "+15145550199"
CASE = "Mon voisin ne respire pas, 3e étage"


async def _hub_with_a_911_case(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 communications")
    await harness.text(MEMBER, "REJOINDRE PLATEAU")
    got = await harness.text(MEMBER, CASE)
    assert any(t.startswith("URGENCE N1") for t in got[LEAD])


async def test_an_alert_nobody_confirms_in_5_minutes_goes_to_every_coordinator(
    harness: Harness,
) -> None:
    await harness.add_coordinator(COORD_EN, locale="en")
    await harness.add_coordinator(COORD_FR, locale="fr")
    await _hub_with_a_911_case(harness)
    assert await harness.tick(minutes=4, seconds=59) == {}, "the hub has 5 minutes"
    got = await harness.tick(seconds=1)
    member = f"M{await harness.person_id(MEMBER)}"
    assert got[COORD_EN] == [
        f"EMERGENCY N1 at PLATEAU, not confirmed by anyone in 5 min. From {member}"
        f" (+15145550103): {CASE}. Make sure 911 is called. Confirm with OK."
    ]
    assert got[COORD_FR] == [
        f"URGENCE N1 à PLATEAU, personne n'a confirmé en 5 min. De {member} (+15145550103) :"
        f" {CASE}. Faites appeler le 911. Confirmez avec OK."
    ]
    assert set(got) == {COORD_EN, COORD_FR}, "the hub's team is not asked twice"
    answered = await harness.text(COORD_EN, "OK")
    assert "N1" in answered[COORD_EN][0], "the coordinator's OK confirms the case"
    assert await harness.tick(minutes=30) == {}, "told once"


async def test_an_alert_the_lead_confirmed_disturbs_nobody_else(harness: Harness) -> None:
    await harness.add_coordinator(COORD_EN, locale="en")
    await _hub_with_a_911_case(harness)
    await harness.tick(minutes=3)
    await harness.text(LEAD, "OK")
    assert await harness.tick(minutes=2) == {}


@pytest.mark.parametrize("coordinator", ["none", "opted_out", "unreachable"])
async def test_with_no_coordinator_to_reach_the_lead_and_communications_are_asked_again(
    harness: Harness, coordinator: str
) -> None:
    if coordinator != "none":
        await harness.add_coordinator(COORD_EN, locale="en")
        async with harness.db.transaction() as conn:
            if coordinator == "opted_out":
                await people.set_opt_out(
                    conn, await harness.person_id(COORD_EN), True, harness.clock.now()
                )
            else:
                await people.mark_unreachable(conn, f"sms:{COORD_EN}")
    await _hub_with_a_911_case(harness)
    got = await harness.tick(minutes=5)
    member = f"M{await harness.person_id(MEMBER)}"
    assert set(got) == {LEAD, COMMS}
    for phone in (LEAD, COMMS):
        assert got[phone] == [
            f"URGENCE N1 à PLATEAU, personne n'a confirmé en 5 min. De {member} (+15145550103) :"
            f" {CASE}. Faites appeler le 911. Confirmez avec OK."
        ]
