"""SQL statements per search page: they must not grow with the page size, and what a
query selects decides what is read ahead (schema/selection.py)."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.graphql_client import SEARCH, gql
from tests.sql_count import count_statements

NEAR = {"near": {"postalCode": "60614"}}


async def test_statements_do_not_grow_with_page_size(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    counts = {}
    for first in (2, 10, 50):
        with count_statements(app) as statements:
            body = await gql(client, SEARCH, {**NEAR, "first": first})
        assert len(body["data"]["opportunities"]["edges"]) == first
        counts[first] = len(statements)
    assert counts[2] == counts[10] == counts[50]
    # search, listings with their organization, place and first sessions, count
    assert counts[50] == 3, counts


async def _statements(
    app: Starlette, client: httpx.AsyncClient, query: str
) -> tuple[dict[str, Any], list[str]]:
    with count_statements(app) as statements:
        body = await gql(client, query, NEAR)
    assert "errors" not in body, body["errors"]
    return body["data"], statements


async def test_no_count_statement_unless_asked(app: Starlette, client: httpx.AsyncClient) -> None:
    query = "query($near: GeoInput) { opportunities(near: $near, first: 5) %s }"
    _, without = await _statements(app, client, query % "{ edges { node { title } } }")
    assert len(without) == 2 and not any("count(*)" in s for s in without)
    # Asked through a fragment, and both count fields: one count statement.
    data, counted = await _statements(
        app,
        client,
        (query % "{ ...Totals edges { node { title } } }")
        + " fragment Totals on OpportunityConnection { totalCount totalCountCapped }",
    )
    assert len(counted) == 3 and sum("count(*)" in s for s in counted) == 1
    assert data["opportunities"]["totalCount"] > 0


async def test_sessions_not_read_ahead_are_loaded_on_demand(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    query = """query($near: GeoInput) { opportunities(near: $near, first: 5) { edges { node {
        next: sessions(first: 2) { startsAt }
        more: sessions(first: 6) { startsAt }
        all: sessions(includePast: true, first: 6) { startsAt } } } } }"""
    data, statements = await _statements(app, client, query)
    # search + listings (with six upcoming each) + one batch for the past-inclusive ones
    assert len(statements) == 3, statements
    for edge in data["opportunities"]["edges"]:
        node = edge["node"]
        assert node["next"] == node["more"][:2]
        assert len(node["all"]) >= len(node["more"])
