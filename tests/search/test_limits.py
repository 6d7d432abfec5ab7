"""Page size, depth, aliases, tokens, introspection, suggestions, masking."""

from __future__ import annotations

import httpx
import pytest
from graphql import GraphQLError

from schema.errors import should_mask
from server.errors import InvalidInput
from tests.graphql_client import gql


async def test_depth_is_limited(client: httpx.AsyncClient) -> None:
    nested = "{ opportunities { edges { node { organization { name } } } } }"
    assert "errors" not in await gql(client, nested)
    deep = "{ opportunities { edges { node { organization { " + "x { " * 8 + "}" * 8 + " } } } } }"
    body = await gql(client, deep)
    assert any("depth" in e["message"].lower() for e in body["errors"]), body


async def test_aliases_are_limited(client: httpx.AsyncClient) -> None:
    query = "{ " + " ".join(f"t{i}: topics {{ slug }}" for i in range(30)) + " }"
    body = await gql(client, query)
    assert "aliases" in body["errors"][0]["message"].lower()


async def test_tokens_are_limited(client: httpx.AsyncClient) -> None:
    query = "{ topics { " + "slug " * 3000 + "} }"
    body = await gql(client, query)
    assert "token" in body["errors"][0]["message"].lower()


async def test_introspection_and_suggestions_only_in_development(
    client: httpx.AsyncClient, production_client: httpx.AsyncClient
) -> None:
    introspect = "{ __schema { queryType { name } } }"
    assert (await gql(client, introspect))["data"]["__schema"]["queryType"]["name"] == "Query"
    body = await gql(production_client, introspect)
    assert body["errors"] and "introspection" in body["errors"][0]["message"].lower()

    typo = "{ topic { slug } }"
    dev = (await gql(client, typo))["errors"][0]["message"]
    prod = (await gql(production_client, typo))["errors"][0]["message"]
    assert "Did you mean" in dev
    assert "Did you mean" not in prod and "topic" in prod


def test_only_unexpected_errors_are_masked() -> None:
    assert should_mask(GraphQLError("boom", original_error=ZeroDivisionError()))
    assert not should_mask(GraphQLError("bad", original_error=InvalidInput("bad")))
    assert not should_mask(GraphQLError("Variable '$first' got invalid value"))


async def test_unknown_fragment_is_a_plain_validation_error(
    client: httpx.AsyncClient, production_client: httpx.AsyncClient
) -> None:
    # The depth rule once crashed on it and the client read "'Nope'".
    for c in (client, production_client):
        body = await gql(c, "{ opportunities { ...Nope } }")
        assert body["errors"][0]["message"] == "Unknown fragment 'Nope'."
        assert body.get("data") is None
    # A known fragment still counts toward the depth.
    deep = (
        "{ opportunities { ...Deep } } fragment Deep on OpportunityConnection "
        "{ edges { node { organization { " + "x { " * 8 + "}" * 8 + " } } } }"
    )
    body = await gql(client, deep)
    assert any("depth" in e["message"].lower() for e in body["errors"]), body


async def test_callers_mistakes_are_answered_not_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Bad input, a validation error, a permission refusal: none is an operator's problem.
    with caplog.at_level("DEBUG", logger="strawberry.execution"):
        for query in (
            "{ opportunities(first: 100000) { totalCount } }",
            "{ topic { slug } }",
            "{ pendingOrganizations { id } }",
        ):
            assert (await gql(client, query))["errors"]
    assert [r for r in caplog.records if r.name == "strawberry.execution"] == []
