"""Badges in a real headless Chromium: an issuer opens a claim code for a badge on a
laptop and shows its screen (QR and code); a learner on a phone types the code, claims the
badge, and finds it in the backpack.

Screenshots: artifacts/screenshots/badge-claim-screen.png, badge-claim-phone.png,
badge-claimed-phone.png, badge-backpack-phone.png.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.db import session_scope
from server.models import Assertion
from tests.accounts import people
from tests.badges.helpers import badge_class
from tests.badges.helpers import issuer as make_issuer
from tests.web.browser import PHONE, SCREENSHOTS, Watch, needs_chromium, no_horizontal_scroll
from tests.web.dashboard import Sessions

pytestmark = needs_chromium
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


async def _sign_in(page: Any, base: str, path: str, email: str) -> None:
    await page.goto(f"{base}/account/signin?next={path}")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(people.PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(path), page.url


async def test_a_learner_claims_a_badge_on_a_phone_from_the_code_on_the_screen(
    chromium: Any, live_server: str, sessionmaker: Sessions
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with session_scope(sessionmaker) as s:
        team = await make_issuer(s)
        bc = await badge_class(s, team, name="Pond Explorer", level="participation")
        learner = await people.learner(s, "Maya", age=14)
        slug = team.organization.slug
    laptop = await chromium.new_context(**LAPTOP)
    phone = await chromium.new_context(**PHONE)
    try:
        staff_page = await laptop.new_page()
        staff_watch = Watch(staff_page)
        await _sign_in(
            staff_page, live_server, f"/partners/{slug}/badges/{bc.id}", team.staff.email
        )
        await staff_page.get_by_label("Open for (hours)").fill("2")
        await staff_page.get_by_label("How many learners at most").fill("30")
        async with staff_page.expect_navigation():
            await staff_page.get_by_role("button", name="Open a claim code").click()
        assert "/claim-codes/" in staff_page.url
        code = (await staff_page.locator("[data-code]").inner_text()).strip()
        assert len(code) == 9 and code[4] == "-"
        assert await staff_page.locator(".claim-qr svg").is_visible()
        box = await staff_page.locator(".claim-qr svg").bounding_box()
        assert box is not None and box["width"] >= 300  # readable from the back of a room
        assert "0 of 30 claimed" in await staff_page.locator("main").inner_text()
        await staff_page.screenshot(path=str(SCREENSHOTS / "badge-claim-screen.png"))

        page = await phone.new_page()
        watch = Watch(page)
        await _sign_in(page, live_server, "/claim", learner.email)
        await no_horizontal_scroll(page)
        # Typed as people type it: lower case, a space instead of the dash.
        await page.get_by_label("Your code").fill(code.lower().replace("-", " "))
        async with page.expect_navigation():
            await page.get_by_role("button", name="Next").click()
        main = await page.locator("main").inner_text()
        assert "Pond Explorer" in main
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "badge-claim-phone.png"), full_page=True)
        claim = page.get_by_role("button", name="Claim my badge")
        box = await claim.bounding_box()
        assert box is not None and box["height"] >= 44  # a thumb-sized target
        async with page.expect_navigation():
            await claim.click()
        assert "/done" in page.url
        assert "The badge is in your backpack." in await page.locator("main").inner_text()
        await page.screenshot(path=str(SCREENSHOTS / "badge-claimed-phone.png"), full_page=True)
        async with page.expect_navigation():
            await page.get_by_role("link", name="Go to my backpack").click()
        main = await page.locator("main").inner_text()
        assert "Pond Explorer" in main and team.organization.name in main
        assert await page.get_by_label("Who can see it").input_value() == "private"
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "badge-backpack-phone.png"), full_page=True)

        await staff_page.reload()
        assert "1 of 30 claimed" in await staff_page.locator("main").inner_text()
        assert not watch.errors, watch.errors
        assert not staff_watch.errors, staff_watch.errors
    finally:
        await laptop.close()
        await phone.close()
    async with sessionmaker() as s:
        count = await s.scalar(
            select(func.count()).where(
                Assertion.badge_class_id == bc.id, Assertion.recipient_user_id == learner.id
            )
        )
    assert count == 1
