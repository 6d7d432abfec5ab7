"""Counting stops at a cap and says so; below the cap it is exact."""

from __future__ import annotations

import httpx
import pytest

from server.search import service
from tests import builders
from tests.graphql_client import gql

COUNT = """query($f: OpportunityFilter) {
  opportunities(filter: $f, first: 1) { totalCount totalCountCapped } }"""


async def test_count_is_exact_below_the_cap(client: httpx.AsyncClient) -> None:
    body = await gql(client, COUNT, {"f": {"organizations": [builders.TIE_ORG_SLUG]}})
    assert body["data"]["opportunities"] == {
        "totalCount": builders.TIE_LISTINGS,
        "totalCountCapped": False,
    }


async def test_count_stops_at_the_cap_and_says_so(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COUNT_CAP", 10)
    body = await gql(client, COUNT, {"f": {"organizations": [builders.TIE_ORG_SLUG]}})
    assert body["data"]["opportunities"] == {"totalCount": 10, "totalCountCapped": True}
    page = await client.get("/search?q=60624&radius=25")
    assert "More than 10 results" in page.text
