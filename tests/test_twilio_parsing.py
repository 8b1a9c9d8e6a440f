"""Twilio payloads become plain values; Twilio errors become retry-or-stop decisions."""

from __future__ import annotations

import pytest

from hubbot.channels.twilio.parse import parse_inbound, parse_status
from hubbot.channels.twilio.send import classify
from tests.fake_twilio import inbound_form

# As Twilio posts them (recorded field set; values anonymised).
STATUS_DELIVERED = {
    "SmsSid": "SM5ef8732a3c49700934481addd5ce1659",
    "SmsStatus": "delivered",
    "MessageStatus": "delivered",
    "To": "+15145550101",
    "MessagingServiceSid": "",
    "MessageSid": "SM5ef8732a3c49700934481addd5ce1659",
    "AccountSid": "AC" + "0" * 32,
    "From": "+15145550000",
    "ApiVersion": "2010-04-01",
}
STATUS_UNDELIVERED = {**STATUS_DELIVERED, "MessageStatus": "undelivered", "ErrorCode": "30003"}


def test_an_inbound_sms_gives_its_sid_sender_recipient_and_body() -> None:
    form = inbound_form("SM123", "+15145550101", "+15145550000", "BESOIN eau potable")
    message = parse_inbound(form)
    assert (message.sid, message.sender, message.to, message.body) == (
        "SM123",
        "+15145550101",
        "+15145550000",
        "BESOIN eau potable",
    )


def test_an_inbound_sms_without_a_sender_is_refused_with_the_missing_field() -> None:
    form = inbound_form("SM123", "", "+15145550000", "hi")
    with pytest.raises(ValueError, match="From"):
        parse_inbound(form)


def test_status_callbacks_carry_the_status_and_any_error_code() -> None:
    assert parse_status(STATUS_DELIVERED).status == "delivered"
    assert parse_status(STATUS_DELIVERED).error_code is None
    undelivered = parse_status(STATUS_UNDELIVERED)
    assert (undelivered.status, undelivered.error_code) == ("undelivered", "30003")


@pytest.mark.parametrize(
    ("status", "code", "permanent", "opted_out"),
    [
        (500, None, False, False),
        (503, None, False, False),
        (429, "20429", False, False),
        (400, "21610", True, True),
        (400, "21211", True, False),
        (401, "20003", True, False),
    ],
)
def test_twilio_errors_are_retried_only_when_another_try_can_help(
    status: int, code: str | None, permanent: bool, opted_out: bool
) -> None:
    error = classify(status, code, "message", "sms:+15145550000")
    assert (error.permanent, error.opted_out) == (permanent, opted_out)
    assert error.code == code
