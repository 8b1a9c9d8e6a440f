"""The 911 reply: call now and stay with the person; where the hub is only if it has an
address, never its name posing as one. The lead and communications are alerted as before."""

from __future__ import annotations

import pytest

from hubbot.store import hubs
from tests.conftest import Harness

LEAD, COMMS, FR_MEMBER, EN_MEMBER = (
    "+15145550101",
    "+15145550105",
    "+15145550102",
    "+15145550103",
)
ADDRESS = "4500 rue Saint-Denis"
FR_NO_ADDRESS = "Appelez le 911 maintenant. Restez avec la personne. L'équipe du centre est avisée."
EN_NO_ADDRESS = "Call 911 now. Stay with the person. The hub team has been told."


async def _hub(harness: Harness, address: str | None = None) -> None:
    hub_id = await harness.add_hub(name="Démo / Demo")
    if address:
        async with harness.db.transaction() as conn:
            await hubs.set_address(conn, hub_id, address)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 communications")
    await harness.text(FR_MEMBER, "REJOINDRE PLATEAU")
    await harness.text(EN_MEMBER, "JOIN PLATEAU")


@pytest.mark.parametrize(
    ("phone", "text", "reply"),
    [
        (FR_MEMBER, "Mon voisin ne respire pas", FR_NO_ADDRESS),
        (EN_MEMBER, "My neighbour is not breathing", EN_NO_ADDRESS),
    ],
)
async def test_without_an_address_the_911_reply_sends_nobody_anywhere(
    harness: Harness, phone: str, text: str, reply: str
) -> None:
    await _hub(harness)
    got = await harness.text(phone, text)
    assert got[phone] == [reply]
    assert "Démo" not in got[phone][0] and "Demo" not in got[phone][0]


@pytest.mark.parametrize(
    ("phone", "text", "reply"),
    [
        (
            FR_MEMBER,
            "Mon voisin ne respire pas",
            "Appelez le 911 maintenant. Restez avec la personne. L'équipe est avisée. "
            f"Adresse du centre : {ADDRESS}",
        ),
        (
            EN_MEMBER,
            "My neighbour is not breathing",
            f"Call 911 now. Stay with the person. The team has been told. Hub address: {ADDRESS}",
        ),
    ],
)
async def test_with_an_address_the_911_reply_ends_with_where_the_hub_is(
    harness: Harness, phone: str, text: str, reply: str
) -> None:
    await _hub(harness, ADDRESS)
    got = await harness.text(phone, text)
    assert got[phone] == [reply]


async def test_the_lead_and_communications_are_still_alerted_urgently_with_the_contact(
    harness: Harness,
) -> None:
    await _hub(harness)
    got = await harness.text(FR_MEMBER, "Au secours, il ne respire pas")
    for staff in (LEAD, COMMS):
        alert = next(t for t in got[staff] if t.startswith("URGENCE N1"))
        assert FR_MEMBER in alert and alert.endswith("Confirmez avec OK.")
    rows = await harness.db.fetchall(
        "SELECT priority FROM outbox WHERE text LIKE 'Appelez le 911%' OR text LIKE 'URGENCE%'"
    )
    assert [r[0] for r in rows] == ["urgent", "urgent", "urgent"]
