"""Every filter alone and in combination, against the hand-written reference."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.graphql_client import raw_id, search_all
from tests.search.reference import load_rows, matches

_next_year = datetime.now(UTC).year + 1

FILTERS: list[Any] = [
    pytest.param({"age": 7}, id="age"),
    pytest.param({"age": 17}, id="age-teen"),
    pytest.param({"grade": 0}, id="grade-k"),
    pytest.param({"grade": 10}, id="grade-10"),
    pytest.param({"free": True}, id="free"),
    pytest.param({"maxCost": 50.0}, id="max-cost"),
    pytest.param({"delivery": ["HYBRID"]}, id="delivery"),
    pytest.param({"delivery": ["ONSITE", "ONLINE"]}, id="delivery-two"),
    pytest.param({"kinds": ["WORKSHOP"]}, id="kind"),
    pytest.param({"kinds": ["INTERNSHIP", "JOB_SHADOW"]}, id="kinds-gated"),
    pytest.param({"language": "es"}, id="language"),
    pytest.param({"accessibility": ["WHEELCHAIR"]}, id="accessibility"),
    pytest.param({"accessibility": ["WHEELCHAIR", "ASL"]}, id="accessibility-all"),
    pytest.param({"topics": ["coding"]}, id="topic"),
    pytest.param({"topics": ["art", "music"]}, id="topics-any"),
    pytest.param({"daysOfWeek": ["SATURDAY"]}, id="saturday"),
    pytest.param({"timeOfDay": ["EVENING"]}, id="evening"),
    pytest.param(
        {"dateFrom": f"{_next_year}-07-01", "dateTo": f"{_next_year}-07-07"}, id="date-window"
    ),
    pytest.param({"daysOfWeek": ["TUESDAY"], "timeOfDay": ["MORNING"]}, id="tuesday-morning"),
    pytest.param(
        {"age": 12, "free": True, "delivery": ["ONSITE"], "timeOfDay": ["AFTERNOON"]},
        id="combined-4",
    ),
    pytest.param(
        {
            "grade": 6,
            "maxCost": 100.0,
            "language": "en",
            "kinds": ["PROGRAM", "CAMP"],
            "dateFrom": f"{_next_year}-06-01",
            "dateTo": f"{_next_year}-08-31",
        },
        id="combined-6",
    ),
]


@pytest.mark.parametrize("search_filter", FILTERS)
async def test_filter_matches_reference(
    client: httpx.AsyncClient, db_url: str, search_filter: dict[str, Any]
) -> None:
    rows = await load_rows(db_url)
    now = datetime.now(UTC)
    expected = {r.id for r in rows.values() if matches(r, search_filter, now)}
    edges, total = await search_all(client, {"filter": search_filter})
    got = [raw_id(e["node"]["id"]) for e in edges]
    assert len(got) == len(set(got)) == total
    assert set(got) == expected
    assert expected, "a filter that matches nothing proves little; pick one with matches"
    assert len(expected) < sum(1 for r in rows.values() if matches(r, {}, now))


async def test_organization_filter(client: httpx.AsyncClient, db_url: str) -> None:
    rows = await load_rows(db_url)
    slug = "fixture-garfield-hub"
    edges, total = await search_all(client, {"filter": {"organizations": [slug]}})
    assert total == len(edges) == sum(1 for r in rows.values() if r.org_slug == slug)


async def test_filter_combined_with_near(client: httpx.AsyncClient, db_url: str) -> None:
    rows = await load_rows(db_url)
    now = datetime.now(UTC)
    f = {"free": True, "age": 10}
    edges, total = await search_all(
        client, {"near": {"postalCode": "60614"}, "radiusKm": 10.0, "filter": f}
    )
    assert edges and total == len(edges)
    for edge in edges:
        row = rows[raw_id(edge["node"]["id"])]
        assert matches(row, f, now)
        assert edge["distanceKm"] <= 10.0


async def test_text_search_uses_stems(client: httpx.AsyncClient, db_url: str) -> None:
    rows = await load_rows(db_url)
    now = datetime.now(UTC)
    edges, _ = await search_all(client, {"filter": {"text": "robotics"}})
    got = {raw_id(e["node"]["id"]) for e in edges}
    must = {r.id for r in rows.values() if matches(r, {}, now) and "robotics" in r.text}
    may = {r.id for r in rows.values() if matches(r, {}, now) and "robot" in r.text}
    assert must and must <= got <= may


async def test_soonest_sort_orders_by_next_session(client: httpx.AsyncClient) -> None:
    edges, _ = await search_all(client, {"filter": {"age": 9}, "sort": "SOONEST"})
    firsts = [e["node"]["sessions"][0] if e["node"]["sessions"] else None for e in edges]
    starts = [s["startsAt"] if s else None for s in firsts]
    dated = [datetime.fromisoformat(s) for s in starts if s is not None]
    assert dated == sorted(dated)
    # Listings with no upcoming session come last.
    first_none = next((i for i, s in enumerate(starts) if s is None), len(starts))
    assert all(s is None for s in starts[first_none:])
    # The first may be in progress (see test_a_session_in_progress_counts_as_upcoming...).
    assert firsts[0] and datetime.fromisoformat(firsts[0]["endsAt"]) >= datetime.now(UTC)


async def test_relevance_sort_puts_title_matches_first(client: httpx.AsyncClient) -> None:
    edges, _ = await search_all(
        client, {"filter": {"text": "robotics"}, "sort": "RELEVANCE"}, page_size=10
    )
    titles = [e["node"]["title"].lower() for e in edges]
    in_title = [("robot" in t) for t in titles]
    # Every title match ranks above every listing that mentions it only in the body.
    assert in_title[: sum(in_title)] == [True] * sum(in_title)
