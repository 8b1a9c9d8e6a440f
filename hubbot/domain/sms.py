"""SMS arithmetic: GSM-7 or UCS-2, and how many segments a text costs."""

from __future__ import annotations

# The GSM 03.38 basic character set, and the extension table whose characters cost two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def sms_units(text: str) -> tuple[str, int]:
    """The encoding and the length in its units (septets for GSM-7, UTF-16 code units for UCS-2)."""
    if is_gsm7(text):
        return "GSM-7", sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return "UCS-2", sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def segment_count(text: str) -> int:
    """How many SMS segments the text costs: 160/153 for GSM-7, 70/67 for UCS-2."""
    encoding, length = sms_units(text)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if length <= single:
        return 1
    return -(-length // multi)
