"""Addresses people are reached at: 'sms:+15145550101' (E.164) or 'telegram:<user id>'."""

from __future__ import annotations

import functools
import re

import phonenumbers

_TELEGRAM = re.compile(r"^telegram:(-?\d{1,20})$")


def channel_of(address: str) -> str:
    """'sms' or 'telegram': the part before the colon."""
    return address.split(":", 1)[0]


@functools.lru_cache(maxsize=4096)
def normalize_phone(text: str, region: str) -> str | None:
    """A phone number in any common format as E.164, or None if it is not a valid number.

    Kept for the numbers seen last: every webhook names the hub's number and, in a crisis,
    the same people text again and again; parsing and validating one took a tenth of the
    webhook's CPU."""
    try:
        number = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def sms_address(text: str, region: str) -> str | None:
    """'sms:+15145550101' for a phone number in any common format; None if it is not one."""
    e164 = normalize_phone(text, region)
    return f"sms:{e164}" if e164 else None


def parse_address(text: str, region: str) -> str:
    """'sms:...', 'telegram:...' or a bare phone number (which means SMS); ValueError if neither."""
    text = text.strip()
    if _TELEGRAM.match(text):
        return text
    address = sms_address(text[4:] if text.lower().startswith("sms:") else text, region)
    if address is None:
        raise ValueError(
            f"{text!r} is not an address: use a phone number like +15145550101, "
            "sms:+15145550101 or telegram:<user id>"
        )
    return address
