"""Turning domain errors into readable GraphQL errors with a code and a field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from server.errors import DomainError


def to_graphql_error(error: DomainError) -> GraphQLError:
    extensions: dict[str, object] = {"code": error.code}
    if error.field:
        extensions["field"] = error.field
    return GraphQLError(error.message, extensions=extensions, original_error=error)


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        raise to_graphql_error(error) from None


def should_mask(error: GraphQLError) -> bool:
    """Mask only unexpected exceptions; validation and domain errors stay readable."""
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)
