"""Broken playbooks are reported as file:line: message, in words a hub organiser understands."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from hubbot.cli.playbook_cmds import cmd_check, cmd_schema
from hubbot.playbooks.loader import (
    RESERVED_WORDS,
    PlaybookError,
    Problem,
    check_path,
    load_dir,
    load_file,
    load_playbooks,
)

SHIPPED = Path(__file__).resolve().parent.parent / "playbooks"

# Line numbers matter: each test swaps one line for another, so the numbers below stay true.
VALID = """\
id: test-hub
name: {fr: Centre test, en: Test hub}
fallback_role: reception
defaults:
  item_expiry: 3d
roles:
  - id: lead
    name: {fr: Responsable, en: Lead}
    priority: true
    card: {fr: Coordonnez., en: Coordinate.}
  - id: reception
    name: {fr: Accueil, en: Reception}
    card: {fr: Accueillez., en: Greet people.}
intents:
  - id: building_problem
    route_to: reception
    reply: reply.routed
    keywords: {fr: [fuite], en: [leak]}
categories:
  - id: water
    name: {fr: Eau, en: Water}
    expires: 1d
    keywords: {fr: [eau, "l'eau"], en: [water]}
"""

SECOND_INTENT = """\
  - id: radio_call
    route_to: lead
    reply: reply.routed
    keywords: {fr: [radio, Fuite], en: [radio]}
