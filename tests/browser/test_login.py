"""Logging in to the console in a real browser: the right password, a wrong one, the lockout,
and a form posted without its CSRF token."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.chromium import ON_SESSION_LOOP
from tests.browser.conftest import Site, t

pytestmark = ON_SESSION_LOOP


async def test_the_right_password_opens_the_region_page(site: Site, page: Page) -> None:
    await site.login(page, "marie", lang="fr")
    assert page.url == f"{site.url}/?lang=fr"
    assert await page.locator("h1").inner_text() == t("console.region.title", "fr")
    assert "marie" in await page.locator("header").inner_text()


async def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(
    site: Site, page: Page
) -> None:
    await site.login(page, "marie", "not the password", lang="en")
    assert page.url.startswith(f"{site.url}/login")
    assert await page.get_by_role("alert").inner_text() == t("console.login.invalid", "en")
    await page.goto(f"{site.url}/")
    assert page.url == f"{site.url}/login", "no session was opened"


async def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    site: Site, page: Page
) -> None:
    for _ in range(4):
        await site.login(page, "paul", "guessing again", lang="fr")
        assert await page.get_by_role("alert").inner_text() == t("console.login.invalid", "fr")
    await site.login(page, "paul", "one guess too many", lang="fr")
    assert await page.get_by_role("alert").inner_text() == t("console.login.locked", "fr")
    await site.login(page, "paul", lang="fr")
    assert page.url.startswith(f"{site.url}/login")
    assert await page.get_by_role("alert").inner_text() == t("console.login.locked", "fr")
    await page.goto(f"{site.url}/")
    assert page.url == f"{site.url}/login"


async def test_a_login_form_without_its_csrf_token_is_refused(site: Site, page: Page) -> None:
    await page.goto(f"{site.url}/login?lang=en")
    await page.locator("input[name=csrf]").evaluate("input => input.remove()")
    await page.get_by_label(t("console.login.username", "en")).fill("marie")
    await page.get_by_label(t("console.login.password", "en")).fill(site.password)
    async with page.expect_response(f"{site.url}/login?lang=en") as posted:
        await page.get_by_role("button", name=t("console.login.submit", "en")).click()
    assert (await posted.value).status == 403
    assert await page.locator("h1").inner_text() == t("console.refused.title", "en")
    await page.goto(f"{site.url}/")
    assert page.url == f"{site.url}/login", "no session was opened"


async def test_a_hub_action_without_its_csrf_token_is_refused_and_never_sent(
    site: Site, page: Page
) -> None:
    journal = "SELECT COUNT(*) FROM inbound WHERE address LIKE 'console:%'"
    await site.login(page, "marie", lang="fr")
    await page.goto(f"{site.url}/hubs/PLATEAU?lang=fr")
    before = site.service.query(journal)
    sitrep = page.locator("form:has(input[name=action][value=sitrep])")
    await sitrep.locator("input[name=csrf]").evaluate("input => input.remove()")
    async with page.expect_response(f"{site.url}/hubs/PLATEAU/act?lang=fr") as posted:
        await sitrep.get_by_role("button").click()
    assert (await posted.value).status == 403
    assert await page.locator("h1").inner_text() == t("console.refused.title", "fr")
    assert site.service.query(journal) == before, "nothing reached the journal"
