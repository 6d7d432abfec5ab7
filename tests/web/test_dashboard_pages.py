"""Every dashboard page in English and Spanish: no message key shows through, each page
passes the shared page checks, and an organization still waiting for approval is told
why its forms are missing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from server.catalog.imports import ImportSummary, Rejection, record_run
from server.db import session_scope
from server.models import Feed
from tests import builders
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, browser_for, listing_fields, staff
from tests.web.site import check_page, post, text_of
from web.i18n import EN, ES

KEY = re.compile(r"\b(?:dash|err)\.[a-z_]+(?:\.[a-z_]+)*\b")


def test_both_languages_have_every_dashboard_message() -> None:
    english = {k for k in EN if k.startswith("dash.")}
    spanish = {k for k in ES if k.startswith("dash.")}
    assert english == spanish
    same = [k for k in english if EN[k] == ES[k] and not k.startswith("dash.format.")]
    # Words that are the same in both languages ("id", "Error:").
    assert set(same) <= {"dash.external_id", "dash.run.error"}, same


async def test_every_page_in_both_languages(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as session:
        listing = await builders.create_opportunity(
            session, team.org, None, None, title="Every page", delivery="online"
        )
        feed = Feed(
            organization_id=team.org.id,
            format="jsonld",
            url=f"https://e.org/{team.org.id}",
            health="degraded",
            health_reason="3 of 4 records were rejected",
        )
        session.add(feed)
        await session.flush()
        run = await record_run(
            session,
            organization_id=team.org.id,
            source=f"feed:{feed.id}",
            summary=ImportSummary(
                created=1,
                rejected=[Rejection("item 2", "x", "an onsite or hybrid listing needs a place")],
                held_removals=["gone"],
            ),
            started_at=now,
            now=now,
            feed_id=feed.id,
            http_status=200,
        )
        run_id = run.id
    pages = (
        "",
        "/listings",
        "/listings?status=draft",
        "/listings/new",
        f"/listings/{listing.id}/edit",
        "/feeds",
        f"/feeds/{feed.id}",
        "/import",
        f"/imports/{run_id}",
    )
    for user in (team.manager, team.issuer):
        browser = await browser_for(new_client, user)
        for lang in ("en", "es"):
            browser.cookies.set("lang", lang)
            for path in pages:
                response = await browser.get(team.base + path)
                if path.endswith(("/new", "/edit")) and user is team.issuer:
                    assert response.status_code == 403
                    continue
                assert response.status_code == 200, (lang, path, response.status_code)
                check_page(response)
                leaked = KEY.findall(text_of(response.text))
                assert not leaked, (lang, path, leaked)
                assert f'<html lang="{lang}">' in response.text
        spanish = text_of((await browser.get(f"{team.base}/feeds/{feed.id}")).text)
        assert "Con problemas" in spanish and "Una actividad presencial necesita" in spanish


async def test_an_organization_waiting_for_approval(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker, status="pending")
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/listings")
    assert "work once a network admin approves" in page.text
    assert f"{team.base}/listings/new" not in page.text
    url = f"{team.base}/listings/new"
    refused = await post(browser, url, listing_fields("Too early"), page="/account", expect=400)
    assert "This works once the organization is approved." in refused.text
    feeds = await browser.get(f"{team.base}/feeds")
    assert 'action="' + f"{team.base}/feeds" + '"' not in feeds.text
    early = await post(
        browser,
        f"{team.base}/feeds",
        {"format": "ical", "url": "https://e.org/early.ics", "interval": "360"},
        page="/account",
        expect=400,
    )
    assert "This works once the organization is approved." in early.text
