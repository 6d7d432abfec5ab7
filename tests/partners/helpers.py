"""Shared by the adapter tests: fixture files and schedules expanded as the catalog does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from server.catalog.records import ListingRecord, ParsedItem, RecordError
from server.catalog.schedule import SessionTimes, expand_schedule

FILES = Path(__file__).parent / "files"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def records(items: list[ParsedItem]) -> dict[str, ListingRecord]:
    return {i.external_id: i for i in items if isinstance(i, ListingRecord)}


def errors(items: list[ParsedItem]) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


def sessions(record: ListingRecord) -> list[SessionTimes]:
    """The sessions the catalog will store for the record."""
    assert record.start_date is not None and record.start_time is not None
    return expand_schedule(
        start_date=record.start_date,
        end_date=record.end_date,
        start_time=record.start_time,
        duration_minutes=record.duration_minutes or 60,
        timezone=record.timezone,
        rrule=record.recurrence,
    )


def utc_starts(record: ListingRecord) -> list[datetime]:
    return [s.starts_at for s in sessions(record)]
