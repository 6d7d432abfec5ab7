"""GraphQL inputs and their translation into the server's search query."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.enums import (
    Accessibility,
    DayOfWeek,
    Delivery,
    OpportunityKind,
    OpportunitySort,
    TimeOfDayEnum,
)
from server.search.query import NearInput, SearchFilter, SearchQuery


@strawberry.input(description="A point, or a US ZIP code resolved offline to its centroid.")
class GeoInput:
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None


@strawberry.input
class OpportunityFilter:
    text: str | None = strawberry.field(default=None, description="Free text, web-search syntax.")
    topics: list[str] | None = strawberry.field(default=None, description="Topic slugs, any of.")
    age: int | None = strawberry.field(
        default=None, description="A learner's age; it must fall within the listing's range."
    )
    grade: int | None = strawberry.field(default=None, description="0 is kindergarten.")
    free: bool | None = strawberry.field(default=None, description="Only free listings.")
    max_cost: float | None = strawberry.field(default=None, description="In US dollars.")
    delivery: list[Delivery] | None = None
    kinds: list[OpportunityKind] | None = None
    date_from: date | None = strawberry.field(
        default=None, description="Has a session on or after this local date."
    )
    date_to: date | None = strawberry.field(
        default=None, description="Has a session on or before this local date."
    )
    days_of_week: list[DayOfWeek] | None = None
    time_of_day: list[TimeOfDayEnum] | None = None
    language: str | None = strawberry.field(default=None, description="e.g. 'en', 'es'.")
    accessibility: list[Accessibility] | None = strawberry.field(
        default=None, description="All of these features."
    )
    organizations: list[str] | None = strawberry.field(
        default=None, description="Organization slugs, any of."
    )

    def to_search_filter(self) -> SearchFilter:
        return SearchFilter(
            text=self.text,
            topics=list(self.topics or []),
            age=self.age,
            grade=self.grade,
            free_only=bool(self.free),
            max_cost=self.max_cost,
            delivery=[d.value for d in self.delivery or []],
            kinds=[k.value for k in self.kinds or []],
            starts_after=self.date_from,
            starts_before=self.date_to,
            days_of_week=[d.value for d in self.days_of_week or []],
            time_of_day=[t.value for t in self.time_of_day or []],
            language=self.language,
            accessibility=[a.value for a in self.accessibility or []],
            organizations=list(self.organizations or []),
        )


@strawberry.input
class BBoxInput:
    south: float
    west: float
    north: float
    east: float


def search_query(
    near: GeoInput | None,
    radius_km: float | None,
    filter: OpportunityFilter | None,
    sort: OpportunitySort | None,
    first: int | None,
    after: str | None,
) -> SearchQuery:
    return SearchQuery(
        near=NearInput(near.latitude, near.longitude, near.postal_code) if near else None,
        radius_km=radius_km,
        filter=filter.to_search_filter() if filter else SearchFilter(),
        sort=sort,
        first=first,
        after=after,
    )
