"""The shape of a search: what the caller asks for and what comes back.

Shared by the GraphQL API, the web pages and the benchmark, so they can never
disagree about what a filter means. Validation lives in `validate_query`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from server.geo.geocoder import GeoPoint


class SortOrder(StrEnum):
    DISTANCE = "distance"  # needs a point
    SOONEST = "soonest"  # next upcoming session first
    RELEVANCE = "relevance"  # needs text


class TimeOfDay(StrEnum):
    MORNING = "morning"  # starts 05:00-11:59 local
    AFTERNOON = "afternoon"  # 12:00-16:59
    EVENING = "evening"  # 17:00-23:59


@dataclass
class NearInput:
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None


@dataclass
class SearchFilter:
    text: str | None = None
    topics: list[str] = field(default_factory=list)  # topic slugs, any of
    age: int | None = None  # learner's age within [min_age, max_age]
    grade: int | None = None  # 0 = kindergarten
    free_only: bool = False
    max_cost: float | None = None  # dollars
    delivery: list[str] = field(default_factory=list)  # any of Delivery
    kinds: list[str] = field(default_factory=list)  # any of OpportunityKind
    starts_after: date | None = None  # a session on or after this local date
    starts_before: date | None = None  # ... and on or before this one
    days_of_week: list[int] = field(default_factory=list)  # ISO 1..7
    time_of_day: list[str] = field(default_factory=list)  # any of TimeOfDay
    language: str | None = None
    accessibility: list[str] = field(default_factory=list)  # all of Accessibility
    organizations: list[str] = field(default_factory=list)  # organization slugs, any of


@dataclass
class SearchQuery:
    near: NearInput | None = None
    radius_km: float | None = None
    filter: SearchFilter = field(default_factory=SearchFilter)
    sort: SortOrder | None = None  # default: distance with a point, else soonest
    first: int | None = None
    after: str | None = None


@dataclass(frozen=True)
class SearchHit:
    opportunity_id: int
    distance_km: float | None
    next_start: datetime | None
    cursor: str


@dataclass(frozen=True)
class MatchCount:
    """How many listings match, counted exactly up to a cap (see service.COUNT_CAP)."""

    value: int
    capped: bool  # True: at least `value` match, probably more


@dataclass
class SearchPage:
    hits: list[SearchHit]
    has_next_page: bool
    end_cursor: str | None
    point: GeoPoint | None  # the resolved center (from a ZIP code or coordinates)
    radius_km: float | None
    sort: SortOrder
