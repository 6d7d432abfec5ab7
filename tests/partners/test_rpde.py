"""OpenActive RPDE pages in: updates, tombstones, ordering, the last page, walking a feed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from partners import rpde
from server.catalog.records import ListingRecord, PlaceRecord, RecordError, SourceError
from server.models.enums import Delivery, OpportunityKind
from tests.partners.helpers import read, records, sessions

FEED = "https://citylearn.example/feeds/opportunities"
MUSEUM = PlaceRecord("Lakeside Science Museum", "5700 S Lake Shore Dr", "60637")


def page(items: list[Any], next_url: str = FEED + "?afterChangeNumber=9") -> bytes:
    return json.dumps({"next": next_url, "items": items}).encode()


def test_a_page_of_updates_and_a_tombstone_in_our_own_feed_shape() -> None:
    found = rpde.parse_page(read("rpde_page1.json"), url=FEED)
    assert found.next_url == FEED + "?afterChangeNumber=1004"  # resolved against the page
    assert not found.is_last
    assert found.license == "https://creativecommons.org/licenses/by/4.0/"
    assert [i.external_id for i in found.items] == [
        "lakeside-robotics",
        "lakeside-python",
        "lakeside-stargazing",
        "lakeside-shadow",
    ]
    by_id = records(found.items)

    robotics = by_id["lakeside-robotics"]
    assert (robotics.title, robotics.kind, robotics.topics) == (
        "Teen Robotics Club",
        OpportunityKind.EVENT,
        ("Robotics", "Coding"),
    )
    assert robotics.place == PlaceRecord(
        "Lakeside Science Museum", "5700 S Lake Shore Dr", "60637", 41.790833, -87.583056
    )
    assert robotics.registration_url == "https://lakeside.example.org/register/robotics"
    assert (robotics.start_date, robotics.start_time, robotics.duration_minutes) == (
        date(2027, 6, 15),
        time(15, 30),
        90,
    )
    assert robotics.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270812T235959"
    assert len(sessions(robotics)) == 18
    # An integer `modified` is an ordering, not a time.
    assert robotics.source_modified is None
    assert robotics.extra["rpde_modified"] == "1001"
    assert robotics.source_version == "00000000000000001001"

    camp = by_id["lakeside-python"]
    # The sessions listed as instances are all in the first instance's schedule: kept as a rule.
    assert camp.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270625T235959"
    assert (camp.kind, camp.cost_cents, camp.place) == (OpportunityKind.COURSE, 12000, MUSEUM)
    assert [s.local_date.day for s in sessions(camp)] == [21, 22, 23, 24, 25]

    gone = found.items[2]
    assert gone == ListingRecord(
        "lakeside-stargazing",
        "",
        deleted=True,
        source_version="00000000000000001003",
        location="item 3 (id lakeside-stargazing)",
    )
    assert gone.extra == {"rpde_modified": "1003"}

    shadow = by_id["lakeside-shadow"]
    assert (shadow.kind, shadow.place, shadow.delivery) == (
        OpportunityKind.JOB_SHADOW,
        MUSEUM,
        Delivery.ONSITE,
    )
    assert (shadow.start_date, shadow.end_date) == (date(2027, 7, 12), date(2027, 7, 16))


def test_the_last_page() -> None:
    here = FEED + "?afterChangeNumber=1004"
    last = rpde.parse_page(read("rpde_page_last.json"), url=here)
    assert (last.items, last.next_url, last.is_last) == ([], here, True)
    # Items and a next URL equal to this one: also the last page.
    same = rpde.parse_page(page([{"state": "deleted", "id": "a", "modified": 1}], here), url=here)
    assert same.is_last and len(same.items) == 1


def test_timestamps_sessions_with_their_series_and_id_order_within_a_time() -> None:
    found = rpde.parse_page(read("rpde_timestamps.json"), url="https://parks.example.org/feeds/x")
    assert found.next_url == (
        "https://parks.example.org/feeds/sessions?afterTimestamp=1813219200&afterId=session-2"
    )
    swim, tombstone = found.items
    assert isinstance(swim, ListingRecord) and isinstance(tombstone, ListingRecord)
    assert (swim.external_id, swim.title, swim.topics) == (
        "session-10",
        "Youth Swim Lessons",
        ("Swimming",),
    )
    assert (swim.min_age, swim.max_age, swim.cost_cents) == (6, 12, 1000)
    assert swim.place == PlaceRecord("Douglass Park Pool", "1401 S Sacramento Dr", "60623")
    assert swim.source_modified == datetime(2027, 6, 1, 9, tzinfo=UTC)
    assert swim.source_version == "2027-06-01T09:00:00.000000+00:00"
    assert tombstone.deleted and tombstone.source_modified == swim.source_modified


def test_an_out_of_order_page_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"out of order: item 2 \(modified 1005"):
        rpde.parse_page(read("rpde_out_of_order.json"), url=FEED)
    same_time = [
        {"state": "deleted", "id": "b", "modified": "2027-06-01T09:00:00Z"},
        {"state": "deleted", "id": "a", "modified": "2027-06-01T04:00:00-05:00"},
    ]
    with pytest.raises(SourceError, match="out of order"):
        rpde.parse_page(page(same_time), url=FEED)
    numeric_ids = [{"state": "deleted", "id": n, "modified": 5} for n in (9, 10)]
    assert len(rpde.parse_page(page(numeric_ids), url=FEED).items) == 2


@pytest.mark.parametrize(
    "source",
    [b"", b"<html></html>", b"[]", b'{"items": []}', b'{"next": "x", "items": {}}'],
)
def test_not_rpde(source: bytes) -> None:
    with pytest.raises(SourceError, match="not an RPDE page"):
        rpde.parse_page(source, url=FEED)


def test_bad_items_are_record_errors() -> None:
    found = rpde.parse_page(
        page(
            [
                "nope",
                {"state": "updated", "modified": 1},
                {"state": "updated", "id": "x", "modified": "soon"},
                {"state": "moved", "id": "y", "modified": 2},
                {"state": "updated", "id": "z", "modified": 3},
                {"state": "updated", "id": "w", "modified": 4, "data": {"@type": "Slot"}},
            ]
        ),
        url=FEED,
    )
    assert found.items == [
        RecordError("not an RPDE item (an object)", "item 1"),
        RecordError("no id of 1 to 300 characters", "item 2"),
        RecordError("modified is neither an integer nor an ISO 8601 time", "item 3 (id x)"),
        RecordError("state 'moved' is not updated or deleted", "item 4 (id y)"),
        RecordError("an updated item without data", "item 5 (id z)", "z"),
        RecordError("data of type Slot is not a listing", "item 6 (id w)", "w"),
    ]


def test_first_url_and_walking_a_feed() -> None:
    assert rpde.first_url(FEED) == FEED
    assert rpde.first_url(FEED + "?afterTimestamp=5&afterId=a&key=k") == FEED + "?key=k"
    # A harvester's walk: follow next until the last page, keep the last next URL.
    pages = {
        FEED: page([{"state": "deleted", "id": "a", "modified": 1}], "?afterChangeNumber=1"),
        FEED + "?afterChangeNumber=1": page([], "?afterChangeNumber=1"),
    }
    url, seen = rpde.first_url(FEED), []
    while True:
        found = rpde.parse_page(pages[url], url=url)
        seen += [i.external_id for i in found.items]
        url = found.next_url
        if found.is_last:
            break
    assert (seen, url) == (["a"], FEED + "?afterChangeNumber=1")
