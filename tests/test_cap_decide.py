"""The core's decisions on an official alert: the text an SMS carries, and who hears what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hubbot.channels.cap import parse_cap
from hubbot.domain.alert_rules import AlertRule, Audience
from hubbot.domain.cap_relay import HubPlace, Known, Outcome, decide, full_text, sms_text
from hubbot.domain.messages import Priority
from hubbot.domain.sms import segment_count

CAP = Path(__file__).parent / "fixtures" / "cap"
NOW = datetime(2026, 4, 20, 11, 0, tzinfo=UTC)
ALERT = parse_cap((CAP / "alert.xml").read_bytes())
RIVERSIDE = HubPlace(1, "PLATEAU", 45.545, -73.68, None, exercise=False)


def test_an_sms_carries_the_headline_the_start_of_the_instruction_and_the_source() -> None:
    long = replace(
        ALERT, infos=tuple(replace(i, instruction="Move up. " * 80) for i in ALERT.infos)
    )
    for language in ("fr-CA", "en-CA"):
        text = sms_text(long, language)
        assert segment_count(text + "x" * 52) <= 3, "the frame and the text fit 3 segments"
        assert "..." in text and text.endswith(
            "Montréal Civil Security" if language == "en-CA" else "Sécurité civile de Montréal"
        )
    assert sms_text(long, "fr-CA").startswith("avertissement d'inondation - rivière des Prairies.")


def test_the_full_text_keeps_the_description_and_the_area_for_the_console_and_telegram() -> None:
    text = full_text(ALERT, "en-CA")
    info = ALERT.infos[1]
    assert info.description.split()[0] in text and info.areas[0].description in text


def test_a_playbook_rule_can_send_moderate_alerts_to_every_member_in_the_urgent_lane() -> None:
    rule = AlertRule(severities=frozenset({"Severe"}), audience=Audience.MEMBERS, urgent=True)
    decision = decide(ALERT, Known(False), [replace(RIVERSIDE, rules=(rule,))], NOW)
    assert decision.outcome is Outcome.RELAYED
    (target,) = decision.targets
    assert (target.audience, target.lane) == (Audience.MEMBERS, Priority.ALERT)


def test_an_alert_no_rule_takes_is_kept_with_the_reason() -> None:
    rule = AlertRule(severities=frozenset({"Extreme"}))
    decision = decide(ALERT, Known(False), [replace(RIVERSIDE, rules=(rule,))], NOW)
    assert decision.outcome is Outcome.RECEIVED and not decision.targets
    assert decision.reason == "severity Severe, urgency Expected: no playbook rule sends it"


def test_by_default_a_severe_expected_alert_goes_to_lead_and_communications_not_urgent() -> None:
    (target,) = decide(ALERT, Known(False), [RIVERSIDE], NOW).targets
    assert target.roles == ("lead", "communications") and target.lane is Priority.NORMAL


def test_hubs_without_a_location_are_named_as_the_reason_nothing_was_relayed() -> None:
    nowhere = HubPlace(1, "PLATEAU", None, None, None, exercise=False)
    decision = decide(ALERT, Known(False), [nowhere], NOW)
    assert decision.outcome is Outcome.RECEIVED and "no hub has a location" in decision.reason
