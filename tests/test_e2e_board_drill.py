"""Drills, end to end through `hubbot run` and the simulator: a morning at a hub's board."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.service import Service

LEAD, HELPER, COMMS, COORD = "+15145550101", "+15145550102", "+15145550105", "+15145550199"
V = ["+15145550111", "+15145550112", "+15145550113", "+15145550114", "+15145550115"]

WORDS = {
    "fr": {
        "activate": "ACTIVER",
        "assign": "ASSIGNER",
        "join": "REJOINDRE",
        "need": "BESOIN",
        "offer": "OFFRE",
        "match": "JUMELER",
        "yes": "OUI",
        "done": "FAIT",
        "sitrep": "BILAN",
        "needs_offers": "besoins et offres",
        "communications": "communications",
        "items": [
            "BESOIN eau potable pour 4",
            "OFFRE eau potable pour 10",
            "BESOIN génératrice pour le congélateur",
            "OFFRE génératrice 5000 W",
            "BESOIN couches taille 4",
        ],
        "suggest": "Jumelages possibles pour O1",
        "both": "Les deux ont dit OUI",
        "relay_in": "De M",
        "counts": "Besoins : ouverts 1, jumelés 1, faits 1",
    },
    "en": {
        "activate": "ACTIVATE",
        "assign": "ASSIGN",
        "join": "JOIN",
        "need": "NEED",
        "offer": "OFFER",
        "match": "MATCH",
        "yes": "YES",
        "done": "DONE",
        "sitrep": "SITREP",
        "needs_offers": "needs_offers",
        "communications": "communications",
        "items": [
            "NEED drinking water for 4",
            "OFFER drinking water for 10",
            "NEED generator for the freezer",
            "OFFER generator 5000 W",
            "NEED diapers size 4",
        ],
        "suggest": "Possible matches for O1",
        "both": "Both said YES",
        "relay_in": "M",
        "counts": "Needs: 1 open, 1 matched, 1 done",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_a_board_drill_runs_from_posts_to_export(service: Service, lang: str) -> None:
    w = WORDS[lang]
    await service.start()
    await service.cli("coordinator", "add", COORD, "--locale", lang)
    code, out = await service.cli(
        "hub",
        "add",
        "PLATEAU",
        "--name",
        "Plateau",
        "--pin",
        "2468",
        "--locale",
        lang,
        "--address",
        "4500 rue Saint-Denis",
    )
    assert code == 0, out
    await service.text(LEAD, f"{w['activate']} PLATEAU 2468")
    await service.text(LEAD, f"{w['assign']} {HELPER} {w['needs_offers']}")
    await service.text(LEAD, f"{w['assign']} {COMMS} {w['communications']}")
    for phone in V:
        await service.text(phone, f"{w['join']} PLATEAU")
    for phone, text in zip(V, w["items"], strict=True):
        await service.text(phone, text)
    await service.expect(HELPER, lambda t: t.startswith(w["suggest"]))

    # N1/O1: both say yes, so each learns how to reach the other.
    await service.text(HELPER, f"{w['match']} N1 O1")
    await service.text(V[0], w["yes"])
    await service.text(V[1], w["yes"].lower())
    assert V[1] in await service.expect(V[0], lambda t: t.startswith(w["both"]))
    assert V[0] in await service.expect(V[1], lambda t: t.startswith(w["both"]))

    # N2/O2: only one side says yes; the hub relays, and no number is ever shown.
    await service.text(HELPER, f"{w['match']} N2 O2")
    await service.text(V[2], w["yes"])
    await service.text(V[2], "R N2 3e étage, porte B")
    relayed = await service.expect(HELPER, lambda t: "porte B" in t)
    await service.text(HELPER, "R N2 On arrive vers 15h")
    back = await service.expect(V[2], lambda t: "15h" in t)
    for text in (relayed, back, *(await service.inbox(V[3]))):
        assert V[2] not in text and V[3] not in text and V[2][2:] not in text

    await service.text(HELPER, f"{w['done']} N1 eau livrée par O1")
    await service.text(COMMS, w["sitrep"])
    report = await service.expect(COMMS, lambda t: "#1 PLATEAU" in t)
    assert w["counts"] in report
    await service.expect(COORD, lambda t: "#1 PLATEAU" in t)

    code, needs_csv = await service.cli("export", "--hub", "PLATEAU", "--what", "needs")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(needs_csv))}
    assert (rows["N1"]["status"], rows["N2"]["status"], rows["N3"]["status"]) == (
        "done",
        "matched",
        "open",
    )
    assert rows["N1"]["resolution"] == "eau livrée par O1"
    code, log_json = await service.cli(
        "export", "--hub", "PLATEAU", "--what", "log", "--format", "json"
    )
    actions = [entry["action"] for entry in json.loads(log_json)]
    for action in (
        "hub_opened",
        "need_posted",
        "offer_posted",
        "matched",
        "contacts_shared",
        "relayed",
        "need_done",
        "sitrep",
    ):
        assert action in actions, action
    code, printed = await service.cli("log", "--hub", "PLATEAU", "--since", "1h")
    assert code == 0 and "matched" in printed and "N1 N1" not in printed
    code, sitreps = await service.cli(
        "export", "--hub", "PLATEAU", "--what", "sitreps", "--format", "json"
    )
    assert json.loads(sitreps)[0]["body"]["needs"]
