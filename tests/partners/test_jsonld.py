"""schema.org JSON-LD in: a library's event page with an @graph, an array, a Course and
an EducationalOccupationalProgram; broken blocks and pages without JSON-LD."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from partners import jsonld
from server.catalog.records import ListingRecord, PlaceRecord, RecordError, SourceError
from server.models.enums import Delivery, OpportunityKind
from tests.partners.helpers import read, records, sessions, utc_starts

PAGE = "https://southsidelibrary.example.org/teens/"
LOZANO = PlaceRecord("Rudy Lozano Branch", "1805 S Loomis St", "60608")


def page(*blocks: Any) -> bytes:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks
    )
    return f"<html><head>{scripts}</head><body></body></html>".encode()


def one(data: dict[str, Any], **kwargs: str) -> ListingRecord:
    (item,) = list(jsonld.parse(page(data), url=PAGE, **kwargs))
    assert isinstance(item, ListingRecord), item
    return item


def test_library_page_graph_array_course_and_program() -> None:
    items = list(jsonld.parse(read("library_events.html"), url=PAGE))
    assert [i.location for i in items] == [
        "script 1, item 4",
        "script 2, item 1",
        "script 2, item 2",
        "script 2, item 3",
    ]
    found = records(items)
    anime = found["https://southsidelibrary.example.org/events/teen-anime-club/#event"]
    assert anime == ListingRecord(
        external_id="https://southsidelibrary.example.org/events/teen-anime-club/#event",
        title="Teen Anime & Manga Club",
        description="Watch, draw and talk anime.\n\nSnacks provided!",
        kind=OpportunityKind.EVENT,
        topics=("Media & Film", "Art"),
        min_age=13,
        max_age=18,
        languages=("en", "es"),
        capacity=25,
        registration_url="https://southsidelibrary.example.org/events/teen-anime-club/register",
        # Followed from {"@id": ...} to the Library node of the @graph.
        place=PlaceRecord(
            name="Rudy Lozano Branch",
            address="1805 S Loomis St",
            postal_code="60608",
            latitude=41.857582,
            longitude=-87.660879,
            wheelchair_accessible=True,
        ),
        start_date=date(2027, 6, 16),
        end_date=date(2027, 8, 11),
        start_time=time(16, 0),
        duration_minutes=90,
        timezone="America/Chicago",
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20270811T235959\nEXDATE:20270707T160000",
        location="script 1, item 4",
    )
    days = [s.local_date for s in sessions(anime)]
    assert len(days) == 8 and date(2027, 7, 7) not in days
    assert days[0] == date(2027, 6, 16) and days[-1] == date(2027, 8, 11)

    dino = found["https://southsidelibrary.example.org/events/dinosaur-day/"]  # relative url
    assert dino.registration_url == "https://southsidelibrary.example.org/events/dinosaur-day/"
    assert (dino.cost_cents, dino.min_age, dino.max_age, dino.languages) == (350, 5, 24, ("en",))
    assert dino.place == PlaceRecord(
        "Harold Washington Library Center", "400 S State St, Chicago, IL 60605", "60605"
    )
    assert utc_starts(dino) == [datetime(2027, 7, 17, 16, 0, tzinfo=UTC)]
    assert (dino.duration_minutes, dino.recurrence) == (90, None)

    python = found["https://southsidelibrary.example.org/courses/python-for-teens"]
    assert (python.kind, python.place, python.delivery) == (
        OpportunityKind.COURSE,
        LOZANO,
        Delivery.ONSITE,
    )
    assert (python.min_age, python.max_age, python.cost_cents) == (12, 16, 0)
    # Two instances (a daily week and a one-day session) as one listing's sessions.
    assert python.recurrence == (
        "RDATE:20270621T100000,20270622T100000,20270623T100000,20270624T100000,"
        "20270625T100000,20270724T100000"
    )
    assert [s.local_date.day for s in sessions(python)] == [21, 22, 23, 24, 25, 24]
    assert (python.start_date, python.end_date, python.duration_minutes) == (
        date(2027, 6, 21),
        date(2027, 7, 24),
        120,
    )

    aide = found["https://southsidelibrary.example.org/jobs/summer-library-intern"]
    assert (aide.kind, aide.place, aide.min_age, aide.max_age) == (
        OpportunityKind.INTERNSHIP,
        LOZANO,
        16,
        19,
    )
    assert (aide.start_date, aide.end_date, aide.start_time, aide.duration_minutes) == (
        date(2027, 6, 21),
        date(2027, 8, 13),
        time(0, 0),
        24 * 60,
    )
    assert len(sessions(aide)) == 1


def test_an_invalid_block_is_an_error_and_the_others_still_count() -> None:
    items = list(jsonld.parse(read("library_broken_block.html"), url=PAGE))
    first, lego, anonymous = items
    assert isinstance(first, RecordError) and first.location == "script 1"
    assert first.reason.startswith("not valid JSON: Expecting property name")
    assert isinstance(lego, ListingRecord) and lego.title == "Lego Lab"
    assert anonymous == RecordError(
        "no @id or url to know the item by from one run to the next", "script 3, item 1"
    )


@pytest.mark.parametrize(
    "source",
    [read("no_jsonld.html"), b"", b"\xff\xfe\x00garbage", b"<script type='application/ld'>"],
)
def test_a_page_without_json_ld_is_a_source_error(source: bytes) -> None:
    with pytest.raises(SourceError, match=r"no schema\.org JSON-LD found"):
        jsonld.parse(source)


def test_other_types_are_skipped_without_errors() -> None:
    items = list(
        jsonld.parse(
            page(
                {"@type": "Organization", "name": "Library"},
                {"@graph": [{"@type": "WebSite"}, {"@type": ["Thing"]}, "text", 3]},
            )
        )
    )
    assert items == []


def test_our_own_listing_page_reads_back() -> None:
    """The shape web/jsonld.py writes for an event with an eventSchedule."""
    record = one(
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "@id": "https://citylearn.example/opportunities/7",
            "name": "Drop-in Art Studio",
            "description": "Paint, draw, sculpt.",
            "url": "https://citylearn.example/opportunities/7",
            "inLanguage": ["es"],
            "isAccessibleForFree": False,
            "typicalAgeRange": "8-14",
            "offers": {"@type": "Offer", "price": "12.50", "priceCurrency": "USD"},
            "keywords": "Art",
            "location": [
                {
                    "@type": "Place",
                    "name": "Pilsen Arts Center",
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": "1800 S Halsted St",
                        "postalCode": "60608",
                    },
                    "geo": {"@type": "GeoCoordinates", "latitude": 41.857, "longitude": -87.646},
                },
                {"@type": "VirtualLocation", "url": "https://citylearn.example/opportunities/7"},
            ],
            "eventAttendanceMode": "https://schema.org/MixedEventAttendanceMode",
            "startDate": "2027-09-04T10:00:00-05:00",
            "endDate": "2027-09-04T12:00:00-05:00",
            "eventSchedule": {
                "@type": "Schedule",
                "startDate": "2027-09-04",
                "endDate": "2027-11-27",
                "startTime": "10:00",
                "endTime": "12:00",
                "byDay": ["https://schema.org/Saturday"],
                "scheduleTimezone": "America/Chicago",
            },
        }
    )
    assert (record.delivery, record.cost_cents, record.languages) == (
        Delivery.HYBRID,
        1250,
        ("es",),
    )
    assert record.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20271127T235959"
    starts = utc_starts(record)
    assert len(starts) == 13
    assert starts[0] == datetime(2027, 9, 4, 15, tzinfo=UTC)  # CDT
    assert starts[-1] == datetime(2027, 11, 27, 16, tzinfo=UTC)  # CST: 10:00 all along


def test_offsets_of_another_zone_keep_the_moment() -> None:
    record = one(
        {
            "@type": "Event",
            "@id": "#reef",
            "name": "Reef talk",
            "startDate": "2027-07-23T09:00:00-10:00",
            "location": {"@type": "VirtualLocation", "url": "https://example.org/live"},
        }
    )
    assert record.external_id == "https://southsidelibrary.example.org/teens/#reef"
    assert (record.timezone, record.start_time, record.delivery, record.place) == (
        "America/Chicago",
        time(14, 0),
        Delivery.ONLINE,
        None,
    )
    assert record.duration_minutes is None


def test_schedule_variants() -> None:
    base = {"@type": "EducationEvent", "@id": "https://e.example/1", "name": "Class"}
    monthly = one(
        {
            **base,
            "location": "Hall, 12 Elm St, Chicago, IL 60614",
            "eventSchedule": {
                "@type": "Schedule",
                "startDate": "2027-06-05",
                "repeatFrequency": "P1M",
                "byMonthDay": [5],
                "repeatCount": 3,
                "startTime": "18:00",
                "duration": "PT1H30M",
                "exceptDate": ["2027-07-05T18:00:00"],
                "scheduleTimezone": "America/New_York",
            },
        }
    )
    assert monthly.recurrence == "RRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=3\nEXDATE:20270705T180000"
    assert monthly.timezone == "America/New_York"
    assert [s.local_date for s in sessions(monthly)] == [date(2027, 6, 5), date(2027, 8, 5)]
    assert monthly.place == PlaceRecord(
        "Hall, 12 Elm St, Chicago, IL 60614", "Hall, 12 Elm St, Chicago, IL 60614", "60614"
    )

    fortnight = one(
        {
            **base,
            "location": "Hall",
            "eventSchedule": {
                "startDate": "2027-06-01",
                "endDate": "2027-06-30",
                "repeatFrequency": "P2W",
                "byDay": ["Tuesday", "https://schema.org/Thursday"],
                "startTime": "21:00",
                "endTime": "01:00",
            },
        }
    )
    assert fortnight.recurrence == (
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270630T235959"
    )
    assert fortnight.duration_minutes == 240  # past midnight

    broken = list(
        jsonld.parse(
            page(
                {**base, "eventSchedule": {"startDate": "2027-06-01", "byDay": "Caturday"}},
                {**base, "@id": "2", "eventSchedule": {"scheduleTimezone": "Mars/Base"}},
                {**base, "@id": "3", "startDate": "next Tuesday"},
            )
        )
    )
    assert [e.reason for e in broken if isinstance(e, RecordError)] == [
        "byDay: 'Caturday' is not a day of the week",
        "scheduleTimezone: unknown time zone 'Mars/Base'",
        "startDate: 'next Tuesday' is not an ISO 8601 date or date-time",
    ]


def test_cancelled_events_are_tombstones_and_bare_json_ld_is_read() -> None:
    source = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "@id": "https://e.example/gone",
            "name": "Gone",
            "eventStatus": "https://schema.org/EventCancelled",
            "dateModified": "2027-05-01T12:00:00Z",
        }
    ).encode()
    (record,) = list(jsonld.parse(source))
    assert isinstance(record, ListingRecord)
    assert record.deleted and record.external_id == "https://e.example/gone"
    assert record.source_modified == datetime(2027, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("program_type", "kind"),
    [
        ("job shadow", OpportunityKind.JOB_SHADOW),
        ("Registered Apprenticeship", OpportunityKind.APPRENTICESHIP),
        ("Summer internship", OpportunityKind.INTERNSHIP),
        ("certificate", OpportunityKind.PROGRAM),
    ],
)
def test_work_based_program_kinds(program_type: str, kind: OpportunityKind) -> None:
    record = one(
        {
            "@type": "EducationalOccupationalProgram",
            "@id": "https://e.example/p",
            "name": "Careers at the Zoo",
            "programType": program_type,
            "educationalProgramMode": "online",
        }
    )
    assert (record.kind, record.delivery, record.start_date) == (kind, Delivery.ONLINE, None)
