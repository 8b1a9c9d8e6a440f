"""Category detection on a labelled fixture of real-sounding French and English messages."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbot.domain.playbook import Playbook
from hubbot.domain.text import find_words, words

FIXTURE = Path(__file__).parent / "fixtures" / "categories.tsv"


def _cases() -> list[tuple[str, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_the_fixture_has_at_least_forty_messages_in_both_languages() -> None:
    assert len(_cases()) >= 40


def test_categories_are_detected_at_least_ninety_percent_of_the_time(
    playbooks: dict[str, Playbook],
) -> None:
    playbook = playbooks["community-hub"]
    misses = []
    for expected, text in _cases():
        found = playbook.categorise(text)
        if (found.id if found else "other") != expected:
            misses.append((expected, found.id if found else None, text))
    accuracy = 1 - len(misses) / len(_cases())
    print(f"category accuracy: {accuracy:.1%}")
    assert accuracy >= 0.9, misses


def _categorise_one_keyword_at_a_time(playbook: Playbook, text: str) -> str | None:
    """The plain reading, keyword by keyword, that the indexed one must agree with."""
    have = words(text)
    best: tuple[int, int, str] | None = None
    for category in playbook.categories:
        phrases = [tuple(words(k)) for ks in category.keywords.values() for k in ks]
        found = [at for p in phrases if (at := find_words(have, p)) >= 0]
        if found and (best is None or (len(found), -min(found)) > best[:2]):
            best = (len(found), -min(found), category.id)
    return best[2] if best else None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_mix_of_keywords_gets_the_category_a_keyword_by_keyword_reading_gives(
    playbooks: dict[str, Playbook], data: st.DataObject
) -> None:
    playbook = playbooks["community-hub"]
    vocabulary = sorted(
        {k for c in playbook.categories for ks in c.keywords.values() for k in ks}
        | {"pour", "the", "a", "de", "urgent", "3"}
    )
    text = " ".join(data.draw(st.lists(st.sampled_from(vocabulary), max_size=8)))
    found = playbook.categorise(text)
    assert (found.id if found else None) == _categorise_one_keyword_at_a_time(playbook, text)