"""


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def check(tmp_path: Path, text: str, known_keys: set[str] | None = None) -> list[Problem]:
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    playbook, problems = load_file(path, known_keys)
    assert (playbook is None) == bool(problems)
    return problems


def on_line(problems: list[Problem], line: int) -> str:
    """Every message reported on a line, joined, so a test can look for words in them."""
    messages = [p.message for p in problems if p.line == line]
    assert messages, f"nothing reported on line {line}: {[str(p) for p in problems]}"
    return "\n".join(messages)


def test_the_valid_example_loads_into_domain_objects(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(VALID, encoding="utf-8")
    playbook, problems = load_file(path)
    assert problems == []
    assert playbook is not None
    assert playbook.default_expiry == timedelta(days=3)
    assert playbook.categories[0].expires == timedelta(days=1)
    assert playbook.categories[0].keywords == {"fr": ("eau", "l'eau"), "en": ("water",)}
    assert playbook.intents[0].keywords == {"fr": ("fuite",), "en": ("leak",)}
    assert playbook.fallback_role == "reception"


def test_a_yaml_syntax_error_is_reported_on_the_line_of_the_problem(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("name: {fr: Accueil, en: Reception}", "name: x: y"))
    assert [p.line for p in problems] == [12]
    assert "YAML syntax error" in problems[0].message
    assert "quotes" in problems[0].message


def test_tabs_used_for_indentation_are_explained(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    priority: true", "\tpriority: true"))
    assert [p.line for p in problems] == [9]
    assert "tabs" in problems[0].message


def test_a_missing_english_role_name_is_reported_on_its_line(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("{fr: Accueil, en: Reception}", "{fr: Accueil}"))
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'hub.yaml'}:12: roles[1].name: field 'en' is required"
    ]


def test_a_missing_task_card_points_at_the_role_it_belongs_to(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    card: {fr: Accueillez., en: Greet people.}", ""))
    assert on_line(problems, 11) == "roles[1]: field 'card' is required"


def test_a_misspelt_field_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    priority: true", "    priorty: true"))
    message = on_line(problems, 9)
    assert "roles[0]: unknown field 'priorty'" in message
    assert "did you mean 'priority'" in message


def test_a_priority_that_is_not_true_or_false_is_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    priority: true", '    priority: "sometimes"'))
    assert on_line(problems, 9) == "roles[0].priority: must be true or false, not 'sometimes'"


def test_a_duration_without_a_unit_says_how_to_write_one(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    expires: 1d", "    expires: 1 week"))
    message = on_line(problems, 22)
    assert message.startswith("categories[0].expires: '1 week' is not valid")
    assert "2h" in message


def test_a_zero_or_unitless_default_expiry_is_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("  item_expiry: 3d", "  item_expiry: 0d"))
    assert "more than zero" in on_line(problems, 5)
    problems = check(tmp_path, broken("  item_expiry: 3d", "  item_expiry: 72"))
    assert "with a unit, like 90s, 15m, 2h or 3d" in on_line(problems, 5)


def test_an_intent_routed_to_an_unknown_role_lists_the_defined_roles(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    route_to: reception", "    route_to: facilty"))
    assert on_line(problems, 16) == (
        "intents[0].route_to: unknown role 'facilty' (defined roles: lead, reception)"
    )


def test_a_fallback_to_an_unknown_role_is_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("fallback_role: reception", "fallback_role: acceuil"))
    assert [p.line for p in problems] == [3]
    assert "unknown role 'acceuil'" in problems[0].message


def test_a_duplicate_role_id_is_reported_where_it_is_repeated(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("  - id: reception", "  - id: lead"))
    assert on_line(problems, 11) == (
        "roles[1].id: duplicate role id 'lead' (already used by roles[0])"
    )


def test_a_playbook_without_a_lead_role_is_rejected(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("  - id: lead", "  - id: boss"))
    assert "no role with id 'lead'" in on_line(problems, 6)


def test_a_keyword_shared_by_two_intents_is_ambiguous(tmp_path: Path) -> None:
    line = "    keywords: {fr: [fuite], en: [leak]}\n"
    problems = check(tmp_path, broken(line, line + SECOND_INTENT))
    message = on_line(problems, 22)
    assert "intents[1].keywords.fr[1]: keyword 'Fuite'" in message
    assert "intent 'building_problem'" in message
    # "radio" in both languages of the same intent is fine.
    assert "radio" not in message
    assert len(problems) == 1


def test_a_reserved_command_word_cannot_be_an_intent_keyword(tmp_path: Path) -> None:
    problems = check(
        tmp_path,
        broken("{fr: [fuite], en: [leak]}", "{fr: [fuite, aide, arrêt], en: [leak, Help]}"),
    )
    message = on_line(problems, 18)
    assert "'aide' is a reserved command word" in message
    assert "'arrêt' is a reserved command word" in message
    assert "'Help' is a reserved command word" in message
    assert {"STOP", "ARRET", "HELP", "AIDE", "INFO"} <= RESERVED_WORDS


def test_a_reply_key_missing_from_the_catalogue_is_reported(tmp_path: Path) -> None:
    text = broken("    reply: reply.routed", "    reply: reply.routd")
    problems = check(tmp_path, text, known_keys={"reply.routed"})
    assert on_line(problems, 17) == "intents[0].reply: unknown message key 'reply.routd'"
    assert check(tmp_path, text) == []


def test_a_task_card_longer_than_three_sms_is_reported_with_its_cost(tmp_path: Path) -> None:
    long_card = "Accueillez. " * 40
    problems = check(tmp_path, broken("{fr: Accueillez.,", f"{{fr: {long_card},"))
    message = on_line(problems, 13)
    assert message.startswith("roles[1].card.fr: the task card costs 4 SMS segments")
    assert "the limit is 3" in message


def test_a_card_pushed_into_ucs2_names_the_characters_to_blame(tmp_path: Path) -> None:
    card = "Tâche: être prêt. " * 12  # 215 characters once stripped: 4 SMS in UCS-2
    problems = check(tmp_path, broken("{fr: Accueillez.,", f'{{fr: "{card}",'))
    message = on_line(problems, 13)
    assert "4 SMS segments" in message
    assert "UCS-2" in message
    assert "â ê" in message


def test_an_intent_without_keywords_is_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("{fr: [fuite], en: [leak]}", "{fr: [], en: []}"))
    assert "'building_problem' has no keywords" in on_line(problems, 18)


def test_a_key_given_twice_in_one_block_is_reported(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("    priority: true", "    card: {fr: Un., en: One.}"))
    assert "field 'card' is given twice" in on_line(problems, 10)


def test_a_bare_yes_or_no_keyword_is_explained_as_a_yaml_quirk(tmp_path: Path) -> None:
    problems = check(tmp_path, broken("en: [water]}", "en: [water, no]}"))
    assert "put the word in quotes" in on_line(problems, 23)


def test_an_empty_file_and_a_list_file_are_reported(tmp_path: Path) -> None:
    assert [str(p.message) for p in check(tmp_path, "")] == ["the file is empty"]
    problems = check(tmp_path, "- a\n- b\n")
    assert [(p.line, p.message) for p in problems] == [
        (1, "the file must be a block of 'field: value' lines")
    ]


def test_every_problem_in_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    text = (
        VALID.replace("    priority: true", '    priority: "sometimes"')
        .replace("{fr: Accueil, en: Reception}", "{fr: Accueil}")
        .replace("    route_to: reception", "    route_to: facilty")
        .replace("    expires: 1d", "    expires: soon")
    )
    problems = check(tmp_path, text)
    assert [p.line for p in problems] == [9, 12, 16, 22]


def test_two_files_with_the_same_playbook_id_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yml").write_text(VALID, encoding="utf-8")
    playbooks, problems = load_dir(tmp_path)
    assert list(playbooks) == ["test-hub"]
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b.yml'}:1: id: playbook id 'test-hub' is already used by "
        f"{tmp_path / 'a.yaml'}"
    ]


def test_an_empty_directory_is_a_problem(tmp_path: Path) -> None:
    playbooks, problems = load_dir(tmp_path)
    assert playbooks == {}
    assert "no playbook files" in problems[0].message


def test_load_playbooks_raises_with_every_problem(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(broken("  - id: lead", "  - id: boss"), encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)
    assert caught.value.problems[0].line == 6
    assert "hub.yaml:6:" in str(caught.value)


def test_check_prints_each_problem_with_the_path_as_given_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hub.yaml").write_text(broken("  - id: lead", "  - id: boss"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert cmd_check(Path("hub.yaml"), out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("hub.yaml:6: roles: there is no role with id 'lead'")
    assert lines[-1] == "1 problem(s) found"


def test_check_passes_the_shipped_playbooks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_check(SHIPPED) == 0
    assert capsys.readouterr().out == "OK: 1 playbook(s) valid\n"


UCS2 = "which makes the SMS UCS-2 (70 characters a segment instead of 160)"


def test_a_text_that_would_go_ucs2_is_a_warning_with_its_line_and_character(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = VALID.replace("{fr: Responsable, en: Lead}", "{fr: Responsable du pôle, en: Lead}")
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert cmd_check(Path("hub.yaml"), out=out) == 0, "a warning does not fail the check"
    assert out.getvalue().splitlines() == [
        f"hub.yaml:8: roles.lead.name.fr \"Responsable du pôle\" has 'ô', {UCS2}",
        "OK: 1 playbook(s) valid; 1 warning(s)",
    ]


def test_a_playbook_with_ucs2_texts_still_loads_and_the_service_logs_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = VALID.replace("Centre test", "Pôle test")
    text = text.replace("{fr: Eau, en: Water}", "{fr: Eau à boire, en: Water’s}")
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    with caplog.at_level("WARNING", logger="hubbot.playbooks.loader"):
        playbooks = load_playbooks(tmp_path)
    assert playbooks["test-hub"].name.fr == "Pôle test", "loaded as written, not folded"
    file = tmp_path / "hub.yaml"
    assert [r.getMessage() for r in caplog.records] == [
        f"{file}:2: name.fr \"Pôle test\" has 'ô', {UCS2}",
        f"{file}:21: categories.water.name.en \"Water’s\" has '’', {UCS2}",
    ]


def test_a_card_warning_points_at_the_card_line_that_holds_the_character(
    tmp_path: Path,
) -> None:
    card = "card:\n      fr: |-\n        - Coordonnez.\n        - Pas de fenêtre ouverte; œuvrez.\n"
    text = VALID.replace("card: {fr: Coordonnez., en: Coordinate.}\n", card + "      en: Go.\n")
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    checked = check_path(tmp_path / "hub.yaml")
    assert checked.problems == [] and list(checked.playbooks) == ["test-hub"]
    assert [(w.line, w.message) for w in checked.warnings] == [
        (13, f"roles.lead.card.fr \"... fenêtre ... œuvrez. ...\" has 'ê' and 'œ', {UCS2}")
    ]


def test_an_invisible_character_is_named_in_the_warning(tmp_path: Path) -> None:
    text = VALID.replace("{fr: Accueil, en: Reception}", '{fr: "Accueil\\u00a0:", en: Reception}')
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    [warning] = check_path(tmp_path / "hub.yaml").warnings
    assert warning.line == 12
    assert "has '\\xa0' (no-break space)" in warning.message


def test_keywords_keep_their_accents_without_a_warning(tmp_path: Path) -> None:
    # Keywords are matched against what people type, never sent.
    text = VALID.replace(
        'keywords: {fr: [eau, "l\'eau"]', 'keywords: {fr: [eau, "ça coule", "dégât d\'eau"]'
    )
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    checked = check_path(tmp_path / "hub.yaml")
    assert checked.problems == [] and checked.warnings == []


def test_a_broken_playbook_counts_its_warnings_beside_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = broken("  - id: lead", "  - id: boss").replace("Centre test", "Pôle test")
    (tmp_path / "hub.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert cmd_check(Path("hub.yaml"), out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("hub.yaml:6: roles: there is no role with id 'lead'")
    assert lines[1] == f"hub.yaml:2: name.fr \"Pôle test\" has 'ô', {UCS2}"
    assert lines[-1] == "1 problem(s) found; 1 warning(s)"


def test_schema_is_json_that_describes_roles_and_intents() -> None:
    out = io.StringIO()
    assert cmd_schema(out=out) == 0
    schema = json.loads(out.getvalue())
    assert {"roles", "intents", "categories"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert schema["properties"]["roles"]["description"]


CHECKIN = """\
checkins:
  - id: status
    roles: [reception]
    every: 2h
