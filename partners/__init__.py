"""Partner-feed adapters: each turns one source format's bytes into listing records.

Formats in (see each module's docstring for its rules):

- `csv`    partners/csv_listings.py, the listings template filled in a spreadsheet
- `ical`   partners/ical.py, an iCalendar (.ics) calendar as Google or Outlook publish it
- `jsonld` partners/jsonld.py, schema.org Event / Course / EducationalOccupationalProgram
           JSON-LD in a web page
- `rpde`   partners/rpde.py, an OpenActive RPDE feed, read a page at a time
           (`rpde.parse_page`, `rpde.first_url`), so it is not in `ADAPTERS`

Each adapter is a pure function: bytes in, `ListingRecord` / `RecordError` items out
(server/catalog/records.py), a `SourceError` when the whole source is unusable. None
writes SQL or decides what is new: the catalog import service does
(server/catalog/imports.py). Shared pieces: `schemaorg` (one schema.org item as a
record, for JSON-LD pages and RPDE data), `_text` (decoding that never fails), `_fields`
(ZIPs, links, ages, prices, languages), `_schedule` (dates and times to the catalog's
recurrence sets).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from partners import csv_listings, ical, jsonld, rpde
from server.catalog.records import ParsedItem


class Adapter(Protocol):
    def __call__(
        self, source: bytes, *, url: str | None = ..., default_timezone: str = ...
    ) -> Iterator[ParsedItem]: ...


FORMATS = ("csv", "ical", "jsonld", "rpde")
ADAPTERS: dict[str, Adapter] = {
    "csv": csv_listings.parse,
    "ical": ical.parse,
    "jsonld": jsonld.parse,
}

__all__ = ["ADAPTERS", "FORMATS", "Adapter", "csv_listings", "ical", "jsonld", "rpde"]
