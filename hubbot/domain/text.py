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


def has_words(have: list[str], target: tuple[str, ...]) -> bool:
    """True if the word sequence `target` occurs in `have` (both already folded)."""
    return find_words(have, target) >= 0


def find_words(have: list[str], target: tuple[str, ...]) -> int:
    """Where the word sequence `target` first occurs in `have`, or -1."""
    n = len(target)
    if n == 0:
        return -1
    for i in range(len(have) - n + 1):
        if have[i] == target[0] and tuple(have[i : i + n]) == target:
            return i
    return -1


Phrases = dict[str, tuple[tuple[str, ...], ...]]  # first word -> the phrases starting with it


def by_first_word(phrases: tuple[tuple[str, ...], ...]) -> Phrases:
    """Phrases indexed by their first word, so a text is read once, not once per phrase."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        if phrase:
            index.setdefault(phrase[0], []).append(phrase)
    return {word: tuple(found) for word, found in index.items()}


def has_any(have: list[str], index: Phrases) -> bool:
    """True if any phrase of `index` occurs in `have` (both already folded)."""
    return any(
        tuple(have[i : i + len(phrase)]) == phrase
        for i, word in enumerate(have)
        for phrase in index.get(word, ())
    )
