"""The console's region page lists the official alerts relayed to the hubs the account sees,
with their area, in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.cap_relay import CapRelay
from hubbot.service.outbound import Outbound
from hubbot.store import hubs
from tests.conftest import Harness
from tests.test_console_web import _login, client

__all__ = ["client"]  # the fixture: PLATEAU (lead luc) and VERDUN, coordinator marie
CAP = Path(__file__).parent / "fixtures" / "cap"


async def _flood_warning_for_verdun(
    harness: Harness, renderer: Renderer, playbooks: dict[str, Playbook]
) -> None:
    verdun = await hubs.by_code(harness.db.conn, "VERDUN")
    assert verdun is not None
    async with harness.db.transaction() as conn:
        await hubs.set_place(conn, verdun.id, 45.545, -73.68, None)
    await harness.text("+15145550150", "ACTIVER VERDUN 2468")
    harness.clock.current = datetime(2026, 4, 20, 11, 0, tzinfo=UTC)
    outbound = Outbound(renderer, {"sms": harness.channel}, harness.clock)
    relay = CapRelay(harness.db, harness.clock, outbound, playbooks, lambda: None)
    await relay.receive((CAP / "alert.xml").read_bytes(), "https://feed.example/cap")


async def test_a_coordinator_sees_a_relayed_alert_with_its_area_and_full_text(
    client: TestClient[web.Request, web.Application],
    harness: Harness,
    renderer: Renderer,
    playbooks: dict[str, Playbook],
) -> None:
    await _flood_warning_for_verdun(harness, renderer, playbooks)
    await _login(client, "marie")
    page = await (await client.get("/?lang=en")).text()
    assert "Official alerts" in page and "A1" in page
    assert "flood warning - Rivière des Prairies" in page
    assert "Relayed to: VERDUN" in page and "Area:" in page
    french = await (await client.get("/?lang=fr")).text()
    assert "avertissement d&#39;inondation" in french and "relayée" in french


async def test_a_lead_does_not_see_an_alert_relayed_only_to_another_hub(
    client: TestClient[web.Request, web.Application],
    harness: Harness,
    renderer: Renderer,
    playbooks: dict[str, Playbook],
) -> None:
    await _flood_warning_for_verdun(harness, renderer, playbooks)
    await _login(client, "luc")
    page = await (await client.get("/?lang=en")).text()
    assert "Official alerts" not in page and "flood warning" not in page
