"""Query cost: what representative queries cost, and refusing the ones over the maximum."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLSchema, parse, validate
from starlette.applications import Starlette
from strawberry import relay

from benchmarks.search_bench import SEARCH_QUERY
from schema import cost
from schema.app import build_schema
from schema.cost import INTROSPECTION_COST, MUTATION_COST, check_cost_settings, query_cost
from server.catalog.taxonomy import TOPICS
from server.search.clusters import MAX_CLUSTERS
from server.settings import ConfigurationError, Settings
from tests.graphql_client import gql
from tests.sql_count import count_statements

README_SEARCH = """
{
  opportunities(near: {postalCode: "60614"}, radiusKm: 5,
                filter: {age: 12, free: true, timeOfDay: [AFTERNOON]}, first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { distanceKm cursor node { id title kind organization { name }
      place { name address postalCode location { latitude longitude } }
      sessions(first: 3) { startsAt endsAt } } }
  }
}
"""
# Per result: the edge, its node, organization, place, location and three sessions.
PER_RESULT = 8

ID = relay.GlobalID("Opportunity", "1")

TOO_COSTLY = "{ opportunities(first: 50) { edges { node { sessions(first: 100) { startsAt } } } } }"


@pytest.fixture(scope="module")
def graphql_schema(base_settings: Settings) -> GraphQLSchema:
    return build_schema(base_settings)._schema


def price(
    schema: GraphQLSchema,
    settings: Settings,
    query: str,
    variables: dict[str, Any] | None = None,
) -> int:
    document = parse(query)
    assert validate(schema, document) == []
    return query_cost(schema, document, None, variables, settings)


def test_representative_queries(graphql_schema: GraphQLSchema, base_settings: Settings) -> None:
    def of(query: str, variables: dict[str, Any] | None = None) -> int:
        return price(graphql_schema, base_settings, query, variables)

    # The connection, pageInfo, and 10 results.
    assert of(README_SEARCH) == 2 + 10 * PER_RESULT == 82
    # The benchmark's page: first: 20 through a variable.
    assert of(SEARCH_QUERY, {"first": 20}) == 2 + 20 * PER_RESULT == 162
    assert of("{ organizations(first: 30) { pageInfo { hasNextPage } nodes { id name } } }") == 32
    assert of("{ organizations { nodes { name } } }") == 1 + 20  # the argument's default
    assert of('{ organization(slug: "x") { name } }') == 1
    assert of("{ topics { slug } }") == len(TOPICS)
    clusters = "{ mapClusters(bbox: {south: 0, west: 0, north: 1, east: 1}, zoom: 3) { count } }"
    assert of(clusters) == MAX_CLUSTERS
    assert of(f'{{ node(id: "{ID}") {{ id ... on Opportunity {{ topics {{ name }} }} }} }}') == 6
    assert of("{ __typename }") == 0


def test_fragments_and_aliases_count_where_used(
    graphql_schema: GraphQLSchema, base_settings: Settings
) -> None:
    query = """
    { near: opportunities(first: 5) { ...Page }
      far: opportunities(first: 2) { ...Page } }
    fragment Page on OpportunityConnection { edges { node { ...Listing } } }
    fragment Listing on Opportunity {
      title organization { name } ... on Opportunity { place { name } } }
    """
    # Each result: edge, node, organization, place.
    assert price(graphql_schema, base_settings, query) == (1 + 5 * 4) + (1 + 2 * 4)
    # The same field twice counts twice (an upper bound: graphql-core merges them).
    twice = "{ opportunities(first: 2) { edges { node { id } } edges { node { title } } } }"
    assert price(graphql_schema, base_settings, twice) == 1 + 2 * (2 * 2)


def test_first_from_variables_defaults_and_the_cap(
    graphql_schema: GraphQLSchema, base_settings: Settings
) -> None:
    query = "query($n: Int = 7) { opportunities(first: $n) { edges { node { id } } } }"

    def of(variables: dict[str, Any] | None) -> int:
        return price(graphql_schema, base_settings, query, variables)

    assert of({"n": 3}) == 1 + 3 * 2
    assert of({"n": 3.0}) == 1 + 3 * 2  # graphql-core accepts an integral float
    assert of(None) == 1 + 7 * 2  # the variable's default
    assert of({"n": None}) == 1 + 20 * 2  # null: the settings' page size
    assert of({"n": 10_000}) == 1 + 50 * 2  # clamped to the page cap
    assert of({"n": -5}) == 1
    # Sessions are capped by their own field (100), not the page cap.
    sessions = f'{{ opportunity(id: "{ID}") {{ sessions(first: 500) {{ startsAt }} }} }}'
    assert price(graphql_schema, base_settings, sessions) == 1 + 100
    absent = f'{{ opportunity(id: "{ID}") {{ sessions {{ startsAt }} }} }}'
    assert price(graphql_schema, base_settings, absent) == 1 + 20


def test_introspection_is_cheap_but_not_free(
    graphql_schema: GraphQLSchema, base_settings: Settings
) -> None:
    query = "{ __schema { types { name fields { name args { name } } } } }"
    assert price(graphql_schema, base_settings, query) == INTROSPECTION_COST
    both = '{ __type(name: "Query") { name } __schema { queryType { name } } }'
    assert price(graphql_schema, base_settings, both) == 2 * INTROSPECTION_COST


@strawberry.type
class Part:
    name: str


@strawberry.type
class Thing:
    name: str
    parts: list[Part]


@strawberry.type
class ThingCreate:
    thing: Thing | None


@strawberry.type
class Mutation:
    @strawberry.mutation
    def thing_create(self) -> ThingCreate:
        return ThingCreate(thing=None)

    @strawberry.mutation
    def thing_notify(self) -> bool:
        return True


@strawberry.type
class TinyQuery:
    ok: bool


def test_mutations_cost_a_base_plus_their_selection(
    base_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = strawberry.Schema(query=TinyQuery, mutation=Mutation)._schema
    assert price(schema, base_settings, "mutation { thingNotify }") == MUTATION_COST
    query = "mutation { thingCreate { thing { name parts { name } } } }"
    # The payload's thing (1) with its parts (assumed 20, each 1).
    assert price(schema, base_settings, query) == MUTATION_COST + 1 + 20
    both = "mutation { a: thingNotify b: thingNotify }"
    assert price(schema, base_settings, both) == 2 * MUTATION_COST
    # A field declares its own cost in FIELD_COSTS.
    monkeypatch.setitem(cost.FIELD_COSTS, ("Mutation", "thingNotify"), 100)
    assert price(schema, base_settings, "mutation { thingNotify }") == 100


def test_cost_maps_name_real_fields(graphql_schema: GraphQLSchema) -> None:
    for type_name, field in [*cost.MOST_ITEMS, *cost.FIELD_COSTS]:
        found = graphql_schema.get_type(type_name)
        assert found is not None and field in found.fields, (type_name, field)  # type: ignore[attr-defined]


def test_a_maximum_above_the_budget_is_a_configuration_error(base_settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="CITYLEARN_MAX_QUERY_COST"):
        check_cost_settings(dataclasses.replace(base_settings, cost_budget=100))
    with pytest.raises(ConfigurationError, match="CITYLEARN_COST_REFILL"):
        check_cost_settings(dataclasses.replace(base_settings, cost_refill_per_second=0))


async def test_the_response_reports_the_cost(
    client: httpx.AsyncClient, production_client: httpx.AsyncClient, settings: Settings
) -> None:
    for c in (client, production_client):
        body = await gql(c, README_SEARCH)
        assert "errors" not in body, body
        reported = body["extensions"]["cost"]
        assert reported["requestedQueryCost"] == 82
        assert reported["maximumQueryCost"] == settings.max_query_cost == 5000
        status = reported["throttleStatus"]
        assert status["maximumAvailable"] == settings.cost_budget
        assert status["restoreRate"] == settings.cost_refill_per_second
        assert 0 < status["currentlyAvailable"] <= settings.cost_budget


async def test_over_the_maximum_is_refused_before_any_sql(
    app: Starlette,
    client: httpx.AsyncClient,
    production_app: Starlette,
    production_client: httpx.AsyncClient,
) -> None:
    for a, c in ((app, client), (production_app, production_client)):
        with count_statements(a) as statements:
            body = await gql(c, TOO_COSTLY)
        assert statements == []
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert "5,101" in error["message"] and "5,000" in error["message"]
        assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 50 * (1 + 1 + 100)


async def test_invalid_queries_are_not_costed(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ opportunities { nope } }")
    assert body["errors"] and "extensions" not in body
