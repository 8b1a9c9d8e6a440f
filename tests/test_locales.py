"""Every message key exists in French and English, with the same placeholders, within budget."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from hubbot.domain.models import ItemKind
from hubbot.domain.playbook import Playbook
from hubbot.domain.registry import REGISTRY
from hubbot.domain.situation import TOPICS
from hubbot.domain.sms import fold_to_gsm7, is_gsm7, segment_count
from hubbot.i18n import Entry, Renderer, catalog_path, entries, read_catalog
from tests.message_keys import UnreadableKey, keys_in

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("fr", "en")

# Realistic worst cases for each placeholder: long hub names, long role names, French words.
# People's names stay in GSM-7 here: what someone types about themselves is theirs to spend.
SAMPLES = {
    "hub": "Centre communautaire Saint-Roch",
    "code": "PLATEAU-EST",
    "member": "M1234",
    "person": "M1234 Marie-Eve Tremblay",
    "sender": "M1234 Marie-Eve Tremblay",
    "by": "M1234 Marie-Eve Tremblay",
    "name": "Marie-Eve Tremblay",
    "role": "Responsable du centre",
    "to": "Responsable du centre",
    "roles": "lead, reception, needs_offers, communications, facility",
    "id": "N1234",
    "category": "Garde d'enfants",
    "text": "Nous avons besoin de 20 litres d'eau potable et de couvertures pour 3 enfants, "
    "au 2e étage, appartement 4B, rue Saint-Denis.",
    "minutes": 15,
    "left": 2,
    "max": 40,
    "unfilled": 2,
    "holders": "M12 Ana, M15",
    "lines": "Responsable du centre : M12 Ana\nAccueil : VACANT (prioritaire)",
    "card": "x",
    "total": 24,
    "how": "eau livrée par M7 à 15 h",
    "duration": "2d",
    "categories": "water, food, shelter, medical, power, transport, cleanup, labour",
    "example": "N1234 O1234",
    "need": "N1234",
    "offer": "O1234",
    "other": "O1234",
    "contact": "+15145550101",
    "address": "4500 rue Saint-Denis, Montréal",
    "topics": "power, water, phones, roads, building, toilets, weather",
    "topic": "Téléphones",
    "state": "coupé depuis 14 h",
    "at": "14:05",
    "number": 12,
    "time": "14:05",
    "onsite": 123,
    "change": "+15",
    "open": 14,
    "matched": 3,
    "done": 27,
    "offers": 9,
    "critical": "N41, N44",
    "filled": 4,
    "vacant": " Vacants : Accueil.",
    "lifelines": "Courant coupé?, Eau OK, Téléphones coupés",
    "required": "eau potable pour 40; couvertures; génératrice",
    "names": "Accueil, Communications",
    "mark": "?",
    "significant": "N41",
    "lifeline_lines": "x",
    "round": "status",
    "sent": 1234,
    "delivered": 1200,
    "failed": 3,
    "acked": 800,
    "skipped": 12,
    "pending": 30,
    "missing": "M12 Ana, M15, M17 Luc",
    "safe": 120,
    "hours": 12,
    "ok": "M12 Ana, M15, M17 Luc",
    "help": "M18",
    "silent": "M19 Marie-Eve, M20",
    "why": "aucun canal ne passe",
    "template": "power_restored",
    "templates": "#boil_water, #shelter_open, #power_restored, #curfew, #evacuation_order",
    "until": "2026-12-02 14:05",
    # AIDE: the longest list (a lead's), a command word, who may (error.not_permitted).
    "commands": "BESOIN, OFFRE, MOI, LANGUE, ARRIVEE, DEPART, SURPLACE, ETAT, BESOINS, OFFRES, "
    "JUMELER, FAIT, ANNULER, CAT, EXPIRER, R, BILAN, ASSIGNER, RETIRER, RELEVE, DIFFUSER, APPEL, "
    "POINTAGE, FERMER",
    "command": "ETATALERTE",
    "who": "Accueil, Besoins et offres, Communications ou Responsable du centre",
    "last": "Responsable du centre",
    "chars": "ê ç 😀 œ ô",
}
COMPLIANCE_KEYS = {"help.reply", "stop.confirmed", "start.confirmed"}


def _catalogs() -> dict[str, dict[str, Entry]]:
    return {lc: entries(read_catalog(catalog_path(ROOT / "locales", lc), lc)) for lc in LOCALES}


# What the variable part of an f-string key can be, by the expression's name.
DYNAMIC = {
    "kind": [k.value for k in ItemKind],
    "topic": list(TOPICS),
    # broadcast templates are catalog keys themselves: template.<id>
    "template": [
        k.removeprefix("template.")
        for k in entries(read_catalog(catalog_path(ROOT / "locales", "en"), "en"))
        if k.startswith("template.")
    ],
}


def _keys_used_in_code() -> set[str]:
    """Message keys passed to Msg(), reply(), tell() or alert() anywhere in hubbot/."""
    return keys_in(ROOT / "hubbot", DYNAMIC)


def test_a_key_the_check_cannot_read_fails_it(tmp_path: Path) -> None:
    (tmp_path / "feature.py").write_text(
        "def on_x(ctx, keys):\n    return ctx.reply(keys[0])\n", encoding="utf-8"
    )
    with pytest.raises(UnreadableKey):
        keys_in(tmp_path, DYNAMIC)


def test_the_check_reads_keys_chosen_in_the_code(tmp_path: Path) -> None:
    (tmp_path / "feature.py").write_text(
        "def on_x(ctx, ok, kind):\n"
        "    key = 'a.yes' if ok else 'a.no'\n"
        "    for who, k in ((1, 'b.one'), (2, 'b.two')):\n"
        "        ctx.tell(who, k)\n"
        "    ctx.reply(f'{kind.value}.new')\n"
        "    return ctx.reply(key)\n",
        encoding="utf-8",
    )
    assert keys_in(tmp_path, DYNAMIC) == {
        "a.yes", "a.no", "b.one", "b.two", "need.new", "offer.new",
    }  # fmt: skip


def test_every_key_the_code_uses_is_translated_in_both_languages() -> None:
    catalogs = _catalogs()
    used = _keys_used_in_code()
    assert len(used) > 40
    for locale in LOCALES:
        missing = sorted(
            k for k in used if k not in catalogs[locale] or not catalogs[locale][k].text
        )
        assert not missing, f"{locale} lacks {missing}"


def test_both_catalogs_hold_the_same_keys() -> None:
    fr, en = _catalogs().values()
    assert set(fr) == set(en)


def test_playbook_reply_and_prompt_keys_are_translated(
    playbooks: dict[str, Playbook], renderer: Renderer
) -> None:
    for playbook in playbooks.values():
        keys = [i.reply for i in playbook.intents] + [c.prompt for c in playbook.checkins]
        for locale in LOCALES:
            assert set(keys) <= set(renderer.keys[locale])


def test_every_command_spec_key_is_translated(renderer: Renderer) -> None:
    keys = {spec.no_hub for spec in REGISTRY.specs.values()}
    keys |= {menu.key for menu in REGISTRY.menu()}
    for locale in LOCALES:
        assert keys <= set(renderer.keys[locale])


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _forms(entry: Entry) -> tuple[str, ...]:
    return entry.text if isinstance(entry.text, tuple) else (entry.text,)


@pytest.mark.parametrize("key", sorted(_catalogs()["en"]))
def test_french_and_english_use_the_same_placeholders(key: str) -> None:
    catalogs = _catalogs()
    fields = {lc: set().union(*(_fields(f) for f in _forms(catalogs[lc][key]))) for lc in LOCALES}
    assert fields["fr"] == fields["en"], key
    assert fields["en"] <= set(SAMPLES), f"add a sample for {fields['en'] - set(SAMPLES)}"


@pytest.mark.parametrize("key", sorted(_catalogs()["en"]))
def test_each_text_fits_its_sms_budget_in_both_languages(key: str) -> None:
    for locale, catalog in _catalogs().items():
        entry = catalog[key]
        if entry.budget == "list":
            continue
        for form in _forms(entry):
            rendered = form.format(**SAMPLES)
            segments = segment_count(rendered)
            assert segments <= int(entry.budget), (
                f"{locale} {key}: {segments} segments > budget {entry.budget}: {rendered!r}"
            )
            assert int(entry.budget) <= 3, "only lists may exceed 3 segments"


@pytest.mark.parametrize("key", sorted(COMPLIANCE_KEYS))
def test_compliance_replies_fit_160_characters(key: str) -> None:
    for catalog in _catalogs().values():
        for form in _forms(catalog[key]):
            assert len(form.format(**SAMPLES)) <= 160


def _outside_gsm7(catalog: dict[str, Entry]) -> list[str]:
    """Each text of the catalog with a character that would send its SMS as UCS-2."""
    found = []
    for key, entry in catalog.items():
        for form in _forms(entry):
            odd = sorted({ch for ch in form if not is_gsm7(ch)})
            if odd:
                found.append(f"{key} has {' '.join(odd)}: {form!r}")
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_fixed_text_is_gsm7_so_an_sms_keeps_160_characters(locale: str) -> None:
    # One ê, ç or curly quote switches the whole SMS to UCS-2: 70 characters a segment.
    assert _outside_gsm7(_catalogs()[locale]) == []


def test_the_gsm7_check_names_the_key_and_the_character_of_a_text_that_would_go_ucs2() -> None:
    catalog = {
        "ack.thanks": Entry("ack.thanks", "Bien reçu, merci.", "1"),
        "roster.list": Entry("roster.list", ("{unfilled} rôle", "{unfilled} rôles"), "list"),
        "ack.already": Entry("ack.already", "Déjà noté, merci.", "1"),
    }
    assert _outside_gsm7(catalog) == [
        "ack.thanks has ç: 'Bien reçu, merci.'",
        "roster.list has ô: '{unfilled} rôle'",
        "roster.list has ô: '{unfilled} rôles'",
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_folding_accents_never_changes_a_fixed_text(locale: str) -> None:
    # HUBBOT_SMS_FOLD_ACCENTS folds the whole SMS; with every fixed text in GSM-7, what it
    # changes is only what was put in it: hub names, playbook names, people's own words.
    for entry in _catalogs()[locale].values():
        for form in _forms(entry):
            assert fold_to_gsm7(form) == form, entry.key
