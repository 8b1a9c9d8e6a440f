"""The region and hub pages in a real browser: who sees which hub, and assigning a role from
the hub page, which reaches the member's phone as the same task card a text would send."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.chromium import ON_SESSION_LOOP
from tests.browser.conftest import ANA, Site, t

pytestmark = ON_SESSION_LOOP
# The value of the member list's option for a member number, should the field become a list.
_OPTION_FOR = "(list, m) => [...list.options].find(o => o.value === m || o.text.includes(m)).value"


async def _hub_codes(page: Page) -> list[str]:
    """The hub codes listed on the region page, in order."""
    return [
        code.strip() for code in await page.locator("tbody tr td:first-child").all_inner_texts()
    ]


async def test_a_coordinator_sees_every_hub_on_the_region_page(site: Site, page: Page) -> None:
    await site.login(page, "marie", lang="en")
    assert sorted(await _hub_codes(page)) == ["NEWTOWN", "PLATEAU", "VERDUN"]
    await page.get_by_role("link", name="NEWTOWN").click()
    await page.wait_for_url(f"{site.url}/hubs/NEWTOWN?lang=en")
    assert "Newtown School" in await page.locator("h1").inner_text()


async def test_an_opened_hub_shows_as_open_and_a_closed_one_as_closed(
    site: Site, page: Page
) -> None:
    await site.login(page, "marie", lang="en")
    plateau = page.locator("tbody tr", has_text="PLATEAU")
    assert t("console.status.open", "en") in await plateau.inner_text()
    verdun = page.locator("tbody tr", has_text="VERDUN")
    assert t("console.status.closed", "en") in await verdun.inner_text()


async def test_a_lead_sees_only_their_hub_and_another_hubs_page_is_not_found(
    site: Site, page: Page
) -> None:
    await site.login(page, "luc", lang="fr")
    assert await _hub_codes(page) == ["PLATEAU"]
    own = await page.goto(f"{site.url}/hubs/PLATEAU?lang=fr")
    assert own is not None and own.status == 200
    for other in ("VERDUN", "NEWTOWN", "NOSUCHHUB"):
        response = await page.goto(f"{site.url}/hubs/{other}?lang=fr")
        assert response is not None and response.status == 404, other
        assert other.title() not in await page.content()


async def test_assigning_a_role_from_the_hub_page_texts_the_member_their_task_card(
    site: Site, page: Page
) -> None:
    member = site.member(ANA)
    await site.login(page, "marie", lang="fr")
    await page.goto(f"{site.url}/hubs/PLATEAU?lang=fr")
    assign = page.locator("form:has(input[name=action][value=assign])")
    person = assign.get_by_label(t("console.act.person", "fr"))
    if await person.evaluate("field => field.tagName") == "SELECT":  # a list of members
        await person.select_option(await person.evaluate(_OPTION_FOR, member))
    else:
        await person.fill(member)
    await assign.get_by_label(t("console.col.role", "fr")).select_option(label="Accueil")
    async with page.expect_navigation():
        await assign.get_by_role("button", name=t("console.act.assign", "fr")).click()
    assert page.url == f"{site.url}/hubs/PLATEAU?lang=fr"
    flash = t("console.act.sent", "fr", command=f"ASSIGN {member} reception")
    assert flash in await page.locator("main").inner_text()
    card = await site.service.expect(
        ANA, lambda text: text.startswith("Votre poste au centre PLATEAU : Accueil")
    )
    assert "+1514" not in card
    role_column = page.get_by_role("columnheader", name=t("console.col.role", "fr"), exact=True)
    roster = page.locator("table", has=role_column)
    await page.reload()
    assert "Accueil" in await roster.inner_text()
