"""iCalendar in: Google and Outlook exports, overrides, time zones, broken files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from partners import ical
from server.catalog.records import ListingRecord, ParsedItem, PlaceRecord, RecordError, SourceError
from server.models.enums import Delivery, OpportunityKind
from tests.partners.helpers import errors, read, records, sessions, utc_starts

MUSEUM = read("museum_summer.ics")
LAKESIDE = PlaceRecord(
    name="Lakeside Science Museum",
    address="5700 S Lake Shore Dr, Chicago, IL 60637, USA",
    postal_code="60637",
)


def parse(text: str, **kwargs: str) -> list[ParsedItem]:
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + text.strip().replace("\n", "\r\n")
    return list(ical.parse((calendar + "\r\nEND:VCALENDAR\r\n").encode(), **kwargs))


def event(*lines: str) -> str:
    return "\n".join(("BEGIN:VEVENT", "SUMMARY:Test", *lines, "END:VEVENT"))


def one(text: str, **kwargs: str) -> ListingRecord:
    (item,) = parse(text, **kwargs)
    assert isinstance(item, ListingRecord), item
    return item


def test_google_export_weekly_rule_with_exdates_moved_and_cancelled_occurrences() -> None:
    items = list(ical.parse(MUSEUM, url="https://lakesidescience.org/calendar.ics"))
    lab = records(items)["robotics-lab-2027@lakesidescience.org"]
    assert lab == ListingRecord(
        external_id="robotics-lab-2027@lakesidescience.org",
        title="Teen Robotics Lab",
        # Folded inside "é" and "—", escaped commas and semicolons, \n; the VALARM's
        # DESCRIPTION does not leak in.
        description=(
            "Teens design, build and program their own robots with museum engineers. Bring "
            "a water bottle; snacks are provided. Open to ages 13-18 — no experience "
            "needed. Café open until 5.\nRegister online."
        ),
        kind=OpportunityKind.EVENT,
        topics=("Robotics", "Coding"),
        registration_url="https://lakesidescience.org/programs/teen-robotics-lab",
        place=PlaceRecord(
            name="Lakeside Science Museum",
            address="5700 S Lake Shore Dr, Chicago, IL 60637, USA",
            postal_code="60637",
            latitude=41.790833,
            longitude=-87.583056,
        ),
        start_date=date(2027, 6, 29),
        end_date=date(2027, 8, 12),
        start_time=time(15, 30),
        duration_minutes=90,
        timezone="America/Chicago",
        # UNTIL 04:59:59Z is the last second of Aug 12 in Chicago.
        recurrence=(
            "RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20270812T235959;BYDAY=TU,TH\n"
            "EXDATE:20270701T153000,20270715T153000,20270720T153000,20270722T153000,"
            "20270803T153000\n"
            "RDATE:20270716T100000"
        ),
        source_modified=datetime(2027, 4, 15, 18, 15, tzinfo=UTC),
        location="VEVENT 1",
    )
    days = [s.local_date for s in sessions(lab)]
    assert days == [
        date(2027, 6, 29),
        date(2027, 7, 6),
        date(2027, 7, 8),
        date(2027, 7, 13),
        date(2027, 7, 16),  # moved from Thursday the 15th
        date(2027, 7, 27),
        date(2027, 7, 29),
        date(2027, 8, 5),  # Aug 3 cancelled
        date(2027, 8, 10),
        date(2027, 8, 12),
    ]
    moved = sessions(lab)[4]
    assert moved.starts_at == datetime(2027, 7, 16, 15, 0, tzinfo=UTC)  # 10:00 CDT
    assert moved.ends_at == datetime(2027, 7, 16, 16, 30, tzinfo=UTC)  # the listing's length


def test_moved_occurrence_lands_in_the_right_zone_across_the_end_of_daylight_saving() -> None:
    saturdays = records(list(ical.parse(MUSEUM)))[
        "family-science-saturdays-fall-2027@lakesidescience.org"
    ]
    # RECURRENCE-ID given in UTC (15:00Z = 10:00 CDT) still names the local occurrence.
    assert saturdays.recurrence == (
        "RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=8\nEXDATE:20271106T100000\nRDATE:20271107T140000"
    )
    assert saturdays.end_date == date(2027, 11, 20)
    assert utc_starts(saturdays) == [
        datetime(2027, 10, 2, 15, tzinfo=UTC),
        datetime(2027, 10, 9, 15, tzinfo=UTC),
        datetime(2027, 10, 16, 15, tzinfo=UTC),
        datetime(2027, 10, 23, 15, tzinfo=UTC),
        datetime(2027, 10, 30, 15, tzinfo=UTC),
        datetime(2027, 11, 7, 20, tzinfo=UTC),  # Sunday 14:00 CST, hours after the change
        datetime(2027, 11, 13, 16, tzinfo=UTC),  # 10:00 CST
        datetime(2027, 11, 20, 16, tzinfo=UTC),
    ]


def test_all_day_other_zones_utc_and_cancelled_events() -> None:
    items = list(ical.parse(MUSEUM))
    found = records(items)
    assert [i.location for i in items] == [
        "VEVENT 1",
        "VEVENT 4",
        "VEVENT 5",
        "VEVENT 6",
        "VEVENT 7",
        "VEVENT 8",
        "VEVENT 9",
    ]
    assert not errors(items)

    day = found["free-family-day-2027@lakesidescience.org"]
    assert (day.start_date, day.start_time, day.duration_minutes, day.end_date) == (
        date(2027, 8, 4),
        time(0, 0),
        24 * 60,
        None,
    )
    assert day.extra == {"all_day": "true"} and day.place == LAKESIDE
    fair = found["science-fair-2027@lakesidescience.org"]
    assert (fair.start_date, fair.duration_minutes, fair.end_date) == (
        date(2027, 8, 14),
        2 * 24 * 60,
        date(2027, 8, 15),
    )
    assert fair.description == "Young scientists show their projects.\nJudging on Sunday."

    reef = found["coral-reef-live-2027@lakesidescience.org"]
    assert (reef.timezone, reef.start_date, reef.start_time, reef.duration_minutes) == (
        "Pacific/Honolulu",
        date(2027, 7, 23),
        time(9, 0),
        60,
    )
    assert reef.delivery is Delivery.ONLINE and reef.place is None
    assert reef.registration_url == "https://lakesidescience.org/live/coral-reef"
    assert reef.topics == ("Science", "Nature & Environment")
    assert utc_starts(reef) == [datetime(2027, 7, 23, 19, tzinfo=UTC)]

    show = found["planetarium-summer-skies@lakesidescience.org"]
    # 15:00Z read in the calendar's X-WR-TIMEZONE.
    assert (show.timezone, show.start_time, show.duration_minutes) == (
        "America/Chicago",
        time(10, 0),
        60,
    )
    assert show.place == PlaceRecord(
        "Lakeside Science Museum Planetarium", "5700 S Lake Shore Dr, Chicago, IL 60637", "60637"
    )

    gone = found["stargazing-night-2027@lakesidescience.org"]
    assert gone.deleted and gone.title == "Stargazing Night"
    assert gone.source_modified == datetime(2027, 5, 20, 14, tzinfo=UTC)


def test_outlook_export_windows_zone_names_bom_and_duration() -> None:
    items = list(ical.parse(read("library_outlook.ics")))
    story, board = items
    assert isinstance(story, ListingRecord) and isinstance(board, ListingRecord)
    assert story.title == "Hora de cuentos bilingüe"
    assert story.description.startswith("Cuentos, canciones y manualidades para niños")
    assert story.external_id.startswith("040000008200E00074C5B7101A82E008")
    assert (story.timezone, story.start_time, story.duration_minutes) == (
        "America/Chicago",
        time(10, 30),
        60,
    )
    assert story.recurrence == "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=SA"
    assert story.end_date == date(2027, 7, 17)  # the sixth Saturday
    assert len(sessions(story)) == 6
    assert story.place == PlaceRecord(
        "Rudy Lozano Branch Library", "1805 S Loomis St, Chicago, IL 60608", "60608"
    )
    assert (board.start_time, board.duration_minutes) == (time(16, 0), 60)


def test_broken_events_are_errors_and_the_rest_still_parse() -> None:
    items = list(ical.parse(read("parks_broken_events.ics")))
    assert [(type(i).__name__, i.location) for i in items] == [
        ("ListingRecord", "VEVENT 1"),
        ("RecordError", "VEVENT 2"),
        ("RecordError", "VEVENT 3"),
        ("RecordError", "VEVENT 4"),
        ("RecordError", "VEVENT 5"),
        ("RecordError", "VEVENT 6"),
        ("ListingRecord", "VEVENT 7"),
    ]
    assert errors(items) == [
        RecordError("no UID (the event's id)", "VEVENT 2"),
        RecordError("no DTSTART", "VEVENT 3", "no-start@parks.example.org"),
        RecordError(
            "DTSTART: unknown time zone TZID='Mars/Olympus_Mons'",
            "VEVENT 4",
            "mars-time@parks.example.org",
        ),
        RecordError("DTEND is not after DTSTART", "VEVENT 5", "backwards@parks.example.org"),
        RecordError(
            "not a recurrence rule dateutil can read: invalid 'FREQ': SOMETIMES",
            "VEVENT 6",
            "bad-rule@parks.example.org",
        ),
    ]
    tennis = records(items)["tennis@parks.example.org"]
    assert (tennis.timezone, tennis.start_time) == ("America/Los_Angeles", time(17, 0))
    assert tennis.place is not None and tennis.place.postal_code == "90027"


def test_truncated_files_keep_complete_events_and_report_the_tail() -> None:
    cut = MUSEUM.index(b"UID:coral-reef")
    items = list(ical.parse(MUSEUM[:cut]))
    assert [i.location for i in items] == ["VEVENT 1", "VEVENT 4", "VEVENT 5", "VEVENT 6"]
    # Marked partial: a snapshot import then removes nothing (server/catalog/imports.py).
    assert items[-1] == RecordError(ical.ENDS_INSIDE, "VEVENT 6", partial=True)
    # The moved and cancelled occurrences (VEVENTs 2 and 3) came before the cut.
    assert (
        records(items)["robotics-lab-2027@lakesidescience.org"].recurrence
        == records(list(ical.parse(MUSEUM)))["robotics-lab-2027@lakesidescience.org"].recurrence
    )

    whole = list(ical.parse(MUSEUM[: MUSEUM.index(b"END:VCALENDAR")]))
    assert len(records(whole)) == 7
    assert whole[-1] == RecordError(
        "no END:VCALENDAR: the file is truncated, events after the last complete one may be "
        "missing",
        ical.END_OF_FILE,
        partial=True,
    )


@pytest.mark.parametrize(
    "source",
    [b"", b"<html><body>Calendar</body></html>", b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"],
)
def test_not_icalendar_is_a_source_error(source: bytes) -> None:
    with pytest.raises(SourceError, match="no BEGIN:VCALENDAR"):
        ical.parse(source)


def test_encodings_utf16_latin1_and_a_stray_invalid_byte() -> None:
    expected = list(ical.parse(MUSEUM))
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        text = MUSEUM.replace(b"\r\n ", b"").decode("utf-8")
        assert list(ical.parse(text.encode(codec))) == expected, codec

    (latin,) = list(ical.parse(read("community_latin1.ics")))
    assert isinstance(latin, ListingRecord)
    assert latin.title == "Taller de ciencia para niños"
    assert latin.description == "Sábado de experimentos: ¡volcanes y cohetes!"
    assert (latin.timezone, latin.start_time) == ("America/Chicago", time(10, 0))  # floating

    garbled = MUSEUM.replace(b"SUMMARY:Free Family Day", b"SUMMARY:Free Family Day \xff")
    items = list(ical.parse(garbled))
    assert records(items)["free-family-day-2027@lakesidescience.org"].title == "Free Family Day ÿ"
    assert records(items)["robotics-lab-2027@lakesidescience.org"].description.endswith(
        "Café open until 5.\nRegister online."
    )


def test_text_values_parameters_and_lists() -> None:
    record = one(
        event(
            "UID:u1",
            "DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20270801T090000",
            "DURATION:PT2H30M",
            r"LOCATION:Community Hall\, 55 Main St.\, Springfield\, MA 01103",
            r"CATEGORIES:Arts\, Crafts,Science",
            "CATEGORIES:Science,Math",
            'X-THING;X-NOTE="a;b:c,d":ignored',
            "URL:javascript:alert(1)",
            "GEO:91;200",
        )
    )
    assert record.timezone == "America/New_York"
    assert (record.start_time, record.duration_minutes) == (time(9, 0), 150)
    assert record.topics == ("Arts, Crafts", "Science", "Math")
    assert record.place == PlaceRecord(
        "Community Hall", "55 Main St., Springfield, MA 01103", "01103"
    )
    assert record.registration_url is None


def test_exdate_and_rdate_forms_and_until_as_a_date() -> None:
    record = one(
        event(
            "UID:u2",
            "DTSTART;TZID=America/Chicago:20270705T180000",
            "DTEND;TZID=America/Chicago:20270705T190000",
            "RRULE:FREQ=DAILY;UNTIL=20270710",
            "EXDATE;VALUE=DATE:20270706",
            "EXDATE:20270708T230000Z",
            "RDATE;VALUE=PERIOD;TZID=America/Chicago:20270712T100000/PT1H",
            "LOCATION:Hall",
        )
    )
    assert record.recurrence == (
        "RRULE:FREQ=DAILY;UNTIL=20270710T235959\n"
        "EXDATE:20270706T180000,20270708T180000\n"
        "RDATE:20270712T100000"
    )
    assert [s.local_date.day for s in sessions(record)] == [5, 7, 9, 10, 12]
    assert record.end_date == date(2027, 7, 12)


def test_a_start_the_rule_skips_still_counts_and_rdates_alone_recur() -> None:
    monday = one(
        event(
            "UID:u3",
            "DTSTART;TZID=America/Chicago:20270705T100000",  # a Monday
            "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2",
            "LOCATION:Hall",
        )
    )
    assert monday.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2\nRDATE:20270705T100000"
    assert [s.local_date.day for s in sessions(monday)] == [5, 7, 14]

    dates = one(event("UID:u4", "DTSTART:20270705T100000", "RDATE:20270709T100000", "LOCATION:X"))
    assert dates.recurrence == "RDATE:20270705T100000,20270709T100000"
    assert len(sessions(dates)) == 2


def test_duplicate_uids_orphan_overrides_and_unclosed_events() -> None:
    items = parse(
        "\n".join(
            [
                event("UID:same", "DTSTART:20270705T100000", "LOCATION:X"),
                event("UID:same", "DTSTART:20270706T100000", "LOCATION:X"),
                event(
                    "UID:orphan",
                    "RECURRENCE-ID:20270707T100000",
                    "DTSTART:20270707T120000",
                    "LOCATION:X",
                ),
                "BEGIN:VEVENT\nUID:open\nSUMMARY:Never closed\nDTSTART:20270708T100000",
                event("UID:after", "DTSTART:20270709T100000", "LOCATION:X"),
            ]
        )
    )
    assert [(type(i).__name__, i.location, i.external_id) for i in items] == [
        ("ListingRecord", "VEVENT 1", "same"),
        ("RecordError", "VEVENT 2", None),
        ("ListingRecord", "VEVENT 3", "orphan/20270707T100000"),
        ("RecordError", "VEVENT 4", "open"),
        ("ListingRecord", "VEVENT 5", "after"),
    ]
    assert items[1] == RecordError("the same UID as VEVENT 1; ignored", "VEVENT 2")
    assert items[3] == RecordError("no END:VEVENT before the next BEGIN:VEVENT", "VEVENT 4", "open")
    orphan = records(items)["orphan/20270707T100000"]
    assert (orphan.start_time, orphan.recurrence) == (time(12, 0), None)


def test_calendar_zone_floating_times_and_the_default() -> None:
    floating = event("UID:f", "DTSTART:20270705T100000", "LOCATION:X")
    assert one(floating).timezone == "America/Chicago"
    assert one(floating, default_timezone="America/Denver").timezone == "America/Denver"
    assert one("X-WR-TIMEZONE:America/Phoenix\n" + floating).timezone == "America/Phoenix"
    assert one("X-WR-TIMEZONE:Nowhere/Else\n" + floating).timezone == "America/Chicago"
    with pytest.raises(ValueError, match="default time zone"):
        ical.parse(b"BEGIN:VCALENDAR", default_timezone="Nowhere/Else")


def test_an_override_that_keeps_its_time_changes_nothing() -> None:
    items = parse(
        "\n".join(
            [
                event(
                    "UID:w",
                    "DTSTART:20270705T100000",
                    "RRULE:FREQ=DAILY;COUNT=3",
                    "LOCATION:X",
                ),
                event("UID:w", "RECURRENCE-ID:20270706T100000", "DTSTART:20270706T100000"),
            ]
        )
    )
    (record,) = items
    assert isinstance(record, ListingRecord)
    assert record.recurrence == "RRULE:FREQ=DAILY;COUNT=3"
