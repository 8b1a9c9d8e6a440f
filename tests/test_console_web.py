"""The web console's front door: login, sessions, CSRF, the region page and a hub page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hubbot.domain.playbook import LOCALES, Playbook
from hubbot.i18n import Renderer, catalog_path, entries, read_catalog
from hubbot.passwords import hash_password
from hubbot.store import accounts
from hubbot.web.console import Console, add_console
from tests.conftest import Harness

PASSWORD = "correct horse battery"
LEAD_PHONE = "+15145550101"
ANA = "+15145550177"
ROOT = Path(__file__).resolve().parent.parent


@cache
def _hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow: once for the module


@pytest.fixture
async def client(
    harness: Harness, renderer: Renderer, playbooks: dict[str, Playbook]
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    plateau = await harness.add_hub()
    await harness.add_hub("VERDUN", name="Verdun", sms_number="+15145559999")
    async with harness.db.transaction() as conn:
        now = harness.clock.now()
        await accounts.create(conn, "marie", _hash(), "coordinator", None, now)
        await accounts.create(conn, "luc", _hash(), "lead", plateau, now)
    app = web.Application()
    console = Console(
        harness.db, harness.clock, renderer, playbooks, timedelta(hours=12), False, "fr"
    )
    add_console(app, console)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _csrf(client: TestClient[web.Request, web.Application], path: str) -> str:
    resp = await client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
    assert found is not None
    return found.group(1)


async def _login(
    client: TestClient[web.Request, web.Application], user: str, password: str = PASSWORD
) -> web.Response:
    token = await _csrf(client, "/login")
    form = {"username": user, "password": password, "csrf": token}
    return await client.post("/login", data=form, allow_redirects=False)  # type: ignore[return-value]


async def test_a_good_login_sets_an_httponly_strict_session_cookie_and_opens_the_region(
    client: TestClient[web.Request, web.Application],
) -> None:
    resp = await _login(client, "marie")
    assert resp.status == 303 and resp.headers["Location"] == "/"
    cookie = resp.cookies["hubbot_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = await client.get("/?lang=en")
    assert page.status == 200 and "Region" in await page.text()


@pytest.mark.parametrize(("lang", "text"), [("en", "Wrong user name"), ("fr", "incorrect")])
async def test_a_wrong_password_gets_401_with_the_same_words_as_an_unknown_user(
    client: TestClient[web.Request, web.Application], lang: str, text: str
) -> None:
    client.session.headers["Accept-Language"] = lang
    wrong = await _login(client, "marie", "not the password at all")
    unknown = await _login(client, "nobody", "not the password at all")
    assert wrong.status == unknown.status == 401
    body = await wrong.text()
    assert text in body
    assert _problem(body) == _problem(await unknown.text())


def _problem(html: str) -> str:
    found = re.search(r'<p class="problem"[^>]*>([^<]*)</p>', html)
    assert found is not None
    return found.group(1)


async def test_a_login_without_its_csrf_token_is_refused_with_403(
    client: TestClient[web.Request, web.Application],
) -> None:
    await client.get("/login")
    resp = await client.post(
        "/login", data={"username": "marie", "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 403 and "hubbot_session" not in resp.cookies


async def test_a_coordinator_sees_every_hub_on_the_region_page(
    client: TestClient[web.Request, web.Application],
) -> None:
    await _login(client, "marie")
    body = await (await client.get("/")).text()
    assert "/hubs/PLATEAU" in body and "/hubs/VERDUN" in body


async def test_a_lead_sees_only_their_hub_and_another_hubs_page_is_not_found(
    client: TestClient[web.Request, web.Application],
) -> None:
    await _login(client, "luc")
    body = await (await client.get("/")).text()
    assert "/hubs/PLATEAU" in body and "VERDUN" not in body
    assert (await client.get("/hubs/PLATEAU")).status == 200
    assert (await client.get("/hubs/VERDUN")).status == 404
    assert (await client.get("/hubs/NOWHERE")).status == 404


@pytest.mark.parametrize(("lang", "heading"), [("en", "Open needs"), ("fr", "Besoins ouverts")])
async def test_a_hub_page_shows_a_need_texted_in_and_never_a_phone_number(
    client: TestClient[web.Request, web.Application], harness: Harness, lang: str, heading: str
) -> None:
    await harness.text(LEAD_PHONE, "ACTIVER PLATEAU 2468")
    await harness.text(ANA, "REJOINDRE PLATEAU")
    await harness.text(ANA, "BESOIN couvertures pour 3 enfants, appelez 514 555 0177")
    await _login(client, "marie")
    body = await (await client.get(f"/hubs/PLATEAU?lang={lang}")).text()
    assert heading in body and "couvertures pour 3 enfants" in body
    assert ("2 members" if lang == "en" else "2 membres") in body, "the lead and Ana"
    digits = re.sub(r"\D", "", body)
    for phone in (LEAD_PHONE, ANA):
        assert phone[2:] not in digits and phone[-7:] not in digits


async def test_logging_out_ends_the_session(
    client: TestClient[web.Request, web.Application],
) -> None:
    await _login(client, "marie")
    token = await _csrf(client, "/")
    resp = await client.post("/logout", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"
    after = await client.get("/", allow_redirects=False)
    assert after.status == 303 and after.headers["Location"] == "/login"


async def test_logging_out_without_the_csrf_token_is_refused_and_keeps_the_session(
    client: TestClient[web.Request, web.Application],
) -> None:
    await _login(client, "marie")
    assert (await client.post("/logout", data={}, allow_redirects=False)).status == 403
    assert (await client.get("/", allow_redirects=False)).status == 200


async def test_an_expired_session_goes_back_to_the_login_page(
    client: TestClient[web.Request, web.Application], harness: Harness
) -> None:
    await _login(client, "marie")
    harness.clock.advance(hours=12, seconds=1)
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"


async def test_a_removed_account_goes_back_to_the_login_page(
    client: TestClient[web.Request, web.Application], harness: Harness
) -> None:
    await _login(client, "luc")
    async with harness.db.transaction() as conn:
        await accounts.remove(conn, "luc")
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"


def test_every_console_key_is_translated_in_both_languages() -> None:
    web = ROOT / "hubbot" / "web"
    sources = [*(web / "templates").glob("*.html"), *web.glob("console*.py")]
    used = {k for p in sources for k in re.findall(r'"(console\.[a-z_.]+)"', p.read_text())}
    assert "console.login.invalid" in used
    for locale in LOCALES:
        catalog = entries(read_catalog(catalog_path(ROOT / "locales", locale), locale))
        assert used <= set(catalog), (locale, used - set(catalog))
