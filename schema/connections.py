"""A keyset Relay connection for search results (the built-in one slices in Python)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.errors import domain_errors
from schema.types import Opportunity
from server.search import service as search_service
from server.search.query import MatchCount, SearchQuery
from server.search.service import COUNT_CAP

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class OpportunityEdge:
    cursor: str
    distance_km: float | None = strawberry.field(description="Null when the search had no near.")
    node: Opportunity


@strawberry.type
class OpportunityConnection:
    edges: list[OpportunityEdge]
    page_info: PageInfo
    query: strawberry.Private[SearchQuery]
    # Counted by the search resolver when the query asks for it (see schema/selection.py).
    counted: strawberry.Private[MatchCount | None] = None
    counting: strawberry.Private[asyncio.Task[MatchCount] | None] = None

    def _count(self, info: Info[Context, None]) -> MatchCount | Awaitable[MatchCount]:
        if self.counted is not None:
            return self.counted
        # totalCount and totalCountCapped share one query.
        if self.counting is None:
            self.counting = asyncio.ensure_future(self._run_count(info.context))
        return self.counting

    async def _run_count(self, context: Context) -> MatchCount:
        async with context.db.use() as session:
            with domain_errors():
                return await search_service.count(
                    session, self.query, settings=context.settings, now=context.now
                )

    @strawberry.field(
        graphql_type=int,
        description=(
            f"Matches in all pages, counted exactly up to {COUNT_CAP:,}; when there are more "
            "it says so in totalCountCapped. Costs one more query: ask only if shown."
        ),
    )
    def total_count(self, info: Info[Context, None]) -> int | Awaitable[int]:
        return _then(self._count(info), lambda c: c.value)

    @strawberry.field(
        graphql_type=bool, description=f"True when more than {COUNT_CAP:,} listings match."
    )
    def total_count_capped(self, info: Info[Context, None]) -> bool | Awaitable[bool]:
        return _then(self._count(info), lambda c: c.capped)


def _then(
    count: MatchCount | Awaitable[MatchCount], pick: Callable[[MatchCount], T]
) -> T | Awaitable[T]:
    if isinstance(count, MatchCount):
        return pick(count)

    async def later() -> T:
        return pick(await count)

    return later()
