"""A playbook as the core sees it: roles, intents, categories. Built by hubbot.playbooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from hubbot.domain.alert_rules import DEFAULT_RULES, AlertRule
from hubbot.domain.text import Phrases, by_first_word, fold, has_any, has_words, words

LOCALES = ("fr", "en")

# How check-in and roll-call answers are read when a playbook does not say (domain/answers.py).
DEFAULT_FINE_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("bien", "ça va", "tout va bien", "en sécurité", "sain et sauf", "saine et sauve",
           "rien à signaler", "ras", "pas de problème", "aucun problème", "correct", "oui",
           "tout roule", "ça roule", "sous contrôle", "tout est beau", "beau"),
    "en": ("fine", "good", "all good", "safe", "all clear", "no problem", "no problems",
           "no issues", "yes", "alright", "all right", "well", "under control", "great"),
}  # fmt: skip
DEFAULT_HELP_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("aide", "aidez", "aider", "secours", "sos", "coincé", "coincée", "coincés", "bloqué",
           "bloquée", "bloqués", "piégé", "piégée", "besoin", "danger", "évacuer", "inondé",
           "inondée"),
    "en": ("help", "sos", "stuck", "trapped", "rescue", "need", "needs", "danger", "evacuate",
           "flooded", "emergency"),
}  # fmt: skip


@dataclass(frozen=True)
class LocalText:
    """One text in each supported language."""

    fr: str
    en: str

    def get(self, locale: str) -> str:
        return self.fr if locale == "fr" else self.en


@dataclass(frozen=True)
class Role:
    id: str
    name: LocalText
    card: LocalText
    priority: bool = False


@dataclass(frozen=True)
class Intent:
    id: str
    keywords: dict[str, tuple[str, ...]]
    route_to: str
    reply: str
    urgent: bool = False  # a call for help: to the role through the urgent lane


@dataclass(frozen=True)
class Category:
    id: str
    name: LocalText
    keywords: dict[str, tuple[str, ...]]
    expires: timedelta


@dataclass(frozen=True)
class Checkin:
    """A status round of the playbook."""

    id: str
    roles: tuple[str, ...]
    every: timedelta
    prompt: str
    window: timedelta
    escalate: tuple[str, ...] = ("repeat", "lead", "coordinators")
    name: LocalText | None = None  # as people say it; the id when the playbook gives none

    @property
    def title(self) -> LocalText:
        """The round's name in each language, for texts sent to people."""
        return self.name or LocalText(fr=self.id, en=self.id)


@dataclass(frozen=True)
class SignificantRule:
    """Items of this category (from this many people or units) go to the lead and reports."""

    category: str
    min_quantity: int | None = None

    def applies(self, category: str | None, quantity: int | None) -> bool:
        if category != self.category:
            return False
        return self.min_quantity is None or (quantity or 0) >= self.min_quantity


