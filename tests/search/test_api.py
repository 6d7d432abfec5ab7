"""The rest of the read API: node, opportunity, organization(s), topics, mapClusters."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.catalog import reads
from server.db import session_scope
from server.search import service as search_service
from server.search.query import SearchFilter, SearchQuery
from server.settings import Settings
from tests import builders
from tests.graphql_client import gql, search_all

FIRST = "{ opportunities(first: 1) { edges { node { id title } } } }"


async def _first_id(client: httpx.AsyncClient) -> str:
    body = await gql(client, FIRST)
    node_id: str = body["data"]["opportunities"]["edges"][0]["node"]["id"]
    return node_id


async def test_node_and_opportunity_resolve_the_same_listing(client: httpx.AsyncClient) -> None:
    node_id = await _first_id(client)
    body = await gql(
        client,
        """query($id: ID!) {
          node(id: $id) { id ... on Opportunity { title organization { name slug } } }
          opportunity(id: $id) { id title sessions(first: 2) { startsAt } topics { slug } }
        }""",
        {"id": node_id},
    )
    assert "errors" not in body
    assert body["data"]["node"]["id"] == body["data"]["opportunity"]["id"] == node_id
    assert body["data"]["node"]["title"] == body["data"]["opportunity"]["title"]
    assert body["data"]["node"]["organization"]["slug"]


async def test_unknown_or_forged_ids_resolve_to_null_or_clear_error(
    client: httpx.AsyncClient,
) -> None:
    missing = base64.b64encode(b"Opportunity:999999999").decode()
    body = await gql(client, "query($id: ID!) { opportunity(id: $id) { id } }", {"id": missing})
    assert body["data"] == {"opportunity": None}
    forged = base64.b64encode(b"Opportunity:abc").decode()
    body = await gql(client, "query($id: ID!) { opportunity(id: $id) { id } }", {"id": forged})
    assert body["data"] == {"opportunity": None}
    body = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": "%%%"})
    assert body["errors"] and "Unexpected error" not in body["errors"][0]["message"]


async def test_organization_by_slug_and_listing(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        """query($slug: String!) { organization(slug: $slug) { id name slug kind } }""",
        {"slug": builders.TIE_ORG_SLUG},
    )
    assert body["data"]["organization"]["name"] == "Garfield Learning Hub"
    body = await gql(client, '{ organization(slug: "no-such-org") { id } }')
    assert body["data"] == {"organization": None}


async def test_organizations_pages_cover_everyone_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await gql(
            client,
            """query($after: String) { organizations(first: 17, after: $after) {
                 nodes { slug } pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
        )
        conn = body["data"]["organizations"]
        seen += [n["slug"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) > 40
    assert builders.TIE_ORG_SLUG in seen


async def test_topics_are_bilingual(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ topics { slug name nameEs } }")
    topics = body["data"]["topics"]
    assert len(topics) >= 10
    assert all(t["name"] and t["nameEs"] for t in topics)


async def test_map_clusters_count_every_listing_in_the_box(client: httpx.AsyncClient) -> None:
    box = {"south": 41.6, "west": -88.0, "north": 42.1, "east": -87.5}
    query = """query($bbox: BBoxInput!, $zoom: Int!) {
        mapClusters(bbox: $bbox, zoom: $zoom) { latitude longitude count opportunityId } }"""
    coarse = (await gql(client, query, {"bbox": box, "zoom": 9}))["data"]["mapClusters"]
    fine = (await gql(client, query, {"bbox": box, "zoom": 16}))["data"]["mapClusters"]
    edges, _ = await search_all(client, {"filter": {"delivery": ["ONSITE", "HYBRID"]}})
    # Every listing the search finds in the box (other tests may add listings elsewhere).
    points = [e["node"]["place"]["location"] for e in edges]
    total = sum(
        1
        for p in points
        if box["south"] <= p["latitude"] <= box["north"]
        and box["west"] <= p["longitude"] <= box["east"]
    )
    assert total > 100
    assert sum(c["count"] for c in coarse) == sum(c["count"] for c in fine) == total
    assert len(coarse) < len(fine)
    assert all(box["south"] <= c["latitude"] <= box["north"] for c in coarse)
    singles = [c for c in fine if c["count"] == 1]
    assert singles and all(c["opportunityId"] for c in singles)
    bad = await gql(client, query, {"bbox": {**box, "south": 50}, "zoom": 9})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_sessions_are_upcoming_in_order_and_capped(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        """{ opportunities(filter: {organizations: ["fixture-garfield-hub"]}, first: 3) {
             edges { node { few: sessions(first: 2) { startsAt }
                            many: sessions(first: 100) { startsAt }
                            past: sessions(includePast: true, first: 100) { startsAt } } } } }""",
    )
    for edge in body["data"]["opportunities"]["edges"]:
        node = edge["node"]
        many = [s["startsAt"] for s in node["many"]]
        assert [s["startsAt"] for s in node["few"]] == many[:2]
        assert many == sorted(many) and len(many) == 18  # Tue/Thu, mid-June to mid-August
        assert len(node["past"]) >= len(many)


async def test_ended_listings_are_hidden_with_a_day_of_grace(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    today = datetime.now(UTC).date()
    async with session_scope(sessionmaker) as session:
        org = await builders.create_organization(session, "fixture-ended-org")
        place = await builders.create_place(session, org, builders.OTHER_POINT)
        for title, ended in (("Ended Yesterday", 1), ("Ended Last Week", 7)):
            await builders.create_opportunity(
                session,
                org,
                place,
                builders.OTHER_POINT,
                title=title,
                start_date=today - timedelta(days=30),
                end_date=today - timedelta(days=ended),
            )
    body = await gql(
        client,
        '{ opportunities(filter: {organizations: ["fixture-ended-org"]}) '
        "{ totalCount edges { node { title } } } }",
    )
    titles = [e["node"]["title"] for e in body["data"]["opportunities"]["edges"]]
    # Yesterday in UTC may still be today where the listing is (Chicago is UTC-5/-6).
    assert titles == ["Ended Yesterday"]


async def test_a_session_in_progress_counts_as_upcoming_everywhere(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # The soonest sort and the sessions a listing shows follow one rule: a session counts
    # until it ends. (They once disagreed for an hour or two every afternoon.)
    async with session_scope(sessionmaker) as session:
        org = await builders.create_organization(session, "fixture-in-progress-org")
        place = await builders.create_place(session, org, builders.OTHER_POINT)
        day = date(2099, 7, 7)  # a Tuesday
        running = await builders.create_opportunity(
            session,
            org,
            place,
            builders.OTHER_POINT,
            title="Started At Ten",
            start_date=day,
            end_date=day,
            schedule_rrule=None,
            start_time=time(10, 0),
        )
        later = await builders.create_opportunity(
            session,
            org,
            place,
            builders.OTHER_POINT,
            title="Starts At Eleven",
            start_date=day,
            end_date=day,
            schedule_rrule=None,
            start_time=time(11, 0),
        )
    # 10:45 in Chicago: the first is 45 minutes into its 90, the second has not begun.
    now = datetime(2099, 7, 7, 15, 45, tzinfo=UTC)
    query = SearchQuery(filter=SearchFilter(organizations=["fixture-in-progress-org"]))
    async with sessionmaker() as session:
        page = await search_service.search(session, query, settings=settings, now=now)
        shown = await reads.sessions_by_opportunity_ids(
            session, [running.id, later.id], upcoming_from=now
        )
    assert [hit.opportunity_id for hit in page.hits] == [running.id, later.id]
    assert page.hits[0].next_start == shown[running.id][0].starts_at
    assert shown[running.id][0].starts_at < now < shown[running.id][0].ends_at
    # Once it has ended it is gone from both.
    after_end = datetime(2099, 7, 7, 16, 31, tzinfo=UTC)
    async with sessionmaker() as session:
        page = await search_service.search(session, query, settings=settings, now=after_end)
        shown = await reads.sessions_by_opportunity_ids(
            session, [running.id, later.id], upcoming_from=after_end
        )
    assert [hit.opportunity_id for hit in page.hits] == [later.id, running.id]
    assert page.hits[1].next_start is None and running.id not in shown


async def test_only_approved_organizations_listings_are_found_and_feeds_hear_of_it(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from server.authz import Actor
    from server.models import Opportunity
    from server.orgs import service as orgs

    async with session_scope(sessionmaker) as session:
        org = await builders.create_organization(session, "fixture-pending-org", status="pending")
        place = await builders.create_place(session, org, builders.OTHER_POINT)
        listing = await builders.create_opportunity(
            session, org, place, builders.OTHER_POINT, title="Pending Partner Program"
        )
        org_id, listing_id = org.id, listing.id
    async with sessionmaker() as session:
        before = (await session.get(Opportunity, listing_id)).rpde_modified  # type: ignore[union-attr]
    assert before > 0
    query = '{ opportunities(filter: {organizations: ["fixture-pending-org"]}) { totalCount } }'
    assert (await gql(client, query))["data"]["opportunities"]["totalCount"] == 0
    async with session_scope(sessionmaker) as session:
        await orgs.approve(session, Actor(user_id=1, is_admin=True), org_id, public_url="http://x")
    assert (await gql(client, query))["data"]["opportunities"]["totalCount"] == 1
    async with sessionmaker() as session:
        row = await session.get(Opportunity, listing_id)
        assert row is not None and row.rpde_modified > before  # the RPDE feed sees the change
