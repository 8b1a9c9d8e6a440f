"""The simulator's inbound JSON, read as a phone's text would arrive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hubbot.channels.decoding import clean

MAX_TEXT = 1600  # what Twilio accepts in one message


@dataclass(frozen=True)
class SimInbound:
    address: str
    text: str
    provider_id: str | None
    to_address: str | None


def parse_sim_inbound(data: object, normalize: Callable[[str], str | None]) -> SimInbound:
    """Read {"from": "+1514...", "text": "...", "id"?: "...", "to"?: "+1..."}; ValueError if bad."""
    if not isinstance(data, dict):
        raise ValueError('send a JSON object like {"from": "+15145550101", "text": "HELP"}')
    sender, text = data.get("from"), data.get("text")
    if not isinstance(sender, str) or not sender.strip():
        raise ValueError('"from" is required: the sender\'s phone number, like +15145550101')
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" is required and must not be empty')
    if len(text) > MAX_TEXT:
        raise ValueError(f'"text" is too long: at most {MAX_TEXT} characters')
    e164 = normalize(sender)
    if e164 is None:
        raise ValueError(f'"from" is not a valid phone number: {sender!r}')
    to = data.get("to")
    to_address = None
    if isinstance(to, str) and to.strip():
        to_e164 = normalize(to)
        if to_e164 is None:
            raise ValueError(f'"to" is not a valid phone number: {to!r}')
        to_address = f"sms:{to_e164}"
    provider_id = data.get("id")
    if provider_id is not None and not isinstance(provider_id, str):
        raise ValueError('"id", when given, must be a string')
    # Surrogates have no UTF-8 form: replaced, so the text can be stored and answered.
    return SimInbound(f"sms:{e164}", clean(text), clean(provider_id or "") or None, to_address)
