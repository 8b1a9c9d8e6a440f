"""/metrics shows an operator what the service is doing, and /readyz when it may take traffic."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from hubbot.addresses import parse_address
from hubbot.app import Hubbot
from hubbot.channels.base import SendError
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.metrics import Metrics
from hubbot.service.send_limits import SendLimits
from hubbot.settings import Settings
from hubbot.store import inbound, outbox
from hubbot.store.db import Database
from tests.conftest import Harness
from tests.fakes import FakeChannel, FakeClock
from tests.service import Service, free_port

LEAD, VOLUNTEER = "+15145550101", "+15145550103"
TOKEN = "scrape-me-0123456789"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _parse(text: str) -> Samples:
    """Every sample of a scrape, by name and sorted labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def _scrape(service: Service, token: str | None = None) -> tuple[int, str]:
    assert service.session is not None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with service.session.get(f"{service.url}/metrics", headers=headers) as resp:
        return resp.status, await resp.text()


async def test_a_scrape_shows_texts_in_replies_sent_the_outbox_and_the_open_need(
    service: Service,
) -> None:
    await service.start()
    status, before = await _scrape(service)
    assert status == 200  # no HUBBOT_METRICS_TOKEN: open
    assert _value(_parse(before), "hubbot_open_needs") == 0
    assert (await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468"))[
        0
    ] == 0
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.expect(LEAD, lambda t: "Plateau est maintenant OUVERT" in t)
    await service.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await service.expect(VOLUNTEER, lambda t: t.startswith("Bienvenue"))
    await service.text(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    await service.expect(VOLUNTEER, lambda t: t.startswith("Besoin N"))

    _, after = await _scrape(service)
    samples = _parse(after)
    assert _value(samples, "hubbot_inbound_messages_total", channel="sms") == 3
    assert _value(samples, "hubbot_processing_latency_seconds_count") == 3
    # The simulator knows at once that a text arrived: each send is counted as delivered.
    delivered = _value(samples, "hubbot_sends_total", channel="sms", result="delivered")
    assert delivered >= 3
    assert _value(samples, "hubbot_send_latency_seconds_count", lane="normal") >= 3
    assert _value(samples, "hubbot_outbox_messages", lane="normal", status="delivered") >= 3
    assert _value(samples, "hubbot_open_hubs") == 1
    assert _value(samples, "hubbot_open_needs") == 1
    assert _value(samples, "hubbot_critical_needs") == 0
    assert "# HELP hubbot_open_needs " in after


async def test_with_a_token_set_metrics_need_it_and_readyz_says_ready(tmp_path: Path) -> None:
    service = Service(tmp_path, HUBBOT_METRICS_TOKEN=TOKEN)
    try:
        await service.start()
        assert (await _scrape(service))[0] == 401
        assert (await _scrape(service, "not-the-token"))[0] == 401
        status, text = await _scrape(service, TOKEN)
        assert status == 200 and "hubbot_inbound_messages_total" in text
        assert service.session is not None
        async with service.session.get(f"{service.url}/readyz") as resp:
            assert resp.status == 200 and await resp.json() == {"status": "ready"}
        async with service.session.get(f"{service.url}/healthz") as resp:
            assert resp.status == 200, "healthz needs no token"
    finally:
        await service.close()


async def test_retries_429s_failures_and_provider_opt_outs_are_counted(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "out.db")
    clock, metrics = FakeClock(), Metrics()
    channel = FakeChannel(
        failures=[
            SendError("Twilio HTTP 429", permanent=False, retry_after=1.0, hold_key="sms:hub"),
            SendError("network down", permanent=False),
            SendError("recipient opted out (21610)", permanent=True, opted_out=True),
        ]
    )
    dispatcher = Dispatcher(
        db, {"sms": channel}, clock, SendLimits(max_attempts=5), metrics=metrics
    )
    try:
        for n, phone in enumerate(("+15145550101", "+15145550102", "+15145550103")):
            async with db.transaction() as conn:
                await outbox.enqueue(
                    conn,
                    person_id=None,
                    address=parse_address(phone, "CA"),
                    text=f"message {n}",
                    priority="normal",
                    now=clock.now(),
                )
        await dispatcher.run_once()  # the 429, the network error and the opt-out
        clock.advance(seconds=600)
        await dispatcher.run_once()  # both retries go through
        samples = _parse((await metrics.scrape(db)).decode())
    finally:
        await db.close()
    assert _value(samples, "hubbot_send_rate_limited_total", channel="sms") == 1
    assert _value(samples, "hubbot_send_retries_total", channel="sms") == 2
    assert _value(samples, "hubbot_sends_total", channel="sms", result="retry") == 2
    assert _value(samples, "hubbot_sends_total", channel="sms", result="failed") == 1
    assert _value(samples, "hubbot_sends_total", channel="sms", result="sent") == 2
    assert _value(samples, "hubbot_outbox_messages", lane="normal", status="failed") == 1
    assert _value(samples, "hubbot_outbox_messages", lane="normal", status="sent") == 2


async def test_a_911_reply_is_timed_from_the_text_to_the_provider(harness: Harness) -> None:
    metrics = harness.processor.metrics
    channels = {"sms": harness.channel}
    harness.dispatcher = Dispatcher(
        harness.db, channels, harness.clock, SendLimits(max_attempts=3), metrics=metrics
    )
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await harness.text(VOLUNTEER, "STOP")
    await harness.text(VOLUNTEER, "START")
    await inbound.record(
        harness.db,
        "sms",
        "T-911",
        parse_address(VOLUNTEER, "CA"),
        None,
        "Mon voisin ne respire pas",
        harness.clock.now(),
    )
    harness.clock.advance(seconds=3)  # waits 3 s to be read
    await harness.processor.drain()
    harness.clock.advance(seconds=2)  # and 2 s more to leave
    await harness.dispatcher.run_once()
    assert any("911" in text for to, text in harness.channel.sent if to.endswith(VOLUNTEER))
    samples = _parse((await metrics.scrape(harness.db)).decode())
    # The reply to the sender and the alert to the lead, each 5 s after the text came in.
    assert _value(samples, "hubbot_life_safety_latency_seconds_count") >= 1
    assert _value(samples, "hubbot_life_safety_latency_seconds_bucket", le="2.5") == 0
    assert _value(samples, "hubbot_life_safety_latency_seconds_bucket", le="5.0") == _value(
        samples, "hubbot_life_safety_latency_seconds_count"
    )
    assert _value(samples, "hubbot_processing_latency_seconds_bucket", le="2.5") == 4
    assert _value(samples, "hubbot_opt_outs_total", source="command") == 1


async def test_readyz_is_503_until_the_service_has_started_and_again_once_it_stops(
    tmp_path: Path,
) -> None:
    settings = Settings(database=tmp_path / "r.db", http_port=free_port(), seed_demo=False)
    hubbot = await Hubbot.build(settings, FakeClock())
    async with TestClient(TestServer(hubbot.web_app)) as client:
        try:
            resp = await client.get("/readyz")
            assert resp.status == 503 and await resp.json() == {"status": "starting"}
            await hubbot.start()
            resp = await client.get("/readyz")
            assert resp.status == 200 and await resp.json() == {"status": "ready"}
        finally:
            await hubbot.stop()
        resp = await client.get("/readyz")
        assert resp.status == 503 and await resp.json() == {"status": "stopping"}
