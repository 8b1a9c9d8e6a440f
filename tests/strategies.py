"""Hypothesis strategies for what people type: commands with odd arguments, and any text."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from hubbot.domain.commands import CommandId
from hubbot.domain.registry import REGISTRY

# Characters that trip up naive code: digits int() refuses or accepts, case changes that change
# length (ß, İ, ﬁ), accents written apart, direction marks, emoji, NUL, the replacement mark.
ODD = (
    "²",
    "³",
    "٣",
    "１２",
    "\x00",
    "\ufffd",
    "\u200f",
    "e\u0301",
    "🚨",
    "\xa0",
    "ß",
    "İ",
    "ﬁ",
    "\n",
)
KEYWORDS = sorted(
    {
        *REGISTRY.reserved,
        "arrêt",
        "arrivée",
        "départ",
        "rôles",
        "état",
        "relève",
        "étatalerte",
    }
)
ODD_DIGITS = ("²", "³", "٣", "１２", "-1", "1.5", "1_000", "0")
NUMBERS = (
    "0",
    "00",
    "007",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "-1",
    "+3",
    "1.5",
    "1e9",
    "1_000",
    "²",
    "٣",
    "１２",
)
WORDS = (
    # hubs, PINs and codes
    "PLATEAU", "plateau", "DEMO", "NOPE", "2468", "0000", "123456",
    # roles and themes of the shipped playbook, by id and by name
    "lead", "reception", "accueil", "needs_offers", "besoins", "et", "offres", "Needs", "&",
    "offers", "communications", "facility", "Responsable", "du", "centre", "water", "eau", "food",
    "medical", "zzz",
    # people
    "514-555-0101", "+15145550102", "(514)", "555-0103", "+1", "5145550199", "+999999999999999",
    "@ana_b", "@x", "M1", "m2", "M0",
    # broadcasts and times
    "URGENT", "ROLE", "POSTE", "ALL", "TOUS", "#boil_water", "#nope", "#", "AT", "A", "À", "a",
    "18h", "18h30", "6pm", "6:30pm", "18:00", "midi", "noon", "25:99", "99h", "h", "heures",
    "p.m.", "12", "00",
    # answers, life safety, lifelines
    "OK", "1", "2", "911", "FEU", "fire", "coincé", "stuck", "power", "courant", "coupé", "?",
    "unconfirmed", "pour", "for", "x3", "personnes", "people", "@", ":", "-", "/", "N", "O",
    # the shipped playbook's intents
    "fuite", "leak", "toilettes", "radio", "eoc", "alerte", "évacuation",
)  # fmt: skip


def examples(share: int) -> int:
    """`share` examples on the default profile (100 a test), ten times more on `long`."""
    return max(1, share * settings.default.max_examples // 100)


# Built once: a strategy made afresh inside every draw costs more than the test it feeds.
_NUMBER = st.one_of(
    st.integers(0, 12).map(str),
    st.integers(2**63 - 2, 10**25).map(str),  # where SQLite's integers end
    st.sampled_from(NUMBERS),
)
# Ids, counts and durations are where numbers are read: most arguments look like them.
_NUMBERISH = st.one_of(
    _NUMBER,
    st.tuples(st.sampled_from("NOnoBbMm"), _NUMBER).map("".join),  # N12, b5, M7
    st.tuples(_NUMBER, st.sampled_from("smhdjD")).map("".join),  # 2d, 99999999j
)
_TOKEN = st.one_of(
    _NUMBERISH, _NUMBERISH, st.sampled_from(WORDS), st.sampled_from(ODD), st.text(max_size=12)
)


def _keyword(word: str, case: int, slash: int) -> str:
    word = (word, word.upper(), word.title())[case]
    return ("", "/", "/")[slash] + word + ("", "", "@hubbot_bot")[slash]


# A command word in any case, maybe with Telegram's slash and @bot forms.
_KEYWORD = st.builds(
    _keyword,
    st.sampled_from(KEYWORDS),
    st.integers(0, 2),
    st.integers(0, 2),
)
# A text that starts like a command, with arguments made of odd tokens.
_COMMAND = st.builds(
    lambda keyword, words, separator: separator.join([keyword, *words]),
    _KEYWORD,
    st.lists(_TOKEN, max_size=6),
    st.sampled_from((" ", "  ", "\n", " \t")),
)
_TAKES_NUMBERS = {
    CommandId(name)
    for name in (
        "ack", "alertstatus", "done", "cat", "expire", "cancel", "match", "relay",
        "arrive", "leave", "assign", "unassign", "handover", "link", "more",
    )
}  # fmt: skip
# Commands that read an id, a count or a duration, with one to three number-like arguments:
# the shapes where a huge or odd number used to crash ("ACK B99999999999999999999").
NUMBERED = sorted(word for word, (spec, _) in REGISTRY.words.items() if spec.id in _TAKES_NUMBERS)
_REF = st.one_of(
    st.tuples(st.sampled_from("NOnoBbMm"), _NUMBER).map("".join),
    _NUMBER,
    st.sampled_from(ODD_DIGITS),
)
_NUMBERED = st.builds(
    lambda keyword, ref, rest: " ".join([keyword, ref, *rest]),
    st.builds(_keyword, st.sampled_from(NUMBERED), st.integers(0, 2), st.just(0)),
    _REF,
    st.lists(_NUMBERISH | st.sampled_from(WORDS), max_size=2),
)
_ANYTHING = st.one_of(st.text(max_size=200), st.lists(_TOKEN, max_size=8).map(" ".join))
# Hypothesis picks among these evenly: mostly commands, some with numbers, some anything.
_TEXT = st.one_of(_COMMAND, _COMMAND, _NUMBERED, _ANYTHING)


def numbers() -> st.SearchStrategy[str]:
    """A number as someone might type it: small, huge, signed, or in odd digits."""
    return _NUMBER


def tokens() -> st.SearchStrategy[str]:
    """One word of a command's arguments."""
    return _TOKEN


def commands() -> st.SearchStrategy[str]:
    """A text that starts like a command word, with arguments made of odd tokens."""
    return _COMMAND


def texts() -> st.SearchStrategy[str]:
    """What arrives: mostly command-shaped, sometimes anything at all (no lone surrogates,
    which the channels replace before anything is stored)."""
    return _TEXT
