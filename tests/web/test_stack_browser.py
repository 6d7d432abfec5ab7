"""Stacks in a real headless Chromium: a learner on a phone who holds one badge of a
two-badge stack claims the last one with a claim code; once the worker's relay has run,
the internship the stack gates is unlocked for them on My stacks and on its page; they
apply sharing two of their three badges; the employer's manager, on a laptop, sees the
application with exactly those two.

Screenshots: artifacts/screenshots/stacks-progress-phone.png, stacks-search-phone.png,
stacks-locked-phone.png (before), stacks-mine-phone.png, stacks-listing-phone.png,
stacks-applied-phone.png (after), stacks-applicants.png (the employer's).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.badges import claims
from server.db import session_scope
from server.models import Application, Unlock
from server.settings import Settings
from tests.accounts import people
from tests.badges.helpers import badge_class, now
from tests.stacks.helpers import award, drain
from tests.web.browser import PHONE, SCREENSHOTS, Watch, needs_chromium, no_horizontal_scroll
from tests.web.dashboard import Sessions
from tests.web.stacks_learner_site import pathway

pytestmark = needs_chromium
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


async def _sign_in(page: Any, base: str, path: str, email: str) -> None:
    await page.goto(f"{base}/account/signin?next={path}")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(people.PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(path), page.url


async def test_a_learner_claims_the_last_badge_unlocks_the_internship_and_applies(
    chromium: Any, live_server: str, sessionmaker: Sessions, settings: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    made = await pathway(sessionmaker)
    async with session_scope(sessionmaker) as s:
        code = await claims.open_code(
            s,
            made.college.staff_actor,
            made.html.id,
            starts_at=now() - timedelta(minutes=5),
            ends_at=now() + timedelta(hours=2),
            max_uses=30,
        )
        # A third badge the learner keeps to themselves.
        pond = await badge_class(s, made.museum, name=f"Pond Explorer {made.word}")
        await award(s, made.museum, pond, made.learner)
    shown = f"{code.code[:4]}-{code.code[4:]}"
    listing = f"/opportunities/{made.internship.id}"
    applicants = f"/partners/{made.boss.organization.slug}/listings/{made.internship.id}/applicants"
    phone = await chromium.new_context(**PHONE)
    laptop = await chromium.new_context(**LAPTOP)
    try:
        page = await phone.new_page()
        watch = Watch(page)
        await _sign_in(page, live_server, "/account/stacks", made.learner.email)
        # Before: one of two held, the missing one with the workshop nearby that awards it.
        started = await page.locator("#in-progress").inner_text()
        assert made.workshop.title in started and made.html.name in started
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-progress-phone.png"), full_page=True)
        await page.goto(f"{live_server}/search?text={made.word}")
        marker = page.locator(".result", has_text=made.internship.title).locator(".gate-marker")
        assert (await marker.inner_text()).startswith("Locked")
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-search-phone.png"), full_page=True)
        await page.goto(f"{live_server}{listing}")
        assert "Locked" in await page.locator("#gate").inner_text()
        await page.screenshot(path=str(SCREENSHOTS / "stacks-locked-phone.png"), full_page=True)

        await page.goto(f"{live_server}/claim")
        await page.get_by_label("Your code").fill(shown.lower().replace("-", " "))
        async with page.expect_navigation():
            await page.get_by_role("button", name="Next").click()
        async with page.expect_navigation():
            await page.get_by_role("button", name="Claim my badge").click()
        assert "The badge is in your backpack." in await page.locator("main").inner_text()

        # What the worker does after an award: the relay runs the stacks engine.
        await drain(sessionmaker, settings)
        async with sessionmaker() as s:
            unlock = await s.scalar(
                select(Unlock).where(
                    Unlock.learner_id == made.learner.id,
                    Unlock.opportunity_id == made.internship.id,
                )
            )
        assert unlock is not None and unlock.relocked_at is None

        await page.goto(f"{live_server}/backpack")
        async with page.expect_navigation():
            await page.get_by_role("link", name="My stacks and applications").click()
        assert page.url.endswith("/account/stacks")
        unlocked = await page.locator("#unlocked").inner_text()
        assert made.internship.title in unlocked and "Unlocked on" in unlocked
        completed = await page.locator("#completed").inner_text()
        assert made.stack.name in completed and made.html.name in completed
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-mine-phone.png"), full_page=True)

        async with page.expect_navigation():
            await page.locator("#unlocked").get_by_role("link", name=made.internship.title).click()
        assert page.url.endswith(listing)
        gate = page.locator("#gate")
        assert "Unlocked for you" in await gate.inner_text()
        first = page.get_by_label(f"{made.design.name}, from {made.museum.organization.name}")
        second = page.get_by_label(f"{made.html.name}, from {made.college.organization.name}")
        third = page.get_by_label(f"{pond.name}, from {made.museum.organization.name}")
        for box in (first, second, third):
            assert not await box.is_checked()  # none shared unless chosen
        await first.check()
        await second.check()
        await page.get_by_label("Message to the employer (optional)").fill(
            "I made my school's website."
        )
        send = page.get_by_role("button", name="Send my application")
        box_size = await send.bounding_box()
        assert box_size is not None and box_size["height"] >= 44  # a thumb-sized target
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-listing-phone.png"), full_page=True)
        async with page.expect_navigation():
            await send.click()
        text = await gate.inner_text()
        assert "Your application was sent." in text and "You shared 2 badges." in text
        await page.screenshot(path=str(SCREENSHOTS / "stacks-applied-phone.png"), full_page=True)
        assert not watch.errors, watch.errors

        staff_page = await laptop.new_page()
        staff_watch = Watch(staff_page)
        await _sign_in(staff_page, live_server, applicants, made.boss.manager.email)
        applicant = staff_page.locator(".applicant", has_text=made.learner.display_name)
        shared = await applicant.locator(".shared-badge").all_inner_texts()
        assert sorted(s.split(" ·")[0].strip() for s in shared) == sorted(
            [made.design.name, made.html.name]
        )
        assert pond.name not in await applicant.inner_text()
        assert "I made my school's website." in await applicant.inner_text()
        await staff_page.screenshot(path=str(SCREENSHOTS / "stacks-applicants.png"), full_page=True)
        assert not staff_watch.errors, staff_watch.errors
    finally:
        await phone.close()
        await laptop.close()
    async with sessionmaker() as s:
        [application] = list(
            await s.scalars(
                select(Application).where(Application.opportunity_id == made.internship.id)
            )
        )
    assert len(application.shared_assertion_ids) == 2
