"""Live pages in a real browser: what a phone texts shows on a page left open, with no reload,
and a broadcast composed on the page reaches the phones while its tally counts the OKs."""

from __future__ import annotations

import asyncio

from playwright.async_api import Page

from tests.browser.chromium import ON_SESSION_LOOP
from tests.browser.conftest import ANA, BOB, Site, t

pytestmark = ON_SESSION_LOOP
CARL = "+15145550179"
LIVE = 10_000  # ms: a change shows within a second or two; this only bounds a failure


async def _mark(page: Page) -> None:
    """A flag in the page's memory: still there later means the page was never reloaded."""
    await page.evaluate("window.notReloaded = true")


async def _not_reloaded(page: Page) -> bool:
    return bool(await page.evaluate("window.notReloaded === true"))


async def test_a_need_texted_by_sms_appears_on_an_open_hub_page_without_a_reload(
    site: Site, page: Page
) -> None:
    await site.login(page, "paul", lang="en")
    await page.goto(f"{site.url}/hubs/PLATEAU?lang=en")
    await page.locator("#live.on").wait_for(timeout=LIVE)  # the stream is up
    await _mark(page)
    await site.service.text(CARL, "REJOINDRE PLATEAU")
    await site.service.text(CARL, "BESOIN couvertures de laine pour 2 enfants")
    await page.locator("#needs", has_text="couvertures de laine").wait_for(timeout=LIVE)
    assert await _not_reloaded(page)
    assert "514" not in await page.locator("#needs").inner_text()


async def test_the_region_table_sorts_by_a_column_and_keeps_that_order_when_it_updates(
    site: Site, page: Page
) -> None:
    await site.login(page, "paul", lang="en")
    await page.locator("#live.on").wait_for(timeout=LIVE)
    code = page.get_by_role("button", name=t("console.col.code", "en"), exact=True)
    await code.click()
    await code.click()  # again: Z to A
    codes = page.locator("#hubs tbody tr td:first-child")
    assert await codes.all_inner_texts() == ["VERDUN", "PLATEAU", "NEWTOWN"]
    header = page.locator("#hubs th", has=code)
    assert await header.get_attribute("aria-sort") == "descending"
    await _mark(page)
    plateau = page.locator("#hubs tbody tr", has_text="PLATEAU")
    before = await plateau.locator("td").nth(5).inner_text()
    await site.service.text(BOB, "BESOIN piles AA pour radio")
    await page.wait_for_function(
        "before => document.querySelectorAll('#hubs tbody tr')[1].cells[5].innerText !== before",
        arg=before,
        timeout=LIVE,
    )
    assert await codes.all_inner_texts() == ["VERDUN", "PLATEAU", "NEWTOWN"]
    assert await _not_reloaded(page)


async def test_a_broadcast_composed_on_the_page_reaches_the_phones_and_counts_the_oks(
    site: Site, page: Page
) -> None:
    svc = site.service
    await site.login(page, "marie", lang="fr")
    await page.goto(f"{site.url}/broadcasts?lang=fr")
    compose = page.locator("form.compose")
    await compose.get_by_label(t("console.broadcast.audience", "fr")).select_option("PLATEAU")
    await compose.get_by_role("textbox", name=t("console.broadcast.text", "fr")).fill(
        "Distribution d'eau au gymnase a 15h"
    )
    async with page.expect_navigation():
        await compose.get_by_role("button", name=t("console.broadcast.preview", "fr")).click()
    assert "[PLATEAU B" in await page.locator("main").inner_text()  # as the phones will read it
    async with page.expect_navigation():
        await page.get_by_role("button", name=t("console.broadcast.confirm", "fr")).click()
    got = await asyncio.gather(
        *(svc.expect(p, lambda text: "Distribution d'eau au gymnase" in text) for p in (ANA, BOB))
    )
    assert all(text.startswith("[PLATEAU B") and "OK" in text for text in got)
    row = page.locator("#broadcasts tbody tr").first
    await row.locator("td.acked", has_text="0").wait_for(timeout=LIVE)
    await _mark(page)
    await svc.text(ANA, "OK")
    await row.locator("td.acked", has_text="1").wait_for(timeout=LIVE)
    assert site.member(ANA) not in await row.locator("td.missing").inner_text()
    assert site.member(BOB) in await row.locator("td.missing").inner_text()
    assert await _not_reloaded(page)
