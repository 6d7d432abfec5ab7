"""The pages in a real headless Chromium on a phone-sized screen, with and without JavaScript.

Screenshots land in artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import PHONE, SCREENSHOTS, needs_chromium, no_horizontal_scroll

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class ExternalRequests:
    """Records every request that leaves the live server (the pages must make none)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: list[str] = []

    def __call__(self, request: Any) -> None:
        url = request.url
        if not url.startswith(self.base) and not url.startswith(("data:", "about:")):
            self.seen.append(url)


async def test_phone_search_filter_and_detail(
    chromium: Any, live_server: str, screenshots: Path
) -> None:
    context = await chromium.new_context(**PHONE)
    page = await context.new_page()
    external = ExternalRequests(live_server)
    page.on("request", external)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        await page.goto(live_server + "/")
        await no_horizontal_scroll(page)
        # With JavaScript and navigator.geolocation, the location button shows up.
        assert await page.get_by_role("button", name="Use my location").is_visible()
        await page.screenshot(path=str(screenshots / "phone-home.png"), full_page=True)

        await page.get_by_label("ZIP code or address").fill("60614")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Search", exact=True).click()
        assert "/search?" in page.url and "q=60614" in page.url
        # Empty fields are left out of the URL by site.js.
        assert "lat=" not in page.url
        results = page.locator("li.result")
        assert await results.count() > 0
        total = int(await page.locator(".total").get_attribute("data-total") or "0")
        assert total > 0
        # The map is drawn (progressive enhancement) with numbered markers.
        assert await page.locator(".results-map svg").is_visible()
        assert await page.locator(".results-map .map-marker").count() > 0
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-results.png"))
        await page.screenshot(path=str(screenshots / "phone-results-full.png"), full_page=True)

        # Filter: free only.
        await page.locator("details.filters > summary").click()
        await page.get_by_label("Free only").check()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-filters.png"))
        async with page.expect_navigation():
            await page.get_by_role("button", name="Show results").click()
        assert "free=1" in page.url
        costs = await page.locator("li.result dd.cost").all_inner_texts()
        assert costs and {c.strip() for c in costs} == {"Free"}
        free_total = int(await page.locator(".total").get_attribute("data-total") or "0")
        assert 0 < free_total <= total  # both may be capped ("more than 100")
        await page.screenshot(path=str(screenshots / "phone-results-free.png"))

        # Open the first result.
        first = page.locator("li.result .result-title a").first
        title = (await first.inner_text()).strip()
        async with page.expect_navigation():
            await first.click()
        assert "/opportunities/" in page.url
        assert (await page.locator("h1").inner_text()).strip() == title
        ld = await page.locator('script[type="application/ld+json"]').text_content()
        data = json.loads(ld or "")
        assert data["name"] == title
        assert data["@type"] in {"Event", "Course", "EducationalOccupationalProgram"}
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-detail.png"), full_page=True)

        # Keyboard: the skip link is the first stop and lands on <main>.
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.className")
        assert "skip-link" in focused
        assert await page.locator(".skip-link").is_visible()
        await page.screenshot(path=str(screenshots / "phone-skip-link.png"))

        assert not errors, errors
        assert not external.seen, external.seen
    finally:
        await context.close()


async def test_phone_spanish_and_errors(chromium: Any, live_server: str, screenshots: Path) -> None:
    context = await chromium.new_context(**PHONE)
    page = await context.new_page()
    try:
        await page.goto(live_server + "/?lang=es")
        assert await page.locator("html").get_attribute("lang") == "es"
        await page.get_by_label("Código postal o dirección").fill("00000")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Buscar", exact=True).click()
        alert = page.get_by_role("alert")
        assert "No encontramos ese código postal" in await alert.inner_text()
        assert await page.get_by_label("Código postal o dirección").input_value() == "00000"
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-error-es.png"))
        # The cookie keeps Spanish on the next page.
        await page.goto(live_server + "/search?q=60614")
        assert await page.locator("html").get_attribute("lang") == "es"
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-results-es.png"))
    finally:
        await context.close()


async def test_search_works_without_javascript(
    chromium: Any, live_server: str, screenshots: Path
) -> None:
    context = await chromium.new_context(**PHONE, java_script_enabled=False)
    page = await context.new_page()
    try:
        await page.goto(live_server + "/")
        # No JavaScript: no location button, no map, but the plain form works.
        assert not await page.get_by_role("button", name="Use my location").is_visible()
        await page.get_by_label("ZIP code or address").fill("60614")
        async with page.expect_navigation():
            await page.get_by_label("ZIP code or address").press("Enter")
        assert "q=60614" in page.url
        assert await page.locator("li.result").count() > 0
        assert not await page.locator(".results-map").is_visible()

        # Filters open natively (<details>) and submit as a plain GET form.
        await page.locator("details.filters > summary").click()
        await page.get_by_label("Free only").check()
        await page.get_by_label("Distance").select_option("5")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Show results").click()
        assert "free=1" in page.url and "radius=5" in page.url
        costs = await page.locator("li.result dd.cost").all_inner_texts()
        assert costs and {c.strip() for c in costs} == {"Free"}
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-nojs-results.png"))

        next_link = page.locator('a[rel="next"]')
        if await next_link.count():
            first_ids = await page.locator("li.result .result-title a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            async with page.expect_navigation():
                await next_link.click()
            second_ids = await page.locator("li.result .result-title a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            assert second_ids and not set(first_ids) & set(second_ids)
    finally:
        await context.close()


async def test_wide_screen_layout(chromium: Any, live_server: str, screenshots: Path) -> None:
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(live_server + "/search?q=60614")
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "desktop-results.png"))
    finally:
        await context.close()


async def test_narrowest_phone_has_no_horizontal_scroll(
    chromium: Any, live_server: str, screenshots: Path
) -> None:
    context = await chromium.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    try:
        for path in ("/", "/search?q=60614", "/search?q=60614&age=abc", "/?lang=es"):
            await page.goto(live_server + path)
            await no_horizontal_scroll(page)
        await page.goto(live_server + "/search?q=60614")
        href = await page.locator("li.result .result-title a").first.get_attribute("href")
        await page.goto(live_server + str(href))
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(screenshots / "phone-320-detail.png"), full_page=True)
    finally:
        await context.close()
