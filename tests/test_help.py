"""Help that fits the person: refusals say who may, AIDE lists the asker's own commands, AIDE
<command> explains one, and every task card ends with the role's main commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from hubbot.domain.commands import Command, CommandId
from hubbot.domain.context import Context
from hubbot.domain.guard import only
from hubbot.domain.messages import Msg
from hubbot.domain.models import Hub, HubStatus, Person
from hubbot.domain.permissions import Action, who_may
from hubbot.domain.playbook import Playbook
from hubbot.domain.registry import REGISTRY
from hubbot.domain.sms import segment_count
from hubbot.domain.usage import permits
from hubbot.i18n import Renderer
from tests.conftest import Harness

LEAD, RECEPTION, HELPER, COMMS = "+15145550101", "+15145550102", "+15145550103", "+15145550104"
ANA, BOB, STRANGER, COORD = "+15145550111", "+15145550112", "+15145550150", "+15145550199"
VOLUNTEER_FR = ["BESOIN", "OFFRE", "MOI", "LANGUE"]
VOLUNTEER_EN = ["NEED", "OFFER", "WHOAMI", "LANG"]


async def _hub(harness: Harness) -> None:
    """PLATEAU, open, with reception, needs & offers and communications; Ana writes in French,
    Bob in English."""
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, f"ASSIGNER {RECEPTION} accueil")
    await harness.text(LEAD, f"ASSIGNER {HELPER} besoins et offres")
    await harness.text(LEAD, f"ASSIGNER {COMMS} communications")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(BOB, "JOIN PLATEAU")


def _commands(reply: str) -> list[str]:
    """The keywords AIDE listed: 'Plateau - vos commandes : A, B. Détail...' -> [A, B]."""
    listed = re.search(r"(?:commandes :|commands:) ([^.]*)\.", reply)
    assert listed, reply
    return listed.group(1).split(", ")


# Refusals say who may, in the reader's language.


async def test_a_refused_command_names_the_roles_that_may_run_it_in_french_and_english(
    harness: Harness,
) -> None:
    await _hub(harness)
    assert (await harness.text(ANA, "ARRIVEE 2"))[ANA] == [
        "ARRIVEE : Accueil ou Responsable du centre seulement. AIDE : vos commandes."
    ]
    assert (await harness.text(BOB, "ARRIVE 2"))[BOB] == [
        "ARRIVE: Reception or Hub lead only. HELP: your commands."
    ]


async def test_a_role_holder_refused_is_told_whom_to_ask_not_only_the_lead(
    harness: Harness,
) -> None:
    await _hub(harness)
    [refusal] = (await harness.text(RECEPTION, "BESOINS"))[RECEPTION]
    assert refusal.startswith("BESOINS : Besoins et offres ou Responsable du centre seulement")
    [refusal] = (await harness.text(RECEPTION, "ETAT courant coupé"))[RECEPTION]
    assert refusal.startswith("ETAT : Communications ou Responsable du centre seulement")


async def test_a_refusal_about_a_note_names_its_poster_too(harness: Harness) -> None:
    await _hub(harness)
    await harness.text(LEAD, "BESOIN eau potable")
    [fr] = (await harness.text(ANA, "ANNULER N1"))[ANA]
    assert fr.startswith(
        "ANNULER : la personne qui a publié la note, Besoins et offres ou Responsable du centre "
        "seulement."
    )
    [en] = (await harness.text(BOB, "CANCEL N1"))[BOB]
    assert en.startswith("CANCEL: whoever posted the note, Needs & offers or Hub lead only.")


async def test_a_refused_command_typed_in_the_other_language_is_named_in_the_readers(
    harness: Harness,
) -> None:
    await _hub(harness)
    [reply] = (await harness.text(BOB, "JUMELER N1 O1"))[BOB]
    assert reply.startswith("MATCH: Needs & offers or Hub lead only."), reply


@pytest.mark.parametrize("action", list(Action))
def test_every_refusal_names_exactly_the_roles_the_permission_table_allows(
    action: Action, playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    playbook = playbooks["community-hub"]
    hub = Hub(1, "PLATEAU", "Plateau", "fr", HubStatus.ACTIVE, playbook, members=frozenset({9}))
    sender = Person(9, "fr")
    ctx = Context(datetime(2026, 1, 1, tzinfo=UTC), sender, hub, commands=REGISTRY)
    allowed = who_may(action).roles
    for locale in ("fr", "en"):
        text = renderer.render(only(ctx, Command(CommandId.ASSIGN), who_may(action)).msg, locale)
        for role in playbook.roles:
            named = role.name.get(locale) in text
            assert named == (role.id in allowed), (action, locale, text)
        assert segment_count(text) == 1, text
        assert ("membres de PLATEAU" in text or "members of PLATEAU" in text) == (
            "member" in allowed
        )


# AIDE lists the commands of the asker's roles.


async def test_a_volunteers_help_lists_their_commands_with_the_hub_911_and_stop(
    harness: Harness,
) -> None:
    await _hub(harness)
    [fr] = (await harness.text(ANA, "AIDE"))[ANA]
    assert fr.startswith("Plateau - vos commandes : ")
    assert _commands(fr) == VOLUNTEER_FR
    assert "Urgence : 911" in fr and "ARRET pour cesser" in fr and "AIDE + commande" in fr
    [en] = (await harness.text(BOB, "HELP"))[BOB]
    assert en.startswith("Plateau - your commands: ")
    assert _commands(en) == VOLUNTEER_EN
    assert "Emergency: 911" in en and "STOP to stop" in en and "HELP + command" in en


async def test_each_role_adds_its_own_commands_to_the_help(harness: Harness) -> None:
    await _hub(harness)
    reception = _commands((await harness.text(RECEPTION, "AIDE"))[RECEPTION][0])
    assert reception[:4] == VOLUNTEER_FR
    assert {"ARRIVEE", "DEPART", "SURPLACE"} <= set(reception)
    assert not {"BESOINS", "JUMELER", "ASSIGNER", "DIFFUSER"} & set(reception)
    needs = _commands((await harness.text(HELPER, "AIDE"))[HELPER][0])
    assert {"BESOINS", "OFFRES", "JUMELER", "FAIT", "ANNULER"} <= set(needs)
    assert not {"ARRIVEE", "ASSIGNER", "POINTAGE"} & set(needs)
    comms = _commands((await harness.text(COMMS, "HELP"))[COMMS][0])
    assert {"STATUS", "SITREP", "R"} <= set(comms) and "MATCH" not in comms
    lead = _commands((await harness.text(LEAD, "AIDE"))[LEAD][0])
    assert set(reception) | set(needs) <= set(lead)
    assert {"ASSIGNER", "POINTAGE", "DIFFUSER", "APPEL", "FERMER"} <= set(lead)


async def test_the_longest_help_a_lead_or_coordinator_gets_fits_two_sms_in_both_languages(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.add_coordinator(COORD, locale="en")
    await harness.text(COORD, "JOIN PLATEAU")
    [fr] = (await harness.text(LEAD, "AIDE"))[LEAD]
    [en] = (await harness.text(COORD, "HELP"))[COORD]
    assert _commands(en)[-1] == "CLOSE" and "BROADCAST" in _commands(en)
    for text in (fr, en):
        assert segment_count(text) <= 2, text


async def test_a_coordinator_in_no_hub_is_told_they_can_broadcast(harness: Harness) -> None:
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    [reply] = (await harness.text(COORD, "AIDE"))[COORD]
    assert reply.startswith("hubbot - vos commandes : ")
    assert "DIFFUSER" in _commands(reply) and "BESOIN" not in _commands(reply)


async def test_a_stranger_and_someone_who_opted_out_still_get_the_bilingual_compliance_help(
    harness: Harness,
) -> None:
    await _hub(harness)
    [stranger] = (await harness.text(STRANGER, "HELP"))[STRANGER]
    assert "Emergency: 911" in stranger and "Urgence : 911" in stranger
    assert "STOP" in stranger and "ARRET" in stranger
    await harness.text(ANA, "ARRET")
    [opted_out] = (await harness.text(ANA, "AIDE BESOINS"))[ANA]
    assert opted_out.startswith("Plateau : BESOIN ou OFFRE + quoi. Urgence : 911. ARRET")
    assert "/ NEED or OFFER" in opted_out


# AIDE <command> explains one command.


async def test_help_with_a_command_explains_it_in_the_readers_language(
    harness: Harness,
) -> None:
    await _hub(harness)
    [fr] = (await harness.text(ANA, "AIDE BESOINS"))[ANA]
    assert fr.startswith("BESOINS : les besoins ouverts")
    assert RECEPTION not in (await harness.text(ANA, "aide jumeler")), "not routed as text"
    [en] = (await harness.text(BOB, "HELP MATCH"))[BOB]
    assert en.startswith("MATCH + need + offer: put them in touch.")
    [slash] = (await harness.text(BOB, "/help /done"))[BOB]
    assert slash.startswith("DONE + number + how")


async def test_help_with_an_unknown_command_word_lists_what_they_can_use(
    harness: Harness,
) -> None:
    await _hub(harness)
    [fr] = (await harness.text(ANA, "AIDE JUMELLER"))[ANA]
    assert fr.startswith("JUMELLER : commande inconnue. Vos commandes : ")
    assert _commands(fr) == VOLUNTEER_FR and "Urgence : 911" in fr
    [en] = (await harness.text(BOB, "HELP XYZ"))[BOB]
    assert en.startswith("XYZ: unknown command. Your commands: NEED, OFFER")
    assert "Emergency: 911" in en


async def test_help_before_a_cry_for_help_still_alerts_the_team(harness: Harness) -> None:
    await _hub(harness)
    got = await harness.text(ANA, "AIDE FEU")
    assert got[ANA][0].startswith("Appelez le 911 maintenant.")
    assert any(text.startswith("URGENCE N1") for text in got[LEAD])
    got = await harness.text(BOB, "help me")
    assert got[BOB][0].startswith("Call 911 now.")


async def test_help_with_words_that_are_no_command_reaches_a_person(harness: Harness) -> None:
    await _hub(harness)
    for text in ("aide moi", "aide alimentaire", "help please"):
        got = await harness.text(ANA, text)
        assert any(text in received for received in got[RECEPTION]), (text, got)


async def test_help_while_a_roll_call_waits_is_an_answer_not_a_question(
    harness: Harness,
) -> None:
    await _hub(harness)
    await harness.tick()
    await harness.text(LEAD, "APPEL")
    got = await harness.text(ANA, "AIDE BESOINS")
    assert got[LEAD][0].startswith(f"APPEL : M{await harness.person_id(ANA)} a besoin d'aide")
    assert not any("les besoins ouverts" in text for text in got[ANA])


def test_every_command_help_line_is_in_both_catalogs(renderer: Renderer) -> None:
    keys = {spec.help.key for spec in REGISTRY.specs.values() if spec.help is not None}
    assert len(keys) >= 30
    for locale in ("fr", "en"):
        assert keys <= renderer.keys[locale], keys - renderer.keys[locale]


def test_each_help_line_starts_with_its_command_in_that_language(renderer: Renderer) -> None:
    for spec in REGISTRY.specs.values():
        if spec.help is None:
            continue
        for locale in ("fr", "en"):
            text = renderer.render(Msg(spec.help.key), locale)
            assert text.startswith(spec.word(locale)), (spec.id, locale, text)


# Task cards end with the role's main commands.


def test_every_task_card_ends_with_three_commands_the_role_may_use_in_its_language(
    playbooks: dict[str, Playbook],
) -> None:
    playbook = playbooks["community-hub"]
    for role in playbook.roles:
        hub = Hub(
            1,
            "PLATEAU",
            "Plateau",
            "fr",
            HubStatus.ACTIVE,
            playbook,
            roster={role.id: (7,)},
            members=frozenset({7}),
        )
        holder = Person(7, "fr")
        for locale, card in (("fr", role.card.fr), ("en", role.card.en)):
            last = card.splitlines()[-1]
            assert last.startswith("- Commandes :" if locale == "fr" else "- Commands:"), last
            found = []
            for typed in re.findall(r"\b[A-Z]+\b", last):
                entry = REGISTRY.whole.get(typed.lower()) or REGISTRY.words.get(typed.lower())
                assert entry is not None, f"{role.id} {locale}: {typed} is no command"
                spec, language = entry
                assert language in (locale, None), f"{role.id} {locale}: {typed} is not {locale}"
                assert permits(spec, holder, hub), f"{role.id} may not use {typed}"
                if spec.id is not CommandId.HELP:
                    found.append(typed)
            assert len(found) >= 3, (role.id, locale, last)
