"""Read an answer to a check-in or a roll call conservatively: only a clear "fine" is fine.

A person in trouble rarely writes the word we hoped for. "2 - coincé au 2e étage" and
"eau dans le sous-sol, je suis coincée" need help; "pas vraiment" and "not sure" are not
"fine". So: an answer that starts with 2, or holds a help or life-safety word, is a call for
help; an answer is fine only when it says so (OK, 1, or one of the playbook's fine words)
with no negation or worry beside it; anything else is unclear, and a human looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hubbot.domain.playbook import Playbook
from hubbot.domain.text import find_words, has_words, words


class Reading(StrEnum):
    FINE = "ok"
    HELP = "help"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Answer:
    reading: Reading
    life_safety: bool  # it also holds a life-safety word: run the 911 path
    text: str

    @property
    def needs_a_human(self) -> bool:
        return self.reading is not Reading.FINE


# Always fine, whatever the playbook says: the words the prompts themselves ask for.
BASE_FINE = (("ok",), ("okay",), ("1",))
NO_HELP = tuple(
    tuple(words(p))
    for p in (
        "pas besoin d'aide", "pas besoin", "aucune aide", "aucun besoin", "no help needed",
        "no help", "don't need help", "do not need help", "no need",
    )
)  # fmt: skip
# Words that undo or cast doubt on a "fine" beside them ("pas bien", "not ok", "bof").
DOUBT = frozenset(
    [
        "pas",
        "non",
        "ne",
        "n",
        "no",
        "not",
        "nope",
        "never",
        "jamais",
        "bof",
        "mouais",
        "moyen",
        "moyennement",
        "couci",
        "maybe",
        "peut",
        "unsure",
        "inquiet",
        "inquiete",
        "inquiets",
        "worried",
        "scared",
        "afraid",
        "peur",
        "probleme",
        "problemes",
        "problem",
        "problems",
        "issue",
        "issues",
        "souci",
        "soucis",
        "difficile",
        "sauf",
        "except",
    ]
)


def read_answer(text: str, playbook: Playbook) -> Answer:
    """How to count an answer; its text is kept by the caller and shown to the lead."""
    have = words(text)
    life_safety = playbook.is_life_safety(text)
    if life_safety or (have and have[0] == "2"):
        return Answer(Reading.HELP, life_safety, text)
    # "pas besoin d'aide" says fine with a help word in it: take such phrases out first.
    rest, no_help = _take(have, NO_HELP)
    if _holds(rest, playbook.help_phrases):
        return Answer(Reading.HELP, False, text)
    rest, fine = _take(rest, (*BASE_FINE, *playbook.fine_phrases))
    if (fine or no_help) and not DOUBT.intersection(rest):
        return Answer(Reading.FINE, False, text)
    return Answer(Reading.UNCLEAR, False, text)


def _take(have: list[str], phrases: tuple[tuple[str, ...], ...]) -> tuple[list[str], bool]:
    """`have` without every occurrence of the phrases, longest first ("no problem" goes whole
    before "no" could count as a doubt); and whether any was there."""
    rest, found = list(have), False
    for phrase in sorted(phrases, key=len, reverse=True):
        while (at := find_words(rest, phrase)) >= 0:
            found = True
            rest[at : at + len(phrase)] = ["\0"]  # a marker: phrases never join across it
    return rest, found


def _holds(have: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(has_words(have, p) for p in phrases)


def restates(text: str) -> bool:
    """Whether a text after an answer is a new answer: it starts with OK, 1 or 2.

    Other text after someone has answered is an ordinary message and goes where it belongs.
    """
    have = words(text)
    return bool(have) and have[0] in ("ok", "okay", "1", "2")


# A roll call stores each answer as the word it asked for: 1 safe, 2 help, ? unclear.
ROLLCALL_WORD = {Reading.FINE: "1", Reading.HELP: "2", Reading.UNCLEAR: "?"}
CALLS = frozenset(
    {"life_safety", "rollcall_help", "checkin_help", "checkin_silent", "call_for_help"}
)
# A bare OK settles only what was asked within this time: an old alert must not swallow it.
AWAIT_WINDOW = timedelta(hours=24)


class AwaitKind(StrEnum):
    ALERT = "alert"  # an alert that ends "OK to confirm"
    BROADCAST = "broadcast"
    ROLLCALL = "rollcall"
    CHECKIN = "checkin"


@dataclass(frozen=True)
class Awaiting:
    """Something a person was asked to answer or confirm and has not yet."""

    kind: AwaitKind
    ref: int  # the confirmation, broadcast, roll call or check-in ask
    asked_at: datetime
    label: str = ""  # what it is about, as people see it: "N7", "M12", "B3"
    subject_id: int | None = None  # whom it is about: told who confirmed
    peers: tuple[int, ...] = ()  # others asked to confirm the same, who have not yet
    topic: str = ""  # for an alert, what kind (messages.Confirm.kind)

    @property
    def is_a_call(self) -> bool:
        """An alert about someone who needs a person to go: confirming it means "I'm on it"."""
        return self.topic in CALLS


def newest(awaiting: tuple[Awaiting, ...]) -> Awaiting | None:
    """What a bare OK answers: the last thing the person was asked."""
    return max(awaiting, key=lambda a: (a.asked_at, a.kind == AwaitKind.ALERT), default=None)
