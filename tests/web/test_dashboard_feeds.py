"""The dashboard's feeds: registering one (its first harvest is queued in the real Redis),
"harvest now" (the feed is due at once and the worker's job waits in the arq queue), a
disabled feed turned back on, the last runs with their rejections, a held run's removals
confirmed, removing a feed; issuers read only, other organizations' staff get 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import select

from server.catalog.imports import ImportSummary, Rejection, record_run
from server.db import session_scope
from server.models import Feed, ImportRun, Opportunity
from tests import builders
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, browser_for, staff
from tests.web.site import alerts, check_page, field_errors, post, text_of

JOB_KEY = "arq:job:harvest:{}"
QUEUE = "arq:queue"


async def _feed(sessionmaker: Sessions, feed_id: int) -> Feed:
    async with sessionmaker() as session:
        feed = await session.get(Feed, feed_id)
        assert feed is not None
        return feed


async def test_register_a_feed_and_harvest_it_now(
    new_client: ClientFactory, sessionmaker: Sessions, redis: Redis
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/feeds")
    assert page.status_code == 200 and "No feeds yet." in page.text
    check_page(page)
    url = f"https://calendar.example.org/{team.org.id}/events.ics"
    done = await post(
        browser,
        f"{team.base}/feeds",
        {"format": "ical", "url": url, "interval": "360"},
        page=f"{team.base}/feeds",
    )
    location = done.headers["location"]
    assert location.startswith(f"{team.base}/feeds/") and location.endswith("feed-registered")
    feed_id = int(location.split("/")[-1].split("?")[0])
    feed = await _feed(sessionmaker, feed_id)
    assert feed.url == url and feed.format == "ical" and feed.health == "healthy"
    # Its first harvest is queued for the worker.
    assert await redis.exists(JOB_KEY.format(feed_id))
    detail = await browser.get(location)
    check_page(detail)
    text = text_of(detail.text)
    assert "Healthy" in text and "Every 6 hours" in text and "Not harvested yet." in text
    listing = await browser.get(f"{team.base}/feeds")
    assert url in listing.text and "Healthy" in listing.text

    # Later: the worker took the job and the feed is due in six hours. Harvest now.
    async with session_scope(sessionmaker) as session:
        stored = await session.get(Feed, feed_id)
        assert stored is not None
        stored.next_run_at = datetime.now(UTC) + timedelta(hours=6)
    await redis.delete(JOB_KEY.format(feed_id))
    await redis.zrem(QUEUE, f"harvest:{feed_id}")
    before = datetime.now(UTC)
    now = await post(
        browser,
        f"{team.base}/feeds/{feed_id}/harvest",
        {"back": "feed"},
        page=location,
    )
    assert now.headers["location"] == f"{team.base}/feeds/{feed_id}?notice=harvest-queued"
    feed = await _feed(sessionmaker, feed_id)
    assert feed.next_run_at is not None
    assert before - timedelta(seconds=5) <= feed.next_run_at <= datetime.now(UTC)
    assert await redis.exists(JOB_KEY.format(feed_id))
    assert await redis.zscore(QUEUE, f"harvest:{feed_id}") is not None
    # Twice: still one job for the feed.
    await post(browser, f"{team.base}/feeds/{feed_id}/harvest", {}, page=location)
    assert await redis.zcount(QUEUE, "-inf", "+inf") >= 1
    shown = await browser.get(f"{team.base}/feeds/{feed_id}?notice=harvest-queued")
    assert "The harvest starts in a moment." in shown.text


async def test_register_errors_stand_next_to_their_fields(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    page = f"{team.base}/feeds"
    cases = (
        ({"format": "csv", "url": "https://e.org/a", "interval": "360"}, "f-format-error"),
        ({"format": "ical", "url": "ftp://e.org/a", "interval": "360"}, "f-url-error"),
        ({"format": "ical", "url": "", "interval": "360"}, "f-url-error"),
        ({"format": "rpde", "url": "https://e.org/a", "interval": "5"}, "f-interval-error"),
        ({"format": "rpde", "url": "https://e.org/a", "interval": "soon"}, "f-interval-error"),
    )
    for data, error in cases:
        response = await post(browser, page, dict(data), page=page, expect=400)
        assert error in field_errors(response.text), (data, field_errors(response.text))
    good = {"format": "jsonld", "url": f"https://e.org/{team.org.id}", "interval": "1440"}
    await post(browser, page, dict(good), page=page)
    browser.cookies.set("lang", "es")
    twice = await post(browser, page, dict(good), page=page, expect=400)
    assert field_errors(twice.text)["f-url-error"] == "Esta fuente ya está agregada."
    async with sessionmaker() as session:
        found = list(await session.scalars(select(Feed).where(Feed.organization_id == team.org.id)))
    assert len(found) == 1


async def test_a_disabled_feed_is_turned_back_on(
    new_client: ClientFactory, sessionmaker: Sessions, redis: Redis
) -> None:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        feed = Feed(
            organization_id=team.org.id,
            format="rpde",
            url=f"https://e.org/rpde/{team.org.id}",
            health="disabled",
            health_reason="HTTP 503 ten times",
            consecutive_failures=10,
        )
        session.add(feed)
        await session.flush()
        # As feeds.failed leaves it (None at INSERT would take the column's default).
        feed.next_run_at = None
        feed_id = feed.id
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/feeds")
    text = text_of(page.text)
    assert "Turned off" in text and "HTTP 503 ten times" in text and "Not scheduled" in text
    assert f"/feeds/{feed_id}/harvest" not in page.text  # harvesting waits for enabling
    refused = await post(
        browser, f"{team.base}/feeds/{feed_id}/harvest", {}, page="/account", expect=409
    )
    assert "The feed is turned off. Turn it back on first." in " ".join(alerts(refused.text))
    on = await post(browser, f"{team.base}/feeds/{feed_id}/enable", {}, page="/account")
    assert on.headers["location"] == f"{team.base}/feeds?notice=feed-enabled"
    feed = await _feed(sessionmaker, feed_id)
    assert feed.health == "healthy" and feed.consecutive_failures == 0
    assert feed.health_reason is None and feed.next_run_at is not None
    assert await redis.exists(JOB_KEY.format(feed_id))


async def test_runs_rejections_and_a_held_run_confirmed(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as session:
        feed = Feed(organization_id=team.org.id, format="ical", url=f"https://e.org/{team.org.id}")
        session.add(feed)
        await session.flush()
        source = f"feed:{feed.id}"
        for n in range(4):
            await builders.create_opportunity(
                session,
                team.org,
                None,
                None,
                title=f"Calendar event {n}",
                delivery="online",
                source=source,
                feed_id=feed.id,
                external_id=f"EV-{n}",
            )
        await record_run(
            session,
            organization_id=team.org.id,
            source=source,
            summary=None,
            started_at=now - timedelta(hours=3),
            now=now - timedelta(hours=3),
            feed_id=feed.id,
            http_status=500,
            error="HTTP 500 from the server",
        )
        await record_run(
            session,
            organization_id=team.org.id,
            source=source,
            summary=ImportSummary(
                created=4,
                rejected=[Rejection("VEVENT 5", "EV-5", "a start date needs a start time")],
            ),
            started_at=now - timedelta(hours=2),
            now=now - timedelta(hours=2),
            feed_id=feed.id,
            http_status=200,
        )
        held = await record_run(
            session,
            organization_id=team.org.id,
            source=source,
            summary=ImportSummary(unchanged=1, held_removals=["EV-0", "EV-1", "EV-2"]),
            started_at=now - timedelta(hours=1),
            now=now - timedelta(hours=1),
            feed_id=feed.id,
            http_status=200,
        )
        feed_id, held_id = feed.id, held.id
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/feeds/{feed_id}")
    check_page(page)
    text = text_of(page.text)
    assert "Failed" in text and "HTTP 500 from the server" in text
    assert "VEVENT 5" in text and "EV-5" in text and "A start date needs a start time." in text
    assert "3 listings would be archived" in text and "Calendar event 1" in text
    assert f"/imports/{held_id}/confirm" in page.text
    # In Spanish, the words around what the partner's system wrote.
    browser.cookies.set("lang", "es")
    spanish = text_of((await browser.get(f"{team.base}/feeds/{feed_id}")).text)
    assert "Una fecha de inicio necesita una hora de inicio." in spanish
    assert "3 actividades se archivarían" in spanish
    browser.cookies.delete("lang")

    done = await post(
        browser,
        f"{team.base}/imports/{held_id}/confirm",
        {"back": "feed"},
        page=f"{team.base}/feeds/{feed_id}",
    )
    assert done.headers["location"] == f"{team.base}/feeds/{feed_id}?notice=removals-confirmed"
    async with sessionmaker() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Opportunity.external_id, Opportunity.status).where(
                        Opportunity.organization_id == team.org.id
                    )
                )
            ).all()
        )
        run = await session.get(ImportRun, held_id)
        assert run is not None and run.confirmed_at is not None
    assert statuses == {
        "EV-0": "archived",
        "EV-1": "archived",
        "EV-2": "archived",
        "EV-3": "published",
    }
    after = text_of((await browser.get(done.headers["location"])).text)
    assert "3 listings archived after you confirmed" in after
    # The run's own page says the same.
    run_page = await browser.get(f"{team.base}/imports/{held_id}")
    check_page(run_page)
    assert "3 listings archived after you confirmed" in text_of(run_page.text)


async def test_removing_a_feed_asks_first_and_keeps_its_listings(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        feed = Feed(organization_id=team.org.id, format="ical", url=f"https://e.org/{team.org.id}")
        session.add(feed)
        await session.flush()
        listing = await builders.create_opportunity(
            session,
            team.org,
            None,
            None,
            title="Stays",
            delivery="online",
            source=f"feed:{feed.id}",
            feed_id=feed.id,
            external_id="STAYS",
        )
        feed_id = feed.id
    browser = await browser_for(new_client, team.manager)
    url = f"{team.base}/feeds/{feed_id}/remove"
    asked = await post(browser, url, {}, page=f"{team.base}/feeds/{feed_id}", expect=400)
    assert "Tick the box to confirm." in field_errors(asked.text)["f-confirm-error"]
    await _feed(sessionmaker, feed_id)
    gone = await post(browser, url, {"confirm": "1"}, page=f"{team.base}/feeds/{feed_id}")
    assert gone.headers["location"] == f"{team.base}/feeds?notice=feed-removed"
    async with sessionmaker() as session:
        assert await session.get(Feed, feed_id) is None
        kept = await session.get(Opportunity, listing.id)
        assert kept is not None and kept.status == "published"
    assert (await browser.get(f"{team.base}/feeds/{feed_id}")).status_code == 404


async def test_issuers_read_feeds_and_strangers_are_refused(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as session:
        feed = Feed(organization_id=team.org.id, format="ical", url=f"https://e.org/{team.org.id}")
        session.add(feed)
        await session.flush()
        held = await record_run(
            session,
            organization_id=team.org.id,
            source=f"feed:{feed.id}",
            summary=ImportSummary(held_removals=["X"]),
            started_at=datetime.now(UTC),
            now=datetime.now(UTC),
            feed_id=feed.id,
        )
        feed_id, held_id = feed.id, held.id
    issuer = await browser_for(new_client, team.issuer)
    for url in (
        f"{team.base}/feeds",
        f"{team.base}/feeds/{feed_id}",
        f"{team.base}/imports/{held_id}",
    ):
        page = await issuer.get(url)
        assert page.status_code == 200, url
        check_page(page)
        assert "Managers and owners change them" in page.text
        assert 'method="post"' not in page.text.replace('action="/account/signout"', "")
    stranger = await browser_for(new_client, team.stranger)
    for url in (f"{team.base}/feeds", f"{team.base}/feeds/{feed_id}"):
        assert (await stranger.get(url)).status_code == 403
    posts = {
        f"{team.base}/feeds": {"format": "ical", "url": "https://e.org/issuer", "interval": "360"},
        f"{team.base}/feeds/{feed_id}/harvest": {},
        f"{team.base}/feeds/{feed_id}/enable": {},
        f"{team.base}/feeds/{feed_id}/remove": {"confirm": "1"},
        f"{team.base}/imports/{held_id}/confirm": {},
    }
    for who in (issuer, stranger):
        for url, data in posts.items():
            await post(who, url, dict(data), page="/account", expect=403)
    async with sessionmaker() as session:
        feeds = list(await session.scalars(select(Feed).where(Feed.organization_id == team.org.id)))
        run = await session.get(ImportRun, held_id)
    assert [f.id for f in feeds] == [feed_id] and run is not None and run.confirmed_at is None
