"""The dashboard's listings: a manager makes a listing by hand (it is found near its ZIP
code), edits it and archives it (gone from search); errors stand next to their fields in
both languages; feed and CSV listings say where they came from; issuers read only, and
other organizations' staff get the same 403 as strangers."""

from __future__ import annotations

from sqlalchemy import func, select

from server.db import session_scope
from server.models import Feed, Opportunity, Place, Session
from tests import builders
from tests.web.conftest import ClientFactory
from tests.web.dashboard import (
    FAR_ZIP,
    Sessions,
    browser_for,
    listing_by_title,
    listing_fields,
    staff,
)
from tests.web.site import check_page, field_errors, post, text_of


async def test_a_manager_makes_edits_and_archives_a_listing(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    dashboard = await browser.get(team.base)
    assert f'href="{team.base}/listings"' in dashboard.text
    assert f'href="{team.base}/import"' in dashboard.text

    form = await browser.get(f"{team.base}/listings/new")
    assert form.status_code == 200
    check_page(form)
    title = f"Line-following robots {team.org.id}"
    done = await post(
        browser,
        f"{team.base}/listings/new",
        listing_fields(title),
        page=f"{team.base}/listings/new",
    )
    assert done.headers["location"] == f"{team.base}/listings?notice=listing-created"
    page = await browser.get(done.headers["location"])
    check_page(page)
    assert title in page.text and "Made by hand" in page.text
    assert "The listing is saved." in page.text

    listing = await listing_by_title(sessionmaker, title)
    assert listing is not None
    assert listing.source == "manual" and (listing.external_id or "").startswith("manual-")
    assert listing.status == "published" and listing.cost_cents == 1250
    assert listing.languages == ["en", "es"] and listing.accessibility == ["wheelchair"]
    async with sessionmaker() as session:
        place = await session.get(Place, listing.place_id)
        assert place is not None and place.location_approximate  # the ZIP's centroid
        assert place.postal_code == FAR_ZIP
        sessions = await session.scalar(
            select(func.count()).select_from(Session).where(Session.opportunity_id == listing.id)
        )
        assert sessions and sessions >= 8  # Tuesdays and Thursdays for a month

    search = await browser.get(f"/search?q={FAR_ZIP}")
    assert title in search.text

    # Editing: the form comes back filled in; a new title is what search finds now.
    edit = await browser.get(f"{team.base}/listings/{listing.id}/edit")
    assert edit.status_code == 200
    check_page(edit)
    assert f'value="{title}"' in edit.text and 'value="12.50"' in edit.text
    assert 'value="TU" checked' in edit.text and 'value="15:30"' in edit.text
    # A ZIP centroid is not offered back as if it were exact coordinates.
    assert 'name="latitude" type="text" value=""' in edit.text
    renamed = f"Line-following robots, level 2 {team.org.id}"
    saved = await post(
        browser,
        f"{team.base}/listings/{listing.id}/edit",
        listing_fields(renamed, cost="0"),
        page=f"{team.base}/listings/{listing.id}/edit",
    )
    assert saved.headers["location"] == f"{team.base}/listings?notice=listing-saved"
    edited = await listing_by_title(sessionmaker, renamed)
    assert edited is not None and edited.id == listing.id and edited.cost_cents == 0
    assert edited.external_id == listing.external_id
    search = await browser.get(f"/search?q={FAR_ZIP}")
    assert renamed in search.text

    # Unpublish, publish, archive: the catalog service's statuses.
    for status, notice in (("draft", "unpublished"), ("published", "published")):
        moved = await post(
            browser,
            f"{team.base}/listings/{listing.id}/status",
            {"status": status},
            page=f"{team.base}/listings",
        )
        assert moved.headers["location"] == f"{team.base}/listings?notice={notice}"
    await post(
        browser,
        f"{team.base}/listings/{listing.id}/status",
        {"status": "archived"},
        page=f"{team.base}/listings",
    )
    archived = await listing_by_title(sessionmaker, renamed)
    assert archived is not None and archived.status == "archived"
    search = await browser.get(f"/search?q={FAR_ZIP}")
    assert renamed not in search.text
    shelf = await browser.get(f"{team.base}/listings?status=archived")
    assert renamed in shelf.text and "Archived" in text_of(shelf.text)
    # An edit keeps the status it had (the import service publishes what it writes).
    await post(
        browser,
        f"{team.base}/listings/{listing.id}/edit",
        listing_fields(renamed, description="Now with sensors."),
        page=f"{team.base}/listings/{listing.id}/edit",
    )
    kept = await listing_by_title(sessionmaker, renamed)
    assert kept is not None and kept.status == "archived"
    assert kept.description == "Now with sensors."


async def test_a_draft_an_online_listing_and_exact_coordinates(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    title = f"Coding at home {team.org.id}"
    online = listing_fields(
        title,
        delivery="online",
        place_name="",
        address="",
        postal_code="",
        start_date="",
        end_date="",
        start_time="",
        days=[],
        then="draft",
    )
    await post(browser, f"{team.base}/listings/new", online, page=f"{team.base}/listings/new")
    listing = await listing_by_title(sessionmaker, title)
    assert listing is not None and listing.status == "draft" and listing.place_id is None
    drafts = await browser.get(f"{team.base}/listings?status=draft")
    assert title in drafts.text

    exact = f"At the lab {team.org.id}"
    await post(
        browser,
        f"{team.base}/listings/new",
        listing_fields(exact, place_name="Lab 3", latitude="40.1106", longitude="-88.2073"),
        page=f"{team.base}/listings/new",
    )
    found = await listing_by_title(sessionmaker, exact)
    assert found is not None
    async with sessionmaker() as session:
        place = await session.get(Place, found.place_id)
        assert place is not None and not place.location_approximate
    edit = await browser.get(f"{team.base}/listings/{found.id}/edit")
    assert 'value="40.110600"' in edit.text


async def test_errors_stand_next_to_their_fields_and_nothing_is_saved(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    url = f"{team.base}/listings/new"
    typed = await post(
        browser,
        url,
        listing_fields(
            "",
            cost="a lot",
            start_date="2027-02-30",
            start_time="25:00",
            min_age="ten",
            postal_code="ABCDE",
            latitude="41.8",
        ),
        page=url,
        expect=400,
    )
    errors = field_errors(typed.text)
    assert "f-cost-error" in errors and "f-start_date-error" in errors
    assert "f-start_time-error" in errors and "f-min_age-error" in errors
    assert "f-postal_code-error" in errors and "f-latitude-error" in errors
    assert 'value="a lot"' in typed.text  # what was typed comes back

    # The import service's own rules, mapped onto the fields (and Spanish on a Spanish page).
    title = f"Backwards {team.org.id}"
    browser.cookies.set("lang", "es")
    ruled = await post(
        browser,
        url,
        listing_fields(title, min_age="15", max_age="10", registration_url="ftp://x"),
        page=url,
        expect=400,
    )
    errors = field_errors(ruled.text)
    # The service checks one rule at a time: the ages first.
    assert errors.get("f-min_age-error", "").startswith("Las edades van de 0 a 120")
    ruled = await post(
        browser,
        url,
        listing_fields(title, end_date="2000-01-01", days=[]),
        page=url,
        expect=400,
    )
    assert "anterior" in field_errors(ruled.text).get("f-end_date-error", "")
    ruled = await post(
        browser,
        url,
        listing_fields(title, place_name="", address="", postal_code=""),
        page=url,
        expect=400,
    )
    assert "necesita un lugar" in field_errors(ruled.text).get("f-place_name-error", "")
    browser.cookies.delete("lang")
    assert await listing_by_title(sessionmaker, title) is None
    # Weekly days with no end date: a listing that goes on ("every Tuesday"), accepted.
    await post(browser, url, listing_fields(f"{title} ongoing", end_date=""), page=url, expect=303)
    ongoing = await listing_by_title(sessionmaker, f"{title} ongoing")
    assert ongoing is not None and ongoing.end_date is None
    assert await listing_by_title(sessionmaker, "") is None

    # The same title, start and place twice is a duplicate of the first.
    twin = f"Twins {team.org.id}"
    await post(browser, url, listing_fields(twin), page=url)
    again = await post(browser, url, listing_fields(twin), page=url, expect=400)
    assert "This looks like a listing you have already" in field_errors(again.text).get(
        "f-title-error", ""
    )
    async with sessionmaker() as session:
        twins = await session.scalar(
            select(func.count()).select_from(Opportunity).where(Opportunity.title == twin)
        )
    assert twins == 1


async def test_a_feed_listing_says_where_it_came_from(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        feed = Feed(
            organization_id=team.org.id,
            format="ical",
            url=f"https://example.org/{team.org.id}.ics",
            health="quarantined",
            last_success_at=None,
        )
        session.add(feed)
        await session.flush()
        place = await builders.create_place(session, team.org, builders.OTHER_POINT)
        listing = await builders.create_opportunity(
            session,
            team.org,
            place,
            builders.OTHER_POINT,
            title=f"From the calendar {team.org.id}",
            source=f"feed:{feed.id}",
            feed_id=feed.id,
            external_id="UID-1@example.org",
        )
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/listings")
    text = text_of(page.text)
    assert "From the calendar" in text and "Feed" in text and "May be out of date" in text
    assert f'href="{team.base}/feeds/{feed.id}"' in page.text
    edit = await browser.get(f"{team.base}/listings/{listing.id}/edit")
    assert "the next import from there replaces your changes" in edit.text
    # Its weekly schedule from the fixtures is one the form shows as days.
    assert 'value="TU" checked' in edit.text
    await post(
        browser,
        f"{team.base}/listings/{listing.id}/edit",
        listing_fields(
            f"From the calendar, edited {team.org.id}",
            place_name=place.name,
            postal_code="60624",
            address=place.address,
        ),
        page=f"{team.base}/listings/{listing.id}/edit",
    )
    async with sessionmaker() as session:
        edited = await session.get(Opportunity, listing.id)
        # Still the feed's: its next harvest replaces the edits, and may remove it.
        assert edited is not None and edited.source == f"feed:{feed.id}"
        assert edited.feed_id == feed.id and edited.external_id == "UID-1@example.org"
        assert edited.title.startswith("From the calendar, edited")


async def test_issuers_read_and_strangers_are_refused(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    title = f"Read only {team.org.id}"
    url = f"{team.base}/listings/new"
    await post(manager, url, listing_fields(title), page=url)
    listing = await listing_by_title(sessionmaker, title)
    assert listing is not None

    issuer = await browser_for(new_client, team.issuer)
    dashboard = await issuer.get(team.base)
    assert f'href="{team.base}/listings"' in dashboard.text
    assert f'href="{team.base}/import"' not in dashboard.text
    page = await issuer.get(f"{team.base}/listings")
    assert page.status_code == 200 and title in page.text
    check_page(page)
    assert "Managers and owners change them" in page.text
    assert "/status" not in page.text and "/listings/new" not in page.text
    for url in (f"{team.base}/listings/new", f"{team.base}/listings/{listing.id}/edit"):
        assert (await issuer.get(url)).status_code == 403
    posts: dict[str, dict[str, str | list[str]]] = {
        f"{team.base}/listings/new": listing_fields("Issuer's"),
        f"{team.base}/listings/{listing.id}/edit": listing_fields("Issuer's"),
        f"{team.base}/listings/{listing.id}/status": {"status": "archived"},
    }
    stranger = await browser_for(new_client, team.stranger)
    for who in (issuer, stranger):
        for url, data in posts.items():
            refused = await post(who, url, data, page="/account", expect=403)
            assert "You cannot open this page" in refused.text
    for url in (f"{team.base}/listings", f"{team.base}/listings/{listing.id}/edit"):
        assert (await stranger.get(url)).status_code == 403
    unchanged = await listing_by_title(sessionmaker, title)
    assert unchanged is not None and unchanged.status == "published"
    assert await listing_by_title(sessionmaker, "Issuer's") is None


async def test_paging_and_a_listing_of_another_organization(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        for n in range(27):
            await builders.create_opportunity(
                session, team.org, None, None, title=f"Online {n:02d}", delivery="online"
            )
        other_org = await builders.create_organization(session, f"other-{team.org.id}")
        foreign = await builders.create_opportunity(
            session, other_org, None, None, title="Not yours", delivery="online"
        )
    browser = await browser_for(new_client, team.manager)
    first = await browser.get(f"{team.base}/listings")
    assert first.text.count('class="dash-item ') == 25
    assert f'href="{team.base}/listings?page=2"' in first.text
    second = await browser.get(f"{team.base}/listings?page=2")
    assert second.text.count('class="dash-item ') == 2
    assert "Previous page" in second.text
    for odd in ("?page=0", "?page=-1", "?page=abc", "?page=999999999", "?status=%00"):
        assert (await browser.get(f"{team.base}/listings{odd}")).status_code == 200
    assert (await browser.get(f"{team.base}/listings/{foreign.id}/edit")).status_code == 404
    await post(
        browser,
        f"{team.base}/listings/{foreign.id}/status",
        {"status": "archived"},
        page="/account",
        expect=404,
    )
    async with sessionmaker() as session:
        still = await session.get(Opportunity, foreign.id)
        assert still is not None and still.status == "published"
