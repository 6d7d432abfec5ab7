"""Distance, radius and keyset paging, checked against an independent haversine."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests import builders
from tests.graphql_client import raw_id, search_all
from tests.search.reference import haversine_m, load_rows, matches

CENTERS = [
    pytest.param({"postalCode": "60614"}, 5.0, id="zip-60614-5km"),
    pytest.param({"latitude": 41.8781, "longitude": -87.6298}, 3.0, id="loop-3km"),
    pytest.param({"latitude": 41.7943, "longitude": -87.5907}, 8.0, id="hyde-park-8km"),
]
ZIP_60614 = (41.9229, -87.6483)


@pytest.mark.parametrize(("near", "radius"), CENTERS)
async def test_distance_order_and_radius_match_haversine(
    client: httpx.AsyncClient, db_url: str, near: dict[str, float | str], radius: float
) -> None:
    rows = await load_rows(db_url)
    lat, lng = (
        ZIP_60614 if "postalCode" in near else (float(near["latitude"]), float(near["longitude"]))
    )
    now = datetime.now(UTC)
    edges, total = await search_all(client, {"near": near, "radiusKm": radius})

    expected = {}
    for row in rows.values():
        if row.lat is None or row.lng is None or not matches(row, {}, now):
            continue
        expected[row.id] = haversine_m(lat, lng, row.lat, row.lng)
    radius_m = radius * 1000
    inside = {i for i, d in expected.items() if d <= radius_m * 0.995}
    maybe = {i for i, d in expected.items() if d <= radius_m * 1.005}
    got = [raw_id(e["node"]["id"]) for e in edges]

    assert len(got) == len(set(got)) == total
    assert inside <= set(got) <= maybe
    assert len(inside) > 20, "the demo city should have listings in this circle"
    previous = -1.0
    for edge, ident in zip(edges, got, strict=True):
        km = edge["distanceKm"]
        assert km == pytest.approx(expected[ident] / 1000, rel=0.005, abs=0.002)
        assert km >= previous
        previous = km


async def test_paging_is_complete_and_duplicate_free_across_ties(
    client: httpx.AsyncClient,
) -> None:
    point = builders.TIE_POINT
    near = {"latitude": point.latitude, "longitude": point.longitude}
    edges, total = await search_all(client, {"near": near, "radiusKm": 1.0}, page_size=4)
    ids = [raw_id(e["node"]["id"]) for e in edges]
    assert len(ids) == len(set(ids)) == total
    at_venue = [e for e in edges if e["distanceKm"] == 0.0]
    assert len(at_venue) == builders.TIE_LISTINGS
    # Ties are ordered by id, so page boundaries inside the tie are stable.
    tie_ids = [raw_id(e["node"]["id"]) for e in at_venue]
    assert tie_ids == sorted(tie_ids)

    # The same walk with another page size yields the same sequence.
    edges_7, _ = await search_all(client, {"near": near, "radiusKm": 1.0}, page_size=7)
    assert [raw_id(e["node"]["id"]) for e in edges_7] == ids


async def test_online_listings_have_no_distance(client: httpx.AsyncClient) -> None:
    edges, total = await search_all(client, {"filter": {"delivery": ["ONLINE"]}})
    assert total == len(edges) > 0
    assert all(e["distanceKm"] is None and e["node"]["place"] is None for e in edges)
