"""Closed vocabularies, stored as text with CHECK constraints (cheaper to extend than PG enums)."""

from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    MUSEUM = "museum"
    LIBRARY = "library"
    COMMUNITY_GROUP = "community_group"
    COLLEGE = "college"
    EMPLOYER = "employer"
    PARK_DISTRICT = "park_district"
    NONPROFIT = "nonprofit"


class OrganizationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class OpportunityKind(StrEnum):
    PROGRAM = "program"
    WORKSHOP = "workshop"
    EVENT = "event"
    ONLINE_ACTIVITY = "online_activity"
    DROP_IN = "drop_in"
    CAMP = "camp"
    COURSE = "course"
    VOLUNTEERING = "volunteering"
    INTERNSHIP = "internship"
    JOB_SHADOW = "job_shadow"
    APPRENTICESHIP = "apprenticeship"


class Delivery(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"


class OpportunityStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Accessibility(StrEnum):
    WHEELCHAIR = "wheelchair"
    ASL = "asl"
    SENSORY_FRIENDLY = "sensory_friendly"
    CAPTIONS = "captions"
    TRANSIT_NEARBY = "transit_nearby"


def check_in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
