"""A keyset Relay connection for search results (the built-in one slices in Python)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.types import Opportunity
from server.search import service as search_service
from server.search.query import SearchQuery


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

    @strawberry.field(description="Matches in all pages; costs one more query, ask only if shown.")
    async def total_count(self, info: Info[Context, None]) -> int:
        context = info.context
        async with context.sessionmaker() as session:
            return await search_service.count(
                session, self.query, settings=context.settings, now=context.now
            )
