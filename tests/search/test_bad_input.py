"""Bad input gets a clear GraphQL error with a code and a field, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphql_client import SEARCH, gql

CASES: list[Any] = [
    pytest.param({"near": {"latitude": 200, "longitude": 0}}, "latitude", id="latitude-200"),
    pytest.param({"near": {"latitude": 41.9}}, "both latitude and longitude", id="half-point"),
    pytest.param({"near": {"postalCode": "60614"}, "radiusKm": -1}, "radiusKm", id="neg-radius"),
    pytest.param({"near": {"postalCode": "60614"}, "radiusKm": 5000}, "radiusKm", id="huge-radius"),
    pytest.param({"radiusKm": 5}, "needs a location", id="radius-no-near"),
    pytest.param({"near": {"postalCode": "00000"}}, "unknown ZIP", id="unknown-zip"),
    pytest.param({"near": {"postalCode": "   "}}, "empty", id="blank-zip"),
    pytest.param({"first": 100000}, "first must be between 1 and 50", id="first-100000"),
    pytest.param({"first": 0}, "first must be between", id="first-0"),
    pytest.param({"after": "not-a-cursor"}, "cursor", id="forged-cursor"),
    pytest.param({"after": "c1.eyJ4Ijp0cnVlfQ"}, "cursor", id="forged-cursor-json"),
    pytest.param({"sort": "DISTANCE"}, "needs a location", id="distance-no-near"),
    pytest.param({"sort": "RELEVANCE"}, "needs search text", id="relevance-no-text"),
    pytest.param({"filter": {"age": -3}}, "age", id="negative-age"),
    pytest.param({"filter": {"maxCost": -1}}, "cost", id="negative-cost"),
    pytest.param({"filter": {"language": "1; drop"}}, "language", id="bad-language"),
    pytest.param({"filter": {"text": "x" * 500}}, "longer than", id="long-text"),
    pytest.param(
        {"filter": {"dateFrom": "2030-08-01", "dateTo": "2030-07-01"}},
        "window",
        id="inverted-dates",
    ),
]


@pytest.mark.parametrize(("variables", "message"), CASES)
async def test_bad_search_input_is_a_clear_error(
    client: httpx.AsyncClient, variables: dict[str, Any], message: str
) -> None:
    body = await gql(client, SEARCH, variables)
    assert body["data"] is None
    (error,) = body["errors"]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Traceback" not in str(body)


async def test_cursor_from_another_sort_is_rejected(client: httpx.AsyncClient) -> None:
    body = await gql(client, SEARCH, {"near": {"postalCode": "60614"}, "first": 2})
    cursor = body["data"]["opportunities"]["pageInfo"]["endCursor"]
    body = await gql(client, SEARCH, {"sort": "SOONEST", "after": cursor, "first": 2})
    assert "cursor" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": "ten"},
        {"near": {"latitude": "north"}},
        {"first": 10_000_000_000},
        {"sort": "SIDEWAYS"},
    ],
)
async def test_type_errors_stay_readable(
    client: httpx.AsyncClient, variables: dict[str, Any]
) -> None:
    body = await gql(client, SEARCH, variables)
    assert body["errors"][0]["message"] != "Unexpected error."
    assert "Variable" in body["errors"][0]["message"]


async def test_malformed_requests_are_4xx(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    response = await client.post("/graphql", json={"query": "{ opportunities { "})
    assert response.status_code in (200, 400)
    assert "Syntax Error" in response.text