"""


def test_a_check_in_without_a_name_is_called_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(VALID + CHECKIN, encoding="utf-8")
    playbook, problems = load_file(path)
    assert problems == [] and playbook is not None
    assert playbook.checkins[0].title.fr == "status" and playbook.checkins[0].title.en == "status"


def test_a_check_in_name_is_given_in_each_language_and_found_by_either(tmp_path: Path) -> None:
    named = CHECKIN + "    name: {fr: état des postes, en: station status}\n"
    path = tmp_path / "hub.yaml"
    path.write_text(VALID + named, encoding="utf-8")
    playbook, problems = load_file(path)
    assert problems == [] and playbook is not None
    assert playbook.checkins[0].title.get("fr") == "état des postes"
    assert playbook.checkins[0].title.get("en") == "station status"
    for said in ("Etat des postes", "station STATUS", "status"):
        assert playbook.find_checkin(said) is playbook.checkins[0], said
    assert playbook.find_checkin("postes") is None


def test_a_check_in_name_that_would_go_ucs2_is_a_warning(tmp_path: Path) -> None:
    named = CHECKIN + "    name: {fr: Tour des pôles, en: Status}\n"
    (tmp_path / "hub.yaml").write_text(VALID + named, encoding="utf-8")
    checked = check_path(tmp_path / "hub.yaml")
    assert checked.problems == [] and list(checked.playbooks) == ["test-hub"]
    assert [(w.line, w.message) for w in checked.warnings] == [
        (28, f"checkins.status.name.fr \"Tour des pôles\" has 'ô', {UCS2}")
    ]
