"""The console in a real browser: Debian's Chromium driven by Playwright, against `hubbot run`.

One Chromium and one service per test session (per xdist worker: a module's tests may be
spread over several), a fresh browser context (no cookies) per test; tests that change what
the service holds use their own account or member, so they run in any order. Every fixture
runs on the session's event loop, since Playwright's objects belong to the loop that made them.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from hubbot.domain.messages import Msg
from hubbot.i18n import Renderer
from tests.service import ROOT, Service

# The closed network refuses Chromium's background calls home; without these flags it keeps
# retrying them and pages load slowly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
SCREENSHOTS = ROOT / "var" / "screenshots"
LEAD, HELPER, ANA, BOB = "+15145550101", "+15145550102", "+15145550177", "+15145550178"
EN_LEAD = "+16135550101"
_renderer = Renderer(ROOT / "locales")


def t(key: str, lang: str, **params: str | int) -> str:
    """A console text as the page shows it, from the same catalogs."""
    return _renderer.render(Msg(key, dict(params)), lang)


class Site:
    """The running service with its hubs, people and console accounts, seen from a browser."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.url = service.url
        self.password = PASSWORD

    async def user_add(self, name: str, role: str, hub: str | None = None) -> None:
        """`hubbot user add`, the password on standard input as an operator would give it."""
        args = ["user", "add", name, "--role", role, "--password-stdin"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hubbot",
            *args,
            *(["--hub", hub] if hub else []),
            cwd=self.service.workdir,
            env=self.service.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate(f"{PASSWORD}\n".encode())
        assert proc.returncode == 0, out.decode()

    async def cli(self, *args: str) -> None:
        code, out = await self.service.cli(*args)
        assert code == 0, out

    def member(self, phone: str) -> str:
        """The member number (`M12`) of the person texting from `phone`."""
        rows = self.service.query(
            "SELECT person_id FROM addresses WHERE address = ?", (f"sms:{phone}",)
        )
        assert rows, f"{phone} is nobody yet"
        return f"M{rows[0][0]}"

    async def login(
        self, page: Page, user: str, password: str = PASSWORD, lang: str = "en"
    ) -> None:
        """Fill and send the login form as a person would."""
        await page.goto(f"{self.url}/login?lang={lang}")
        await page.get_by_label(t("console.login.username", lang)).fill(user)
        await page.get_by_label(t("console.login.password", lang)).fill(password)
        async with page.expect_navigation():
            await page.get_by_role("button", name=t("console.login.submit", lang)).click()


async def _populate(site: Site) -> None:
    """Three hubs, two of them open, with a team, members, a need and an offer; three accounts."""
    svc = site.service
    await site.cli("hub", "add", "PLATEAU", "--name", "Plateau Mont-Royal", "--pin", "2468")
    await site.cli("hub", "add", "VERDUN", "--name", "Verdun", "--pin", "1357")
    await site.cli(
        "hub", "add", "NEWTOWN", "--name", "Newtown School", "--pin", "8642", "--locale", "en"
    )
    await svc.text(LEAD, "ACTIVER PLATEAU 2468")
    await svc.expect(LEAD, lambda text: "OUVERT" in text)
    await svc.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await svc.expect(HELPER, lambda text: text.startswith("Votre poste au centre PLATEAU"))
    await svc.text(EN_LEAD, "ACTIVATE NEWTOWN 8642")
    await svc.expect(EN_LEAD, lambda text: "is now OPEN" in text)
    for phone in (ANA, BOB):
        await svc.text(phone, "REJOINDRE PLATEAU")
        await svc.expect(phone, lambda text: text.startswith("Bienvenue"))
    await svc.text(ANA, "BESOIN eau potable pour 3 personnes")
    await svc.expect(ANA, lambda text: text.startswith("Besoin N"))
    await svc.text(BOB, "OFFRE génératrice et rallonges")
    await svc.expect(BOB, lambda text: text.startswith("Offre O"))
    await asyncio.gather(
        site.user_add("marie", "coordinator"),
        site.user_add("luc", "lead", "PLATEAU"),
        site.user_add("paul", "coordinator"),
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    from tests.browser.chromium import CHROMIUM  # not above: it skips where Chromium is missing

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """`hubbot run` on the simulator with hubs, members and accounts."""
    service = Service(tmp_path_factory.mktemp("console"), HUBBOT_SEED_DEMO="false")
    try:
        await service.start()
        site = Site(service)
        await _populate(site)
        yield site
    finally:
        await service.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A new page in its own context: no cookie from another test."""
    context = await browser.new_context(locale="fr-CA")
    context.set_default_timeout(10_000)
    yield await context.new_page()
    await context.close()
