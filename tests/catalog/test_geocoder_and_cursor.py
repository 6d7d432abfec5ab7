"""The offline geocoder and the keyset cursors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.errors import InvalidInput
from server.geo.geocoder import GeoPoint, ZipCentroidGeocoder
from server.search.cursor import Cursor, decode, encode
from server.search.query import SortOrder


def test_zip_and_address_resolve_to_the_zip_centroid() -> None:
    geocoder = ZipCentroidGeocoder()
    alone = geocoder.geocode("60614")
    in_address = geocoder.geocode("2430 N Cannon Dr, Chicago, IL 60614-3894")
    assert alone is not None and in_address is not None
    assert alone.point == in_address.point
    assert alone.approximate
    assert alone.point.latitude == pytest.approx(41.92, abs=0.05)
    assert alone.point.longitude == pytest.approx(-87.65, abs=0.05)
    assert "Chicago" in alone.label


@pytest.mark.parametrize("query", ["00000", "Springfield", "", "6061", "99999"])
def test_unknown_places_are_none(query: str) -> None:
    assert ZipCentroidGeocoder().geocode(query) is None


def test_points_are_range_checked() -> None:
    with pytest.raises(ValueError, match="latitude"):
        GeoPoint(91, 0)
    with pytest.raises(ValueError, match="longitude"):
        GeoPoint(0, -181)


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor(SortOrder.DISTANCE, 1234.5678901234567, 42),
        Cursor(SortOrder.RELEVANCE, 0.1, 7),
        Cursor(SortOrder.SOONEST, datetime(2027, 6, 1, 14, 0, tzinfo=UTC), 9),
        Cursor(SortOrder.SOONEST, None, 9),
    ],
)
def test_cursor_round_trips_exactly(cursor: Cursor) -> None:
    assert decode(encode(cursor), cursor.sort) == cursor


@pytest.mark.parametrize(
    "value",
    [
        "",
        "c1.",
        "c1.!!!",
        "x1.WzFd",
        "c1." + "A" * 300,
        encode(Cursor(SortOrder.DISTANCE, 1.0, 1))[:-2],
    ],
)
def test_malformed_cursors_are_rejected(value: str) -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        decode(value, SortOrder.DISTANCE)


def test_cursor_of_another_sort_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        decode(encode(Cursor(SortOrder.DISTANCE, 1.0, 1)), SortOrder.SOONEST)