@dataclass(frozen=True)
class Playbook:
    id: str
    name: LocalText
    roles: tuple[Role, ...]
    intents: tuple[Intent, ...]
    fallback_role: str
    categories: tuple[Category, ...]
    default_expiry: timedelta = timedelta(days=3)
    life_safety: dict[str, tuple[str, ...]] = field(default_factory=dict)
    significant: tuple[SignificantRule, ...] = ()
    checkins: tuple[Checkin, ...] = ()
    shift: timedelta | None = None
    sitrep_every: timedelta = timedelta(hours=2)
    rollcall_window: timedelta = timedelta(minutes=15)
    alert_rules: tuple[AlertRule, ...] = DEFAULT_RULES  # official alerts: who hears which
    fine_words: dict[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_FINE_WORDS)
    help_words: dict[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_HELP_WORDS)

    def checkin(self, checkin_id: str) -> Checkin | None:
        return next((c for c in self.checkins if c.id == checkin_id), None)

    def find_checkin(self, name: str) -> Checkin | None:
        """A check-in by its id or its name in either language, ignoring case and accents."""
        wanted = words(name.replace("_", " "))
        for checkin in self.checkins:
            names = (checkin.id, checkin.title.fr, checkin.title.en)
            if any(words(n.replace("_", " ")) == wanted for n in names):
                return checkin
        return None

    @cached_property
    def _life_safety_phrases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(p for ps in _phrases(self.life_safety).values() for p in ps)

    @cached_property
    def fine_phrases(self) -> tuple[tuple[str, ...], ...]:
        """The playbook's "I am fine" words, as folded word sequences (domain/answers.py)."""
        return tuple(p for ps in _phrases(self.fine_words).values() for p in ps)

    @cached_property
    def help_phrases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(p for ps in _phrases(self.help_words).values() for p in ps)

    @cached_property
    def _life_safety_index(self) -> Phrases:
        return by_first_word(self._life_safety_phrases)

    def is_life_safety(self, text: str) -> bool:
        """Whether the text holds a life-safety word (911, FEU, not breathing...)."""
        return has_any(words(text), self._life_safety_index)

    def is_significant(self, category: str | None, quantity: int | None) -> bool:
        return any(rule.applies(category, quantity) for rule in self.significant)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def find_role(self, name: str) -> Role | None:
        """A role by its id or its name in either language, ignoring case and accents."""
        wanted = fold(name).replace("-", "_").replace(" ", "_")
        for role in self.roles:
            names = (role.id, role.name.fr, role.name.en)
            if any(fold(n).replace("-", "_").replace(" ", "_") == wanted for n in names):
                return role
        return None

    @cached_property
    def _intent_phrases(self) -> tuple[tuple[Intent, dict[str, tuple[tuple[str, ...], ...]]], ...]:
        """Each intent's keywords, folded into word tuples once rather than per message."""
        return tuple((i, _phrases(i.keywords)) for i in self.intents)

    @cached_property
    def _category_phrases(self) -> tuple[tuple[Category, tuple[tuple[str, ...], ...]], ...]:
        return tuple(
            (c, tuple(p for ps in _phrases(c.keywords).values() for p in ps))
            for c in self.categories
        )

    def match_intent(self, text: str) -> tuple[Intent, str | None] | None:
        """The first intent whose keyword occurs in the text, with the keyword's language
        (None when the word is the same in both, like "radio")."""
        have = words(text)
        for intent, phrases in self._intent_phrases:
            matched = [
                locale
                for locale in LOCALES
                if any(has_words(have, p) for p in phrases.get(locale, ()))
            ]
            if matched:
                return intent, matched[0] if len(matched) == 1 else None
        return None

    @cached_property
    def _phrases_by_first_word(self) -> dict[str, tuple[tuple[int, int, tuple[str, ...]], ...]]:
        """Every category keyword, by its first word: (category index, phrase index, words).
        A text is then read once, word by word, not once per keyword (hundreds of them)."""
        index: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
        for ci, (_, phrases) in enumerate(self._category_phrases):
            for pi, phrase in enumerate(phrases):
                if phrase:
                    index.setdefault(phrase[0], []).append((ci, pi, phrase))
        return {word: tuple(entries) for word, entries in index.items()}

    def categorise(self, text: str) -> Category | None:
        """The category with the most keywords in the text; on a tie, the one named first
        ("a generator for my oxygen machine" is about power). None if nothing matches."""
        have = words(text)
        first_at: dict[tuple[int, int], int] = {}  # (category, keyword) -> where it first occurs
        for i, word in enumerate(have):
            for ci, pi, phrase in self._phrases_by_first_word.get(word, ()):
                if (ci, pi) not in first_at and tuple(have[i : i + len(phrase)]) == phrase:
                    first_at[(ci, pi)] = i
        found: dict[int, list[int]] = {}
        for (ci, _), at in first_at.items():
            found.setdefault(ci, []).append(at)
        best: tuple[int, int, Category] | None = None
        for ci, (category, _) in enumerate(self._category_phrases):
            if ci not in found:
                continue
            score = (len(found[ci]), -min(found[ci]))
            if best is None or score > best[:2]:
                best = (*score, category)
        return best[2] if best else None

    def expiry_for(self, category_id: str | None) -> timedelta:
        for category in self.categories:
            if category.id == category_id:
                return category.expires
        return self.default_expiry


def _phrases(keywords: dict[str, tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    return {lc: tuple(tuple(words(k)) for k in ks) for lc, ks in keywords.items()}
