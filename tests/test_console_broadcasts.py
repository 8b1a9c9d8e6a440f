"""The console's broadcast page: compose, preview in each language, confirm, live tallies."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hubbot.channels.console import ConsoleChannel
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.passwords import hash_password
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.ingest import JournalIngest
from hubbot.service.send_limits import SendLimits
from hubbot.store import accounts, hubs, people
from hubbot.store.db import Database
from hubbot.web.console import Console, add_console
from tests.conftest import Harness
from tests.fakes import FakeChannel, FakeClock, workers

PASSWORD = "correct horse battery"
LEAD_PHONE = "+15145550101"
ANA = "+15145550177"  # French
BOB = "+15145550178"  # English
GSM7_TEXT = "Souper chaud servi au gymnase a 18 h, apportez vos bouteilles vides pour l'eau"
Client = TestClient[web.Request, web.Application]


@cache
def _hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
async def hub(
    tmp_path: Path, playbooks: dict[str, Playbook], renderer: Renderer
) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "hub.db")
    clock = FakeClock()  # 22:00 in Montreal
    channel = FakeChannel()
    channels = {"sms": channel, "telegram": channel, "console": ConsoleChannel()}
    processor, scheduler = workers(db, clock, playbooks, renderer, channels)
    dispatcher = Dispatcher(db, channels, clock, SendLimits(max_attempts=3))
    yield Harness(db, clock, channel, processor, dispatcher, scheduler)
    await db.close()


@pytest.fixture
async def client(
    hub: Harness, renderer: Renderer, playbooks: dict[str, Playbook]
) -> AsyncIterator[Client]:
    """PLATEAU open with its lead, Ana (French) and Bob (English); VERDUN beside it."""
    plateau = await hub.add_hub()
    await hub.add_hub("VERDUN", name="Verdun", sms_number="+15145559999")
    async with hub.db.transaction() as conn:
        now = hub.clock.now()
        await accounts.create(conn, "marie", _hash(), "coordinator", None, now)
        await accounts.create(conn, "luc", _hash(), "lead", plateau, now)
    await hub.text(LEAD_PHONE, "ACTIVER PLATEAU 2468")
    await hub.text(ANA, "REJOINDRE PLATEAU")
    await hub.text(ANA, "NOM Ana")
    await hub.text(BOB, "JOIN PLATEAU")
    ingest = JournalIngest(hub.db, hub.clock, lambda: None)
    console = Console(
        hub.db, hub.clock, renderer, playbooks, timedelta(hours=12), False, "fr", ingest=ingest
    )
    app = web.Application()
    add_console(app, console)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _login(client: Client, user: str) -> str:
    """Log in; the session's CSRF token, as the broadcast page's forms carry it."""
    page = await (await client.get("/login")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    form = {"username": user, "password": PASSWORD, "csrf": found.group(1)}
    await client.post("/login", data=form, allow_redirects=False)
    page = await (await client.get("/broadcasts")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def _preview(client: Client, fields: dict[str, str], lang: str = "en") -> tuple[int, str]:
    resp = await client.post(f"/broadcasts/preview?lang={lang}", data=fields)
    return resp.status, html.unescape(await resp.text())


async def _send(
    client: Client, hub: Harness, fields: dict[str, str]
) -> tuple[int, dict[str, list[str]]]:
    """Confirm; the status, and what each phone then received."""
    resp = await client.post("/broadcasts/send?lang=en", data=fields, allow_redirects=False)
    before = len(hub.channel.sent)
    await hub.processor.drain()
    return resp.status, await hub._delivered(before)


def _article(page: str, lang: str) -> str:
    found = re.search(rf'<article class="language" lang="{lang}".*?</article>', page, re.S)
    assert found is not None, f"no {lang} preview"
    return found.group(0)


def _row(page: str, number: str) -> dict[str, str]:
    """One broadcast's row in the live list: its cells by class."""
    found = re.search(rf'<tr id="{number}">.*?</tr>', page, re.S)
    assert found is not None, f"{number} is not listed"
    cells = re.findall(r'<td class="(\w+)">([^<]*)</td>', found.group(0))
    return dict(cells)


