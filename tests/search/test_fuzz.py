"""Property-based fuzzing of the schema: no generated query may cause a server error."""

from __future__ import annotations

import graphql
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from schema.app import build_schema
from server.settings import Settings

MASKED = "Unexpected error."

_dates = st.one_of(st.dates().map(lambda d: d.isoformat()), st.text(max_size=12)).map(
    lambda s: graphql.StringValueNode(value=s)
)
_datetimes = st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=12)).map(
    lambda s: graphql.StringValueNode(value=s)
)
SCALARS = {"Date": _dates, "DateTime": _datetimes}


def _schema(settings: Settings) -> graphql.GraphQLSchema:
    return build_schema(settings)._schema


def _check(client: httpx.Client, query: str) -> None:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code < 500, (query, response.text)
    assert MASKED not in response.text, (query, response.text)
    assert "Traceback" not in response.text


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Over real HTTP to the live server: hypothesis drives plain functions, not coroutines.
def test_fuzz_valid_queries(live_server: str, settings: Settings) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as client:

        @FUZZ
        @given(query=queries(_schema(settings), custom_scalars=SCALARS, allow_x00=False))
        def run(query: str) -> None:
            _check(client, query)

        run()


def test_fuzz_invalid_queries(live_server: str, settings: Settings) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as client:

        @FUZZ
        @given(
            query=queries(
                _schema(settings), custom_scalars=SCALARS, allow_x00=False, mode=Mode.NEGATIVE
            )
        )
        def run(query: str) -> None:
            _check(client, query)

        run()
