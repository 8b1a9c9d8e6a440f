"""People's names: what NAME accepts, and how a stored name is shown to others.

A name is shown to the hub team beside a member number ("M12 Ana"), so it must not pass for
someone else: no control or direction characters (U+202E turns text around), no phone
number, no member or board number like M0 or N12.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX = 30
MAX_DIGITS = 6  # in all: a phone number cut into short runs is still a phone number
_PUNCTUATION = frozenset(" -'.")
_DIGIT_RUN = re.compile(r"[0-9]{4,}")
# A word like M0, N12 or o7 reads as a member or board number (whatever the letter's script).
_NUMBER_WORD = re.compile(r"(?:^|[\s\-'.])[^\W\d_][0-9]+(?=$|[\s\-'.])")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def clean_name(text: str) -> str | None:
    """The name as it will be kept, or None if NAME should refuse it."""
    name = " ".join(unicodedata.normalize("NFC", text).translate(_APOSTROPHES).split())
    if not name or len(name) > NAME_MAX:
        return None
    if not all(ch.isalpha() or ch in "0123456789" or ch in _PUNCTUATION for ch in name):
        return None
    if not any(ch.isalpha() for ch in name):
        return None
    digits = sum(ch in "0123456789" for ch in name)
    if digits > MAX_DIGITS or _DIGIT_RUN.search(name) or _NUMBER_WORD.search(name):
        return None
    return name


def shown_name(name: str | None) -> str | None:
    """A stored name as others see it, for names kept before NAME had rules: without control,
    format or direction characters and line breaks, at most NAME_MAX characters, and not at
    all if it holds a phone, member or board number."""
    if not name:
        return None
    kept = "".join(" " if ch.isspace() else ch for ch in name if not _invisible(ch))
    shown = " ".join(kept.split())[:NAME_MAX].strip()
    if _DIGIT_RUN.search(shown) or _NUMBER_WORD.search(shown):
        return None
    return shown or None


def _invisible(ch: str) -> bool:
    # Cc controls, Cf format (bidi overrides, zero-width), Cs/Co/Cn: none belong in a name.
    return unicodedata.category(ch).startswith("C") and not ch.isspace()
