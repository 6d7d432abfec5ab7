"""schema.org items as listing records: what a page's JSON-LD (partners/jsonld.py) and an
RPDE feed's `data` (partners/rpde.py) hold, in the shape our own pages write
(web/jsonld.py) and in the common shapes others write.

- Event and its subtypes (EducationEvent, ChildrensEvent, ScheduledSession,
  SessionSeries, CourseInstance on its own...) -> kind event. startDate/endDate give one
  occurrence; an `eventSchedule` (Schedule: byDay, repeatFrequency, startTime, endTime,
  duration, startDate, endDate, repeatCount, exceptDate, scheduleTimezone) gives an
  RRULE. Several schedules are merged (see partners/_schedule.py). A ScheduledSession
  takes what it lacks from an embedded `superEvent`. eventStatus EventCancelled is a
  deleted record.
- Course -> kind course, one listing for all its `hasCourseInstance`s: each instance's
  courseSchedule or startDate/endDate adds its sessions; the place and delivery are the
  first instance's that has them.
- EducationalOccupationalProgram -> internship, apprenticeship or job shadow when its
  programType, additionalType or name says so, else program; the place is
  `provider.location` as our own pages write it (or `location`); its startDate starts
  it (one all-day session) and endDate ends it.
- Times: a datetime with an offset is converted to the listing's zone (the schedule's
  scheduleTimezone, else `default_timezone`), which keeps the moment right even when the
  page's zone is another; a time without offset is local. A date without a time is an
  all-day occurrence.
- location: Place (name, address as PostalAddress or text, geo GeoCoordinates, an
  amenityFeature saying wheelchair access) or VirtualLocation (online; both: hybrid);
  eventAttendanceMode, courseMode and educationalProgramMode override that.
- offers: the lowest price in cents; isAccessibleForFree or a price of 0 is free.
  typicalAgeRange ("8-14", "13+", "up to 12") or audience suggestedMinAge/MaxAge (or
  OpenActive's ageRange) give the ages. inLanguage the languages, keywords (and
  OpenActive activity labels) the topics, maximumAttendeeCapacity the capacity,
  dateModified the source time.
- external id: `@id`, else `url` (made absolute against the page's URL); an item with
  neither is a RecordError. The registration link is the offer's url, else the item's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
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
)
from server.models.enums import Delivery, OpportunityKind

Node = dict[str, Any]
Resolve = Callable[[Any], list[Any]]

_EVENT_TYPES = {"ScheduledSession", "SessionSeries", "Hackathon", "Festival", "CourseInstance"}
_WORK_KINDS = (
    ("job shadow", OpportunityKind.JOB_SHADOW),
    ("job-shadow", OpportunityKind.JOB_SHADOW),
    ("jobshadow", OpportunityKind.JOB_SHADOW),
    ("apprentice", OpportunityKind.APPRENTICESHIP),
    ("intern", OpportunityKind.INTERNSHIP),
)
_DAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
_FREQUENCIES = {"D": "DAILY", "W": "WEEKLY", "M": "MONTHLY", "Y": "YEARLY"}
_FREQUENCY_WORDS = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
_MODES = {
    "online": Delivery.ONLINE,
    "onsite": Delivery.ONSITE,
    "in-person": Delivery.ONSITE,
    "inperson": Delivery.ONSITE,
    "offline": Delivery.ONSITE,
    "blended": Delivery.HYBRID,
    "hybrid": Delivery.HYBRID,
    "mixed": Delivery.HYBRID,
}


class _Bad(Exception):
    """This item cannot be read; the message says why."""


def type_names(node: Node) -> list[str]:
    """@type without its vocabulary prefix ("schema:Event", "https://schema.org/Event")."""
    value = node.get("@type")
    names = value if isinstance(value, list) else [value]
    return [re.split(r"[/:#]", n)[-1] for n in names if isinstance(n, str) and n]


def _kind_of(node: Node) -> str | None:
    """Which reader an item needs: "event", "course", "program", or None (not a listing)."""
    names = type_names(node)
    if "Course" in names:
        return "course"
    if "EducationalOccupationalProgram" in names or "WorkBasedProgram" in names:
        return "program"
    if any(n.endswith("Event") or n in _EVENT_TYPES for n in names):
        return "event"
    return None


def _text_of(value: Any) -> str:
    """A text value: a string, a number, {"@value": ...}, or the first of a list."""
    if isinstance(value, list):
        return next((t for t in (_text_of(v) for v in value) if t), "")
    if isinstance(value, dict):
        return _text_of(value.get("@value", value.get("name", "")))
    if isinstance(value, bool):
        return ""
    if isinstance(value, str | int | float):
        return str(value).strip()
    return ""


def _texts(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [t for t in (_text_of(v) for v in values) if t]


def _moment(value: Any, what: str) -> datetime | date | None:
    text = _text_of(value)
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise _Bad(f"{what}: {text[:40]!r} is not an ISO 8601 date or date-time") from exc


def _clock(value: Any, what: str) -> time | None:
    text = _text_of(value)
    if not text:
        return None
    try:
        return time.fromisoformat(text).replace(tzinfo=None)  # local, whatever offset is named
    except ValueError as exc:
        raise _Bad(f"{what}: {text[:20]!r} is not a time (HH:MM)") from exc


def _wall(moment: datetime | date, zone: ZoneInfo) -> datetime:
    if isinstance(moment, datetime):
        return _schedule.local(moment, zone)
    return datetime.combine(moment, time())


def _single(start: datetime | date, end: datetime | date | None, zone: ZoneInfo) -> Timing:
    first = _wall(start, zone)
    if not isinstance(start, datetime):
        last = end if end is not None and not isinstance(end, datetime) else start
        _, length = _schedule.all_day(start, date.fromordinal(last.toordinal() + 1))
        return Timing(first, length, end_date=last if last > start else None)
    if end is None:
        return Timing(first)
    return Timing(first, _schedule.minutes(first, _wall(end, zone)))


def _frequency(value: Any) -> tuple[str, int] | None:
    text = _text_of(value).strip()
    word = _FREQUENCY_WORDS.get(re.split(r"[/:#]", text)[-1].lower())
    if word:
        return word, 1
    found = re.fullmatch(r"P(\d+)([DWMY])", text.upper())
    if found and int(found.group(1)) > 0:
        return _FREQUENCIES[found.group(2)], int(found.group(1))
    if text:
        raise _Bad(f"repeatFrequency: {text[:20]!r} is not a period such as P1W")
    return None


def _by_day(value: Any) -> list[str]:
    days = []
    for text in _texts(value):
        name = re.split(r"[/:#]", text)[-1].lower()
        code = _DAYS.get(name) or (name.upper() if name.upper() in _DAYS.values() else None)
        if code is None:
            raise _Bad(f"byDay: {text[:30]!r} is not a day of the week")
        days.append(code)
    return list(dict.fromkeys(days))


def _numbers(value: Any, what: str) -> list[int]:
    found = []
    for item in as_list(value):
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, str) and item.strip().isdigit() and len(item.strip()) < 10:
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool) or not 0 <= item < 10**9:
            raise _Bad(f"{what}: {str(item)[:20]!r} is not a whole number")
        found.append(item)
    return found


def _scheduled(
    sched: Node, start: datetime | date | None, end: datetime | date | None, zone: ZoneInfo
) -> Timing:
    """A schema.org Schedule as a recurrence, the item's own dates filling its gaps."""
    first = _moment(sched.get("startDate"), "schedule startDate")
    last = _moment(sched.get("endDate"), "schedule endDate")
    begins = _clock(sched.get("startTime"), "startTime")
    stops = _clock(sched.get("endTime"), "endTime")
    start_local = _wall(start, zone) if start is not None else None
    day = first.date() if isinstance(first, datetime) else first
    day = day or (start_local.date() if start_local else None)
    if day is None:
        raise _Bad("the schedule has no startDate")
    if begins is None and isinstance(first, datetime):
        begins = _wall(first, zone).time()
    if begins is None:
        begins = start_local.time() if isinstance(start, datetime) and start_local else time()
    begin = datetime.combine(day, begins)
    length = _schedule.parse_duration(_text_of(sched.get("duration")))
    if length is None and stops is not None:
        length = _schedule.minutes(begin, datetime.combine(day, stops)) % (24 * 60) or None
    if length is None and isinstance(start, datetime) and isinstance(end, datetime):
        length = _schedule.minutes(_wall(start, zone), _wall(end, zone))
    days = _by_day(sched.get("byDay"))
    found = _frequency(sched.get("repeatFrequency"))
    freq, interval = found or (("WEEKLY", 1) if days else ("DAILY", 1))
    until = last.date() if isinstance(last, datetime) else last
    count = _numbers(sched.get("repeatCount"), "repeatCount")
    if not found and not days and not count and (until is None or until <= day):
        return Timing(begin, length)
    parts = [f"FREQ={freq}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    if days:
        parts.append("BYDAY=" + ",".join(days))
    for key, field_name in (("BYMONTHDAY", "byMonthDay"), ("BYMONTH", "byMonth")):
        values = _numbers(sched.get(field_name), field_name)
        if values:
            parts.append(f"{key}=" + ",".join(str(v) for v in values))
    if count:
        parts.append(f"COUNT={count[0]}")
    elif until is not None:
        parts.append(f"UNTIL={_schedule.end_of(until)}")
    exdates = []
    for value in _texts(sched.get("exceptDate")):
        moment = _moment(value, "exceptDate")
        if moment is not None:
            wall = _wall(moment, zone)
            exdates.append(wall if isinstance(moment, datetime) else datetime.combine(wall, begins))
    return Timing(begin, length, rules=("RRULE:" + ";".join(parts),), exdates=tuple(exdates))


def _timings(node: Node, schedules: list[Any], zone: ZoneInfo) -> list[Timing]:
    start = _moment(node.get("startDate"), "startDate")
    end = _moment(node.get("endDate"), "endDate")
    found = [_scheduled(s, start, end, zone) for s in schedules if isinstance(s, dict)]
    if found:
        return found
    return [_single(start, end, zone)] if start is not None else []


def _span(node: Node, zone: ZoneInfo) -> list[Timing]:
    """A program's run: its first day (or moment), ending on endDate."""
    start = _moment(node.get("startDate"), "startDate")
    end = _moment(node.get("endDate"), "endDate")
    if start is None:
        return []
    last = end.date() if isinstance(end, datetime) else end
    length = None if isinstance(start, datetime) else 24 * 60
    return [Timing(_wall(start, zone), length, end_date=last)]


def _zone(schedules: list[Any], default: str) -> tuple[str, ZoneInfo]:
    for sched in schedules:
        name = _text_of(sched.get("scheduleTimezone")) if isinstance(sched, dict) else ""
        if name:
            zone = _schedule.zone(name)
            if zone is None:
                raise _Bad(f"scheduleTimezone: unknown time zone {name[:60]!r}")
            return name, zone
    zone = _schedule.zone(default)
    assert zone is not None  # checked by parse()
    return default, zone


def _address(value: Any) -> tuple[str, str | None]:
    if isinstance(value, dict):
        street = _text_of(value.get("streetAddress"))
        rest = [_text_of(value.get(k)) for k in ("addressLocality", "addressRegion")]
        postal = _text_of(value.get("postalCode"))
        zip_code = _fields.zip_code(postal) if postal else None
        address = street or ", ".join(p for p in [*rest, postal] if p)
        return address, zip_code or _fields.zip_code(address)
    text = _text_of(value)
    return text, _fields.zip_code(text)


def _wheelchair(value: Any, resolve: Resolve) -> bool:
    for feature in resolve(value):
        if isinstance(feature, dict) and "wheelchair" in _text_of(feature.get("name")).lower():
            return feature.get("value") not in (False, "false", "False")
    return False


def _place(value: Any, resolve: Resolve) -> tuple[PlaceRecord | None, Delivery | None]:
    """The physical place, and the delivery the location implies (None: no location)."""
    place, online = None, False
    for found in resolve(value):
        if isinstance(found, str):
            if _fields.http_url(found):
                online = True
            elif place is None and found.strip():
                text = _text.clip(found.strip(), 300)
                place = PlaceRecord(_text.clip(text, 200), text, _fields.zip_code(text))
            continue
        if not isinstance(found, dict):
            continue
        if "VirtualLocation" in type_names(found):
            online = True
            continue
        if place is not None:
            continue
        address, zip_code = _address(next(iter(resolve(found.get("address"))), None))
        geo = next((g for g in resolve(found.get("geo")) if isinstance(g, dict)), {})
        point = _fields.coordinates(geo.get("latitude"), geo.get("longitude"))
        name = _text_of(found.get("name")) or address
        if not (name or point):
            continue
        place = PlaceRecord(
            name=_text.clip(name, 200),
            address=_text.clip(address, 300),
            postal_code=zip_code,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            wheelchair_accessible=_wheelchair(found.get("amenityFeature"), resolve),
        )
    if place is None:
        return None, Delivery.ONLINE if online else None
    return place, Delivery.HYBRID if online else Delivery.ONSITE


def _mode(value: Any) -> Delivery | None:
    for text in _texts(value):
        word = re.split(r"[/:#]", text)[-1].lower().replace("eventattendancemode", "")
        if word in _MODES:
            return _MODES[word]
    return None


def _ages(node: Node, resolve: Resolve) -> tuple[int | None, int | None]:
    found = _fields.age_range(_text_of(node.get("typicalAgeRange")))
    if found:
        return found
    for holder, low, high in (
        *((a, "suggestedMinAge", "suggestedMaxAge") for a in resolve(node.get("audience"))),
        *((a, "minValue", "maxValue") for a in resolve(node.get("ageRange"))),
    ):
        if isinstance(holder, dict) and (holder.get(low), holder.get(high)) != (None, None):
            numbers = [_numbers(holder.get(k), k) for k in (low, high)]
            return (numbers[0][0] if numbers[0] else None, numbers[1][0] if numbers[1] else None)
    return None, None


def _cost(node: Node, offers: list[Any]) -> int:
    prices = []
    for offer in offers:
        if isinstance(offer, dict):
            for value in (offer.get("price"), offer.get("lowPrice")):
                cents = _fields.price_cents(value)
                if cents is not None:
                    prices.append(cents)
    if node.get("isAccessibleForFree") in (True, "true", "True"):
        return 0
    return min(prices, default=0)


def _work_kind(node: Node) -> OpportunityKind:
    said = " ".join(
        _text_of(node.get(k)).lower() for k in ("programType", "additionalType", "name")
    )
    return next((kind for word, kind in _WORK_KINDS if word in said), OpportunityKind.PROGRAM)


@dataclass(frozen=True)
class _Shape:
    """What differs between the three families: where the dates, place and mode live."""

    kind: OpportunityKind
    timed: list[tuple[Node, list[Any]]]  # (holder of startDate/endDate, its schedules)
    locations: list[Any]
    mode: Delivery | None


def _shape(node: Node, family: str, resolve: Resolve) -> _Shape:
    if family == "course":
        instances = [i for i in resolve(node.get("hasCourseInstance")) if isinstance(i, dict)]
        return _Shape(
            OpportunityKind.COURSE,
            [(i, resolve(i.get("courseSchedule") or i.get("eventSchedule"))) for i in instances],
            [i.get("location") for i in instances if i.get("location")] + [node.get("location")],
            next((m for m in (_mode(i.get("courseMode")) for i in instances) if m), None),
        )
    if family == "program":
        provider = next((p for p in resolve(node.get("provider")) if isinstance(p, dict)), {})
        return _Shape(
            _work_kind(node),
            [],
            [node.get("location"), provider.get("location")],
            _mode(node.get("educationalProgramMode")),
        )
    return _Shape(
        OpportunityKind.EVENT,
        [(node, resolve(node.get("eventSchedule")))],
        [node.get("location")],
        _mode(node.get("eventAttendanceMode")),
    )


def _absolute(value: Any, page_url: str | None) -> str | None:
    """An http(s) link, a relative one resolved against the page."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _fields.http_url(_fields.join_url(page_url, value.strip()))


def _identity(node: Node, page_url: str | None) -> str:
    for key in ("@id", "url"):
        text = _text_of(node.get(key))
        if text and not text.startswith("_:"):  # blank nodes change on every render
            return _fields.join_url(page_url, text) or text
    return ""


def read_item(
    node: Node,
    *,
    location: str,
    default_timezone: str = "America/Chicago",
    external_id: str | None = None,
    page_url: str | None = None,
    resolve: Resolve | None = None,
) -> ParsedItem | None:
    """One schema.org item as a record; None when it is not a listing type.

    `external_id` overrides the item's own (an RPDE item's id); `resolve` follows
    `{"@id": ...}` references (the default only makes lists of values).
    """
    family = _kind_of(node)
    if family is None:
        return None
    follow = resolve or as_list
    ident = external_id or _identity(node, page_url)
    try:
        if not ident:
            raise _Bad("no @id or url to know the item by from one run to the next")
        if len(ident) > MAX_EXTERNAL_ID:
            raise _Bad(f"the @id is longer than {MAX_EXTERNAL_ID} characters")
        own = _inherited(node, follow)
        return _record(own, family, ident, location, default_timezone, follow, page_url)
    except _Bad as exc:
        return RecordError(str(exc), location, ident or None)


def _inherited(node: Node, resolve: Resolve) -> Node:
    """A ScheduledSession with its series' fields where it has none of its own."""
    if "ScheduledSession" not in type_names(node):
        return node
    parent = next((p for p in resolve(node.get("superEvent")) if isinstance(p, dict)), None)
    if parent is None:
        return node
    inherited = {k: v for k, v in parent.items() if k not in ("eventSchedule", "@id", "@type")}
    return {**inherited, **node}


