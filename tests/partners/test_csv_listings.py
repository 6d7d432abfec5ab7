"""The CSV template in: header checks, per-cell errors with row and column, encodings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from partners import csv_listings
from server.catalog.records import (
    ListingRecord,
    ParsedItem,
    PlaceRecord,
    RecordError,
    SourceError,
)
from server.models.enums import Accessibility, Delivery, OpportunityKind
from tests.partners.helpers import errors, read, records, sessions, utc_starts

HEADER = "external_id,title,place_name,postal_code,start_date,start_time"


def parse(text: str) -> list[ParsedItem]:
    return list(csv_listings.parse(text.encode()))


def test_the_template_documents_every_column_and_its_examples_parse() -> None:
    names = [c.name for c in csv_listings.TEMPLATE_COLUMNS]
    assert names[:2] == ["external_id", "title"] and csv_listings.REQUIRED == tuple(names[:2])
    assert len(set(names)) == len(names) and all(c.help for c in csv_listings.TEMPLATE_COLUMNS)
    template = csv_listings.template_csv()
    assert template.splitlines()[0] == ",".join(names) and "\r\n" in template
    club, comics = list(csv_listings.parse(template.encode()))
    assert isinstance(club, ListingRecord) and isinstance(comics, ListingRecord)
    assert club.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270812T235959"
    assert club.place is not None and club.place.wheelchair_accessible
    assert (comics.delivery, comics.place, comics.cost_cents) == (Delivery.ONLINE, None, 500)


def test_good_and_bad_rows_of_a_parks_export() -> None:
    items = list(csv_listings.parse(read("parks_listings.csv")))
    assert [i.location for i in items] == [
        "row 2",
        "row 3",
        # row 4 is empty
        "row 5, column start_date",
        "row 6, column cost",
        "row 6, column financial_aid",
        "row 7",
        "row 8, column place_name",
    ]
    swim = records(items)["PARK-SWIM-01"]
    assert swim == ListingRecord(
        external_id="PARK-SWIM-01",
        title="Youth Swim Lessons",
        description="Learn to swim in small groups, all levels.",
        kind=OpportunityKind.PROGRAM,
        delivery=Delivery.ONSITE,
        topics=("Sports & Fitness",),
        min_age=6,
        max_age=12,
        cost_cents=2500,
        financial_aid=True,
        languages=("en", "es"),
        accessibility=(Accessibility.WHEELCHAIR, Accessibility.TRANSIT_NEARBY),
        capacity=12,
        registration_url="https://parks.example.org/register/swim",
        place=PlaceRecord(
            name="Douglass Park Pool",
            address="1401 S Sacramento Dr, Chicago, IL",
            postal_code="60623",
            latitude=41.8573,
            longitude=-87.7006,
            wheelchair_accessible=True,
        ),
        start_date=date(2027, 6, 14),
        end_date=date(2027, 8, 6),
        start_time=time(9, 30),  # "9:30 AM"
        duration_minutes=45,
        timezone="America/Chicago",
        recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270806T235959",
        location="row 2",
    )
    assert len(sessions(swim)) == 24
    cooking = records(items)["PARK-COOK-02"]
    assert (cooking.start_date, cooking.kind, cooking.recurrence) == (
        date(2027, 7, 22),  # Excel's 7/22/2027
        OpportunityKind.WORKSHOP,
        None,
    )
    assert utc_starts(cooking) == [datetime(2027, 7, 22, 23, 0, tzinfo=UTC)]
    assert items[2] == RecordError(
        "not a date (use YYYY-MM-DD)", "row 5, column start_date", "PARK-CHESS-03"
    )
    assert [e.reason for e in errors(items)][1:3] == [
        "not an amount in dollars (25 or 25.50; 0 when free)",
        "use yes or no",
    ]
    online = records(items)["PARK-CODE-05"]
    assert (online.delivery, online.place, online.kind) == (
        Delivery.ONLINE,
        None,
        OpportunityKind.ONLINE_ACTIVITY,
    )
    assert errors(items)[-1].reason.startswith("an onsite or hybrid listing needs a place_name")


def test_header_errors_are_source_errors() -> None:
    with pytest.raises(SourceError, match="missing required columns: external_id, title"):
        parse("name,place_name\nx,y\n")
    with pytest.raises(SourceError, match="missing required columns: title"):
        parse("external_id,description\n1,x\n")
    with pytest.raises(
        SourceError, match=r"unknown columns: price, venue\. The template's columns are: "
    ):
        parse("external_id,title,price,venue\n1,x,3,y\n")
    with pytest.raises(SourceError, match="columns given twice: title"):
        parse("external_id,title,Title\n1,x,y\n")
    with pytest.raises(SourceError, match="no header row"):
        parse("\n\n")


def test_bom_crlf_latin1_utf16_and_semicolons() -> None:
    text = HEADER + "\r\nLIB-1,Taller de niños,Biblioteca,60608,2027-07-01,10:00\r\n"
    expected = list(csv_listings.parse(text.encode()))
    (record,) = expected
    assert isinstance(record, ListingRecord) and record.title == "Taller de niños"
    assert list(csv_listings.parse(b"\xef\xbb\xbf" + text.encode())) == expected
    assert list(csv_listings.parse(text.encode("latin-1"))) == expected
    assert list(csv_listings.parse(text.encode("utf-16"))) == expected
    semicolons = text.replace(",", ";")
    assert list(csv_listings.parse(semicolons.encode("cp1252"))) == expected


def test_cell_rules_name_row_and_column() -> None:
    rows = [
        "external_id,title,start_date,start_time,end_date,days,recurrence,timezone,"
        "delivery,min_age,max_age,postal_code,latitude,registration_url,kind,languages",
        "A,One,2027-07-01,,,,,,online,,,,,,,",
        "B,Two,,10:00,,,,,online,,,,,,,",
        "C,Three,2027-07-01,10:00,,Tue,,,online,,,,,,,",
        "D,Four,2027-07-01,10:00,2027-06-01,,,,online,,,,,,,",
        "E,Five,2027-07-01,10:00,2027-08-01,Tue,FREQ=DAILY,,online,,,,,,,",
        "F,Six,2027-07-01,25:00,,,,Mars/Base,by mail,15,9,ABCDE,41.8,ftp://x,party,Klingon",
        "G,Seven,2027-07-01,10:00,,,FREQ=FORTNIGHTLY,,online,,,,,,,",
        "H,Eight,,,,,,,online,,,,,,,,extra",
    ]
    items = parse("\n".join(rows))
    assert [(e.location, e.reason) for e in items if isinstance(e, RecordError)] == [
        ("row 2, column start_time", "a start date needs a start time (24-hour HH:MM)"),
        ("row 3, column start_date", "a schedule needs its first day (YYYY-MM-DD)"),
        ("row 4, column end_date", "days repeat weekly until end_date: give one (YYYY-MM-DD)"),
        ("row 5, column end_date", "the end date is before start_date"),
        ("row 6, column recurrence", "give days or recurrence, not both"),
        ("row 7, column start_time", "not a time (use 24-hour HH:MM, e.g. 15:30)"),
        ("row 7, column timezone", "not a time zone (use a name such as America/Chicago)"),
        ("row 7, column delivery", "use one of onsite, online, hybrid"),
        ("row 7, column max_age", "the oldest age is below the youngest"),
        ("row 7, column postal_code", "not a 5-digit ZIP code"),
        ("row 7, column latitude", "give a latitude and a longitude on Earth, or neither"),
        ("row 7, column registration_url", "not a web address (https://...)"),
        ("row 7, column kind", "use one of " + ", ".join(k.value for k in OpportunityKind)),
        ("row 7, column languages", "'Klingon' is not a language code (use en, es, pl...)"),
        (
            "row 8, column recurrence",
            "not a recurrence rule dateutil can read: invalid 'FREQ': FORTNIGHTLY",
        ),
        ("row 9", "more cells than the header has columns"),
    ]


def test_recurrence_for_experts_day_ranges_and_short_zips() -> None:
    (monthly, camp) = parse(
        "external_id,title,place_name,postal_code,start_date,start_time,duration_minutes,"
        "recurrence,days,end_date,min_grade,max_grade\n"
        "M,Maker Saturday,Library,2134,2027-06-05,10:00,90,FREQ=MONTHLY;BYDAY=1SA;COUNT=3,,,K,5th\n"
        "C,Camp,Park,60623,2027-07-12,09:00,360,,Mon-Fri,2027-07-16,,\n"
    )
    assert isinstance(monthly, ListingRecord) and isinstance(camp, ListingRecord)
    assert monthly.recurrence == "RRULE:FREQ=MONTHLY;BYDAY=1SA;COUNT=3"
    assert [s.local_date for s in sessions(monthly)] == [
        date(2027, 6, 5),
        date(2027, 7, 3),
        date(2027, 8, 7),
    ]
    assert monthly.end_date == date(2027, 8, 7)
    assert monthly.place is not None and monthly.place.postal_code == "02134"
    assert (monthly.min_grade, monthly.max_grade) == (0, 5)
    assert camp.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270716T235959"
    assert len(sessions(camp)) == 5