async def _list(client: Client) -> str:
    return html.unescape(await (await client.get("/broadcasts?lang=en")).text())


async def test_a_preview_shows_each_language_framed_as_sent_with_its_sms_count_and_recipients(
    client: Client,
) -> None:
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", "text": GSM7_TEXT}
    status, page = await _preview(client, fields)
    assert status == 200
    french, english = _article(page, "fr"), _article(page, "en")
    assert f"[PLATEAU B?] {GSM7_TEXT}\nRépondez OK." in french
    assert f"[PLATEAU B?] {GSM7_TEXT}\nReply OK." in english
    assert "1 SMS" in french and "GSM-7" in french and "1 SMS" in english
    assert "Recipients now: 3" in page, "the lead, Ana and Bob"
    assert "French-speaking recipients: 2" in french
    assert "English-speaking recipients: 1" in english
    assert 'action="/broadcasts/send' in page


@pytest.mark.parametrize(
    "text",
    [GSM7_TEXT.replace("apportez", "fenêtre ouverte, apportez"), GSM7_TEXT + " 💧"],
    ids=["circumflex", "emoji"],
)
async def test_one_letter_outside_the_sms_alphabet_makes_the_preview_count_more_sms(
    client: Client, text: str
) -> None:
    csrf = await _login(client, "marie")
    _, page = await _preview(client, {"csrf": csrf, "audience": "PLATEAU", "text": text})
    french = _article(page, "fr")
    assert "2 SMS" in french and "UCS-2" in french
    assert "70 characters, not 160" in french


async def test_confirming_sends_to_each_member_in_their_language_and_the_list_tallies_it(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", "urgent": "1", "text": GSM7_TEXT}
    status, received = await _send(client, hub, fields)
    assert status == 303
    assert received[ANA] == [f"URGENT [PLATEAU B1] {GSM7_TEXT}\nRépondez OK."]
    assert received[BOB] == [f"URGENT [PLATEAU B1] {GSM7_TEXT}\nReply OK."]
    assert LEAD_PHONE in received
    page = await _list(client)
    assert "Broadcast B1: 3 messages on their way" in page, "the core's answer to the account"
    row = _row(page, "B1")
    assert (row["total"], row["sent"], row["pending"], row["acked"]) == ("3", "3", "0", "0")
    ana = await hub.person_id(ANA)
    assert f"M{ana} Ana" in row["missing"]
    assert re.search(r'<section id="broadcasts" data-live>.*<tr id="B1">', page, re.S)


async def test_an_ok_from_a_member_counts_as_acknowledged_and_takes_them_off_the_missing(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "marie")
    await _send(client, hub, {"csrf": csrf, "audience": "PLATEAU", "text": GSM7_TEXT})
    ana, bob = await hub.person_id(ANA), await hub.person_id(BOB)
    await hub.text(ANA, "OK")
    row = _row(await _list(client), "B1")
    assert row["acked"] == "1"
    assert f"M{ana}" not in row["missing"] and f"M{bob}" in row["missing"]


async def test_a_coordinator_broadcast_to_all_hubs_is_framed_coordination(
    client: Client, hub: Harness
) -> None:
    await hub.text("+15145550199", "JOIN VERDUN")
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "ALL", "text": GSM7_TEXT}
    _, page = await _preview(client, fields)
    assert f"[Coordination B?] {GSM7_TEXT}" in _article(page, "en")
    assert "Recipients now: 4" in page
    _, received = await _send(client, hub, fields)
    assert received["+15145550199"] == [f"[Coordination B1] {GSM7_TEXT}\nReply OK."]


