"""axe-core, run inside Chromium on each console page in both languages: no violation that
axe rates serious or critical (contrast, names of fields and buttons, the page's language...)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from tests.browser.chromium import ON_SESSION_LOOP
from tests.browser.conftest import Site

pytestmark = ON_SESSION_LOOP
SEVERE = ("serious", "critical")


def _severe(results: dict[str, Any]) -> list[str]:
    """One line per serious or critical violation: the rule, its impact and where."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in SEVERE
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", ["/login", "/", "/hubs/PLATEAU", "/broadcasts"])
async def test_the_page_has_no_serious_accessibility_violation(
    site: Site, page: Page, path: str, lang: str
) -> None:
    if path != "/login":
        await site.login(page, "marie", lang=lang)
    await page.goto(f"{site.url}{path}?lang={lang}")
    assert await page.locator("html").get_attribute("lang") == lang
    results = await Axe().run(page)
    assert _severe(results.response) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_the_broadcast_preview_has_no_serious_accessibility_violation(
    site: Site, page: Page, lang: str
) -> None:
    await site.login(page, "marie", lang=lang)
    await page.goto(f"{site.url}/broadcasts?lang={lang}")
    await page.locator("form.compose textarea").fill("Eau potable au gymnase")
    async with page.expect_navigation():
        await page.locator("form.compose button[type=submit]").click()
    assert await page.locator("form.confirm").count() == 1  # the preview, ready to confirm
    results = await Axe().run(page)
    assert _severe(results.response) == []
