"""CSV in: the listings template partners fill in a spreadsheet.

`TEMPLATE_COLUMNS` names every column with one line of help; `template_csv()` is a blank
template with two example rows. Only external_id and title are required; the order of
the columns does not matter and absent columns take their defaults.

- The header is checked first: unknown columns, a repeated column or a missing required
  one make the whole file a SourceError that names them (nothing is applied). Names are
  read case-insensitively, spaces as underscores.
- Text: UTF-8 (a byte order mark is fine, as Excel writes it), else Windows-1252 (a
  superset of Latin-1, what older Excel exports are) line by line, logged as a warning;
  UTF-16 by its byte order mark. Commas separate cells; a header with only semicolons
  or tabs switches to those. Line ends may be CRLF or LF.
- Rows are numbered as a spreadsheet shows them (the header is row 1) and empty rows are
  skipped. A bad cell is a RecordError at "row 7, column start_date" with what to write
  instead; a row with several bad cells gives one error for each, and no record.
- Schedules: start_date + start_time (+ duration_minutes) is one session; days
  ("Tue;Thu") repeats it weekly until end_date (needed then); recurrence, for experts,
  takes an RRULE instead ("FREQ=MONTHLY;BYDAY=1SA;COUNT=3"). Without either, end_date
  only says when the listing ends. Dates are YYYY-MM-DD (Excel's M/D/YYYY is read too),
  times HH:MM in 24 hours ("3:30 PM" is read too).
- Lists (topics, languages, accessibility, days) are separated by semicolons (commas
  work too). A ZIP code Excel shortened to 4 digits ("2134") gets its leading zero back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from partners import _fields, _schedule, _text
from partners._schedule import ScheduleError, Timing
from server.catalog.records import (
    MAX_DESCRIPTION,
    MAX_EXTERNAL_ID,
    MAX_TITLE,
    ListingRecord,
    ParsedItem,
    PlaceRecord,
    RecordError,
    SourceError,
)
from server.models.enums import Accessibility, Delivery, OpportunityKind

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    required: bool = False


TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "Your own id for the listing; keep it the same in every upload", True),
    Column("title", "The listing's name (up to 300 characters)", True),
    Column("description", "What participants do and learn"),
    Column("kind", "program (default), workshop, event, camp, course, internship, ..."),
    Column("delivery", "onsite (default), online or hybrid"),
    Column("topics", "Topics separated by semicolons: Robotics;Coding"),
    Column("min_age", "Youngest age welcome (default 5)"),
    Column("max_age", "Oldest age welcome (default 24)"),
    Column("min_grade", "Lowest school grade, K for kindergarten"),
    Column("max_grade", "Highest school grade"),
    Column("cost", "Cost in dollars: 0 or empty when free, 25.50"),
    Column("financial_aid", "yes when scholarships or reduced fees are offered"),
    Column("languages", "Language codes separated by semicolons: en;es (default en)"),
    Column("accessibility", "wheelchair, asl, sensory_friendly, captions, transit_nearby"),
    Column("capacity", "How many participants can take part"),
    Column("registration_url", "The sign-up link: https://..."),
    Column("place_name", "Where it happens (needed unless online)"),
    Column("address", "Street address of the place"),
    Column("postal_code", "5-digit ZIP code of the place"),
    Column("latitude", "Optional; found from the ZIP code when empty"),
    Column("longitude", "Optional, with latitude"),
    Column("start_date", "First day: YYYY-MM-DD"),
    Column("end_date", "Last day: YYYY-MM-DD (needed with days)"),
    Column("start_time", "Start time, 24-hour HH:MM: 15:30"),
    Column("duration_minutes", "How long each session lasts, in minutes (default 60)"),
    Column("timezone", "Time zone (default America/Chicago)"),
    Column("days", "Weekdays it repeats on, weekly until end_date: Tue;Thu"),
    Column("recurrence", "For experts, instead of days: an RRULE such as FREQ=WEEKLY;COUNT=6"),
)
REQUIRED = tuple(c.name for c in TEMPLATE_COLUMNS if c.required)
_KNOWN = {c.name for c in TEMPLATE_COLUMNS}
_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YES = {"yes", "y", "true", "1", "x", "si", "sí"}
_NO = {"no", "n", "false", "0", ""}
_GRADES = {"k": 0, "kindergarten": 0, "pk": -1, "pre-k": -1, "prek": -1}
_LIST = re.compile(r"[;,]")

_EXAMPLES = (
    {
        "external_id": "ROBOTICS-2027",
        "title": "Teen Robotics Club",
        "description": "Build and program robots with a team; no experience needed.",
        "kind": "program",
        "topics": "Robotics;Coding",
        "min_age": "12",
        "max_age": "17",
        "min_grade": "7",
        "max_grade": "12",
        "cost": "0",
        "languages": "en;es",
        "accessibility": "wheelchair",
        "capacity": "16",
        "registration_url": "https://www.example.org/register/teen-robotics",
        "place_name": "Harold Washington Library Center",
        "address": "400 S State St, Chicago, IL",
        "postal_code": "60605",
        "start_date": "2027-06-15",
        "end_date": "2027-08-12",
        "start_time": "15:30",
        "duration_minutes": "90",
        "days": "Tue;Thu",
    },
    {
        "external_id": "COMICS-0710",
        "title": "Comic Writing Workshop",
        "description": "Write and draw a one-page comic with a local artist.",
        "kind": "workshop",
        "delivery": "online",
        "topics": "Writing;Art",
        "min_age": "9",
        "max_age": "13",
        "cost": "5.00",
        "financial_aid": "yes",
        "accessibility": "captions",
        "registration_url": "https://www.example.org/register/comics",
        "start_date": "2027-07-10",
        "start_time": "10:00",
        "duration_minutes": "120",
    },
)


def template_csv() -> str:
    """The template: the header and two example rows (CRLF, as spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(c.name for c in TEMPLATE_COLUMNS)
    for example in _EXAMPLES:
        writer.writerow(example.get(c.name, "") for c in TEMPLATE_COLUMNS)
    return out.getvalue()


class _Cell(Exception):
    """A cell that cannot be read; the message says what to write instead."""


def _int(text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise _Cell(f"not a whole number from {low} to {high}")
    return int(text)


def _grade(text: str) -> int:
    if text.lower() in _GRADES:
        return _GRADES[text.lower()]
    return _int(re.sub(r"(st|nd|rd|th)$", "", text.lower()), 0, 16)


def _money(text: str) -> int:
    cents = _fields.price_cents(text)
    if cents is None:
        raise _Cell("not an amount in dollars (25 or 25.50; 0 when free)")
    return cents


def _yes(text: str) -> bool:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise _Cell("use yes or no")


def _items(text: str) -> list[str]:
    return [item.strip() for item in _LIST.split(text) if item.strip()]


def _choice(text: str, enum: type[E]) -> E:
    value = re.sub(r"[\s-]+", "_", text.strip().lower())
    try:
        return enum(value)
    except ValueError:
        raise _Cell("use one of " + ", ".join(m.value for m in enum)) from None


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _Cell("not a date (use YYYY-MM-DD)")


def _time(text: str) -> time:
    compact = text.upper().replace(".", "").replace(" ", "")
    for pattern in ("%H:%M", "%H:%M:%S", "%I:%M%p", "%I%p", "%I:%M:%S%p"):
        try:
            return datetime.strptime(compact, pattern).time()
        except ValueError:
            continue
    raise _Cell("not a time (use 24-hour HH:MM, e.g. 15:30)")


def _weekday(text: str) -> int:
    word = text.strip().lower().rstrip(".")
    found = [i for i, name in enumerate(_WEEK) if len(word) >= 2 and name.startswith(word)]
    if len(found) != 1:
        raise _Cell(f"{text!r} is not a weekday (use Mon;Tue;Wed;Thu;Fri;Sat;Sun)")
    return found[0]


def _days(text: str) -> list[str]:
    """ "Tue;Thu", "Tuesday, Thursday" or a range "Mon-Fri" -> ["TU", "TH"]."""
    days: list[int] = []
    for item in _items(text.replace(" ", ";")):
        first, _, last = item.partition("-")
        start = _weekday(first)
        days += range(start, _weekday(last) + 1) if last else [start]
    return [_WEEK[d][:2].upper() for d in sorted(set(days))]


def _zip(text: str) -> str:
    digits = text.split("-")[0].strip()
    if digits.isdigit() and 3 <= len(digits) <= 5:
        return digits.zfill(5)
    raise _Cell("not a 5-digit ZIP code")


def _url(text: str) -> str:
    found = _fields.http_url(text)
    if found is None:
        raise _Cell("not a web address (https://...)")
    return found


class _Row:
    """One row's cells, read column by column; bad cells are collected, not raised."""

    def __init__(self, cells: dict[str, str]) -> None:
        self.cells = cells
        self.errors: list[tuple[str, str]] = []

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def value(self, column: str, convert: Callable[[str], T]) -> T | None:
        """The cell read by `convert`; None when empty or unreadable (then noted)."""
        text = self.text(column)
        if not text:
            return None
        try:
            return convert(text)
        except _Cell as exc:
            self.fail(column, str(exc))
            return None

    def fail(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))


def _point(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Cell("not a number such as 41.8781") from None


def _place(row: _Row, delivery: Delivery | None, wheelchair: bool) -> PlaceRecord | None:
    name, address = row.text("place_name"), row.text("address")
    postal = row.value("postal_code", _zip)
    lat, lng = row.value("latitude", _point), row.value("longitude", _point)
    point = _fields.coordinates(lat, lng) if lat is not None and lng is not None else None
    if (lat is None) != (lng is None) or (lat is not None and lng is not None and not point):
        row.fail("latitude", "give a latitude and a longitude on Earth, or neither")
    if not (name or address or postal or point):
        if delivery in (Delivery.ONSITE, Delivery.HYBRID):
            row.fail(
                "place_name",
                "an onsite or hybrid listing needs a place_name and an address or postal_code",
            )
        return None
    return PlaceRecord(
        name=name or address,
        address=address,
        postal_code=postal or _fields.zip_code(address),
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        wheelchair_accessible=wheelchair,
    )


def _timing(row: _Row) -> Timing | None:
    start_date, end_date = row.value("start_date", _date), row.value("end_date", _date)
    start_time = row.value("start_time", _time)
    duration = row.value("duration_minutes", lambda t: _int(t, 1, 24 * 60 * 31))
    days = row.value("days", _days)
    rule = row.text("recurrence")
    if start_date is None:
        if not row.text("start_date") and (start_time is not None or days or rule):
            row.fail("start_date", "a schedule needs its first day (YYYY-MM-DD)")
        return None
    if start_time is None:
        if not row.text("start_time"):
            row.fail("start_time", "a start date needs a start time (24-hour HH:MM)")
        return None
    if end_date is not None and end_date < start_date:
        row.fail("end_date", "the end date is before start_date")
    rules: tuple[str, ...] = ()
    if days and rule:
        row.fail("recurrence", "give days or recurrence, not both")
    elif days:
        if end_date is None:
            row.fail("end_date", "days repeat weekly until end_date: give one (YYYY-MM-DD)")
        else:
            until = _schedule.end_of(end_date)
            rules = (f"RRULE:FREQ=WEEKLY;BYDAY={','.join(days)};UNTIL={until}",)
    elif rule:
        lines = [line.strip() for line in rule.splitlines() if line.strip()]
        rules = tuple(line if ":" in line else f"RRULE:{line}" for line in lines)
    return Timing(
        datetime.combine(start_date, start_time), duration, rules=rules, end_date=end_date
    )


def _listing(row: _Row, where: str, external_id: str, default_timezone: str) -> ListingRecord:
    """The record; `row.errors` says whether it can be used."""
    title, description = row.text("title"), row.text("description")
    if not title or len(title) > MAX_TITLE:
        row.fail("title", f"a title of 1 to {MAX_TITLE} characters is required")
    if len(description) > MAX_DESCRIPTION:
        row.fail("description", f"longer than {MAX_DESCRIPTION:,} characters")
    # None when unreadable: the place rule then waits for a readable delivery.
    delivery = row.value("delivery", lambda t: _choice(t, Delivery))
    if not row.text("delivery"):
        delivery = Delivery.ONSITE
    access = row.value("accessibility", lambda t: [_choice(i, Accessibility) for i in _items(t)])
    min_age = row.value("min_age", lambda t: _int(t, 0, _fields.MAX_AGE))
    max_age = row.value("max_age", lambda t: _int(t, 0, _fields.MAX_AGE))
    if (min_age if min_age is not None else 5) > (max_age if max_age is not None else 24):
        row.fail("max_age", "the oldest age is below the youngest")
    zone = row.text("timezone") or default_timezone
    if _schedule.zone(zone) is None:
        row.fail("timezone", "not a time zone (use a name such as America/Chicago)")
    timing = _timing(row)
    found = None
    if timing is not None and not row.errors:
        try:
            found = _schedule.schedule([timing])
        except ScheduleError as exc:
            row.fail("recurrence" if timing.rules else "start_date", str(exc))
    languages = row.value("languages", lambda t: list(map(_language, _items(t))))
    return ListingRecord(
        external_id=external_id,
        title=title,
        description=description,
        kind=row.value("kind", lambda t: _choice(t, OpportunityKind)) or OpportunityKind.PROGRAM,
        delivery=delivery or Delivery.ONSITE,
        topics=tuple(_items(row.text("topics"))),
        min_age=5 if min_age is None else min_age,
        max_age=24 if max_age is None else max_age,
        min_grade=row.value("min_grade", _grade),
        max_grade=row.value("max_grade", _grade),
        cost_cents=row.value("cost", _money) or 0,
        financial_aid=bool(row.value("financial_aid", _yes)),
        languages=tuple(dict.fromkeys(languages or ["en"])),
        accessibility=tuple(dict.fromkeys(access or [])),
        capacity=row.value("capacity", lambda t: _int(t, 0, 100_000)),
        registration_url=row.value("registration_url", _url),
        place=_place(row, delivery, Accessibility.WHEELCHAIR in (access or [])),
        start_date=found.start_date if found else None,
        end_date=found.end_date if found else None,
        start_time=found.start_time if found else None,
        duration_minutes=found.duration_minutes if found else None,
        timezone=zone,
        recurrence=found.recurrence if found else None,
        location=where,
    )


def _language(text: str) -> str:
    code = _fields.language(text)
    if code is None:
        raise _Cell(f"{text!r} is not a language code (use en, es, pl...)")
    return code


def _header(first: list[str]) -> list[str]:
    # One problem per message, so the dashboard can translate each.
    names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in first]
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise SourceError("missing required columns: " + ", ".join(missing))
    unknown = [n for n in names if n and n not in _KNOWN]
    if unknown:
        raise SourceError(
            "unknown columns: "
            + ", ".join(unknown)
            + ". The template's columns are: "
            + ", ".join(c.name for c in TEMPLATE_COLUMNS)
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise SourceError("columns given twice: " + ", ".join(repeated))
    return names


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    return next((d for d in (";", "\t") if d in first), ",")


def _rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise SourceError(f"not a readable CSV file: {exc}") from exc


def parse(
    source: bytes, *, url: str | None = None, default_timezone: str = "America/Chicago"
) -> Iterator[ParsedItem]:
    """The listings in a CSV file made from the template (see the module docstring).

    Raises SourceError when the header is wrong or the file is not CSV;
    ValueError for an unknown `default_timezone` (the caller's mistake, not the source's).
    `url` is unused: every adapter takes it (partners.Adapter).
    """
    if _schedule.zone(default_timezone) is None:
        raise ValueError(f"unknown default time zone {default_timezone!r}")
    text, _ = _text.decode(source)
    rows = _rows(text)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SourceError("no header row: the first row must name the columns")
    names = _header(rows[0])
    items: list[ParsedItem] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        where = f"row {number}"
        if any(cell.strip() for cell in cells[len(names) :]):
            items.append(RecordError("more cells than the header has columns", where))
            continue
        row = _Row({n: c for n, c in zip(names, cells, strict=False) if n})
        external_id = row.text("external_id")
        if not external_id or len(external_id) > MAX_EXTERNAL_ID:
            row.fail("external_id", f"an id of 1 to {MAX_EXTERNAL_ID} characters is required")
        record = _listing(row, where, external_id, default_timezone)
        if row.errors:
            # In the order of the spreadsheet's columns.
            row.errors.sort(key=lambda e: names.index(e[0]) if e[0] in names else len(names))
            items += [
                RecordError(reason, f"{where}, column {column}", external_id or None)
                for column, reason in row.errors
            ]
        else:
            items.append(record)
    return iter(items)
