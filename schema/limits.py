"""Schema extensions that bound what one request can cost and what it reveals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from schema.errors import should_mask
from server.settings import Settings

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """graphql-core's "Did you mean ...?" hints reveal the schema even with introspection off."""

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            error.message = _SUGGESTION.sub("", error.message)


def extensions(settings: Settings) -> list[Any]:
    """Factories, so each request gets fresh extension state (the caches are module-level)."""
    chosen: list[Any] = [
        lambda: ParserCache(maxsize=256),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ValidationCache(maxsize=256),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
    if not settings.is_development:
        chosen += [DisableIntrospection, HideSuggestions]
    return chosen
