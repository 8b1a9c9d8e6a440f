"""End to end: `hubbot run` hears official alerts from a CAP feed over HTTP and a NAAD-like TCP
stream, and relays each to the leads of the hubs in its area, once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_cap import FEED, FakeFeedServer, FakeNaad, fixture
from tests.service import Service

RIVER_LEAD, OLD_PORT_LEAD = "+15145550101", "+15145550102"
EMPTY_FEED = b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:test</id><title>t</title>'


def _current(name: str) -> bytes:
    """A fixture whose alert is still in force: the service runs on the real clock."""
    return re.sub(rb"<expires>\d{4}-", b"<expires>2099-", fixture(name))


@pytest.fixture
async def sources() -> AsyncIterator[tuple[FakeFeedServer, FakeNaad]]:
    feed = await FakeFeedServer().start()
    feed.files[FEED] = EMPTY_FEED + b"<updated>2026-04-20T06:00:00Z</updated></feed>"
    naad = await FakeNaad().start()
    yield feed, naad
    await naad.stop()
    await feed.stop()


async def test_alerts_from_a_feed_and_the_stream_reach_the_hubs_in_their_areas(
    tmp_path: Path, sources: tuple[FakeFeedServer, FakeNaad]
) -> None:
    feed, naad = sources
    service = Service(
        tmp_path,
        HUBBOT_CAP_FEEDS=f"{feed.url}{FEED}",
        HUBBOT_CAP_POLL="10s",
        HUBBOT_CAP_STREAM=f"127.0.0.1:{naad.port}",
        HUBBOT_SEED_DEMO="false",
    )
    try:
        for code, lat, lon in (
            ("RIVIERE", "45.545", "-73.68"),
            ("VIEUXPORT", "45.5088", "-73.540"),
        ):
            added = await service.cli(
                "hub", "add", code, "--name", code, "--pin", "2468", "--lat", lat, "--lon", lon
            )
            assert added[0] == 0, added[1]
        await service.start()
        await service.text(RIVER_LEAD, "ACTIVER RIVIERE 2468")
        await service.text(OLD_PORT_LEAD, "ACTIVER VIEUXPORT 2468")
        for phone in (RIVER_LEAD, OLD_PORT_LEAD):
            await service.expect(phone, lambda t: "OUVERT" in t)
        await naad.wait_connections(1)
        await naad.send(fixture("heartbeat.xml") + _current("circle.xml"), sizes=[700])
        circle = await service.expect(OLD_PORT_LEAD, lambda t: "[VIEUXPORT A" in t)
        assert "Source:" in circle and circle.endswith("Répondez OK.")
        feed.add_entry("alert.xml", _current("alert.xml"))  # the next poll, within 10 s
        flood = await service.expect(RIVER_LEAD, lambda t: "[RIVIERE A" in t, within=20)
        assert "avertissement d'inondation" in flood
        code, listing = await service.cli("alerts")
        assert code == 0 and listing.count("relayed") == 2, listing
        assert "tcp://127.0.0.1" in listing and f"{feed.url}/cap/" in listing
        assert await service.inbox(OLD_PORT_LEAD) == [], "the flood is not the old port's"
    finally:
        await service.close()
