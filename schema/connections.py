"""A keyset Relay connection for search results (the built-in one slices in Python)."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.errors import domain_errors
from schema.types import Opportunity
from server.search import service as search_service
from server.search.query import MatchCount, SearchQuery
from server.search.service import COUNT_CAP


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
    counted: strawberry.Private[asyncio.Task[MatchCount] | None] = None

    async def _count(self, info: Info[Context, None]) -> MatchCount:
        # totalCount and totalCountCapped share one query.
        if self.counted is None:
            self.counted = asyncio.ensure_future(self._run_count(info.context))
        return await self.counted

    async def _run_count(self, context: Context) -> MatchCount:
        async with context.db.use() as session:
            with domain_errors():
                return await search_service.count(
                    session, self.query, settings=context.settings, now=context.now
                )

    @strawberry.field(
        description=(
            f"Matches in all pages, counted exactly up to {COUNT_CAP:,}; when there are more "
            "it says so in totalCountCapped. Costs one more query: ask only if shown."
        )
    )
    async def total_count(self, info: Info[Context, None]) -> int:
        return (await self._count(info)).value

    @strawberry.field(description=f"True when more than {COUNT_CAP:,} listings match.")
    async def total_count_capped(self, info: Info[Context, None]) -> bool:
        return (await self._count(info)).capped
