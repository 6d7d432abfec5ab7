"""What a query selected below a field, with coerced arguments, to read ahead of time.

A resolver that knows its children will be asked for can fetch them in its own
statement, so they resolve as plain values instead of one awaitable each (graphql-core
and Strawberry spend most of a search page's CPU on awaitables). It is only a hint:
resolvers that find nothing read ahead still load what they need themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from strawberry.types import Info


def _fields(
    info: GraphQLResolveInfo[Any], selection_set: SelectionSetNode | None
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(info, node.selection_set)
        elif isinstance(node, FragmentSpreadNode):
            fragment = info.fragments.get(node.name.value)
            if fragment is not None:
                yield from _fields(info, fragment.selection_set)


def selected(info: Info[Any, Any], path: Sequence[str]) -> list[dict[str, Any]]:
    """The arguments of every selection of the field at `path` (GraphQL names) below the
    current field, coerced as the field's resolver will get them.

    Directives (@skip, @include) are not evaluated: reading ahead for a skipped field
    costs a little, never a wrong answer.
    """
    raw: GraphQLResolveInfo[Any] = info._raw_info
    level: list[tuple[GraphQLObjectType, FieldNode]] = []
    parent = get_named_type(raw.return_type)
    if isinstance(parent, GraphQLObjectType):
        level = [(parent, node) for node in raw.field_nodes]
    found: list[dict[str, Any]] = []
    for depth, name in enumerate(path):
        below: list[tuple[GraphQLObjectType, FieldNode]] = []
        for owner, node in level:
            definition = owner.fields.get(name)
            if definition is None:
                continue
            for child in _fields(raw, node.selection_set):
                if child.name.value != name:
                    continue
                if depth == len(path) - 1:
                    found.append(get_argument_values(definition, child, raw.variable_values))
                    continue
                child_type = get_named_type(definition.type)
                if isinstance(child_type, GraphQLObjectType):
                    below.append((child_type, child))
        level = below
    return found
