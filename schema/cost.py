"""What a GraphQL operation costs, and each client's budget of cost (GitHub / Shopify style).

The cost counts the objects a response can hold, at the page sizes it asks for:

- a leaf field (scalar, enum, or a list of them) costs 0;
- a field returning an object costs 1 plus its selection;
- a list of objects costs its size times (1 + its selection). Its size is its `first`
  argument (a literal or a variable; absent: the argument's default, else the settings'
  page size), clamped to the most the field returns (MOST_ITEMS, else the settings' page
  cap). A list without `first` holds its connection's page size (below), else its
  MOST_ITEMS entry, else the settings' page size;
- a connection (an object field with a `first` argument) costs 1 plus its selection, in
  which its `edges` / `nodes` lists take its page size;
- a mutation's root field costs MUTATION_COST plus its selection;
- `__schema` and `__type` cost INTROSPECTION_COST, whatever they select;
- fragments (named and inline) count where they are spread, each alias counts, a field
  selected twice counts twice and @skip / @include are not read: an upper bound.
- FIELD_COSTS overrides what a field itself costs.

Why an extension at execution and not a validation rule: `first: $first` needs the
variables, and graphql-core's validation never sees them. A rule that assumed the
maximum for every variable would charge the benchmark's 20-listing page as 50 listings
and refuse sound queries (`sessions(first: $n)` in a page of 50). So QueryCost prices the
operation when execution starts: validation has passed (every field exists, fragments do
not cycle), no resolver has run, and the validation rules and their cache are untouched.
Pricing the benchmark's results page (23 fields) takes about 16 µs: not worth a cache.

Then the client's budget (server/ratelimit.py, keyed by `context.rate_key`) pays for
it. Every costed response says so in `extensions.cost`, as Shopify's do.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from typing import Any, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_leaf_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from schema.context import Context
from schema.types import MAX_SESSIONS_PER_LISTING
from server.catalog.taxonomy import TOPICS
from server.ratelimit import Spend, TokenBucket
from server.search.clusters import MAX_CLUSTERS
from server.settings import ConfigurationError, Settings

MUTATION_COST = 10
INTROSPECTION_COST = 50

# The most items a list field returns, by (type, field). For a field with `first` it caps
# `first` where the field's cap is not the settings' page cap; for a list without `first`
# it is the size the cost assumes.
MOST_ITEMS: dict[tuple[str, str], int] = {
    ("Opportunity", "sessions"): MAX_SESSIONS_PER_LISTING,
    ("Query", "topics"): len(TOPICS),  # the whole curated list
    ("Query", "mapClusters"): MAX_CLUSTERS,
    # Not capped, but listings carry one to three topics (the demo city's, too).
    ("Opportunity", "topics"): 5,
}

# What a field itself costs, by (type, field), where its kind's default (leaf 0, object 1,
# list 0 plus its items, mutation MUTATION_COST) is not right, e.g. a mutation that sends
# email. Its selection is added as usual.
FIELD_COSTS: dict[tuple[str, str], int] = {}

_INTROSPECTION = frozenset(("__schema", "__type"))


def check_cost_settings(settings: Settings) -> None:
    """At startup: a maximum above the budget would make queries no client could ever pay."""
    if not 0 < settings.max_query_cost <= settings.cost_budget:
        raise ConfigurationError(
            f"CITYLEARN_MAX_QUERY_COST ({settings.max_query_cost}) must be positive and at "
            f"most CITYLEARN_COST_BUDGET ({settings.cost_budget})"
        )
    if settings.cost_refill_per_second <= 0:
        raise ConfigurationError(
            f"CITYLEARN_COST_REFILL ({settings.cost_refill_per_second}) must be positive"
        )


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    settings: Settings,
) -> int:
    """The cost of a validated document's operation with these variables."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0  # execution reports the missing operation
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    defaults = {
        d.variable.name.value: d.default_value
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    pricer = _Pricer(schema, document, variables or {}, defaults, settings)
    mutation = operation.operation == OperationType.MUTATION
    return pricer.selection(operation.selection_set, root, page=None, mutation=mutation)


class _Pricer:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        defaults: Mapping[str, ValueNode],
        settings: Settings,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.defaults = defaults
        self.settings = settings

    def selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLCompositeType,
        *,
        page: int | None,
        mutation: bool = False,
    ) -> int:
        """`page`: the page size of the connection this selection is on, if it is one."""
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, page=page, mutation=mutation)
                continue
            fragment: FragmentDefinitionNode | InlineFragmentNode
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
            else:
                fragment = cast(InlineFragmentNode, node)
            condition, selections = fragment.type_condition, fragment.selection_set
            on = parent if condition is None else self._type(condition.name.value)
            total += self.selection(selections, on, page=page, mutation=mutation)
        return total

    def field(
        self,
        node: FieldNode,
        parent: GraphQLCompositeType,
        *,
        page: int | None,
        mutation: bool,
    ) -> int:
        name = node.name.value
        if name in _INTROSPECTION:
            return INTROSPECTION_COST
        if name == "__typename" or isinstance(parent, GraphQLUnionType):
            return 0  # a union selects nothing else of its own
        key = (parent.name, name)
        definition = parent.fields[name]
        kind = get_nullable_type(definition.type)
        named = get_named_type(kind)
        listed = is_list_type(kind)
        own = FIELD_COSTS.get(key)
        if own is None:
            own = MUTATION_COST if mutation else 0 if listed or is_leaf_type(named) else 1
        if not is_composite_type(named):
            return own
        asked = self._first(node, definition, key) if "first" in definition.args else None
        if not listed:
            # With `first` it is a connection: its edges / nodes take the page size.
            return own + self.selection(node.selection_set, named, page=asked)
        if asked is None:
            asked = (
                page if page is not None else MOST_ITEMS.get(key, self.settings.default_page_size)
            )
        return own + asked * (1 + self.selection(node.selection_set, named, page=None))

    def _first(self, node: FieldNode, definition: GraphQLField, key: tuple[str, str]) -> int:
        asked = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
        value = self._value(asked) if asked is not None else None
        if value is None:
            value = _as_int(definition.args["first"].default_value)
        if value is None:
            value = self.settings.default_page_size
        return max(0, min(value, MOST_ITEMS.get(key, self.settings.max_page_size)))

    def _value(self, node: ValueNode) -> int | None:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return _as_int(self.variables[name])
            default = self.defaults.get(name)
            return self._value(default) if default is not None else None
        return int(node.value) if isinstance(node, IntValueNode) else None

    def _type(self, name: str) -> GraphQLCompositeType:
        found = self.schema.get_type(name)
        assert is_composite_type(found), name  # validation checked fragment type conditions
        return found


