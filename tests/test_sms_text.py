"""SMS arithmetic: encodings, segments, accent folding and splitting at word boundaries."""

from __future__ import annotations

from hubbot.channels.sms_policy import SmsPolicy
from hubbot.domain.sms import fold_to_gsm7, is_gsm7, segment_count, split_text


def test_gsm7_texts_cost_160_then_153_per_segment() -> None:
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2
    assert segment_count("a" * 307) == 3


def test_one_character_outside_gsm7_makes_the_whole_text_ucs2() -> None:
    assert segment_count("é" * 160) == 1, "é is in GSM-7"
    assert segment_count("ê" + "a" * 69) == 1
    assert segment_count("ê" + "a" * 70) == 2, "ê is not: 70 per segment"
    assert segment_count("ê" + "a" * 133) == 2 and segment_count("ê" + "a" * 134) == 3


def test_euro_and_brackets_cost_two_septets() -> None:
    assert segment_count("€" * 80) == 1
    assert segment_count("€" * 81) == 2


def test_an_emoji_costs_two_ucs2_units() -> None:
    assert segment_count("👍" * 35) == 1
    assert segment_count("👍" * 35 + "a") == 2


def test_folding_keeps_french_readable_and_in_gsm7() -> None:
    folded = fold_to_gsm7("Fenêtre brisée, l’œuf « frais » — côté nord, ça va…")
    assert folded == 'Fenetre brisée, l\'oeuf " frais " - coté nord, ca va...'
    assert is_gsm7(folded)


def test_folding_keeps_what_has_no_gsm7_form() -> None:
    assert fold_to_gsm7("OK 👍") == "OK 👍"


def test_long_texts_split_at_word_boundaries_within_the_budget() -> None:
    text = " ".join(f"mot{i}" for i in range(200))
    parts = split_text(text, 1)
    assert all(segment_count(p) == 1 for p in parts)
    assert " ".join(parts) == text, "nothing is lost or cut inside a word"


def test_a_policy_folds_then_splits_and_charges_segments() -> None:
    policy = SmsPolicy(mps=1, max_segments=1, fold_accents=True)
    parts = policy.shape("Entraide: " + "génératrice à prêter, " * 20)
    assert all(is_gsm7(p) and segment_count(p) == 1 for p in parts)
    assert policy.limits("+15145550000", "x" * 200)[0].cost == 2
