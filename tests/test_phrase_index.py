"""Reading a text once against indexed phrases finds exactly what a phrase-by-phrase reading
finds: the life-safety check must never miss a word for being faster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hubbot.domain.playbook import Playbook
from hubbot.domain.text import by_first_word, has_any, has_words

WORDS = st.sampled_from(["feu", "fire", "pas", "not", "breathing", "respire", "911", "eau", "a"])
PHRASES = st.lists(st.lists(WORDS, min_size=1, max_size=3).map(tuple), max_size=6)


@given(have=st.lists(WORDS, max_size=10), phrases=PHRASES)
def test_indexed_phrases_match_exactly_when_one_of_them_occurs(
    have: list[str], phrases: list[tuple[str, ...]]
) -> None:
    expected = any(has_words(have, p) for p in phrases)
    assert has_any(have, by_first_word(tuple(phrases))) == expected


def test_every_shipped_life_safety_word_is_caught_inside_a_sentence(
    playbooks: dict[str, Playbook],
) -> None:
    playbook = playbooks["community-hub"]
    for keywords in playbook.life_safety.values():
        for keyword in keywords:
            assert playbook.is_life_safety(f"svp vite {keyword} ici"), keyword
    assert not playbook.is_life_safety("BESOIN eau potable pour 3")
