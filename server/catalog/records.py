"""The normalized listing record: what every partner adapter (partners/*) produces and the
one catalog import service (server/catalog/imports.py) upserts.

An adapter reads its format and yields, for each item in the source, either a
`ListingRecord` or a `RecordError` (the item could not be read; the reason says why and
where). It never writes to the database and never decides whether a record is new,
changed or a duplicate: that is the import service's job.

Schedules use the catalog's own model (server/catalog/schedule.py): a local start date
and time, a duration, an IANA time zone and optionally an RFC 5545 recurrence set. The
recurrence set is the text dateutil's `rrulestr(..., forceset=True)` reads, e.g.

    RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270815T235959
    EXDATE:20270704T100000
    RDATE:20270706T140000

with EXDATE / RDATE values in the listing's local wall-clock time and without a zone
suffix. A cancelled occurrence is an EXDATE; a moved one (iCalendar RECURRENCE-ID) is an
EXDATE of the original plus an RDATE of the new start (the duration stays the listing's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from server.models.enums import Accessibility, Delivery, OpportunityKind

MAX_EXTERNAL_ID = 300
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class PlaceRecord:
    name: str
    address: str = ""
    postal_code: str | None = None  # 5 digits
    # When the source gives coordinates; else the import service geocodes the address /
    # ZIP offline and marks the place as approximate.
    latitude: float | None = None
    longitude: float | None = None
    wheelchair_accessible: bool = False


@dataclass(frozen=True)
class ListingRecord:
    # The partner's own id for the listing, stable across runs (a UID, an @id, a row id).
    external_id: str
    title: str
    description: str = ""
    kind: OpportunityKind = OpportunityKind.PROGRAM
    delivery: Delivery = Delivery.ONSITE
    # Topic slugs or names (matched case-insensitively in English or Spanish); unknown
    # ones are ignored, not an error.
    topics: tuple[str, ...] = ()
    min_age: int = 5
    max_age: int = 24
    min_grade: int | None = None
    max_grade: int | None = None
    cost_cents: int = 0
    financial_aid: bool = False
    languages: tuple[str, ...] = ("en",)
    accessibility: tuple[Accessibility, ...] = ()
    capacity: int | None = None
    registration_url: str | None = None
    place: PlaceRecord | None = None  # None: online
    start_date: date | None = None  # None: ongoing / self-paced (no sessions)
    end_date: date | None = None
    start_time: time | None = None
    duration_minutes: int | None = None
    timezone: str = "America/Chicago"
    recurrence: str | None = None  # an RFC 5545 recurrence set, see the module docstring
    # When the partner last changed it (RPDE `modified`, iCalendar LAST-MODIFIED).
    source_modified: datetime | None = None
    # Text that sorts as the source orders its changes (RPDE: an integer `modified`
    # zero-padded, or a UTC timestamp): a record not above the stored one changes nothing.
    source_version: str | None = None
    # The source says the listing is gone (RPDE `state: deleted`, iCalendar cancelled).
    deleted: bool = False
    # Where in the source it came from ("row 12", "VEVENT 3", "item 7"), for messages.
    location: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RecordError:
    """An item the adapter could not turn into a record."""

    reason: str
    # Where: "row 12", "row 12, column start_date", "VEVENT 3 (UID abc)", "item 7".
    location: str = ""
    external_id: str | None = None
    # The source was cut short here (a truncated file): what follows is unknown, so a
    # snapshot import removes nothing this time.
    partial: bool = False


ParsedItem = ListingRecord | RecordError


class SourceError(Exception):
    """The whole source is unusable (not the format claimed, truncated, wrong encoding,
    missing required columns): nothing from it is applied, nothing stored is touched."""
