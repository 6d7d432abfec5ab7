"""Object types. Leaf fields are plain attributes. A listing arrives with its organization
and place (one read), and with its first sessions when the resolver above read them ahead;
anything else goes through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.types import Info

from schema.context import Context
from schema.enums import Accessibility, Delivery, OpportunityKind, OrganizationKind
from server.catalog.reads import ListingView, OrganizationView, PlaceView, SessionView
from server.models import Topic as TopicRow

if TYPE_CHECKING:
    from schema.stack_types import GateType

MAX_SESSIONS_PER_LISTING = 100


@strawberry.type
class Location:
    latitude: float
    longitude: float


@strawberry.type
class Topic:
    slug: str
    name: str
    name_es: str

    @classmethod
    def from_row(cls, row: TopicRow) -> Topic:
        return cls(slug=row.slug, name=row.name, name_es=row.name_es)


@strawberry.type
class Place:
    name: str
    address: str
    postal_code: str | None
    neighborhood: str | None
    location: Location
    location_approximate: bool = strawberry.field(
        description="True when the point is a ZIP-code centroid, not the street address."
    )
    wheelchair_accessible: bool
    free_internet: bool

    @classmethod
    def from_view(cls, view: PlaceView) -> Place:
        return cls(
            name=view.name,
            address=view.address,
            postal_code=view.postal_code,
            neighborhood=view.neighborhood,
            location=Location(latitude=view.latitude, longitude=view.longitude),
            location_approximate=view.approximate,
            wheelchair_accessible=view.wheelchair_accessible,
            free_internet=view.free_internet,
        )


@strawberry.type(name="Session")
class SessionType:
    starts_at: datetime
    ends_at: datetime
    local_date: date

    @classmethod
    def from_row(cls, row: SessionView) -> SessionType:
        return cls(starts_at=row.starts_at, ends_at=row.ends_at, local_date=row.local_date)


async def _load_many(info: Info[Context, None], ids: Iterable[int]) -> list[Any]:
    return [t for t in await info.context.loaders.topic_by_id.load_many(list(ids)) if t]


@strawberry.type
class Organization(relay.Node):
    id: relay.NodeID[int]
    slug: str
    name: str
    kind: OrganizationKind
    description: str
    website: str | None
    postal_code: str | None
    neighborhood: str | None

    @classmethod
    def from_row(cls, row: OrganizationView) -> Organization:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            kind=OrganizationKind(row.kind),
            description=row.description,
            website=row.website,
            postal_code=row.postal_code,
            neighborhood=row.neighborhood,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.organization_by_id
        rows = await loader.load_many([_int_id(i) for i in node_ids])
        return [
            cls.from_row(r) if r is not None and r.status == "approved" else None  # type: ignore[misc]
            for r in rows
        ]


def _int_id(node_id: str) -> int:
    # Forged ids that are not integers resolve to nothing, like ids that do not exist.
    try:
        return int(node_id)
    except ValueError:
        return -1


@strawberry.type
class Opportunity(relay.Node):
    id: relay.NodeID[int]
    title: str
    kind: OpportunityKind
    description: str
    delivery: Delivery
    min_age: int
    max_age: int
    min_grade: int | None
    max_grade: int | None
    cost: float = strawberry.field(description="In US dollars; 0 when free.")
    is_free: bool
    financial_aid: bool
    languages: list[str]
    accessibility: list[Accessibility]
    capacity: int | None
    registration_url: str | None
    start_date: date | None
    end_date: date | None
    timezone: str
    schedule_rrule: str | None
    is_stale: bool = strawberry.field(
        description="From a partner feed failing for a week or more: possibly out of date."
    )
    organization: Organization
    place: Place | None = strawberry.field(description="Null for online listings.")
    topic_ids: strawberry.Private[list[int]]
    # The first upcoming sessions read with the listing, and how many were asked for.
    upcoming: strawberry.Private[list[SessionType]]
    upcoming_read: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ListingView) -> Opportunity:
        return cls(
            id=row.id,
            title=row.title,
            kind=OpportunityKind(row.kind),
            description=row.description,
            delivery=Delivery(row.delivery),
            min_age=row.min_age,
            max_age=row.max_age,
            min_grade=row.min_grade,
            max_grade=row.max_grade,
            cost=row.cost_cents / 100.0,
            is_free=row.cost_cents == 0,
            financial_aid=row.financial_aid,
            languages=list(row.languages),
            accessibility=[Accessibility(a) for a in row.accessibility],
            capacity=row.capacity,
            registration_url=row.registration_url,
            start_date=row.start_date,
            end_date=row.end_date,
            timezone=row.schedule_timezone,
            schedule_rrule=row.schedule_rrule,
            is_stale=row.stale,
            organization=Organization.from_row(row.organization),
            place=Place.from_view(row.place) if row.place is not None else None,
            topic_ids=list(row.topic_ids),
            upcoming=[SessionType.from_row(s) for s in row.sessions],
            upcoming_read=row.sessions_read,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.opportunity_by_id.load_many(
            [_int_id(i) for i in node_ids]
        )
        return [
            cls.from_row(r) if r is not None and r.status == "published" else None  # type: ignore[misc]
            for r in rows
        ]

    @strawberry.field
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic.from_row(t) for t in await _load_many(info, self.topic_ids)]

    @strawberry.field(
        graphql_type=list[SessionType],
        description="Dated sessions in start order; upcoming ones unless asked.",
    )
    def sessions(
        self, info: Info[Context, None], include_past: bool = False, first: int = 20
    ) -> list[SessionType] | Awaitable[list[SessionType]]:
        # Not async: sessions read ahead with the listing come back as a plain value, and
        # only a request the read-ahead cannot answer costs an awaitable.
        limit = max(0, min(first, MAX_SESSIONS_PER_LISTING))
        if limit == 0:
            return []
        if not include_past and (
            limit <= self.upcoming_read or len(self.upcoming) < self.upcoming_read
        ):
            return self.upcoming[:limit]
        return self._load_sessions(info, include_past, limit)

    @strawberry.field(
        description="What it takes to apply when badges gate the listing (null when anyone "
        "may): shown to everyone; `locked` and the rest are for you."
    )
    async def gate(
        self, info: Info[Context, None]
    ) -> Annotated[GateType, strawberry.lazy("schema.stack_types")] | None:
        from schema.stack_types import GateType  # it builds on these types

        context = info.context
        view = await context.loaders.gate_by_opportunity.load((self.id, context.actor.user_id))
        return GateType.from_view(view) if view is not None else None

    async def _load_sessions(
        self, info: Info[Context, None], include_past: bool, limit: int
    ) -> list[SessionType]:
        rows = await info.context.loaders.sessions_by_opportunity.load(
            (self.id, include_past, limit)
        )
        return [SessionType.from_row(r) for r in rows]


@strawberry.type
class MapCluster:
    latitude: float
    longitude: float
    count: int
    opportunity_id: relay.GlobalID | None = strawberry.field(
        description="Set when the cluster is a single listing."
    )
