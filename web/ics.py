"""A small iCalendar (RFC 5545) writer for one listing's upcoming sessions.

Only what calendars need to add the dates: UTC times (no VTIMEZONE needed),
TEXT escaping (section 3.3.11), CRLF line ends and folding at 75 octets
(section 3.1) without ever splitting a UTF-8 character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//CityLearn//Opportunities//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    latitude: float | None = None
    longitude: float | None = None
    categories: Sequence[str] = ()


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def utc_stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a line into chunks of at most 75 octets; continuation lines start with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation line counts
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def _content_lines(
    events: Iterable[CalendarEvent], *, name: str, now: datetime, refresh_minutes: int | None
) -> list[str]:
    stamp = utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    if refresh_minutes is not None:
        # How often a subscribed calendar should fetch again (RFC 7986; Outlook's name).
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_minutes}M")
        lines.append(f"X-PUBLISHED-TTL:PT{refresh_minutes}M")
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.latitude is not None and event.longitude is not None:
            lines.append(f"GEO:{event.latitude:.6f};{event.longitude:.6f}")
        if event.url:
            lines.append(f"URL:{event.url}")
        if event.categories:
            lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
        lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return lines


def calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    now: datetime | None = None,
    refresh_minutes: int | None = None,
) -> str:
    """The whole VCALENDAR text, CRLF-terminated and folded; `refresh_minutes` for a
    calendar people subscribe to."""
    lines = _content_lines(
        events, name=name, now=now or datetime.now(UTC), refresh_minutes=refresh_minutes
    )
    return "".join(fold(line) + CRLF for line in lines)
