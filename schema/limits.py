"""Schema extensions that bound what one request can cost and what it reveals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ValidationContext,
    Visitor,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema.cost import QueryCost, check_cost_settings
from schema.errors import should_mask
from server.settings import Settings

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _skipping_unknown_fragments(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """Strawberry's depth rule measures in its constructor and raises KeyError on a spread
    of an undefined fragment (the client saw the bare message "'Nope'"). Such a document
    is invalid anyway: graphql-core's KnownFragmentNamesRule reports it in plain words."""

    class Checked(rule):  # type: ignore[misc,valid-type]
        def __init__(self, context: ValidationContext) -> None:
            defined = {
                d.name.value
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            if all(s.name.value in defined for s in _spreads(context.document)):
                super().__init__(context)
            else:
                ASTValidationRule.__init__(self, context)

    return Checked


def _spreads(document: DocumentNode) -> list[FragmentSpreadNode]:
    found: list[FragmentSpreadNode] = []

    class Collect(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            found.append(node)

    visit(document, Collect())
    return found


# Built once: each limiter makes a fresh rule class when constructed, and the
# ValidationCache can only hit when the rules are the very same classes every request
# (measured: validating afresh cost ~13 ms of a 20-row search).
_LIMIT_RULES = [
    *map(_skipping_unknown_fragments, QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules),
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


class LimitRules(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(list(_LIMIT_RULES))


class ProductionLimitRules(AddValidationRules):
    def __init__(self) -> None:
        super().__init__([*_LIMIT_RULES, NoSchemaIntrospectionCustomRule])


class HideSuggestions(SchemaExtension):
    """graphql-core's "Did you mean ...?" hints reveal the schema even with introspection off."""

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            error.message = _SUGGESTION.sub("", error.message)


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RefuseNulCharacters(SchemaExtension):
    """PostgreSQL text cannot hold a NUL character: refuse one anywhere in the input (a
    variable, or a string literal's \\u0000) with a clear error, before any resolver runs."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        literal = "\\u0000" in (execution.query or "")
        if literal or _holds_nul(execution.variables or {}):
            execution.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Text must not contain NUL (\\u0000) characters.",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield


def extensions(settings: Settings) -> list[Any]:
    """Classes and factories, so each request gets fresh extension state."""
    check_cost_settings(settings)
    chosen: list[Any] = [
        lambda: ParserCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        LimitRules if settings.is_development else ProductionLimitRules,
        lambda: ValidationCache(maxsize=256),
        RefuseNulCharacters,
        QueryCost,
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
    if not settings.is_development:
        chosen.append(HideSuggestions)
    return chosen
