"""Our RPDE feed against the RPDE 1.0 spec, over HTTP, on the real database."""

from __future__ import annotations

import logging
from datetime import date

import httpx
import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.db import session_scope
from server.models import Opportunity
from tests.accounts.people import unique
from tests.feeds.rpde_walk import BASE, FEED, page_json_ld, poll, tail, venue, walk
from tests.feeds.rpde_walk import listing as make_listing
from tests.sql_count import count_statements
from web.feeds_out import MAX_LIMIT


async def test_walking_the_whole_feed_in_small_pages_meets_the_spec(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    found = await walk(client, f"{FEED}?limit=37")
    assert found.pages > 10
    async with sessionmaker() as s:
        listings = set((await s.scalars(text("SELECT id FROM opportunities"))).all())
        tombstones = set((await s.scalars(text("SELECT id FROM opportunity_tombstones"))).all())
    # Every listing once, whatever its state, and every tombstone of a listing now gone.
    assert {int(i["id"]) for i in found.items} == listings | (tombstones - listings)
    assert len(found.items) == len(listings | tombstones)
    assert found.last_url.startswith(f"{FEED}?afterTimestamp=") and "limit=37" in found.last_url
    # Walking again from the start gives the same list (nothing changed meanwhile).
    again = await walk(client, f"{FEED}?limit=250")
    assert [(i["id"], i["modified"]) for i in again.items] == [
        (i["id"], i["modified"]) for i in found.items
    ]


async def test_the_first_page_is_the_feed_url_without_parameters_and_at_most_500(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/feeds/opportunities")).json()
    assert len(first["items"]) == MAX_LIMIT  # the test city has more than 500 listings
    capped = (await client.get("/feeds/opportunities?limit=100000")).json()
    assert [i["id"] for i in capped["items"]] == [i["id"] for i in first["items"]]
    assert capped["next"].endswith(f"&limit={MAX_LIMIT}")
    small = (await client.get("/feeds/opportunities?limit=3")).json()
    assert [i["id"] for i in small["items"]] == [i["id"] for i in first["items"][:3]]


async def test_unpublished_archived_unapproved_and_deleted_listings_are_deleted_items(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    polled_at = await tail(client)
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-states"))
        pending, pending_place = await venue(s, unique("feeds-pending"), status="pending")
        shown = await make_listing(s, org, place, title="Shown")
        archived = await make_listing(s, org, place, title="Archived", status="archived")
        draft = await make_listing(s, org, place, title="Draft", status="draft")
        doomed = await make_listing(s, org, place, title="Doomed")
        unapproved = await make_listing(s, pending, pending_place, title="Not yet approved")
        ids = {o.title: str(o.id) for o in (shown, archived, draft, doomed, unapproved)}
    async with session_scope(sessionmaker) as s:
        # A hard delete: the trigger leaves a tombstone with a fresh modified.
        await s.execute(delete(Opportunity).where(Opportunity.id == doomed.id))
    changes, _ = await poll(client, polled_at)
    states = {i["id"]: i["state"] for i in changes}
    assert states == {
        ids["Shown"]: "updated",
        ids["Archived"]: "deleted",
        ids["Draft"]: "deleted",
        ids["Not yet approved"]: "deleted",
        ids["Doomed"]: "deleted",  # once: the row is gone, its tombstone stands for it
    }
    doomed_item = next(i for i in changes if i["id"] == ids["Doomed"])
    assert doomed_item["modified"] == max(i["modified"] for i in changes)  # deleted last
    shown_item = next(i for i in changes if i["id"] == ids["Shown"])
    assert shown_item["data"]["name"] == "Shown"


async def test_a_reader_polling_the_last_page_sees_exactly_the_changes_since(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-poll"))
        first = await make_listing(s, org, place, title="First")
        second = await make_listing(s, org, place, title="Second")
        third = await make_listing(s, org, place, title="Third")
    read = await walk(client, f"{FEED}?limit=50")
    old, polled_at = {i["id"]: i for i in read.items}, read.last_url
    async with session_scope(sessionmaker) as s:
        await s.execute(
            update(Opportunity).where(Opportunity.id == second.id).values(title="Second, again")
        )
        await s.execute(
            update(Opportunity).where(Opportunity.id == third.id).values(status="archived")
        )
        await s.execute(delete(Opportunity).where(Opportunity.id == first.id))
    changes, polled_at = await poll(client, polled_at)
    assert [(i["id"], i["state"]) for i in changes] == [
        (str(second.id), "updated"),
        (str(third.id), "deleted"),
        (str(first.id), "deleted"),
    ]
    # An update moves the item to the end of the list, with a higher modified.
    assert changes[0]["data"]["name"] == "Second, again"
    assert changes[0]["modified"] > old[str(second.id)]["modified"]
    whole = await walk(client, FEED)
    assert whole.items[-3:] == changes  # each once, at the end, nowhere else
    assert not {str(second.id), str(third.id)} & {i["id"] for i in whole.items[:-3]}
    assert await poll(client, polled_at) == ([], polled_at)  # nothing more


async def test_a_change_committed_behind_a_running_write_waits_for_it(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """`modified` is drawn at the write, not the commit: a page must not show a later
    value while an earlier one can still commit, or a reader past it would miss it."""
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-race"))
        slow_one = await make_listing(s, org, place, title="Slow")
        fast_one = await make_listing(s, org, place, title="Fast")
    polled_at = await tail(client)
    async with sessionmaker() as slow:
        await slow.execute(
            update(Opportunity).where(Opportunity.id == slow_one.id).values(title="Slow, edited")
        )  # draws a value and holds it, uncommitted
        async with session_scope(sessionmaker) as fast:
            await fast.execute(
                update(Opportunity).where(Opportunity.id == fast_one.id).values(title="Fast, 2")
            )
        held, _ = await poll(client, polled_at)
        assert held == []  # the fast change waits behind the slow one's lower value
        await slow.commit()
    changes, _ = await poll(client, polled_at)
    assert [(i["id"], i["data"]["name"]) for i in changes] == [
        (str(slow_one.id), "Slow, edited"),
        (str(fast_one.id), "Fast, 2"),
    ]


async def test_the_horizon_relies_on_an_uncached_sequence(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # With CACHE > 1 a backend could hand out values below the last one seen later.
    async with sessionmaker() as s:
        cache = await s.scalar(
            text(
                "SELECT seqcache FROM pg_sequence WHERE seqrelid = 'opportunity_rpde_seq'::regclass"
            )
        )
    assert cache == 1


async def test_the_data_is_the_json_ld_the_listing_page_embeds(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    polled_at = await tail(client)
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-jsonld"), website="https://example.org/us")
        # 18 sessions: more than the feed reads per listing, so the schedule's end and
        # weekdays come from the span of all of them.
        course = await make_listing(s, org, place, kind="program", title="Robots <&> more")
        event = await make_listing(
            s, org, place, kind="workshop", title="Weekly workshop", schedule_rrule="FREQ=WEEKLY"
        )
        once = await make_listing(
            s, org, None, kind="event", title="Online once", schedule_rrule=None
        )
        work = await make_listing(s, org, place, kind="internship", title="Summer internship")
        undated = await make_listing(s, org, place, title="Self-paced", start_date=None)
        hybrid = await make_listing(
            s, org, place, kind="apprenticeship", delivery="hybrid", end_date=date(2099, 6, 20)
        )
    changes, _ = await poll(client, polled_at)
    data = {i["id"]: i["data"] for i in changes}
    for made in (course, event, once, work, undated, hybrid):
        page = await client.get(f"/opportunities/{made.id}")
        assert page.status_code == 200
        assert data[str(made.id)] == page_json_ld(page.text), made.title
    assert data[str(course.id)]["@type"] == "Course"
    assert len(data[str(course.id)]["hasCourseInstance"]) == 10
    schedule = data[str(course.id)]["hasCourseInstance"][0]["courseSchedule"]
    assert schedule["endDate"] == "2099-08-13"  # the last Tuesday/Thursday, not the 10th
    assert data[str(event.id)]["eventSchedule"]["byDay"] == ["https://schema.org/Monday"]
    assert data[str(work.id)]["endDate"] == "2099-08-13"
    assert data[str(course.id)]["url"] == f"{BASE}/opportunities/{course.id}"


async def test_an_organizations_feed_holds_its_listings_and_tombstones_only(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-own"))
        other, other_place = await venue(s, unique("feeds-other"))
        kept = await make_listing(s, org, place, title="Ours")
        gone = await make_listing(s, org, place, title="Ours, deleted")
        await make_listing(s, other, other_place, title="Theirs")
        slug = org.slug
    async with session_scope(sessionmaker) as s:
        await s.execute(delete(Opportunity).where(Opportunity.id == gone.id))
    url = f"{BASE}/feeds/organizations/{slug}/opportunities"
    found = await walk(client, f"{url}?limit=1")
    assert [(i["id"], i["state"]) for i in found.items] == [
        (str(kept.id), "updated"),
        (str(gone.id), "deleted"),
    ]
    assert found.last_url.startswith(f"{url}?afterTimestamp=")
    first = await client.get(url)
    assert first.json()["next"].startswith(f"{url}?afterTimestamp=")


async def test_feeds_of_unknown_or_unapproved_organizations_are_not_found(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as s:
        pending, _ = await venue(s, unique("feeds-applied"), status="pending")
    for slug in ("no-such-organization", pending.slug, "x" * 200):
        response = await client.get(f"/feeds/organizations/{slug}/opportunities")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert "error" in response.json()


async def test_bad_paging_parameters_are_a_400_with_a_json_error(
    client: httpx.AsyncClient,
) -> None:
    bad = [
        "afterTimestamp=abc&afterId=1",
        "afterTimestamp=1&afterId=x",
        "afterTimestamp=1",
        "afterId=1",
        "afterTimestamp=-1&afterId=1",
        "afterTimestamp=1.5&afterId=1",
        f"afterTimestamp={2**63}&afterId=1",
        "afterTimestamp=1&afterId=99999999999999999999999",
        "afterTimestamp=1&afterTimestamp=2&afterId=1",
        "afterTimestamp=&afterId=",
        "afterChangeNumber=10",
        "limit=0",
        "limit=-5",
        "limit=ten",
        "afterTimestamp=%00&afterId=1",
    ]
    for query in bad:
        response = await client.get(f"/feeds/opportunities?{query}")
        assert response.status_code == 400, query
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["error"] and body["parameter"], query
    # Parameters the feed does not know are left alone.
    assert (await client.get("/feeds/opportunities?limit=2&utm_source=x")).status_code == 200


async def test_a_page_is_a_fixed_handful_of_statements_whatever_its_size(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    counts = []
    for limit in (5, 500):
        with count_statements(app) as statements:
            response = await client.get(f"/feeds/opportunities?limit={limit}")
        assert len(response.json()["items"]) == limit
        counts.append(len(statements))
    assert max(counts) <= 7, counts


async def test_the_page_query_can_walk_the_rpde_indexes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The cursor is a row comparison each (rpde_modified, id) index can start from. (At
    100,000 listings the planner picks that index scan by itself: 500 items in 3 ms; the
    test city is small enough for a sequential scan to win, hence the settings.)"""
    from server.catalog import rpde_out

    sql = rpde_out._PAGE_SQL
    for name, value in (
        ("after_modified", "100"),
        ("after_id", "5"),
        ("horizon", "9223372036854775807"),
        ("limit", "500"),
    ):
        sql = sql.replace(f":{name}", value)
    async with sessionmaker() as s, s.begin():
        await s.execute(text("SET LOCAL enable_seqscan = off"))
        await s.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join((await s.scalars(text(f"EXPLAIN {sql}"))).all())
    for index in ("ix_opportunities_rpde", "ix_opportunity_tombstones_rpde"):
        assert f"Scan using {index}" in plan, plan
    assert plan.count("Index Cond: ((ROW(rpde_modified, id) > ROW(100, 5))") == 2, plan


def test_the_horizon_moves_once_the_writers_seen_with_a_value_have_ended() -> None:
    from server.catalog.rpde_out import Horizon

    horizon = Horizon()
    assert horizon.settle(10, frozenset()) == 10  # nobody writing: all of it is settled
    assert horizon.settle(20, frozenset({"a"})) == 10  # "a" may hold a value up to 20
    assert horizon.settle(25, frozenset({"a", "b"})) == 10
    assert horizon.settle(30, frozenset({"b"})) == 20  # "a" ended: up to 20 is settled
    assert horizon.settle(40, frozenset({"c"})) == 30  # "b" ended too; "c" may hold <= 40
    assert horizon.settle(45, frozenset({"c"})) == 30
    assert horizon.settle(50, frozenset()) == 50
    assert horizon.settle(50, frozenset({"d"})) == 50  # never backwards


def test_a_horizon_held_back_for_minutes_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    from server.catalog.rpde_out import STALLED_AFTER_SECONDS, Horizon

    horizon = Horizon()
    stuck = frozenset({"7/42"})
    with caplog.at_level(logging.WARNING, logger="server.catalog.rpde_out"):
        horizon.settle(10, stuck)
        horizon._watch(0, 10, stuck, now=1000.0)
        horizon._watch(0, 11, stuck, now=1000.0 + STALLED_AFTER_SECONDS / 2)
        assert not caplog.records  # a while behind is normal while a write runs
        horizon._watch(0, 12, stuck, now=1001.0 + STALLED_AFTER_SECONDS)
    assert len(caplog.records) == 1 and "7/42" in caplog.records[0].getMessage()
