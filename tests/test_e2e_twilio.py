"""End to end over Twilio: `hubbot run` against the fake Twilio server, with signed webhooks."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Reply, inbound_form, signed_post
from tests.service import Service, eventually

DEFAULT_FROM = "+15145550000"
HUB_NUMBER = "+15145550001"
LEAD, HOLDER, VOLUNTEER = "+15145550101", "+15145550102", "+15145550103"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    server = await FakeTwilio().start()
    yield server
    await server.stop()


@pytest.fixture
async def service(tmp_path: Path, fake: FakeTwilio) -> AsyncIterator[Service]:
    svc = Service(tmp_path)
    svc.env.update(
        HUBBOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        HUBBOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        HUBBOT_TWILIO_FROM_NUMBER=DEFAULT_FROM,
        HUBBOT_TWILIO_API_URL=fake.url,
        HUBBOT_PUBLIC_URL=svc.url,
        HUBBOT_SMS_MPS="50",
        HUBBOT_SEED_DEMO="false",
    )
    yield svc
    await svc.close()


class Phones:
    """Volunteers' phones: text the hub through signed webhooks, read what Twilio was sent."""

    def __init__(self, service: Service, fake: FakeTwilio) -> None:
        self.service, self.fake = service, fake
        self.count = 0
        self.read: Counter[str] = Counter()

    async def text(self, sender: str, body: str, sid: str | None = None) -> int:
        self.count += 1
        form = inbound_form(sid or f"SM{self.count:032d}", sender, HUB_NUMBER, body)
        return await signed_post(f"{self.service.url}/twilio/sms", form)

    async def expect(self, to: str, predicate: Callable[[str], bool], within: float = 15) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            bodies = self.fake.bodies_to(to)
            for body in bodies[self.read[to] :]:
                self.read[to] += 1
                if predicate(body):
                    return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"{to} got nothing matching; all it got: {self.fake.bodies_to(to)}")


def _db(service: Service) -> sqlite3.Connection:
    return sqlite3.connect(service.workdir / "hubbot.db")


def _unsent(service: Service) -> int:
    db = _db(service)
    try:
        row = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
        return int(row.fetchone()[0])
    finally:
        db.close()


def _counts(service: Service) -> tuple[int, ...]:
    db = _db(service)
    try:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("inbound", "outbox", "people", "items")
        )
    finally:
        db.close()


async def _open_hub(service: Service, phones: Phones) -> None:
    code, out = await service.cli(
        "hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468", "--sms-number", HUB_NUMBER
    )
    assert code == 0, out
    await service.start()
    assert await phones.text(LEAD, "ACTIVER PLATEAU 2468") == 200
    await phones.expect(LEAD, lambda t: "OUVERT" in t)


