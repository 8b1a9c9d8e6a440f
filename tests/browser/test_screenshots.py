"""Screenshots of the region and hub pages, in French and English, on a wide screen and on a
390 px phone, into var/screenshots/ (the README's pictures come from there). A page wider than
the screen would make a wider picture: the pages fit a phone."""

from __future__ import annotations

import contextlib
import struct

import pytest
from playwright.async_api import Browser, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.chromium import ON_SESSION_LOOP
from tests.browser.conftest import SCREENSHOTS, Site

pytestmark = ON_SESSION_LOOP
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header chunk."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def _settled(page: Page) -> None:
    """Wait for the live-update indicator to say it is connected, for a picture that does not
    show "reconnecting"; the pictures are taken all the same if it never does."""
    with contextlib.suppress(PlaywrightTimeout):
        await page.locator("#live.on").wait_for(timeout=3000)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "path"), [("region", "/"), ("hub", "/hubs/PLATEAU")])
async def test_the_page_is_captured_at_the_screen_width(
    site: Site, browser: Browser, name: str, path: str, lang: str, width: int
) -> None:
    context = await browser.new_context(
        viewport={"width": width, "height": 800}, device_scale_factor=1, locale=lang
    )
    try:
        page = await context.new_page()
        await site.login(page, "marie", lang=lang)
        await page.goto(f"{site.url}{path}?lang={lang}")
        await _settled(page)
        target = SCREENSHOTS / f"{name}-{lang}-{width}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        await page.screenshot(path=target, full_page=True)
    finally:
        await context.close()
    shot_width, shot_height = _png_size(target.read_bytes())
    assert shot_width == width, f"{target.name}: the page is wider than the screen"
    assert shot_height >= 300
