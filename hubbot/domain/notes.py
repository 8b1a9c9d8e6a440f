"""Reading a need or offer as people write it: the description, how many, and where."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubbot.domain.text import fold

# "pour 3", "for 3 people", "x3", "3 personnes", "3 litres" is a quantity of something else.
_COUNT = re.compile(
    r"(?:\b(?:pour|for)\s+(\d{1,4})\b)|(?:\bx\s?(\d{1,4})\b)"
    r"|(?:\b(\d{1,4})\s+(?:personnes?|people|persons?|adultes?|adults?|enfants?|kids?|familles?"
    r"|families|lits?|beds?)\b)",
    re.IGNORECASE,
)
# A location after '@', 'adresse:' or 'address:'.
_PLACE = re.compile(r"(?:\s@\s*|\b(?:adresse|address)\s*:\s*)(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Note:
    text: str
    quantity: int | None
    location: str | None


def read_note(text: str) -> Note:
    """'eau potable pour 3 @ 12 rue Roy' -> text 'eau potable pour 3', 3, '12 rue Roy'."""
    location = None
    if place := _PLACE.search(text):
        location = place.group(1).strip()[:120] or None
        text = text[: place.start()].strip()
    quantity = None
    if count := _COUNT.search(fold(text)):
        quantity = int(next(g for g in count.groups() if g))
    return Note(text, quantity, location)
