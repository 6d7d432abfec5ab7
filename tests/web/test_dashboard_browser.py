"""The partner dashboard in a real headless Chromium on a phone: a manager uploads a CSV,
sees the preview (with a rejected row), applies it, sees the listings, opens the listing
form, and registers a feed next to one that is failing.

Screenshots: artifacts/screenshots/dashboard-import-preview.png, dashboard-listings.png,
dashboard-listing-form.png, dashboard-feeds.png.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from server.db import session_scope
from server.models import Feed
from tests.accounts import people
from tests.web.browser import PHONE, SCREENSHOTS, Watch, needs_chromium, no_horizontal_scroll
from tests.web.dashboard import FAR_ZIP, Sessions, day, staff

pytestmark = needs_chromium


def _csv() -> bytes:
    start, end = day(14).isoformat(), day(60).isoformat()
    lines = [
        "external_id,title,kind,topics,min_age,max_age,cost,place_name,address,postal_code,"
        "start_date,end_date,start_time,duration_minutes,days",
        f"SUM-1,Summer Robotics Camp,camp,Robotics,10,14,0,Urbana Free Library,"
        f"210 W Green St,{FAR_ZIP},{start},{end},09:30,180,Mon;Wed;Fri",
        f"SUM-2,Teen Photography Walks,workshop,Art,13,18,15,Busey Woods,"
        f"1401 N Broadway Ave,{FAR_ZIP},{start},{end},16:00,90,Sat",
        f"SUM-3,Chess in the Park,program,,8,99,0,Crystal Lake Park,,{FAR_ZIP},"
        f"{start},{end},15:00,60,Tue",
        f"SUM-4,Broken dates,program,,8,12,0,Somewhere,,{FAR_ZIP},{start},2020-01-01,10:00,60,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


async def test_a_manager_imports_a_csv_on_a_phone(
    chromium: Any, live_server: str, sessionmaker: Sessions
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        session.add(
            Feed(
                organization_id=team.org.id,
                format="rpde",
                url=f"https://cms.example.org/openactive/{team.org.id}/sessions",
                health="quarantined",
                health_reason="HTTP 503 Service Unavailable",
                consecutive_failures=4,
                last_success_at=datetime.now(UTC) - timedelta(days=9),
            )
        )
    context = await chromium.new_context(**PHONE)
    page = await context.new_page()
    watch = Watch(page)
    try:
        await page.goto(live_server + f"{team.base}/import")
        assert "/account/signin?next=" in page.url
        await page.get_by_label("Email address").fill(team.manager.email)
        await page.get_by_label("Password").fill(people.PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        assert page.url.endswith(f"{team.base}/import")
        assert await page.get_by_role("link", name="Download the template (.csv)").is_visible()
        await no_horizontal_scroll(page)

        await page.get_by_label("CSV file").set_input_files(
            files=[{"name": "summer.csv", "mimeType": "text/csv", "buffer": _csv()}]
        )
        async with page.expect_navigation():
            await page.get_by_role("button", name="Show what will change").click()
        main = await page.locator("main").inner_text()
        assert "Nothing is saved yet." in main and "1 row cannot be used" in main
        assert "row 5" in main
        await no_horizontal_scroll(page)
        await page.screenshot(
            path=str(SCREENSHOTS / "dashboard-import-preview.png"), full_page=True
        )
        watch.errors.clear()

        async with page.expect_navigation():
            await page.get_by_role("button", name="Apply these changes").click()
        assert "/imports/" in page.url and "notice=imported" in page.url
        assert "The import is done." in await page.locator("main").inner_text()
        await no_horizontal_scroll(page)

        await page.get_by_role("link", name="See your listings").click()
        await page.wait_for_url(f"**{team.base}/listings")
        main = await page.locator("main").inner_text()
        assert "Summer Robotics Camp" in main and "Chess in the Park" in main
        assert "CSV upload" in main
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "dashboard-listings.png"), full_page=True)

        # "Edit" and the hidden ": Summer Robotics Camp" (a separate box: a space between).
        edit = re.compile(r"^Edit\s*: Summer Robotics Camp$")
        await page.get_by_role("link", name=edit).click()
        await page.wait_for_url("**/edit")
        assert await page.get_by_label("Title").input_value() == "Summer Robotics Camp"
        assert await page.get_by_label("Wednesday").is_checked()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "dashboard-listing-form.png"), full_page=True)

        await page.get_by_role("link", name="Feeds", exact=True).first.click()
        await page.wait_for_url(f"**{team.base}/feeds")
        await page.get_by_label("Format").select_option("ical")
        await page.get_by_label("Feed address").fill("https://calendar.example.org/library.ics")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Add the feed").click()
        assert "notice=feed-registered" in page.url
        await page.get_by_role("link", name="Feeds", exact=True).first.click()
        await page.wait_for_url(f"**{team.base}/feeds")
        main = await page.locator("main").inner_text()
        assert "Quarantined" in main and "HTTP 503 Service Unavailable" in main
        assert "May be out of date" in main and "calendar.example.org" in main
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "dashboard-feeds.png"), full_page=True)
        assert not watch.errors, watch.errors
    finally:
        await context.close()
