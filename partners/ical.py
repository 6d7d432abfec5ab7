"""iCalendar (RFC 5545) in: a partner's calendar (.ics) as listing records.

One VEVENT (with its RECURRENCE-ID overrides) is one listing; its UID is the external id.

- Times: DTSTART/DTEND with TZID keep that zone (any IANA name; a few Windows names as
  Outlook writes them, and path-prefixed names like "/mozilla.org/.../America/Chicago",
  are mapped). UTC (`Z`) and floating times are read in the calendar's zone
  (X-WR-TIMEZONE, else `default_timezone`). VTIMEZONE definitions are not read: the TZID
  name is trusted. An unknown TZID rejects that event only.
- All-day events (DATE values) start at local midnight and last whole days (DTEND is
  exclusive; one day when absent).
- No DTEND or DURATION on a timed event: the duration is left unset (the catalog assumes
  an hour) rather than RFC 5545's zero length.
- RRULE is kept with UNTIL in local wall-clock time (a UTC or DATE UNTIL is converted, a
  DATE keeping its whole day); COUNT is kept. EXDATE and RDATE (several properties,
  comma lists, TZID, DATE and PERIOD values) become local EXDATE / RDATE lines. DTSTART is
  always an occurrence, as RFC 5545 says, even where the rule would skip it.
- RECURRENCE-ID overrides: a cancelled occurrence is an EXDATE; a moved one is an EXDATE
  of the original plus an RDATE of its new start. Only the time of an override is kept:
  its own title, description, place or length apply to one date and the listing has one
  of each, so they are dropped. RANGE=THISANDFUTURE is read as that one occurrence. An
  override whose master is not in the file becomes a one-off listing with the external
  id "UID/RECURRENCE-ID".
- STATUS:CANCELLED on the master: a deleted record (a tombstone).
- LOCATION "Name, street, city, ST 60605" gives the place (name before the first comma,
  the rest as the address, the ZIP pulled out); a link as LOCATION means online. GEO
  gives the coordinates. URL is the registration link, LAST-MODIFIED the source time
  (DTSTAMP is not: Google writes the export time there), CATEGORIES the topics.
- Encodings: UTF-8, else line by line Windows-1252 (a superset of Latin-1); UTF-16/32 by
  byte order mark. Never an error.
- Broken files: no BEGIN:VCALENDAR is a SourceError. A VEVENT without UID, DTSTART or
  SUMMARY is a RecordError ("VEVENT n", counting every VEVENT in the file from 1). A
  truncated file yields its complete events, then one RecordError for the broken tail:
  the event the file ends inside ("VEVENT n"), or "end of file" when only END:VCALENDAR
  is missing (events after the last complete one may be lost, so a caller may want to
  hold removals).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

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
from server.models.enums import Delivery, OpportunityKind

log = logging.getLogger(__name__)

END_OF_FILE = "end of file"
ENDS_INSIDE = "the file ends inside this event (truncated?)"
_NAME = re.compile(r"[A-Za-z0-9-]+")
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_ONLINE = re.compile(r"^(https?://|www\.)|zoom\.us/|meet\.google\.com/|teams\.microsoft", re.I)
# Outlook writes Windows zone names as TZIDs (with a VTIMEZONE we do not read).
_WINDOWS_ZONES = {
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "us mountain standard time": "America/Phoenix",
    "pacific standard time": "America/Los_Angeles",
    "alaskan standard time": "America/Anchorage",
    "hawaiian standard time": "Pacific/Honolulu",
    "utc": "UTC",
    "gmt standard time": "Europe/London",
}


class _Bad(Exception):
    """This event cannot be read; the message says why."""


@dataclass(frozen=True)
class _Property:
    name: str
    params: dict[str, list[str]]
    value: str

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None


@dataclass
class _Component:
    name: str
    number: int = 0  # VEVENTs: the position in the file, from 1
    calendar: int = 0  # VEVENTs: which VCALENDAR of the file holds it
    properties: list[_Property] = field(default_factory=list)
    children: list[_Component] = field(default_factory=list)
    broken: str | None = None  # why it did not end properly

    def first(self, name: str) -> _Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def all(self, name: str) -> list[_Property]:
        return [p for p in self.properties if p.name == name]

    def text(self, name: str) -> str:
        prop = self.first(name)
        return _unescape(prop.value) if prop else ""


def _caret(value: str) -> str:
    """RFC 6868 parameter escapes (^n, ^', ^^)."""
    if "^" not in value:
        return value
    return re.sub(r"\^([n'^])", lambda m: {"n": "\n", "'": '"', "^": "^"}[m.group(1)], value)


def _content_line(line: str) -> _Property | None:
    """NAME *(;PARAM=VALUE[,VALUE]) : VALUE; quoted parameter values may hold ; : and ,."""
    found = _NAME.match(line)
    if not found:
        return None
    name, i, n = found.group().upper(), found.end(), len(line)
    params: dict[str, list[str]] = {}
    while i < n and line[i] == ";":
        found = _NAME.match(line, i + 1)
        if not found or found.end() >= n or line[found.end()] != "=":
            return None
        key, i = found.group().upper(), found.end() + 1
        values = []
        while True:
            if i < n and line[i] == '"':
                end = line.find('"', i + 1)
                if end < 0:
                    return None
                values.append(line[i + 1 : end])
                i = end + 1
            else:
                start = i
                while i < n and line[i] not in ";:,":
                    i += 1
                values.append(line[start:i])
            if i < n and line[i] == ",":
                i += 1
                continue
            break
        params[key] = [_caret(v) for v in values]
    if i >= n or line[i] != ":":
        return None
    return _Property(name, params, line[i + 1 :])


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _text_list(value: str) -> list[str]:
    """A comma-separated TEXT list, escaped commas kept inside their item."""
    items, current, escaped = [], "", False
    for char in value:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [text for text in (_unescape(item).strip() for item in items) if text]


def _lines(source: bytes) -> list[str]:
    # Unfold before decoding: writers fold inside multi-byte UTF-8 characters.
    text, _ = _text.decode(re.sub(rb"\r?\n[ \t]", b"", source))
    text = re.sub(r"\r?\n[ \t]", "", text)  # UTF-16 text, folded after decoding
    return _LINE_BREAK.split(text)


def _calendars(lines: list[str]) -> tuple[list[_Component], list[_Component]]:
    """The VCALENDARs and every VEVENT under them, in file order; a VEVENT that did not
    end properly is kept with the reason, for the caller to report."""
    calendars: list[_Component] = []
    events: list[_Component] = []
    stack: list[_Component] = []
    for line in lines:
        prop = _content_line(line) if line.strip() else None
        if prop is None:
            continue
        if prop.name == "BEGIN":
            kind = prop.value.strip().upper()
            if not stack and kind != "VCALENDAR":
                continue  # nothing before a calendar counts
            if kind == "VEVENT" and any(c.name == "VEVENT" for c in stack):
                while stack[-1].name != "VEVENT":
                    stack.pop()
                stack.pop().broken = "no END:VEVENT before the next BEGIN:VEVENT"
            component = _Component(kind)
            if stack:
                stack[-1].children.append(component)
            else:
                calendars.append(component)
            if kind == "VEVENT" and stack and stack[-1].name == "VCALENDAR":
                component.number = len(events) + 1
                component.calendar = len(calendars) - 1
                events.append(component)
            stack.append(component)
        elif prop.name == "END":
            kind = prop.value.strip().upper()
            if any(c.name == kind for c in stack):
                while (closed := stack.pop()).name != kind:
                    closed.broken = f"no END:{closed.name} before END:{kind}"
        elif stack:
            stack[-1].properties.append(prop)
    for component in stack:
        component.broken = ENDS_INSIDE
    return calendars, events


def _clock(found: re.Match[str]) -> datetime:
    """The wall-clock time a _DATE_TIME match spells (ValueError if not a real one)."""
    year, month, day, hour, minute, second = (int(g) for g in found.groups()[:6])
    return datetime(year, month, day, hour, minute, second)


def _zone_of(tzid: str) -> tuple[str, ZoneInfo] | None:
    name = tzid.strip()
    candidates = [name, _WINDOWS_ZONES.get(name.lower(), "")]
    parts = name.strip("/").split("/")
    candidates += ["/".join(parts[-k:]) for k in (3, 2) if len(parts) > k]
    for candidate in candidates:
        found = _schedule.zone(candidate)
        if found is not None:
            return candidate, found
    return None


@dataclass(frozen=True)
class _Calendar:
    zone_name: str
    zone: ZoneInfo


def _value(text: str, prop: _Property) -> tuple[datetime | date, str | None]:
    """One DATE or DATE-TIME value: a date, or a datetime (aware when it names its zone),
    with the IANA name of that zone."""
    text = text.strip()
    day = _DATE.match(text)
    try:
        if day:
            return date(*(int(g) for g in day.groups())), None
        found = _DATE_TIME.match(text)
        if not found:
            raise _Bad(f"{prop.name}: {text[:40]!r} is not a date or date-time")
        moment = _clock(found)
    except ValueError as exc:
        raise _Bad(f"{prop.name}: {text[:40]!r} is not a real date ({exc})") from exc
    if found.group(7):
        return moment.replace(tzinfo=UTC), None
    tzid = prop.param("TZID")
    if tzid is None:
        return moment, None  # floating: read in the calendar's zone
    zone = _zone_of(tzid)
    if zone is None:
        raise _Bad(f"{prop.name}: unknown time zone TZID={tzid[:60]!r}")
    return moment.replace(tzinfo=zone[1]), zone[0]


def _local(moment: datetime | date, zone: ZoneInfo, at: datetime) -> datetime:
    """A value as local wall-clock time of the listing; a bare date takes `at`'s time."""
    if isinstance(moment, datetime):
        return _schedule.local(moment, zone)
    return datetime.combine(moment, at.time())


def _dates(props: list[_Property], zone: ZoneInfo, at: datetime) -> list[datetime]:
    found = []
    for prop in props:
        for text in prop.value.split(","):
            if text.strip():
                moment, _ = _value(text.split("/")[0], prop)  # a PERIOD starts it
                found.append(_local(moment, zone, at))
    return found


def _rule(prop: _Property, zone: ZoneInfo) -> str:
    """An RRULE with its UNTIL in local wall-clock time, as the catalog's set needs."""
    parts = []
    for part in prop.value.strip().split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL":
            day = _DATE.match(value)
            exact = _DATE_TIME.match(value)
            try:
                if day:
                    value = _schedule.end_of(date(*(int(g) for g in day.groups())))
                elif exact and exact.group(7):
                    utc = _clock(exact).replace(tzinfo=UTC)
                    value = _schedule.until_text(_schedule.local(utc, zone))
            except ValueError as exc:
                raise _Bad(f"RRULE: UNTIL={value[:20]!r} is not a real date") from exc
        parts.append(f"{key.upper()}={value}")
    return f"{prop.name}:" + ";".join(parts)


@dataclass
class _Event:
    component: _Component
    uid: str
    overrides: list[_Component] = field(default_factory=list)


def _start(event: _Component, cal: _Calendar) -> tuple[datetime, bool, str, ZoneInfo]:
    """The local start, whether all-day, and the listing's zone."""
    prop = event.first("DTSTART")
    if prop is None:
        raise _Bad("no DTSTART")
    moment, zone_name = _value(prop.value, prop)
    if zone_name is None:
        zone_name, zone = cal.zone_name, cal.zone
    else:
        zone = _schedule.zone(zone_name) or cal.zone
    if isinstance(moment, datetime):
        return _schedule.local(moment, zone), False, zone_name, zone
    return _schedule.all_day(moment)[0], True, zone_name, zone


def _length(event: _Component, zone: ZoneInfo, start: datetime, all_day: bool) -> int | None:
    end = event.first("DTEND")
    if end is not None:
        moment, _ = _value(end.value, end)
        if not isinstance(moment, datetime):
            return _schedule.all_day(start.date(), moment)[1] if all_day else None
        return _schedule.minutes(start, _schedule.local(moment, zone))
    duration = event.first("DURATION")
    if duration is not None:
        found = _schedule.parse_duration(duration.value)
        if found is None:
            raise _Bad(f"DURATION: {duration.value[:30]!r} is not a duration")
        return found
    return 24 * 60 if all_day else None


def _timing(event: _Event, cal: _Calendar) -> tuple[Timing, str, bool]:
    """When the event happens, in its own zone (whose name is returned), and if all-day."""
    master = event.component
    start, all_day, zone_name, zone = _start(master, cal)
    duration = _length(master, zone, start, all_day)
    if duration is not None and duration <= 0:
        raise _Bad("DTEND is not after DTSTART")
    exdates = _dates(master.all("EXDATE"), zone, start)
    rdates = _dates(master.all("RDATE"), zone, start)
    for override in event.overrides:
        rid = override.first("RECURRENCE-ID")
        assert rid is not None  # grouped by it
        original = _local(_value(rid.value, rid)[0], zone, start)
        moved = override.first("DTSTART")
        if override.text("STATUS").strip().upper() == "CANCELLED":
            exdates.append(original)
        elif moved is not None:
            new = _local(_value(moved.value, moved)[0], zone, start)
            if new != original:
                exdates.append(original)
                rdates.append(new)
    rules = tuple(_rule(p, zone) for p in master.all("RRULE") + master.all("EXRULE"))
    last_day = start.date() + timedelta(minutes=duration - 1) if all_day and duration else None
    timing = Timing(
        start=start,
        duration_minutes=duration,
        rules=rules,
        exdates=tuple(d for d in exdates if d not in rdates),
        rdates=tuple(rdates),
        end_date=last_day if last_day and last_day > start.date() else None,
    )
    return timing, zone_name, all_day


def _place(location: str, geo: str) -> tuple[PlaceRecord | None, str | None]:
    """The place, and the link when LOCATION is one (an online event)."""
    point = None
    if geo:
        lat, _, lng = geo.replace(",", ";").partition(";")
        point = _fields.coordinates(lat, lng)
    if location and _ONLINE.search(location) and not _fields.zip_code(location):
        return None, _fields.http_url(location)
    if not location and point is None:
        return None, None
    parts = [p.strip() for p in location.split(",")]
    if len(parts) > 1 and not parts[0][:1].isdigit():
        name, address = parts[0], ", ".join(parts[1:])
    else:
        name = address = location
    return (
        PlaceRecord(
            name=_text.clip(name, 200),
            address=_text.clip(address, 300),
            postal_code=_fields.zip_code(address),
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
        ),
        None,
    )


def _modified(event: _Component) -> datetime | None:
    prop = event.first("LAST-MODIFIED")
    found = _DATE_TIME.match(prop.value.strip()) if prop else None
    if not found:
        return None
    try:
        return _clock(found).replace(tzinfo=UTC)
    except ValueError:
        return None


def _record(event: _Event, cal: _Calendar, external_id: str) -> ListingRecord:
    master = event.component
    where = f"VEVENT {master.number}"
    title = _text.clip(_text.plain(master.text("SUMMARY")), MAX_TITLE)
    modified = _modified(master)
    if master.text("STATUS").strip().upper() == "CANCELLED":
        return ListingRecord(
            external_id, title, source_modified=modified, deleted=True, location=where
        )
    if not title:
        raise _Bad("no SUMMARY (the listing's title)")
    timing, zone_name, all_day = _timing(event, cal)
    try:
        found = _schedule.schedule([timing])
    except ScheduleError as exc:
        raise _Bad(str(exc)) from exc
    assert found is not None  # one timing
    place, link = _place(master.text("LOCATION").strip(), master.text("GEO").strip())
    topics = tuple(t for p in master.all("CATEGORIES") for t in _text_list(p.value))
    return ListingRecord(
        external_id=external_id,
        title=title,
        description=_text.clip(_text.plain(master.text("DESCRIPTION")), MAX_DESCRIPTION),
        kind=OpportunityKind.EVENT,
        delivery=Delivery.ONLINE if link else Delivery.ONSITE,
        topics=tuple(dict.fromkeys(topics)),
        registration_url=_fields.http_url(master.text("URL")) or link,
        place=place,
        start_date=found.start_date,
        end_date=found.end_date,
        start_time=found.start_time,
        duration_minutes=found.duration_minutes,
        timezone=zone_name,
        recurrence=found.recurrence,
        source_modified=modified,
        location=where,
        extra={"all_day": "true"} if all_day else {},
    )


def _group(events: list[_Component]) -> tuple[list[_Event], list[tuple[int, ParsedItem]]]:
    """Masters with their overrides; errors (by VEVENT number) for those that cannot be read."""
    masters: dict[str, _Event] = {}
    order: list[_Event] = []
    errors: list[tuple[int, ParsedItem]] = []
    orphans: list[_Component] = []
    for component in events:
        uid = component.text("UID").strip()
        where = f"VEVENT {component.number}"
        if component.broken:
            errors.append(
                (
                    component.number,
                    RecordError(
                        component.broken,
                        where,
                        uid or None,
                        # The file ends inside it: the rest of the calendar is unknown.
                        partial=component.broken == ENDS_INSIDE,
                    ),
                )
            )
        elif not uid:
            errors.append((component.number, RecordError("no UID (the event's id)", where)))
        elif len(uid) > MAX_EXTERNAL_ID:
            reason = f"the UID is longer than {MAX_EXTERNAL_ID} characters"
            errors.append((component.number, RecordError(reason, where)))
        elif component.first("RECURRENCE-ID") is not None:
            orphans.append(component)
        elif uid in masters:
            first = masters[uid].component.number
            reason = f"the same UID as VEVENT {first}; ignored"
            errors.append((component.number, RecordError(reason, where)))
        else:
            masters[uid] = _Event(component, uid)
            order.append(masters[uid])
    for component in orphans:
        uid = component.text("UID").strip()
        if uid in masters:
            masters[uid].overrides.append(component)
        else:
            rid = component.first("RECURRENCE-ID")
            assert rid is not None
            order.append(_Event(component, f"{uid}/{rid.value.strip()}"))
    return order, errors


def parse(
    source: bytes, *, url: str | None = None, default_timezone: str = "America/Chicago"
) -> Iterator[ParsedItem]:
    """The listings in an iCalendar file (see the module docstring for the rules).

    Raises SourceError when the bytes are not an iCalendar file at all;
    ValueError for an unknown `default_timezone` (the caller's mistake, not the source's).
    """
    zone = _schedule.zone(default_timezone)
    if zone is None:
        raise ValueError(f"unknown default time zone {default_timezone!r}")
    calendars, events = _calendars(_lines(source))
    if not calendars:
        raise SourceError("not an iCalendar file: no BEGIN:VCALENDAR")
    zones = []
    for calendar in calendars:
        named = _zone_of(calendar.text("X-WR-TIMEZONE"))
        zones.append(_Calendar(*named) if named else _Calendar(default_timezone, zone))
    masters, items = _group(events)
    for event in masters:
        number = event.component.number
        try:
            items.append((number, _record(event, zones[event.component.calendar], event.uid)))
        except _Bad as exc:
            items.append((number, RecordError(str(exc), f"VEVENT {number}", event.uid)))
    items.sort(key=lambda pair: pair[0])
    result = [item for _, item in items]
    if calendars[-1].broken and not any(e.broken for e in events):
        result.append(
            RecordError(
                "no END:VCALENDAR: the file is truncated, events after the last complete one "
                "may be missing",
                END_OF_FILE,
                partial=True,
            )
        )
    log.info("iCalendar %s: %d events, %d items", url or "", len(events), len(result))
    return iter(result)
