"""The number of SQL statements for a search page must not grow with the page size."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.graphql_client import SEARCH, gql
from tests.sql_count import count_statements


async def test_statements_do_not_grow_with_page_size(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    counts = {}
    for first in (2, 10, 50):
        with count_statements(app) as statements:
            body = await gql(client, SEARCH, {"near": {"postalCode": "60614"}, "first": first})
        assert len(body["data"]["opportunities"]["edges"]) == first
        counts[first] = len(statements)
    assert counts[2] == counts[10] == counts[50]
    # search + listings + count + organizations + places + sessions
    assert counts[50] <= 6, counts
