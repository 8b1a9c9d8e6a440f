"""The region table's figures, and the live stream that tells an open page to refresh."""

from __future__ import annotations

import asyncio
import re

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from tests.conftest import Harness
from tests.test_console_web import _login, client

__all__ = ["client"]  # the fixture, shared with the front door's tests

LEAD = "+15145550101"
ANA = "+15145550177"
Client = TestClient[web.Request, web.Application]


def _row(html: str, code: str) -> str:
    found = re.search(rf'<tr>\s*<td data-sort="{code}">(.*?)</tr>', html, re.S)
    assert found is not None, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


async def _busy_hub(harness: Harness) -> None:
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(LEAD, "ARRIVEE 40")
    harness.clock.advance(hours=2)
    await harness.text(LEAD, "ARRIVEE 5")
    await harness.text(LEAD, "ETAT eau coupée depuis 8h")
    await harness.text(LEAD, "BILAN")
    await harness.text(LEAD, "CHECKIN")
    await harness.tick(minutes=30)


async def test_the_region_row_shows_people_on_site_the_last_round_lifelines_and_sitrep_age(
    client: Client, harness: Harness
) -> None:
    await _busy_hub(harness)
    await _login(client, "marie")
    page = await (await client.get("/?lang=en")).text()
    english = _row(page, "PLATEAU")
    assert "45" in english and "+5 in 1 h" in english, english
    assert "Water: coupée depuis 8h" in english and "Open since" in english
    assert "30 min ago" in english
    assert re.search(r"OK \d+, help 0, no answer \d+", english), english
    french = _row(await (await client.get("/?lang=fr")).text(), "PLATEAU")
    assert "+5 en 1 h" in french and "il y a 30 min" in french
    assert "Eau : coupée depuis 8h" in french and "Ouvert depuis" in french


async def test_a_quiet_hub_shows_none_rather_than_blanks_or_raw_keys(
    client: Client, harness: Harness
) -> None:
    await _login(client, "marie")
    html = await (await client.get("/?lang=en")).text()
    row = _row(html, "VERDUN")
    assert row.count("none") == 3, row  # no round, no lifeline, no sitrep yet
    assert "Closed" in row
    assert "console." not in html.replace("console.css", "") and "{" not in html


async def test_a_critical_need_is_counted_in_red_on_the_region_row(
    client: Client, harness: Harness
) -> None:
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(ANA, "BESOIN URGENT insuline")
    await _login(client, "marie")
    row = _row(await (await client.get("/?lang=en")).text(), "PLATEAU")
    assert "1 critical" in row, row


async def _next_event(stream: ClientResponse) -> tuple[str, str]:
    event = data = ""
    while True:
        raw = await asyncio.wait_for(stream.content.readline(), 10)
        line = raw.decode().rstrip("\r\n")  # the stream ends its lines with CRLF
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event:
            return event, data


async def test_an_open_page_is_told_when_a_need_is_texted_in(
    client: Client, harness: Harness
) -> None:
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await _login(client, "marie")
    page = await (await client.get("/hubs/PLATEAU")).text()
    found = re.search(r'data-version="(\d+)"', page)
    assert found is not None
    async with client.get(f"/events?since={found.group(1)}") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await harness.text(ANA, "BESOIN couvertures")
        event, version = await _next_event(stream)
        assert event == "change" and int(version) > int(found.group(1))
    fresh = await (await client.get("/hubs/PLATEAU")).text()
    assert "couvertures" in fresh


async def test_a_page_that_missed_a_change_on_its_way_is_told_at_once(
    client: Client, harness: Harness
) -> None:
    await _login(client, "marie")
    page = await (await client.get("/")).text()
    found = re.search(r'data-version="(\d+)"', page)
    assert found is not None
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")  # between the page and its stream
    async with client.get(f"/events?since={found.group(1)}") as stream:
        assert (await _next_event(stream))[0] == "change"


async def test_the_live_stream_needs_a_login(client: Client) -> None:
    resp = await client.get("/events", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"