async def test_a_signed_french_need_is_answered_through_twilio_and_delivery_is_recorded(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    await phones.text(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    ack = await phones.expect(VOLUNTEER, lambda t: t.startswith("Besoin N1 noté"))
    message = next(m for m in fake.sent if m.body == ack)
    assert message.sender == HUB_NUMBER, "replies leave from the hub's own number"
    assert message.status_callback == f"{service.url}/twilio/status"
    assert await fake.callback(message.sid, "sent") == 204
    assert await fake.callback(message.sid, "delivered") == 204
    db = _db(service)
    try:
        row = db.execute(
            "SELECT status, provider_status FROM outbox WHERE provider_id = ?", (message.sid,)
        ).fetchone()
    finally:
        db.close()
    assert row == ("delivered", "delivered")


async def test_forged_or_missing_signatures_get_403_and_change_nothing(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    before = _counts(service)
    form = inbound_form("SMforged", VOLUNTEER, HUB_NUMBER, "BESOIN tout")
    url = f"{service.url}/twilio/sms"
    assert await signed_post(url, form, token="not-the-token") == 403
    assert await signed_post(url, form, signature="") == 403
    assert (
        await signed_post(url, {**form, "Body": "changed"}, signature=_signature(url, form)) == 403
    )
    assert (
        await signed_post(
            f"{service.url}/twilio/status",
            {"MessageSid": "SMx", "MessageStatus": "delivered"},
            token="wrong",
        )
        == 403
    )
    assert _counts(service) == before


def _signature(url: str, form: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    return str(RequestValidator(AUTH_TOKEN).compute_signature(url, form))


async def test_the_same_message_sid_posted_three_times_is_processed_once(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    for _ in range(3):
        assert await phones.text(VOLUNTEER, "BESOIN couvertures", sid="SM" + "7" * 32) == 200
    await phones.text(VOLUNTEER, "AIDE")
    await phones.expect(VOLUNTEER, lambda t: t.startswith("Plateau :"))
    acks = [b for b in fake.bodies_to(VOLUNTEER) if b.startswith("Besoin")]
    assert len(acks) == 1 and acks[0].startswith("Besoin N1")


async def test_stop_silences_everything_but_its_confirmation_and_start_restores(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    await phones.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await phones.expect(HOLDER, lambda t: t.startswith("Vous voici Besoins et offres"))
    await phones.text(HOLDER, "ARRÊT")
    confirmation = await phones.expect(HOLDER, lambda t: "START" in t)
    assert len(confirmation) <= 160 and "no more messages" in confirmation
    await phones.text(VOLUNTEER, "BESOIN bois de chauffage")
    await phones.expect(VOLUNTEER, lambda t: t.startswith("Besoin N1"))
    await phones.text(LEAD, "ROLES")
    await phones.expect(LEAD, lambda t: t.startswith("Rôles"))
    assert fake.bodies_to(HOLDER)[-1] == confirmation, "nothing but the confirmation"
    await phones.text(HOLDER, "START")
    await phones.expect(HOLDER, lambda t: t.startswith("Messages réactivés"))
    await phones.text(VOLUNTEER, "BESOIN lampes")
    await phones.expect(HOLDER, lambda t: t.startswith("Nouveau besoin N2"))


async def test_twilio_21610_marks_the_recipient_opted_out(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    blocked = "+15145550177"
    fake.responder = lambda form: (
        Reply(400, 21610, "unsubscribed") if form["To"] == blocked else None
    )
    await phones.text(blocked, "AIDE")
    db = _db(service)
    try:
        for _ in range(200):
            row = db.execute(
                "SELECT p.opted_out FROM people p JOIN addresses a"
                " ON a.person_id = p.id WHERE a.address = ?",
                (f"sms:{blocked}",),
            ).fetchone()
            if row and row[0]:
                break
            await asyncio.sleep(0.05)
        assert row == (1,)
    finally:
        db.close()
    code, out = await service.cli("outbox", "--failed")
    assert code == 0 and "21610" in out and blocked in out


async def test_sigkill_with_500_queued_then_restart_delivers_every_message(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    senders = [f"+1438555{i:04d}" for i in range(500)]
    semaphore = asyncio.Semaphore(20)

    async def text(sender: str) -> None:
        async with semaphore:
            assert await phones.text(sender, "AIDE") == 200

    await asyncio.gather(*(text(s) for s in senders))
    assert await eventually(lambda: len(fake.sent) >= 100, within=30)
    await service.stop(signal.SIGKILL)
    delivered_before = len(fake.sent)
    assert delivered_before < 450, "the kill came while most messages were still queued"
    await service.start()
    wanted = set(senders)
    await eventually(lambda: len({m.to for m in fake.sent} & wanted) == 500, within=60)
    received = Counter(m.to for m in fake.sent if m.to in wanted)
    assert set(received) == set(senders), "every queued message is delivered"
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 16, f"only sends in flight at the kill may repeat, got {duplicates}"


async def test_sigterm_lets_the_send_in_flight_finish_before_exiting(
    service: Service, fake: FakeTwilio
) -> None:
    phones = Phones(service, fake)
    await _open_hub(service, phones)
    assert await eventually(lambda: _unsent(service) == 0)
    before = fake.attempts
    fake.script = [Reply(delay=1.5)]  # Twilio is slow to answer this one
    await phones.text(VOLUNTEER, "AIDE")
    assert await eventually(lambda: fake.attempts > before, within=10)
    assert await service.stop() == 0
    assert any(m.to == VOLUNTEER for m in fake.sent), f"the slow send must finish: {fake.sent}"
    db = _db(service)
    try:
        statuses = db.execute(
            "SELECT status FROM outbox WHERE address = ?", (f"sms:{VOLUNTEER}",)
        ).fetchall()
    finally:
        db.close()
    assert statuses == [("sent",)], "recorded as sent, so a restart will not send it again"
