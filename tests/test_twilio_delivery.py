"""The real Twilio SDK against the fake Twilio server: what is sent, and what survives outages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.channels.base import SendError
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.channels.twilio.send import TwilioAccount, TwilioChannel
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.send_limits import SendLimits
from hubbot.store import outbox, people
from hubbot.store.db import Database
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Reply
from tests.fakes import FakeClock

CALLBACK = "https://hub.example.org/twilio/status"


@pytest.fixture
async def channel(twilio: FakeTwilio) -> AsyncIterator[TwilioChannel]:
    sms = TwilioChannel(
        TwilioAccount(ACCOUNT_SID, AUTH_TOKEN, twilio.url, from_number="+15145550000"),
        status_callback=CALLBACK,
        policy=SmsPolicy(mps=0),
    )
    await sms.start()
    yield sms
    await sms.close()


async def test_a_send_reaches_twilio_with_to_from_body_and_status_callback(
    twilio: FakeTwilio, channel: TwilioChannel
) -> None:
    sent = await channel.send("sms:+15145550101", "Besoin N1 noté", "+15145550001")
    [message] = twilio.sent
    assert (message.to, message.sender, message.body) == (
        "+15145550101",
        "+15145550001",
        "Besoin N1 noté",
    )
    assert message.status_callback == CALLBACK
    assert sent.provider_id == message.sid


async def test_wrong_credentials_are_a_permanent_failure(twilio: FakeTwilio) -> None:
    sms = TwilioChannel(
        TwilioAccount(ACCOUNT_SID, "wrong", twilio.url, from_number="+15145550000"),
        status_callback=CALLBACK,
        policy=SmsPolicy(),
    )
    try:
        with pytest.raises(SendError) as caught:
            await sms.send("sms:+15145550101", "hi")
        assert caught.value.permanent and twilio.sent == []
    finally:
        await sms.close()


@pytest.mark.parametrize(
    ("reply", "permanent", "opted_out", "retry_after"),
    [
        (Reply(500), False, False, None),
        (Reply(429, 20429, retry_after=2), False, False, 2.0),
        (Reply(400, 21610), True, True, None),
        (Reply(400, 21211), True, False, None),
    ],
)
async def test_twilio_answers_become_the_right_send_errors(
    twilio: FakeTwilio,
    channel: TwilioChannel,
    reply: Reply,
    permanent: bool,
    opted_out: bool,
    retry_after: float | None,
) -> None:
    twilio.script = [reply]
    with pytest.raises(SendError) as caught:
        await channel.send("sms:+15145550101", "hi")
    error = caught.value
    assert (error.permanent, error.opted_out, error.retry_after) == (
        permanent,
        opted_out,
        retry_after,
    )


async def test_an_outage_then_throttling_loses_nothing_and_keeps_each_persons_order(
    tmp_path: Path, twilio: FakeTwilio, channel: TwilioChannel
) -> None:
    db = await Database.open(tmp_path / "outage.db")
    clock = FakeClock()
    start = clock.now()
    throttled = {"done": False}

    def outage(form: dict[str, str]) -> Reply | None:
        # 500 for 20 seconds, then one 429 asking for 2 seconds, then all is well.
        if clock.now() < start + timedelta(seconds=20):
            return Reply(500, message="Internal Server Error")
        if not throttled["done"]:
            throttled["done"] = True
            return Reply(429, 20429, "Too Many Requests", retry_after=2)
        return None

    twilio.responder = outage
    dispatcher = Dispatcher(db, {"sms": channel}, clock, SendLimits(max_attempts=20))
    recipients = [f"+1514555010{i}" for i in range(5)]
    try:
        async with db.transaction() as conn:
            for n in range(6):
                for to in recipients:
                    await outbox.enqueue(
                        conn,
                        person_id=None,
                        address=f"sms:{to}",
                        text=f"{to} message {n}",
                        priority="normal",
                        now=clock.now(),
                    )
        for _ in range(500):
            if len(twilio.sent) == 30:
                break
            if not await dispatcher.run_once():
                wait = dispatcher.last_wait
                clock.advance(seconds=wait if wait is not None else 1.0)
        assert twilio.attempts > 30, "the outage really failed some sends"
        for to in recipients:
            assert twilio.bodies_to(to) == [f"{to} message {n}" for n in range(6)]
        assert await outbox.listing(db, ("pending", "sending", "failed")) == []
    finally:
        await db.close()


async def test_twilio_21610_marks_the_person_opted_out(
    tmp_path: Path, twilio: FakeTwilio, channel: TwilioChannel
) -> None:
    db = await Database.open(tmp_path / "optout.db")
    clock = FakeClock()
    try:
        async with db.transaction() as conn:
            person = await people.create(conn, "sms:+15145550101", "fr", clock.now())
            await outbox.enqueue(
                conn,
                person_id=person.id,
                address="sms:+15145550101",
                text="hello",
                priority="normal",
                now=clock.now(),
            )
        twilio.script = [Reply(400, 21610, "Attempt to send to unsubscribed recipient")]
        await Dispatcher(db, {"sms": channel}, clock, SendLimits(max_attempts=3)).run_once()
        refreshed = await people.get(db.conn, person.id)
        assert refreshed is not None and refreshed.opted_out
        [failed] = await outbox.listing(db, ("failed",))
        assert "opted out" in (failed.error or "")
    finally:
        await db.close()
