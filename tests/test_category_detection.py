"""Category detection on a labelled fixture of real-sounding French and English messages."""

from __future__ import annotations

from pathlib import Path

from hubbot.domain.playbook import Playbook

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
