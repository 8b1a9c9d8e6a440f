"""Twilio's webhook forms, read: an incoming SMS and a delivery receipt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hubbot.channels.decoding import clean
from hubbot.domain.outbox_state import OutboxStatus

OPTED_OUT = "21610"  # Twilio: the recipient replied STOP; sends are blocked until START
# Delivery receipts, as our outbox records them.
STATUS_MAP = {
    "delivered": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.FAILED,
    "failed": OutboxStatus.FAILED,
}


@dataclass(frozen=True)
class TwilioInbound:
    sid: str
    sender: str
    to: str
    body: str


@dataclass(frozen=True)
class TwilioStatus:
    sid: str
    status: str
    error_code: str | None

    @property
    def outbox_status(self) -> OutboxStatus:
        """What the outbox records: delivered, failed, or sent for anything on the way."""
        return STATUS_MAP.get(self.status, OutboxStatus.SENT)

    @property
    def opted_out(self) -> bool:
        return self.error_code == OPTED_OUT


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise ValueError(f"missing form field {name}")
    return value


def parse_inbound(form: Mapping[str, str]) -> TwilioInbound:
    """An incoming SMS webhook's form fields; ValueError names what is missing."""
    return TwilioInbound(
        sid=_required(form, "MessageSid"),
        sender=_required(form, "From"),
        to=form.get("To", "").strip(),
        body=clean(form.get("Body", "")),
    )


def parse_status(form: Mapping[str, str]) -> TwilioStatus:
    """A status callback's form fields."""
    code = form.get("ErrorCode", "").strip() or None
    return TwilioStatus(_required(form, "MessageSid"), _required(form, "MessageStatus"), code)
