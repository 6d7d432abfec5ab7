"""The demo city's rows: what `generate_city` returns and the loader copies in.

Pure data classes plus the generator-side taxonomy ids; nothing here draws randomness.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from server.catalog.schedule import SessionTimes, expand_schedule
from server.catalog.taxonomy import COMPETENCIES, TOPICS, TaxonomyEntry

# Generator-side taxonomy ids: position + 1 in TOPICS / COMPETENCIES. The loader maps
# them to the database's ids by slug, so a database with extra curated rows still works.
TOPIC_ID = {entry.slug: index + 1 for index, entry in enumerate(TOPICS)}
COMPETENCY_ID = {entry.slug: index + 1 for index, entry in enumerate(COMPETENCIES)}


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    id: int
    slug: str
    name: str
    kind: str
    description: str
    website: str
    status: str
    postal_code: str
    neighborhood: str


@dataclass(frozen=True, slots=True)
class DemoPlace:
    id: int
    organization_id: int
    name: str
    address: str
    postal_code: str
    neighborhood: str
    latitude: float
    longitude: float
    location_approximate: bool
    wheelchair_accessible: bool
    free_internet: bool


@dataclass(frozen=True, slots=True)
class DemoOpportunity:
    id: int
    organization_id: int
    place_id: int | None
    kind: str
    title: str
    description: str
    topic_ids: tuple[int, ...]
    competency_ids: tuple[int, ...]
    min_age: int
    max_age: int
    min_grade: int | None
    max_grade: int | None
    cost_cents: int
    financial_aid: bool
    delivery: str
    languages: tuple[str, ...]
    accessibility: tuple[str, ...]
    capacity: int | None
    registration_url: str | None
    start_date: date
    end_date: date
    schedule_rrule: str | None
    schedule_timezone: str
    start_time: time
    duration_minutes: int
    # A copy of the place's point (None when online), as the catalog keeps it.
    latitude: float | None
    longitude: float | None
    status: str
    keywords: str


@dataclass(frozen=True)
class DemoCity:
    seed: int
    city: str
    season_year: int
    topics: tuple[TaxonomyEntry, ...]  # topic id N is topics[N - 1]
    competencies: tuple[TaxonomyEntry, ...]
    organizations: tuple[DemoOrganization, ...]
    places: tuple[DemoPlace, ...]
    opportunities: tuple[DemoOpportunity, ...]


def opportunity_sessions(opportunity: DemoOpportunity) -> list[SessionTimes]:
    return expand_schedule(
        start_date=opportunity.start_date,
        end_date=opportunity.end_date,
        start_time=opportunity.start_time,
        duration_minutes=opportunity.duration_minutes,
        timezone=opportunity.schedule_timezone,
        rrule=opportunity.schedule_rrule,
    )
