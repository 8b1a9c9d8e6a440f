"""Checks a playbook's structure cannot express: references, duplicates, SMS cost, reserved words.

They run on the raw parsed YAML, not on the validated model, so that a file with a structural
error still gets every other problem reported in the same run. Texts that would go as UCS-2
are warnings, not problems: the playbook still loads, its SMS just cost more.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hubbot.domain.playbook import LOCALES
from hubbot.domain.registry import RESERVED_WORDS as COMMAND_RESERVED
from hubbot.domain.sms import is_gsm7, segment_count, sms_units
from hubbot.domain.text import words
from hubbot.playbooks.messages import at, format_loc
from hubbot.playbooks.yamlsource import Loc

MAX_CARD_SEGMENTS = 3

# Words the core reads as commands (folded: no case, no accents); an intent keyword equal to
# one of them would never be reached.
RESERVED_WORDS: frozenset[str] = frozenset(word.upper() for word in COMMAND_RESERVED)

Finding = tuple[Loc, str]


def keyword_key(keyword: str) -> str:
    """The form in which two keywords match the same messages: folded words, single-spaced."""
    return " ".join(words(keyword))


def check_semantics(data: object, known_keys: set[str] | None = None) -> list[Finding]:
    """Every semantic problem in the raw playbook data, each with the path it is about."""
    if not isinstance(data, dict):
        return []
    found: list[Finding] = []
    role_ids = _unique_ids(data, "roles", "role", found)
    if isinstance(data.get("roles"), list) and "lead" not in role_ids:
        found.append((("roles",), "roles: there is no role with id 'lead'; every hub needs a lead"))
    fallback = data.get("fallback_role")
    if isinstance(fallback, str) and isinstance(data.get("roles"), list):
        found.extend(_unknown_role(("fallback_role",), fallback, role_ids))
    for index, role in _entries(data, "roles"):
        found.extend(_card_cost(("roles", index, "card"), role.get("card")))
    _unique_ids(data, "intents", "intent", found)
    _check_intents(data, role_ids, known_keys, found)
    _unique_ids(data, "categories", "category", found)
    _unique_ids(data, "checkins", "check-in", found)
    for index, checkin in _entries(data, "checkins"):
        for n, role in enumerate(checkin.get("roles") or []):
            if isinstance(role, str):
                found.extend(_unknown_role(("checkins", index, "roles", n), role, role_ids))
        prompt = checkin.get("prompt")
        if known_keys is not None and isinstance(prompt, str) and prompt not in known_keys:
            found.append(
                (
                    ("checkins", index, "prompt"),
                    f"checkins[{index}].prompt: no message key {prompt!r} in locales/",
                )
            )
    for index, category in _entries(data, "categories"):
        found.extend(_unmatchable(("categories", index, "keywords"), category.get("keywords")))
    return found


def _entries(data: dict[Any, Any], key: str) -> Iterator[tuple[int, dict[Any, Any]]]:
    items = data.get(key)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _unique_ids(data: dict[Any, Any], key: str, kind: str, found: list[Finding]) -> list[str]:
    """The ids in order of definition; a repeated id is reported where it is repeated."""
    first: dict[str, int] = {}
    for index, item in _entries(data, key):
        value = item.get("id")
        if not isinstance(value, str):
            continue
        ident = value.strip()
        if ident in first:
            loc = (key, index, "id")
            where = format_loc((key, first[ident]))
            found.append((loc, f"{at(loc)}duplicate {kind} id '{ident}' (already used by {where})"))
        else:
            first[ident] = index
    return list(first)


def _unknown_role(loc: Loc, name: str, role_ids: list[str]) -> list[Finding]:
    if name.strip() in role_ids:
        return []
    defined = ", ".join(role_ids) or "none"
    return [(loc, f"{at(loc)}unknown role '{name.strip()}' (defined roles: {defined})")]


def _card_cost(loc: Loc, card: object) -> Iterator[Finding]:
    if not isinstance(card, dict):
        return
    for locale in LOCALES:
        text = card.get(locale)
        if not isinstance(text, str):
            continue
        text = text.strip()
        segments = segment_count(text)
        if segments <= MAX_CARD_SEGMENTS:
            continue
        encoding, length = sms_units(text)
        message = (
            f"the task card costs {segments} SMS segments ({length} characters, {encoding}); "
            f"the limit is {MAX_CARD_SEGMENTS}"
        )
        odd = sorted({ch for ch in text if not is_gsm7(ch)})
        if odd:
            # One such character switches the whole SMS to UCS-2, which fits far less text.
            message += f"; the characters {' '.join(odd)} force short UCS-2 segments"
        yield (*loc, locale), f"{at((*loc, locale))}{message}"


def _keywords(value: object) -> Iterator[tuple[str, int, str]]:
    if not isinstance(value, dict):
        return
    for locale in LOCALES:
        items = value.get(locale)
        if isinstance(items, list):
            for index, keyword in enumerate(items):
                if isinstance(keyword, str) and keyword.strip():
                    yield locale, index, keyword.strip()


def _unmatchable(loc: Loc, value: object) -> Iterator[Finding]:
    for locale, index, keyword in _keywords(value):
        if not keyword_key(keyword):
            where = (*loc, locale, index)
            yield (
                where,
                f"{at(where)}keyword {keyword!r} has no letters or digits, so never matches",
            )


def _check_intents(
    data: dict[Any, Any], role_ids: list[str], known_keys: set[str] | None, found: list[Finding]
) -> None:
    # match_intent tries intents in order whatever the language, so a keyword shared by two
    # intents is ambiguous across languages too: the later intent never sees it.
    owner: dict[str, tuple[str, Loc]] = {}
    for index, intent in _entries(data, "intents"):
        base: Loc = ("intents", index)
        name = str(intent.get("id", f"#{index}")).strip()
        route = intent.get("route_to")
        if isinstance(route, str) and isinstance(data.get("roles"), list):
            found.extend(_unknown_role((*base, "route_to"), route, role_ids))
        reply = intent.get("reply")
        if known_keys is not None and isinstance(reply, str) and reply.strip() not in known_keys:
            loc = (*base, "reply")
            found.append((loc, f"{at(loc)}unknown message key '{reply.strip()}'"))
        keywords = list(_keywords(intent.get("keywords")))
        if not keywords:
            loc = (*base, "keywords")
            found.append((loc, f"{at(loc)}intent '{name}' has no keywords, so nothing reaches it"))
        found.extend(_unmatchable((*base, "keywords"), intent.get("keywords")))
        for locale, position, keyword in keywords:
            loc = (*base, "keywords", locale, position)
            key = keyword_key(keyword)
            if key in COMMAND_RESERVED:
                found.append(
                    (loc, f"{at(loc)}{keyword!r} is a reserved command word; choose another")
                )
            elif key in owner and owner[key][0] != name:
                other, where = owner[key]
                found.append(
                    (
                        loc,
                        f"{at(loc)}keyword {keyword!r} is also used by intent '{other}' "
                        f"({format_loc(where)}); only the first intent would ever get it",
                    )
                )
            elif key:
                owner.setdefault(key, (name, loc))


# Texts a playbook sends by SMS, by path under each entry: (list, field). Keywords are only
# matched against what people type, never sent, so their accents cost nothing.
_SENT_TEXTS = (
    (None, "name"),
    ("roles", "name"),
    ("roles", "card"),
    ("categories", "name"),
    ("checkins", "name"),
)
_QUOTED_LENGTH = 60  # longer texts (cards) are quoted by the words that hold the characters


@dataclass(frozen=True)
class Ucs2Text:
    """A playbook text with characters outside GSM-7: its SMS would go as UCS-2."""

    loc: Loc  # where the text is, as the YAML parser keys it: ('roles', 0, 'name', 'fr')
    where: str  # the same, the way an organiser finds it: roles.lead.name.fr
    text: str
    odd: tuple[str, ...]  # the characters outside GSM-7, in order of first appearance

    def message(self) -> str:
        return (
            f'{self.where} "{_quoted(self.text, self.odd)}" has {_listed(self.odd)}, '
            "which makes the SMS UCS-2 (70 characters a segment instead of 160)"
        )


def ucs2_texts(data: object) -> list[Ucs2Text]:
    """Every text the playbook sends by SMS that holds a character outside GSM-7."""
    if not isinstance(data, dict):
        return []
    found: list[Ucs2Text] = []
    for section, field in _SENT_TEXTS:
        if section is None:
            found.extend(_ucs2_in(data.get(field), (field,), field))
            continue
        for index, item in _entries(data, section):
            ident = item.get("id")
            name = f"{section}.{ident.strip()}" if isinstance(ident, str) else f"{section}[{index}]"
            found.extend(_ucs2_in(item.get(field), (section, index, field), f"{name}.{field}"))
    return found


def _ucs2_in(value: object, loc: Loc, where: str) -> Iterator[Ucs2Text]:
    if not isinstance(value, dict):
        return
    for locale in LOCALES:
        text = value.get(locale)
        if isinstance(text, str) and not is_gsm7(text):
            odd = tuple(dict.fromkeys(ch for ch in text if not is_gsm7(ch)))
            yield Ucs2Text((*loc, locale), f"{where}.{locale}", text.strip(), odd)


def _quoted(text: str, odd: tuple[str, ...]) -> str:
    if len(text) <= _QUOTED_LENGTH and "\n" not in text:
        return text
    held = [word for word in text.split() if any(ch in word for ch in odd)]
    return "... " + " ... ".join(dict.fromkeys(held)) + " ..." if held else text[:_QUOTED_LENGTH]


def _listed(odd: tuple[str, ...]) -> str:
    shown = [_shown(ch) for ch in odd]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _shown(ch: str) -> str:
    # A no-break space looks like a space: name the ones nobody can see.
    if ch.isspace() or not ch.isprintable():
        return f"{ch!r} ({unicodedata.name(ch, 'unnamed').lower()})"
    return f"'{ch}'"
