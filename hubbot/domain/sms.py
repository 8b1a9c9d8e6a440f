"""SMS arithmetic: GSM-7 or UCS-2, and how many segments a text costs."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# The GSM 03.38 basic character set, and the extension table whose characters cost two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
_GSM7_ALL = GSM7_BASIC | GSM7_EXTENDED


def is_gsm7(text: str) -> bool:
    # Set operations, not a loop per character: the dispatcher asks this for every send.
    return set(text) <= _GSM7_ALL


def sms_units(text: str) -> tuple[str, int]:
    """The encoding and the length in its units (septets for GSM-7, UTF-16 code units for UCS-2)."""
    if is_gsm7(text):
        return "GSM-7", len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)
    return "UCS-2", len(text.encode("utf-16-le")) // 2


def segment_count(text: str) -> int:
    """How many SMS segments the text costs: 160/153 for GSM-7, 70/67 for UCS-2."""
    encoding, length = sms_units(text)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if length <= single:
        return 1
    return -(-length // multi)


# Characters French and English texts use that GSM-7 lacks, and their closest GSM-7 form.
_FOLDS = {
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "’": "'",
    "‘": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "ç": "c",
    "•": "-",
}


def fold_to_gsm7(text: str) -> str:
    """Replace characters outside GSM-7 by their closest GSM-7 form (ê→e, ç→c, œ→oe, ’→').

    Characters with no such form (emoji, other scripts) are kept: the text then goes as UCS-2.
    """
    out = []
    for ch in text:
        if ch in _GSM7_ALL:
            out.append(ch)
        elif ch in _FOLDS:
            out.append(_FOLDS[ch])
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(base if base and is_gsm7(base) else ch)
    return "".join(out)


def split_text(text: str, max_segments: int) -> list[str]:
    """Split a long text at word boundaries into parts of at most `max_segments` segments each."""
    return split_words(text, lambda part: segment_count(part) <= max_segments)


def split_words(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split a text into parts that each `fit`, breaking at line ends, else between words.

    A single word too long for a part is cut.
    """
    if fits(text):
        return [text]
    parts: list[str] = []
    rest = text
    while rest:
        if fits(rest):
            parts.append(rest)
            break
        cut = _longest_prefix(rest, fits)
        window = rest[:cut]
        at = window.rfind("\n")
        if at <= cut // 2:  # no line break in the second half: break between words
            at = window.rfind(" ")
        if at <= cut // 3:  # no good break near the end: cut inside the word
            at = cut
        parts.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    return parts


def _longest_prefix(text: str, fits: Callable[[str], bool]) -> int:
    """The length of the longest prefix of `text` that fits (at least one character)."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(text[:mid]):
            low = mid
        else:
            high = mid - 1
    return low
