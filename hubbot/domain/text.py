"""Text helpers the core needs: accent-insensitive folding and word matching."""

from __future__ import annotations

import re
import unicodedata

# Apostrophes separate words, so "l'eau" reads as "l eau" and the keyword "eau" matches it.
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'ARRÊT' and 'arret' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def contains_phrase(text: str, phrase: str) -> bool:
    """True if the folded phrase occurs in the folded text on word boundaries."""
    target = words(phrase)
    if not target:
        return False
    have = words(text)
    n = len(target)
    return any(have[i : i + n] == target for i in range(len(have) - n + 1))
