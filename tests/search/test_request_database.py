"""Every GraphQL request gives its database connection back, even when it fails."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.graphql_client import SEARCH, gql


async def test_connections_return_to_the_pool(app: Starlette, client: httpx.AsyncClient) -> None:
    pool = app.state.engine.sync_engine.pool
    await gql(client, SEARCH, {"first": 3})
    before = pool.checkedout()
    for variables in ({"first": 3}, {"first": 100000}, {"near": {"postalCode": "00000"}}):
        await gql(client, SEARCH, variables)
    await gql(client, "{ opportunities { edges { node { nope } } } }")
    assert pool.checkedout() == before == 0
