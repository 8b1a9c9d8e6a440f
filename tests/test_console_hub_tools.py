"""The hub page's remaining actions (unassign, roll call, open), its board filters, and its
CSV and JSON downloads, which carry what `hubbot export` writes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from hubbot.cli import records
from tests.conftest import Harness
from tests.test_cli import settings_for
from tests.test_console_actions import (  # noqa: F401
    ANA,
    BOB,
    LEAD_PHONE,
    Client,
    _act,
    _login,
    client,
    hub,
)


async def _page(client: Client, query: str = "") -> str:  # noqa: F811
    return await (await client.get(f"/hubs/PLATEAU?lang=en{query}")).text()


def _section(page: str, name: str) -> str:
    found = re.search(rf'<section id="{name}" data-live>(.*?)</section>', page, re.S)
    assert found is not None, name
    return found.group(1)


# The actions


async def test_unassigning_from_the_page_leaves_the_role_vacant_and_tells_the_person(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await hub.text(ANA, "REJOINDRE PLATEAU")
    ana = await hub.person_id(ANA)
    await hub.text(LEAD_PHONE, f"ASSIGNER M{ana} reception")
    csrf = await _login(client, "marie")
    assert f"M{ana}" in _section(await _page(client), "roster")
    fields = {"csrf": csrf, "action": "unassign", "person": f"M{ana}", "role": "reception"}
    status, received = await _act(client, hub, "PLATEAU", fields)
    assert status == 303
    assert any("n'occupez plus le poste Accueil" in text for text in received[ANA])
    page = await _page(client)
    assert f"M{ana}" not in _section(page, "roster")
    assert "Reception" in _section(page, "summary"), "the vacant priority role is named"


async def test_a_roll_call_from_the_page_asks_every_member(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await hub.text(ANA, "REJOINDRE PLATEAU")
    await hub.text(BOB, "JOIN PLATEAU")
    csrf = await _login(client, "marie")
    status, received = await _act(client, hub, "PLATEAU", {"csrf": csrf, "action": "rollcall"})
    assert status == 303
    assert any(text.startswith("APPEL PLATEAU") for text in received[ANA])
    assert any(text.startswith("ROLL CALL PLATEAU") for text in received[BOB])


async def test_opening_from_the_page_takes_the_hubs_pin_and_never_shows_it(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await hub.text(LEAD_PHONE, "FERMER")
    csrf = await _login(client, "marie")
    assert "Closed" in _section(await _page(client), "summary")
    wrong = {"csrf": csrf, "action": "open", "pin": "1111"}
    assert (await _act(client, hub, "PLATEAU", wrong))[0] == 303
    page = await _page(client)
    assert "Closed" in _section(page, "summary") and "Wrong PIN" in page
    status, _ = await _act(client, hub, "PLATEAU", {"csrf": csrf, "action": "open", "pin": "2468"})
    assert status == 303
    page = await _page(client)
    assert "Open" in _section(page, "summary") and "is now OPEN" in page
    assert "ACTIVATE PLATEAU •••" in page and "2468" not in page


async def test_opening_without_a_pin_sends_nothing(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    csrf = await _login(client, "marie")
    status, received = await _act(client, hub, "PLATEAU", {"csrf": csrf, "action": "open"})
    assert status == 400 and received == {}


# The boards


async def _board_hub(hub: Harness) -> None:  # noqa: F811
    await hub.text(ANA, "REJOINDRE PLATEAU")
    await hub.text(ANA, "BESOIN eau potable pour 4")  # N1, water
    await hub.text(ANA, "BESOIN nourriture pour 3 enfants")  # N2, food
    await hub.text(BOB, "REJOINDRE PLATEAU")
    await hub.text(BOB, "BESOIN eau, mon voisin est blessé")  # N3, water, critical
    await hub.text(BOB, "OFFRE eau potable 20 litres")  # O1
    await hub.text(LEAD_PHONE, "FAIT N2 repas livrés")


def _labels(section: str) -> list[str]:
    return re.findall(r"<td>([NO]\d+)</td>", section)


async def test_the_needs_board_shows_open_needs_critical_first_by_default(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await _board_hub(hub)
    await _login(client, "marie")
    page = await _page(client)
    assert _labels(_section(page, "needs")) == ["N3", "N1"]
    assert _labels(_section(page, "offers")) == ["O1"]


async def test_the_boards_filter_by_category_and_status(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await _board_hub(hub)
    await _login(client, "marie")
    food = await _page(client, "&category=food")
    assert _labels(_section(food, "needs")) == [] and _labels(_section(food, "offers")) == []
    done = _section(await _page(client, "&status=done"), "needs")
    assert _labels(done) == ["N2"] and "<td>done</td>" in done
    every = await _page(client, "&status=all&category=water")
    assert _labels(_section(every, "needs")) == ["N3", "N1"]
    assert _labels(_section(every, "offers")) == ["O1"]
    assert _labels(_section(await _page(client, "&status=all"), "needs")) == ["N3", "N1", "N2"]


async def test_an_unknown_filter_shows_the_open_board(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await _board_hub(hub)
    await _login(client, "marie")
    page = await _page(client, "&status=deleted&category=%3Cscript%3E")
    assert _labels(_section(page, "needs")) == ["N3", "N1"]
    assert "<script>" not in page


# The downloads


@pytest.mark.parametrize("what", ["needs", "offers", "log", "sitreps"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_a_download_is_what_hubbot_export_writes_for_the_hub(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
    tmp_path: Path,
    what: str,
    fmt: str,
) -> None:
    await _board_hub(hub)
    await hub.text(LEAD_PHONE, "BILAN")
    await _login(client, "luc")
    resp = await client.get(f"/hubs/PLATEAU/export.{fmt}?what={what}")
    assert resp.status == 200
    assert resp.content_type == {"csv": "text/csv", "json": "application/json"}[fmt]
    assert resp.headers["Content-Disposition"] == f'attachment; filename="PLATEAU-{what}.{fmt}"'
    exported = io.StringIO()
    await records.export(settings_for(tmp_path), "PLATEAU", what, fmt, exported)
    body = await resp.text()
    assert body == exported.getvalue()
    rows = json.loads(body) if fmt == "json" else list(csv.DictReader(io.StringIO(body)))
    assert rows, "the hub has records of every kind"


async def test_a_lead_cannot_download_another_hubs_records(
    client: Client,  # noqa: F811
    hub: Harness,  # noqa: F811
) -> None:
    await _login(client, "luc")
    assert (await client.get("/hubs/VERDUN/export.csv?what=needs")).status == 404
    assert (await client.get("/hubs/PLATEAU/export.csv?what=needs")).status == 200


async def test_a_download_needs_a_login(client: Client) -> None:  # noqa: F811
    resp = await client.get("/hubs/PLATEAU/export.json?what=log", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"


async def test_the_hub_page_links_every_download(client: Client) -> None:  # noqa: F811
    await _login(client, "marie")
    page = await _page(client)
    for what in ("needs", "offers", "log", "sitreps"):
        for fmt in ("csv", "json"):
            link = f'href="/hubs/PLATEAU/export.{fmt}?what={what}"'
            assert link in page
            resp = await client.get(f"/hubs/PLATEAU/export.{fmt}?what={what}")
            assert resp.status == 200
    assert (await client.get("/hubs/PLATEAU/export.csv?what=people")).status == 400
