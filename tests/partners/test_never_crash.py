"""Whatever bytes arrive, an adapter answers with records, record errors or a SourceError."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners import ADAPTERS, rpde
from server.catalog.records import ListingRecord, ParsedItem, RecordError, SourceError
from tests.partners.helpers import read

Parse = Callable[[bytes], list[ParsedItem]]


def _rpde(source: bytes) -> list[ParsedItem]:
    return rpde.parse_page(source, url="https://feeds.example.org/rpde").items


def _adapter(name: str) -> Parse:
    return lambda source: list(ADAPTERS[name](source, url="https://e.example/"))


PARSERS: dict[str, Parse] = {**{name: _adapter(name) for name in ADAPTERS}, "rpde": _rpde}
SAMPLES = {
    "ical": read("museum_summer.ics"),
    "jsonld": read("library_events.html"),
    "csv": read("parks_listings.csv"),
    "rpde": read("rpde_page1.json"),
}


def _check(parse: Parse, source: bytes) -> None:
    try:
        items = parse(source)
    except SourceError:
        return
    assert all(isinstance(i, ListingRecord | RecordError) for i in items)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600))
def test_random_bytes(name: str, data: bytes) -> None:
    _check(PARSERS[name], data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0), noise=st.binary(min_size=1, max_size=8), at=st.integers(0))
def test_damaged_real_files(name: str, cut: int, noise: bytes, at: int) -> None:
    """Real files cut short, or with bytes overwritten somewhere: the realistic breakage."""
    sample = SAMPLES[name]
    _check(PARSERS[name], sample[: cut % (len(sample) + 1)])
    spot = at % len(sample)
    _check(PARSERS[name], sample[:spot] + noise + sample[spot + len(noise) :])


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "BEGIN:VEVENT",
                "END:VEVENT",
                "UID:x",
                "SUMMARY:s",
                "DTSTART:20270101T100000",
                "DTSTART;VALUE=DATE:20270101",
                "DTSTART;TZID=America/Chicago:20270230T100000",
                "DTEND:20261231T100000Z",
                "DURATION:P1W",
                "RRULE:FREQ=MINUTELY",
                "RRULE:FREQ=YEARLY;UNTIL=99991231",
                "RRULE:FREQ=WEEKLY;COUNT=99999999999999999999",
                "EXDATE:20270101T100000,garbage",
                "RDATE;VALUE=PERIOD:20270102T100000Z/PT1H",
                "RECURRENCE-ID:20270101T100000",
                "STATUS:CANCELLED",
                "GEO:1e999;nan",
                "LOCATION:https://zoom.us/j/1",
                "BEGIN:VALARM",
                "END:VALARM",
                "END:VCALENDAR",
            ]
        ),
        max_size=25,
    )
)
def test_icalendar_shaped_nonsense(lines: list[str]) -> None:
    _check(PARSERS["ical"], ("BEGIN:VCALENDAR\r\n" + "\r\n".join(lines)).encode())
