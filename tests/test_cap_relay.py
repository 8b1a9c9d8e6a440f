"""Official alerts reach the hubs in their area: the right people, in their language, once;
Updates supersede, Cancels tell those who got the original, and nothing invalid goes out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.cap_relay import CapRelay
from hubbot.service.outbound import Outbound
from hubbot.store import cap_alerts, hubs
from tests.conftest import Harness

CAP = Path(__file__).parent / "fixtures" / "cap"
LEAD, COMMS, MEMBER, FAR_LEAD, COORD = (
    "+15145550101",
    "+15145550102",
    "+15145550103",
    "+14185550101",
    "+15145550199",
)
APRIL_20 = datetime(2026, 4, 20, 11, 0, tzinfo=UTC)  # 07:00 in Montréal, the morning it came


def _doc(name: str) -> bytes:
    return (CAP / f"{name}.xml").read_bytes()


@pytest.fixture
async def relay(harness: Harness, playbooks: dict[str, Playbook], renderer: Renderer) -> CapRelay:
    harness.clock.current = APRIL_20
    channels = {"sms": harness.channel, "telegram": harness.channel}
    outbound = Outbound(renderer, channels, harness.clock)
    return CapRelay(harness.db, harness.clock, outbound, playbooks, lambda: None)


async def _hubs(harness: Harness) -> None:
    """PLATEAU by the river (in the flood polygon), LIMOILOU in Québec City (outside it)."""
    plateau = await harness.add_hub()
    limoilou = await harness.add_hub(code="LIMOILOU", name="Limoilou", locale="fr")
    async with harness.db.transaction() as conn:
        await hubs.set_place(conn, plateau, 45.545, -73.68, None)
        await hubs.set_place(conn, limoilou, 46.82, -71.22, "2423027")
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(COMMS, "JOIN PLATEAU")
    await harness.text(MEMBER, "REJOINDRE PLATEAU")
    await harness.text(LEAD, f"ASSIGNER {COMMS} communications")
    await harness.text(FAR_LEAD, "ACTIVER LIMOILOU 2468")


async def _relay(harness: Harness, relay: CapRelay, name: str) -> dict[str, list[str]]:
    before = len(harness.channel.sent)
    await relay.receive(_doc(name), "https://feed.example/cap")
    return await harness._delivered(before)


async def test_a_flood_warning_reaches_the_lead_and_communications_of_the_hub_in_its_area(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    got = await _relay(harness, relay, "alert")
    assert set(got) == {LEAD, COMMS}, "lead and communications only, and only at PLATEAU"
    assert got[LEAD][0].startswith("[PLATEAU A1] avertissement d'inondation")
    assert "Source: Sécurité civile de Montréal" in got[LEAD][0]
    assert got[COMMS][0].startswith("[PLATEAU A1] flood warning - Rivière des Prairies.")
    assert "Source: Montréal Civil Security" in got[COMMS][0]
    assert got[LEAD][0].endswith("Répondez OK.") and got[COMMS][0].endswith("Reply OK.")
    listed = await cap_alerts.listing(harness.db)
    assert [(a.id, a.outcome, a.hubs) for a in listed] == [(1, "relayed", "PLATEAU")]


async def test_the_same_alert_from_two_sources_goes_out_once(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    await _relay(harness, relay, "alert")
    again = await _relay(harness, relay, "alert")
    assert again == {}
    assert len(await cap_alerts.listing(harness.db)) == 1


async def test_an_update_supersedes_the_alert_and_an_immediate_extreme_one_goes_urgent(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    await _relay(harness, relay, "alert")
    got = await _relay(harness, relay, "update")
    assert got[LEAD][0].startswith("URGENT [PLATEAU A2] ordre d'évacuation")
    listed = {a.id: a for a in await cap_alerts.listing(harness.db)}
    assert listed[1].outcome == "superseded" and listed[1].reason == "superseded by A2"
    assert listed[2].outcome == "relayed"


async def test_a_cancel_tells_those_who_got_the_alert_that_it_no_longer_applies(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    await _relay(harness, relay, "alert")
    got = await _relay(harness, relay, "cancel")
    assert set(got) == {LEAD, COMMS}
    assert got[LEAD] == [
        "ANNULÉE [PLATEAU A1] avertissement d'inondation - rivière des Prairies\n"
        "Cette alerte ne s'applique plus."
    ]
    assert got[COMMS][0].startswith("CANCELLED [PLATEAU A1] flood warning")
    listed = {a.id: a for a in await cap_alerts.listing(harness.db)}
    assert listed[1].outcome == "cancelled" and listed[2].outcome == "applied"


async def test_an_expired_alert_is_logged_and_never_sent(harness: Harness, relay: CapRelay) -> None:
    await _hubs(harness)
    harness.clock.current = datetime(2026, 1, 16, tzinfo=UTC)
    assert await _relay(harness, relay, "expired") == {}
    (listed,) = await cap_alerts.listing(harness.db)
    assert (listed.outcome, listed.reason) == ("dropped", "expired before it arrived")


async def test_an_exercise_alert_reaches_only_hubs_in_exercise_mode(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    drill = _doc("alert").replace(b"<status>Actual</status>", b"<status>Exercise</status>")
    before = len(harness.channel.sent)
    await relay.receive(drill, "exercise")
    assert await harness._delivered(before) == {}, "no hub is in exercise mode"
    (listed,) = await cap_alerts.listing(harness.db)
    assert listed.outcome == "received" and "exercise mode" in listed.reason
    plateau = await hubs.by_code(harness.db.conn, "PLATEAU")
    assert plateau is not None
    async with harness.db.transaction() as conn:
        await hubs.set_exercise(conn, plateau.id, True)
    drill = drill.replace(b".0615</identifier>", b".0616</identifier>")
    before = len(harness.channel.sent)
    await relay.receive(drill, "exercise")
    got = await harness._delivered(before)
    assert set(got) == {LEAD, COMMS}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("malformed", "not well-formed"),
        ("bomb", "DTD"),
        ("external-entity", "DTD"),
        ("no-status", "status"),
    ],
)
async def test_a_document_that_is_not_valid_cap_is_logged_with_its_reason_and_never_sent(
    harness: Harness, relay: CapRelay, name: str, reason: str
) -> None:
    await _hubs(harness)
    assert await _relay(harness, relay, name) == {}
    (listed,) = await cap_alerts.listing(harness.db)
    assert listed.outcome == "dropped" and reason in listed.reason


async def test_a_heartbeat_is_neither_logged_nor_sent(harness: Harness, relay: CapRelay) -> None:
    await _hubs(harness)
    assert await _relay(harness, relay, "heartbeat") == {}
    assert await cap_alerts.listing(harness.db) == []


async def test_a_hub_known_only_by_its_census_code_gets_an_alert_for_its_province(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    province_wide = (
        _doc("alert")
        .replace(b"<value>2466023</value>", b"<value>24</value>")
        .replace(b"<polygon>", b"<!--")
        .replace(b"</polygon>", b"-->")
    )
    before = len(harness.channel.sent)
    await relay.receive(province_wide, "https://feed.example/cap")
    got = await harness._delivered(before)
    assert FAR_LEAD in got and got[FAR_LEAD][0].startswith("[LIMOILOU A1]")


async def test_alertstatus_gives_a_coordinator_the_tally_of_an_official_alert(
    harness: Harness, relay: CapRelay
) -> None:
    await _hubs(harness)
    await _relay(harness, relay, "alert")
    assert (await harness.text(LEAD, "OK"))[LEAD] == ["Merci, c'est bien noté."]
    tally = (await harness.text(COORD, "ETATALERTE A1"))[COORD][0]
    assert tally.startswith("A1 : 2 destinataires, 0 en attente, 2 envoyés")
    assert "1 confirmés" in tally
    unknown = (await harness.text(COORD, "ETATALERTE A9"))[COORD]
    assert unknown == ["Aucune diffusion ni alerte A9."]
