"""Actions from the console's hub page: each is the chat command, sent as the account's person."""

from __future__ import annotations

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
from hubbot.store import accounts
from hubbot.store.db import Database
from hubbot.web.console import Console, add_console
from tests.conftest import Harness
from tests.fakes import FakeChannel, FakeClock, workers

PASSWORD = "correct horse battery"
LEAD_PHONE = "+15145550101"
ANA = "+15145550177"
BOB = "+15145550178"
Client = TestClient[web.Request, web.Application]


@cache
def _hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
async def hub(
    tmp_path: Path, playbooks: dict[str, Playbook], renderer: Renderer
) -> AsyncIterator[Harness]:
    """The test harness, with the console's channel beside SMS."""
    db = await Database.open(tmp_path / "hub.db")
    clock = FakeClock()
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
    plateau = await hub.add_hub()
    await hub.add_hub("VERDUN", name="Verdun", sms_number="+15145559999")
    async with hub.db.transaction() as conn:
        now = hub.clock.now()
        await accounts.create(conn, "marie", _hash(), "coordinator", None, now)
        await accounts.create(conn, "luc", _hash(), "lead", plateau, now)
    await hub.text(LEAD_PHONE, "ACTIVER PLATEAU 2468")
    ingest = JournalIngest(hub.db, hub.clock, lambda: None)
    console = Console(
        hub.db, hub.clock, renderer, playbooks, timedelta(hours=12), False, "fr", ingest=ingest
    )
    app = web.Application()
    add_console(app, console)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _login(client: Client, user: str) -> str:
    """Log in; the session's CSRF token, as the hub page's forms carry it."""
    page = await (await client.get("/login")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    form = {"username": user, "password": PASSWORD, "csrf": found.group(1)}
    await client.post("/login", data=form, allow_redirects=False)
    page = await (await client.get("/hubs/PLATEAU")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def _act(
    client: Client, hub: Harness, code: str, fields: dict[str, str]
) -> tuple[int, dict[str, list[str]]]:
    """Post one action; its status, and what each phone then received."""
    resp = await client.post(f"/hubs/{code}/act?lang=en", data=fields, allow_redirects=False)
    before = len(hub.channel.sent)
    await hub.processor.drain()
    return resp.status, await hub._delivered(before)


async def _activity(hub: Harness) -> list[tuple[str, str]]:
    rows = await hub.db.fetchall(
        "SELECT p.name, a.action FROM activity_log a JOIN people p ON p.id = a.person_id"
    )
    return [(row[0], row[1]) for row in rows]


@pytest.mark.parametrize(("lang", "flash"), [("en", "Sent: "), ("fr", "Envoyé : ")])
async def test_assigning_from_the_page_sends_the_card_and_the_log_names_the_account(
    client: Client, hub: Harness, lang: str, flash: str
) -> None:
    await hub.text(ANA, "REJOINDRE PLATEAU")
    ana = await hub.person_id(ANA)
    csrf = await _login(client, "marie")
    fields = {"csrf": csrf, "action": "assign", "person": f"M{ana}", "role": "reception"}
    status, received = await _act(client, hub, "PLATEAU", fields)
    assert status == 303
    assert ANA in received and any("ccueil" in text for text in received[ANA])
    assert ("marie", "role_assigned") in await _activity(hub)
    page = await (await client.get(f"/hubs/PLATEAU?lang={lang}")).text()
    assert f"{flash}ASSIGN M{ana} reception" in page


async def test_the_reply_to_the_account_shows_on_the_page_and_goes_to_no_phone(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "marie")
    status, received = await _act(client, hub, "PLATEAU", {"csrf": csrf, "action": "sitrep"})
    assert status == 303
    replies = await hub.db.fetchall(
        "SELECT text, status FROM outbox WHERE address = ?", ("console:marie",)
    )
    assert replies and all(row[1] == "delivered" for row in replies)
    page = await (await client.get("/hubs/PLATEAU?lang=en")).text()
    assert "Replies to you" in page
    assert str(replies[-1][0]).split("\n")[0][:20] in page.replace("&#39;", "'")
    assert all(not address.startswith("console") for address in received)


async def test_marking_a_need_done_from_the_page_closes_it(client: Client, hub: Harness) -> None:
    await hub.text(BOB, "REJOINDRE PLATEAU")
    await hub.text(BOB, "BESOIN eau potable pour 4")
    csrf = await _login(client, "marie")
    assert "eau potable pour 4" in await (await client.get("/hubs/PLATEAU")).text()
    fields = {"csrf": csrf, "action": "done", "need": "N1", "how": "water brought upstairs"}
    status, _ = await _act(client, hub, "PLATEAU", fields)
    assert status == 303
    assert "eau potable pour 4" not in await (await client.get("/hubs/PLATEAU")).text()


async def test_a_lead_account_cannot_act_on_another_hub(client: Client, hub: Harness) -> None:
    csrf = await _login(client, "luc")
    status, _ = await _act(client, hub, "VERDUN", {"csrf": csrf, "action": "sitrep"})
    assert status == 404


async def test_a_lead_account_acts_once_a_coordinator_assigns_its_person_as_lead(
    client: Client, hub: Harness
) -> None:
    csrf = await _login(client, "luc")
    resp = await client.post("/hubs/PLATEAU/act?lang=en", data={"csrf": csrf, "action": "sitrep"})
    assert resp.status == 403
    found = re.search(r"assign (M\d+) as lead", await resp.text())
    assert found is not None
    await client.post("/logout", data={"csrf": csrf})
    marie = await _login(client, "marie")
    fields = {"csrf": marie, "action": "assign", "person": found.group(1), "role": "lead"}
    assert (await _act(client, hub, "PLATEAU", fields))[0] == 303
    await client.post("/logout", data={"csrf": marie})
    csrf = await _login(client, "luc")
    status, _ = await _act(client, hub, "PLATEAU", {"csrf": csrf, "action": "sitrep"})
    assert status == 303
    replies = await _replies(hub, "console:luc")
    assert any("SITREP #1 PLATEAU" in reply for reply in replies)


async def _replies(hub: Harness, address: str) -> list[str]:
    rows = await hub.db.fetchall("SELECT text FROM outbox WHERE address = ?", (address,))
    return [str(row[0]) for row in rows]


async def test_an_action_without_the_csrf_token_is_refused_and_sends_nothing(
    client: Client, hub: Harness
) -> None:
    await hub.text(ANA, "REJOINDRE PLATEAU")
    await _login(client, "marie")
    fields = {"action": "assign", "person": f"M{await hub.person_id(ANA)}", "role": "reception"}
    status, received = await _act(client, hub, "PLATEAU", fields)
    assert status == 403 and received == {}
