"""A checked playbook (the schema's PlaybookSpec) as the core's Playbook."""

from __future__ import annotations

from hubbot.domain.alert_rules import DEFAULT_RULES, AlertRule, Audience
from hubbot.domain.durations import parse_duration
from hubbot.domain.playbook import (
    DEFAULT_FINE_WORDS,
    DEFAULT_HELP_WORDS,
    LOCALES,
    Category,
    Checkin,
    Intent,
    LocalText,
    Playbook,
    Role,
    SignificantRule,
)
from hubbot.playbooks.checks import keyword_key
from hubbot.playbooks.schema import AlertRuleSpec, KeywordsSpec, PlaybookSpec, TextSpec


def to_domain(spec: PlaybookSpec) -> Playbook:
    """A checked playbook file as the core's Playbook."""
    default_expiry = parse_duration(spec.defaults.item_expiry)
    return Playbook(
        id=spec.id,
        name=_text(spec.name),
        roles=tuple(
            Role(id=r.id, name=_text(r.name), card=_text(r.card), priority=r.priority)
            for r in spec.roles
        ),
        intents=tuple(
            Intent(
                id=i.id,
                keywords=_keywords(i.keywords),
                route_to=i.route_to,
                reply=i.reply,
                urgent=i.urgent,
            )
            for i in spec.intents
        ),
        fallback_role=spec.fallback_role,
        categories=tuple(
            Category(
                id=c.id,
                name=_text(c.name),
                keywords=_keywords(c.keywords),
                expires=parse_duration(c.expires) if c.expires else default_expiry,
            )
            for c in spec.categories
        ),
        default_expiry=default_expiry,
        life_safety=_keywords(spec.life_safety),
        significant=tuple(
            SignificantRule(rule.category, rule.min_quantity) for rule in spec.significant
        ),
        checkins=tuple(
            Checkin(
                c.id,
                tuple(c.roles),
                parse_duration(c.every),
                c.prompt,
                parse_duration(c.window),
                tuple(c.escalate),
                name=_text(c.name) if c.name else None,
            )
            for c in spec.checkins
        ),
        shift=parse_duration(spec.shift) if spec.shift else None,
        sitrep_every=parse_duration(spec.sitrep_every),
        rollcall_window=parse_duration(spec.rollcall_window),
        alert_rules=_alert_rules(spec.alerts),
        fine_words=_keywords(spec.answers.fine) if spec.answers.fine else DEFAULT_FINE_WORDS,
        help_words=_keywords(spec.answers.help) if spec.answers.help else DEFAULT_HELP_WORDS,
    )


def _alert_rules(specs: list[AlertRuleSpec] | None) -> tuple[AlertRule, ...]:
    if specs is None:
        return DEFAULT_RULES
    return tuple(
        AlertRule(
            frozenset(rule.severity),
            frozenset(rule.urgency),
            frozenset(rule.certainty),
            Audience(rule.to),
            tuple(rule.roles),
            None if rule.lane is None else rule.lane == "urgent",
        )
        for rule in specs
    )


def _text(spec: TextSpec) -> LocalText:
    return LocalText(fr=spec.fr, en=spec.en)


def _keywords(spec: KeywordsSpec) -> dict[str, tuple[str, ...]]:
    """Keywords per locale, each matching form kept once across both languages.

    Matching ignores case and accents, so 'génératrice' and 'generatrice' are the same keyword;
    keeping both would count one word twice when categorise() scores themes.
    """
    seen: set[str] = set()
    result: dict[str, list[str]] = {locale: [] for locale in LOCALES}
    for locale in LOCALES:
        for keyword in getattr(spec, locale):
            key = keyword_key(keyword)
            if key and key not in seen:
                seen.add(key)
                result[locale].append(keyword)
    return {locale: tuple(items) for locale, items in result.items()}
