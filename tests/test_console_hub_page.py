"""The console's hub page shows matches, the situation board, check-in rounds, sitreps and the
activity log, in both languages, and never a phone number."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.conftest import Harness
from tests.test_console_web import LEAD_PHONE, _login, client  # noqa: F401

ANA = "+15145550177"
BOB = "+15145550188"


async def _busy_hub(harness: Harness) -> None:
    await harness.text(LEAD_PHONE, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(BOB, "REJOINDRE PLATEAU")
    await harness.text(ANA, "BESOIN eau potable, appelez 514 555 0177")
    await harness.text(BOB, "OFFRE eau potable pour 10")
    await harness.text(LEAD_PHONE, "JUMELER N1 O1")
    await harness.text(LEAD_PHONE, "ETAT courant coupé ?")
    await harness.text(LEAD_PHONE, "POINTAGE")
    await harness.tick()
    await harness.text(LEAD_PHONE, "BILAN")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Matches",
                "pending",
                "Situation board",
                "unconfirmed",
                "Check-in rounds",
                "Status reports",
                "Report 1,",
                "1 open needs",
                "Activity log",
            ],
        ),
        (
            "fr",
            [
                "Jumelages",
                "en attente",
                "Tableau de situation",
                "non confirmé",
                "Tournées de vérification",
                "Bilans",
                "Bilan 1,",
                "1 besoins ouverts",
                "Journal d'activité",
            ],
        ),
    ],
)
async def test_the_hub_page_shows_matches_lifelines_rounds_sitreps_and_the_log_without_phones(
    client: TestClient[web.Request, web.Application],  # noqa: F811
    harness: Harness,
    lang: str,
    words: list[str],
) -> None:
    await _busy_hub(harness)
    await _login(client, "marie")
    body = await (await client.get(f"/hubs/PLATEAU?lang={lang}")).text()
    for word in words:
        assert word.replace("'", "&#39;") in body, word
    assert "<td>N1</td><td>O1</td>" in body
    assert "coupé" in body
    assert re.search(r"<td>M\d+[^<]*</td>", body), "the log names members by number"
    digits = re.sub(r"\D", "", body)
    for phone in (LEAD_PHONE, ANA, BOB):
        assert phone[2:] not in digits and phone[-7:] not in digits


async def test_a_hub_with_nothing_yet_says_so_in_each_section(
    client: TestClient[web.Request, web.Application],  # noqa: F811
    harness: Harness,
) -> None:
    await _login(client, "marie")
    body = await (await client.get("/hubs/PLATEAU?lang=en")).text()
    for empty in (
        "No match yet.",
        "No lifeline reported yet.",
        "No check-in round yet.",
        "No status report yet.",
    ):
        assert empty in body
