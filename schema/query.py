"""The root Query type."""

from __future__ import annotations

import base64

import strawberry
from strawberry import relay
from strawberry.types import Info

from schema.connections import OpportunityConnection, OpportunityEdge, PageInfo
from schema.context import Context
from schema.enums import OpportunitySort
from schema.errors import domain_errors
from schema.inputs import BBoxInput, GeoInput, OpportunityFilter, search_query
from schema.selection import selected
from schema.types import MAX_SESSIONS_PER_LISTING, MapCluster, Opportunity, Organization, Topic
from server.catalog import reads
from server.errors import InvalidInput
from server.search import clusters as cluster_service
from server.search import service as search_service


@strawberry.type
class OrganizationConnection:
    nodes: list[Organization]
    page_info: PageInfo


def _org_cursor(org_id: int) -> str:
    return base64.urlsafe_b64encode(f"org:{org_id}".encode()).decode()


def _org_after(after: str | None) -> int | None:
    if after is None:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
        if kind == "org":
            return int(value)
    except (ValueError, UnicodeError):
        pass
    raise InvalidInput("the cursor is not valid", field="after")


def _sessions_to_read_ahead(info: Info[Context, None]) -> int:
    """How many upcoming sessions per listing the query shows, to read with the listings."""
    wanted = [
        args["first"]
        for args in selected(info, ["edges", "node", "sessions"])
        if not args.get("includePast")
    ]
    return min(max(wanted, default=0), MAX_SESSIONS_PER_LISTING)


_NODE_TYPES: dict[str, type[Opportunity] | type[Organization]] = {
    "Opportunity": Opportunity,
    "Organization": Organization,
}


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, None], id: relay.GlobalID) -> relay.Node | None:
        # Written out rather than relay.node(): that field mutates itself when a schema is
        # built, so a second schema (production and development side by side) breaks.
        node_type = _NODE_TYPES.get(id.type_name)
        if node_type is None:
            return None
        found = await node_type.resolve_nodes(info=info, node_ids=[id.node_id])
        return found[0]

    @strawberry.field(description="Search published listings near a point or ZIP code.")
    async def opportunities(
        self,
        info: Info[Context, None],
        near: GeoInput | None = None,
        radius_km: float | None = None,
        filter: OpportunityFilter | None = None,
        sort: OpportunitySort | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OpportunityConnection:
        context = info.context
        query = search_query(near, radius_km, filter, sort, first, after)
        sessions_per = _sessions_to_read_ahead(info)
        with domain_errors():
            async with context.db.use() as session:
                page = await search_service.search(
                    session, query, settings=context.settings, now=context.now
                )
                listings = await reads.listings_by_ids(
                    session,
                    [hit.opportunity_id for hit in page.hits],
                    sessions_per=sessions_per,
                    upcoming_from=context.now,
                )
                counted = None
                if selected(info, ["totalCount"]) or selected(info, ["totalCountCapped"]):
                    counted = await search_service.count(
                        session, query, settings=context.settings, now=context.now
                    )
        edges = [
            OpportunityEdge(
                cursor=hit.cursor,
                distance_km=hit.distance_km,
                node=Opportunity.from_row(listings[hit.opportunity_id]),
            )
            for hit in page.hits
            if hit.opportunity_id in listings  # not deleted since the search
        ]
        return OpportunityConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=page.end_cursor,
            ),
            query=query,
            counted=counted,
        )

    @strawberry.field
    async def opportunity(
        self, info: Info[Context, None], id: relay.GlobalID
    ) -> Opportunity | None:
        if id.type_name != "Opportunity":
            return None
        found = await Opportunity.resolve_nodes(info=info, node_ids=[id.node_id])
        return found[0]

    @strawberry.field
    async def organization(self, info: Info[Context, None], slug: str) -> Organization | None:
        async with info.context.db.use() as session:
            row = await reads.organization_by_slug(session, slug[:120])
        if row is None or row.status != "approved":
            return None
        return Organization.from_row(row)

    @strawberry.field(description="Approved organizations in a stable order.")
    async def organizations(
        self, info: Info[Context, None], first: int = 20, after: str | None = None
    ) -> OrganizationConnection:
        settings = info.context.settings
        with domain_errors():
            if not 1 <= first <= settings.max_page_size:
                raise InvalidInput(
                    f"first must be between 1 and {settings.max_page_size}", field="first"
                )
            after_id = _org_after(after)
            async with info.context.db.use() as session:
                rows = await reads.organizations_page(session, first=first, after_id=after_id)
        page = rows[:first]
        return OrganizationConnection(
            nodes=[Organization.from_row(r) for r in page],
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                start_cursor=_org_cursor(page[0].id) if page else None,
                end_cursor=_org_cursor(page[-1].id) if page else None,
            ),
        )

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        async with info.context.db.use() as session:
            return [Topic.from_row(t) for t in await reads.all_topics(session)]

    @strawberry.field(description="Listings grouped on a grid for a map view of a bounding box.")
    async def map_clusters(
        self,
        info: Info[Context, None],
        bbox: BBoxInput,
        zoom: int,
        filter: OpportunityFilter | None = None,
    ) -> list[MapCluster]:
        context = info.context
        search_filter = search_query(None, None, filter, None, None, None).filter
        with domain_errors():
            async with context.db.use() as session:
                found = await cluster_service.map_clusters(
                    session,
                    cluster_service.BBox(bbox.south, bbox.west, bbox.north, bbox.east),
                    zoom,
                    search_filter,
                    now=context.now,
                )
        return [
            MapCluster(
                latitude=c.latitude,
                longitude=c.longitude,
                count=c.count,
                opportunity_id=(
                    relay.GlobalID("Opportunity", str(c.opportunity_id))
                    if c.opportunity_id is not None
                    else None
                ),
            )
            for c in found
        ]