def _as_int(value: object) -> int | None:
    """An Int as graphql-core would accept it (an integral float too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class QueryCost(SchemaExtension):
    """Prices the operation before it runs; refuses it when it costs more than the
    maximum or than the client's budget holds; reports the cost in `extensions.cost`."""

    def __init__(self) -> None:
        self.report: dict[str, object] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: Context = execution.context
        settings = context.settings
        assert execution.graphql_document is not None  # validated, so parsed
        cost = query_cost(
            execution.schema._schema,
            execution.graphql_document,
            execution.operation_name,
            execution.variables,
            settings,
        )
        too_costly = cost > settings.max_query_cost
        budget = TokenBucket(
            context.redis, "cost", settings.cost_budget, settings.cost_refill_per_second
        )
        # Refused for its cost, it spends nothing: spending 0 only reads the budget.
        spend = await budget.spend(context.rate_key, 0 if too_costly else cost)
        self.report = _report(cost, settings, spend)
        if too_costly:
            execution.result = _refused(
                f"This query costs {cost:,} points, more than the maximum of "
                f"{settings.max_query_cost:,}: ask for fewer items (a smaller `first`).",
                code="QUERY_TOO_COSTLY",
            )
        elif spend is not None and not spend.spent:
            retry = math.ceil(spend.retry_after * 100) / 100
            execution.result = _refused(
                f"Throttled: this query costs {cost:,} points and {spend.available:,.0f} "
                f"are available; retry in {retry:g} s.",
                code="THROTTLED",
                retryAfterSeconds=retry,
            )
        yield

    def get_results(self) -> dict[str, object]:
        return {"cost": self.report} if self.report is not None else {}


def _report(cost: int, settings: Settings, spend: Spend | None) -> dict[str, object]:
    throttle = (
        None  # Redis unreachable: the budget is unknown (server/ratelimit.py)
        if spend is None
        else {
            "maximumAvailable": float(settings.cost_budget),
            "currentlyAvailable": spend.available,
            "restoreRate": float(settings.cost_refill_per_second),
        }
    )
    return {
        "requestedQueryCost": cost,
        "maximumQueryCost": settings.max_query_cost,
        "throttleStatus": throttle,
    }


def _refused(message: str, **extensions: object) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions=extensions)])
