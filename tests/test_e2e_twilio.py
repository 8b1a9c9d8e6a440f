"""End to end over Twilio: `hubbot run` against the fake Twilio server, with signed webhooks."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_twilio import FakeTwilio, Reply, inbound_form, sign, signed_post
from tests.service import Service, eventually
from tests.world import HUB_NUMBER, World

DEFAULT_FROM = "+15145550000"
LEAD, HOLDER, VOLUNTEER = "+15145550101", "+15145550102", "+15145550103"


@pytest.fixture
async def service(tmp_path: Path, twilio: FakeTwilio) -> AsyncIterator[Service]:
    svc = Service(tmp_path).use_twilio(twilio, DEFAULT_FROM)
    yield svc
    await svc.close()


def _unsent(service: Service) -> int:
    rows = service.query("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
    return int(rows[0][0])


def _counts(service: Service) -> tuple[int, ...]:
    tables = ("inbound", "outbox", "people", "items")
    return tuple(service.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables)


async def test_a_signed_french_need_is_answered_through_twilio_and_delivery_is_recorded(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    await phones.sms(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    ack = await phones.expect_sms(VOLUNTEER, lambda t: t.startswith("Besoin N1 noté"))
    message = next(m for m in twilio.sent if m.body == ack)
    assert message.sender == HUB_NUMBER, "replies leave from the hub's own number"
    assert message.status_callback == f"{service.url}/twilio/status"
    assert await twilio.callback(message.sid, "sent") == 204
    assert await twilio.callback(message.sid, "delivered") == 204

    def recorded() -> list[tuple[object, ...]]:
        return service.query(
            "SELECT status, provider_status FROM outbox WHERE provider_id = ?", (message.sid,)
        )

    # The receipts may come before the service has stored the SID; they are applied then.
    assert await eventually(lambda: recorded() == [("delivered", "delivered")]), recorded()


async def test_forged_or_missing_signatures_get_403_and_change_nothing(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    before = _counts(service)
    form = inbound_form("SMforged", VOLUNTEER, HUB_NUMBER, "BESOIN tout")
    url = f"{service.url}/twilio/sms"
    assert await signed_post(url, form, token="not-the-token") == 403
    assert await signed_post(url, form, signature="") == 403
    assert await signed_post(url, {**form, "Body": "changed"}, signature=sign(url, form)) == 403
    assert (
        await signed_post(
            f"{service.url}/twilio/status",
            {"MessageSid": "SMx", "MessageStatus": "delivered"},
            token="wrong",
        )
        == 403
    )
    assert _counts(service) == before


async def test_the_same_message_sid_posted_three_times_is_processed_once(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    for _ in range(3):
        await phones.sms(VOLUNTEER, "BESOIN couvertures", sid="SM" + "7" * 32)
    await phones.sms(VOLUNTEER, "AIDE")
    await phones.expect_sms(VOLUNTEER, lambda t: t.startswith("Plateau - vos commandes"))
    acks = [b for b in twilio.bodies_to(VOLUNTEER) if b.startswith("Besoin")]
    assert len(acks) == 1 and acks[0].startswith("Besoin N1")


async def test_stop_silences_everything_but_its_confirmation_and_start_restores(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    await phones.sms(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await phones.expect_sms(
        HOLDER, lambda t: t.startswith("Votre poste au centre PLATEAU : Besoins et offres")
    )
    await phones.sms(HOLDER, "ARRÊT")
    confirmation = await phones.expect_sms(HOLDER, lambda t: "START" in t)
    assert len(confirmation) <= 160 and "no more messages" in confirmation
    await phones.sms(VOLUNTEER, "BESOIN bois de chauffage")
    await phones.expect_sms(VOLUNTEER, lambda t: t.startswith("Besoin N1"))
    await phones.sms(LEAD, "ROLES")
    await phones.expect_sms(LEAD, lambda t: t.startswith("Postes"))
    assert twilio.bodies_to(HOLDER)[-1] == confirmation, "nothing but the confirmation"
    await phones.sms(HOLDER, "START")
    await phones.expect_sms(HOLDER, lambda t: t.startswith("Messages réactivés"))
    await phones.sms(VOLUNTEER, "BESOIN lampes")
    await phones.expect_sms(HOLDER, lambda t: t.startswith("Nouveau besoin N2"))


async def test_twilio_21610_marks_the_recipient_opted_out(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    blocked = "+15145550177"
    twilio.responder = lambda form: (
        Reply(400, 21610, "unsubscribed") if form["To"] == blocked else None
    )
    await phones.sms(blocked, "AIDE")
    opted_out = (
        "SELECT p.opted_out FROM people p JOIN addresses a ON a.person_id = p.id"
        " WHERE a.address = ?"
    )
    assert await eventually(lambda: service.query(opted_out, (f"sms:{blocked}",)) == [(1,)])
    code, out = await service.cli("outbox", "--failed")
    assert code == 0 and "21610" in out and blocked in out


async def test_sigkill_with_500_queued_then_restart_delivers_every_message(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    senders = [f"+1438555{i:04d}" for i in range(500)]
    semaphore = asyncio.Semaphore(20)

    async def text(sender: str) -> None:
        async with semaphore:
            await phones.sms(sender, "AIDE")

    await asyncio.gather(*(text(s) for s in senders))
    assert await eventually(lambda: len(twilio.sent) >= 100, within=30)
    await service.stop(signal.SIGKILL)
    delivered_before = len(twilio.sent)
    assert delivered_before < 450, "the kill came while most messages were still queued"
    await service.start()
    wanted = set(senders)
    assert await eventually(lambda: len({m.to for m in twilio.sent} & wanted) == 500, within=60)
    received = Counter(m.to for m in twilio.sent if m.to in wanted)
    assert set(received) == set(senders), "every queued message is delivered"
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 16, f"only sends in flight at the kill may repeat, got {duplicates}"


async def test_sigterm_lets_the_send_in_flight_finish_before_exiting(
    service: Service, twilio: FakeTwilio
) -> None:
    phones = World(service, twilio)
    await phones.open_hub(LEAD, "PLATEAU", "Plateau")
    assert await eventually(lambda: _unsent(service) == 0)
    before = twilio.attempts
    twilio.script = [Reply(delay=1.5)]  # Twilio is slow to answer this one
    await phones.sms(VOLUNTEER, "AIDE")
    assert await eventually(lambda: twilio.attempts > before, within=10)
    assert await service.stop() == 0
    assert any(m.to == VOLUNTEER for m in twilio.sent), f"the slow send must finish: {twilio.sent}"
    statuses = service.query("SELECT status FROM outbox WHERE address = ?", (f"sms:{VOLUNTEER}",))
    assert statuses == [("sent",)], "recorded as sent, so a restart will not send it again"