def _record(
    node: Node,
    family: str,
    ident: str,
    where: str,
    default: str,
    resolve: Resolve,
    page_url: str | None,
) -> ListingRecord:
    title = _text.clip(_text.plain(_text_of(node.get("name"))), MAX_TITLE)
    modified = _moment(node.get("dateModified"), "dateModified")
    changed = modified if isinstance(modified, datetime) else None
    if "EventCancelled" in _text_of(node.get("eventStatus")):
        return ListingRecord(ident, title, source_modified=changed, deleted=True, location=where)
    if not title:
        raise _Bad("no name (the listing's title)")
    shape = _shape(node, family, resolve)
    zone_name, zone = _zone([s for _, ss in shape.timed for s in ss], default)
    if family == "program":
        timings = _span(node, zone)
    else:
        timings = [t for holder, ss in shape.timed for t in _timings(holder, ss, zone)]
    try:
        found = _schedule.schedule(timings)
    except ScheduleError as exc:
        raise _Bad(str(exc)) from exc
    place, implied = None, None
    for value in shape.locations:
        place, implied = _place(value, resolve)
        if implied is not None:
            break
    offers = resolve(node.get("offers"))
    low, high = _ages(node, resolve)
    topics = _texts(node.get("keywords"))
    if len(topics) == 1:
        topics = topics[0].split(",")
    topics += [_text_of(a.get("prefLabel")) for a in resolve(node.get("activity")) if _is(a)]
    capacity = _numbers(
        node.get("maximumAttendeeCapacity", node.get("maximumEnrollment")), "capacity"
    )
    links = [o.get("url") for o in offers if _is(o)] + [_text_of(node.get("url"))]
    link = next((u for u in (_absolute(v, page_url) for v in links) if u), None)
    return ListingRecord(
        external_id=ident,
        title=title,
        description=_text.clip(_text.plain(_text_of(node.get("description"))), MAX_DESCRIPTION),
        kind=shape.kind,
        delivery=shape.mode or implied or Delivery.ONSITE,
        topics=tuple(dict.fromkeys(t.strip() for t in topics if t.strip())),
        min_age=low if low is not None else 5,
        max_age=high if high is not None else 24,
        cost_cents=_cost(node, offers),
        languages=_fields.languages(_texts(node.get("inLanguage"))),
        capacity=capacity[0] if capacity else None,
        registration_url=link,
        place=place,
        start_date=found.start_date if found else None,
        end_date=found.end_date if found else None,
        start_time=found.start_time if found else None,
        duration_minutes=found.duration_minutes if found else None,
        timezone=zone_name,
        recurrence=found.recurrence if found else None,
        source_modified=changed,
        location=where,
        extra={"schema_type": ",".join(type_names(node))},
    )


def _is(value: Any) -> bool:
    return isinstance(value, dict)


def is_id(value: Any) -> bool:
    return isinstance(value, str)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
