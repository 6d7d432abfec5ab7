"""Small helpers to call /graphql the way a client would."""

from __future__ import annotations

from typing import Any

import httpx

from server.search.service import COUNT_CAP

SEARCH = """
query Search($near: GeoInput, $radiusKm: Float, $filter: OpportunityFilter,
             $sort: OpportunitySort, $first: Int, $after: String) {
  opportunities(near: $near, radiusKm: $radiusKm, filter: $filter, sort: $sort,
                first: $first, after: $after) {
    totalCount totalCountCapped
    pageInfo { hasNextPage endCursor }
    edges { cursor distanceKm node { id title kind
      organization { name } place { name address postalCode location { latitude longitude } }
      sessions(first: 3) { startsAt endsAt } } }
  }
}
"""


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def search_all(
    client: httpx.AsyncClient,
    variables: dict[str, Any],
    *,
    page_size: int = 50,
    max_pages: int = 200,
) -> tuple[list[dict[str, Any]], int]:
    """Walk every page; returns the edges in order and how many there were, after checking
    that every page reported that count (exact up to COUNT_CAP, then capped)."""
    edges: list[dict[str, Any]] = []
    after = None
    reported = []
    for _ in range(max_pages):
        body = await gql(client, SEARCH, {**variables, "first": page_size, "after": after})
        assert "errors" not in body, body["errors"]
        conn = body["data"]["opportunities"]
        reported.append((conn["totalCount"], conn["totalCountCapped"]))
        edges.extend(conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            expected = (min(len(edges), COUNT_CAP), len(edges) > COUNT_CAP)
            assert set(reported) == {expected}, (reported, expected)
            return edges, len(edges)
        after = conn["pageInfo"]["endCursor"]
    raise AssertionError("pagination did not end")


def raw_id(global_id: str) -> int:
    import base64

    type_name, _, value = base64.b64decode(global_id).decode().partition(":")
    assert type_name == "Opportunity"
    return int(value)
