"""Every command is one spec: its keywords in both languages, claimed once, with a loader for
each fact it needs, a guard that logs refusals, and a Telegram menu drawn from the same table."""

from __future__ import annotations

import pytest

from hubbot.domain.commands import CommandId, CommandSpec
from hubbot.domain.facts import NamedHub
from hubbot.domain.personal import on_help
from hubbot.domain.registry import REGISTRY, Registry
from hubbot.service.facts import LOADERS

# Reached by what a message is, not by a keyword: a blank SMS, a playbook intent, free text.
WITHOUT_KEYWORDS = {CommandId.EMPTY, CommandId.INTENT, CommandId.TEXT}


def test_every_command_id_has_exactly_one_spec() -> None:
    assert set(REGISTRY.specs) == set(CommandId)


def test_two_specs_cannot_claim_the_same_keyword() -> None:
    first = CommandSpec(CommandId.HELP, on_help, whole={"aide": "fr"})
    second = CommandSpec(CommandId.STOP, on_help, whole={"aide": "fr"})
    with pytest.raises(ValueError, match="aide"):
        Registry([first, second])


def test_a_command_cannot_be_registered_twice() -> None:
    spec = CommandSpec(CommandId.HELP, on_help, whole={"aide": "fr"})
    with pytest.raises(ValueError, match="twice"):
        Registry([spec, spec])


@pytest.mark.parametrize("spec", REGISTRY.specs.values(), ids=lambda spec: str(spec.id))
def test_every_command_can_be_typed_in_french_and_in_english(spec: CommandSpec) -> None:
    if spec.id in WITHOUT_KEYWORDS:
        assert not spec.keywords
        return
    locales = {locale for words in (spec.whole, spec.words) for locale in words.values()}
    assert "fr" in locales or None in locales, f"{spec.id} has no French keyword"
    assert "en" in locales or None in locales, f"{spec.id} has no English keyword"


@pytest.mark.parametrize("spec", REGISTRY.specs.values(), ids=lambda spec: str(spec.id))
def test_every_fact_a_command_needs_has_a_loader(spec: CommandSpec) -> None:
    assert set(spec.facts) <= set(LOADERS)


@pytest.mark.parametrize("spec", REGISTRY.specs.values(), ids=lambda spec: str(spec.id))
def test_each_keyword_parses_to_its_own_command_also_as_a_telegram_slash_command(
    spec: CommandSpec,
) -> None:
    for word in spec.whole:
        assert REGISTRY.parse(word.upper(), None).name is spec.id
        assert REGISTRY.parse(f"/{word}@hubbot_bot", None).name is spec.id
    for word in spec.words:
        args = "123456" if spec.arguments else "DEMO"
        assert REGISTRY.parse(f"{word.upper()} {args}", None).name is spec.id
        assert REGISTRY.parse(f"/{word}@hubbot_bot {args}", None).name is spec.id


def test_the_telegram_menu_offers_real_keywords_in_each_language() -> None:
    menu = REGISTRY.menu()
    # A newcomer's commands first, STOP last.
    assert [m.en for m in menu][:4] == ["help", "join", "need", "offer"]
    assert menu[-1].en == "stop"
    for entry in menu:
        for word, locale in ((entry.fr, "fr"), (entry.en, "en")):
            parsed = REGISTRY.parse(f"/{word} x" if word in REGISTRY.words else f"/{word}", None)
            spec = REGISTRY.spec(parsed.name)
            assert spec.menu == entry
            assert spec.whole.get(word, spec.words.get(word)) in (locale, None)


def test_a_fact_group_a_spec_does_not_name_fails_loudly() -> None:
    from datetime import UTC, datetime

    from hubbot.domain.context import Context, MissingFacts
    from hubbot.domain.models import Person

    ctx = Context(datetime(2026, 1, 1, tzinfo=UTC), Person(1, "fr"), None)
    with pytest.raises(MissingFacts, match="NamedHub"):
        ctx.of(NamedHub)