async def test_text_starting_with_tous_stays_text_for_one_hub(client: Client, hub: Harness) -> None:
    await hub.text("+15145550199", "REJOINDRE VERDUN")
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", "text": "Tous au gymnase"}
    _, received = await _send(client, hub, fields)
    assert received[ANA] == ["[PLATEAU B1] Tous au gymnase\nRépondez OK."]
    assert "+15145550199" not in received


async def test_a_template_previews_in_each_language(client: Client) -> None:
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", "template": "boil_water"}
    _, page = await _preview(client, fields, lang="fr")
    assert "[PLATEAU B?] AVIS : faites bouillir l'eau" in _article(page, "fr")
    assert "[PLATEAU B?] NOTICE: boil tap water" in _article(page, "en")


async def test_a_time_shows_as_scheduled_and_goes_out_at_that_time(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", "at": "18:00", "text": GSM7_TEXT}
    _, page = await _preview(client, fields)
    assert "Scheduled for 2026-01-15 18:00" in page
    status, received = await _send(client, hub, fields)
    assert status == 303 and ANA not in received
    page = await _list(client)
    assert "scheduled" in page and "2026-01-15 18:00" in page
    assert _row(page, "B1")["total"] == "0"
    received = await hub.tick(hours=20)
    assert received[ANA] == [f"[PLATEAU B1] {GSM7_TEXT}\nRépondez OK."]


@pytest.mark.parametrize(
    ("fields", "answer"),
    [
        ({"text": ""}, "Text BROADCAST [ALL|CODE]"),
        ({"text": "#no_such_thing"}, "Unknown template: #no_such_thing"),
        ({"at": "demain", "text": GSM7_TEXT}, "Could not read the time: demain"),
    ],
    ids=["no text", "unknown template", "unreadable time"],
)
async def test_bad_input_shows_the_cores_plain_answer_on_the_page_and_sends_nothing(
    client: Client, hub: Harness, fields: dict[str, str], answer: str
) -> None:
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "audience": "PLATEAU", **fields}
    status, page = await _preview(client, fields)
    assert status == 200 and answer in page
    assert 'action="/broadcasts/send' not in page
    _, received = await _send(client, hub, fields)
    assert received == {}
    assert answer in await _list(client)


async def test_a_lead_account_cannot_broadcast_to_another_hub_or_to_all(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "luc")
    page = await _list(client)
    assert 'value="VERDUN"' not in page and 'value="ALL"' not in page
    for audience, refused in (("VERDUN", 404), ("ALL", 403)):
        fields = {"csrf": csrf, "audience": audience, "text": GSM7_TEXT}
        assert (await _preview(client, fields))[0] == refused
        status, received = await _send(client, hub, fields)
        assert status == refused and received == {}
    assert await hub.db.fetchall("SELECT id FROM broadcasts") == []


async def test_a_lead_account_holding_the_lead_role_broadcasts_to_its_own_hub(
    client: Client, hub: Harness
) -> None:
    async with hub.db.transaction() as conn:
        plateau = await hubs.by_code(conn, "PLATEAU")
        assert plateau is not None
        person = await people.create(conn, "console:luc", "en", hub.clock.now())
        await hubs.assign(conn, plateau.id, person.id, "lead", person.id, hub.clock.now())
    csrf = await _login(client, "luc")
    fields = {"csrf": csrf, "audience": "PLATEAU", "text": GSM7_TEXT}
    assert f"[PLATEAU B?] {GSM7_TEXT}" in (await _preview(client, fields))[1]
    status, received = await _send(client, hub, fields)
    assert status == 303 and received[BOB] == [f"[PLATEAU B1] {GSM7_TEXT}\nReply OK."]


async def test_a_post_without_the_csrf_token_is_refused_and_sends_nothing(
    client: Client, hub: Harness
) -> None:
    await _login(client, "marie")
    fields = {"audience": "PLATEAU", "text": GSM7_TEXT}
    assert (await _preview(client, fields))[0] == 403
    status, received = await _send(client, hub, fields)
    assert status == 403 and received == {}
    assert await hub.db.fetchall("SELECT id FROM broadcasts") == []
