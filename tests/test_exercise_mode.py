"""A hub in exercise mode marks every message it sends EXERCICE / EXERCISE, and its drill
reaches no real coordinator outside it; other hubs go on as before."""

from __future__ import annotations

from hubbot.store import hubs, outbox
from tests.conftest import Harness

LEAD, MEMBER_EN, COORD, OTHER_LEAD = "+15145550101", "+15145550102", "+15145550199", "+16135550101"


async def _drill(harness: Harness) -> None:
    plateau = await harness.add_hub()
    await harness.add_hub(code="NEWTOWN", name="Newtown", locale="en")
    await harness.add_coordinator(COORD)
    async with harness.db.transaction() as conn:
        await hubs.set_exercise(conn, plateau, True)


async def test_every_message_of_a_hub_in_exercise_mode_says_so_in_the_readers_language(
    harness: Harness,
) -> None:
    await _drill(harness)
    opened = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert opened[LEAD] and all(text.startswith("EXERCICE ") for text in opened[LEAD])
    joined = await harness.text(MEMBER_EN, "JOIN PLATEAU")
    assert joined[MEMBER_EN][0].startswith("EXERCISE ")
    broadcast = await harness.text(LEAD, "DIFFUSER Exercice: rendez-vous au gymnase")
    assert broadcast[MEMBER_EN] == [
        "EXERCISE [PLATEAU B1] Exercice: rendez-vous au gymnase\nReply OK."
    ]


async def test_a_drill_reaches_no_real_coordinator_but_a_real_hub_still_does(
    harness: Harness,
) -> None:
    await _drill(harness)
    opened = await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    assert COORD not in opened, "a coordinator outside the exercise is not told it opened"
    held = await outbox.listing(harness.db, ("suppressed",))
    assert held and all(r.error and r.error.startswith("exercise") for r in held)
    real = await harness.text(OTHER_LEAD, "ACTIVATE NEWTOWN 2468")
    assert real[OTHER_LEAD] and not any(t.startswith("EXERCISE") for t in real[OTHER_LEAD])
    assert COORD in real and not real[COORD][0].startswith("EXERCICE")


async def test_a_coordinator_who_asks_about_a_drill_hub_gets_the_answer(harness: Harness) -> None:
    await _drill(harness)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    asked = await harness.text(COORD, "PLATEAU: BILAN")
    assert asked[COORD] and asked[COORD][0].startswith("EXERCICE ")
