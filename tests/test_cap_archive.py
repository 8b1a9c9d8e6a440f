"""An alert sent while the stream was down is fetched from NAAD's archive when a heartbeat
names it, and relayed once, as if it had come down the stream."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from hubbot.channels.cap.archive import Archive, archive_url
from hubbot.domain.cap import CapRef
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.cap_relay import CapRelay
from hubbot.service.outbound import Outbound
from hubbot.store import cap_alerts, hubs
from tests.conftest import Harness

CAP = Path(__file__).parent / "fixtures" / "cap"
LEAD = "+15145550101"
APRIL_20 = datetime(2026, 4, 20, 22, 40, tzinfo=UTC)  # the heartbeat's evening


def test_the_archive_path_is_the_date_then_the_sent_time_and_identifier_as_naad_writes_it() -> None:
    ref = CapRef(
        "cap-pac@canada.ca", "urn:oid:2.49.0.1.124.4280542342.2020", "2020-03-06T14:32:38-00:00"
    )
    assert archive_url("http://capcp1.naad-adna.pelmorex.com/", ref) == (
        "http://capcp1.naad-adna.pelmorex.com/2020-03-06/"
        "2020_03_06T14_32_38_00_00Iurn_oid_2.49.0.1.124.4280542342.2020.xml"
    )
    plus = CapRef("x", "id", "2020-03-06T09:32:38+05:00")
    assert archive_url("http://a", plus).endswith("/2020-03-06/2020_03_06T09_32_38p05_00Iid.xml")


@pytest.fixture
async def archive() -> AsyncIterator[tuple[str, Counter[str]]]:
    """A fake NAAD archive holding the flood warning and its update, counting requests."""
    served = {"alert.xml": "urn:oid:2.49.0.1.124.2466023.2026.0420.0615",
              "update.xml": "urn:oid:2.49.0.1.124.2466023.2026.0420.1430"}  # fmt: skip
    asked: Counter[str] = Counter()
    files: dict[str, bytes] = {}

    async def serve(request: web.Request) -> web.Response:
        asked[request.path] += 1
        body = files.get(request.path)
        return web.Response(body=body) if body else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    sender = "alertes@securite-civile.montreal.example"
    sent = {"alert.xml": "2026-04-20T06:15:00-04:00", "update.xml": "2026-04-20T14:30:00-04:00"}
    for name, identifier in served.items():
        path = archive_url("", CapRef(sender, identifier, sent[name]))
        files[path] = (CAP / name).read_bytes()
    yield base, asked
    await runner.cleanup()


async def test_alerts_a_heartbeat_names_that_never_came_are_fetched_and_relayed_once(
    harness: Harness,
    playbooks: dict[str, Playbook],
    renderer: Renderer,
    archive: tuple[str, Counter[str]],
) -> None:
    base, asked = archive
    plateau = await harness.add_hub()
    async with harness.db.transaction() as conn:
        await hubs.set_place(conn, plateau, 45.545, -73.68, None)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    harness.clock.current = APRIL_20
    outbound = Outbound(renderer, {"sms": harness.channel}, harness.clock)
    fetcher = Archive(base)
    relay = CapRelay(harness.db, harness.clock, outbound, playbooks, lambda: None, fetcher)
    try:
        beat = (CAP / "heartbeat.xml").read_bytes()
        assert await relay.heartbeat(beat, "tcp://naad.example:8080") == 2
        got = await harness._delivered(0)
        assert any("[PLATEAU A1] avertissement d'inondation" in t for t in got[LEAD])
        assert any("URGENT [PLATEAU A2] ordre d'évacuation" in t for t in got[LEAD])
        assert await relay.heartbeat(beat, "tcp://naad.example:8080") == 0, "once"
        assert sum(asked.values()) == 2
        listed = {a.id: a for a in await cap_alerts.listing(harness.db)}
        assert listed[1].source.startswith(base) and listed[1].outcome == "superseded"
    finally:
        await fetcher.close()


async def test_old_references_and_ones_the_archive_lacks_are_not_asked_for_forever(
    harness: Harness,
    playbooks: dict[str, Playbook],
    renderer: Renderer,
    archive: tuple[str, Counter[str]],
) -> None:
    base, asked = archive
    outbound = Outbound(renderer, {"sms": harness.channel}, harness.clock)
    fetcher = Archive(base)
    relay = CapRelay(harness.db, harness.clock, outbound, playbooks, lambda: None, fetcher)
    beat = (CAP / "heartbeat.xml").read_bytes()
    try:
        harness.clock.current = datetime(2026, 4, 23, tzinfo=UTC)  # three days later
        assert await relay.heartbeat(beat, "tcp://naad.example:8080") == 0
        assert not asked, "history is not fetched"
        harness.clock.current = APRIL_20
        missing = beat.replace(b".0615,", b".9999,")  # an alert the archive does not hold
        for _ in range(5):
            await relay.heartbeat(missing, "tcp://naad.example:8080")
        lacking = [path for path in asked if "9999" in path]
        assert len(lacking) == 1 and asked[lacking[0]] == 3
    finally:
        await fetcher.close()
