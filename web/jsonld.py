"""schema.org JSON-LD for a listing's detail page.

- event, workshop, drop-in, online activity, volunteering -> `Event`
  (with an `eventSchedule` when it repeats);
- program, course, camp -> `Course` with `CourseInstance`s;
- internship, job shadow, apprenticeship -> `EducationalOccupationalProgram`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from server.catalog.reads import ListingView, OrganizationView, PlaceView, SessionView
from server.catalog.upcoming import SessionSpan
from server.models.enums import Delivery, OpportunityKind
from web.links import http_url

EVENT_KINDS = {
    OpportunityKind.EVENT,
    OpportunityKind.WORKSHOP,
    OpportunityKind.DROP_IN,
    OpportunityKind.ONLINE_ACTIVITY,
    OpportunityKind.VOLUNTEERING,
}
COURSE_KINDS = {OpportunityKind.PROGRAM, OpportunityKind.COURSE, OpportunityKind.CAMP}
WORK_KINDS = {
    OpportunityKind.INTERNSHIP,
    OpportunityKind.JOB_SHADOW,
    OpportunityKind.APPRENTICESHIP,
}

ATTENDANCE = {
    Delivery.ONSITE.value: "https://schema.org/OfflineEventAttendanceMode",
    Delivery.ONLINE.value: "https://schema.org/OnlineEventAttendanceMode",
    Delivery.HYBRID.value: "https://schema.org/MixedEventAttendanceMode",
}
COURSE_MODE = {
    Delivery.ONSITE.value: "onsite",
    Delivery.ONLINE.value: "online",
    Delivery.HYBRID.value: "blended",
}
SCHEMA_DAYS = [
    "https://schema.org/Monday",
    "https://schema.org/Tuesday",
    "https://schema.org/Wednesday",
    "https://schema.org/Thursday",
    "https://schema.org/Friday",
    "https://schema.org/Saturday",
    "https://schema.org/Sunday",
]
MAX_INSTANCES = 10


def schema_type(kind: str) -> str:
    if kind in COURSE_KINDS:
        return "Course"
    if kind in WORK_KINDS:
        return "EducationalOccupationalProgram"
    return "Event"


def _place(place: PlaceView | None, opportunity: ListingView, url: str) -> dict[str, Any]:
    physical: dict[str, Any] | None = None
    if place is not None:
        physical = {
            "@type": "Place",
            "name": place.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": place.address,
                "postalCode": place.postal_code,
                "addressRegion": "IL",
                "addressCountry": "US",
            },
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": round(place.latitude, 6),
                "longitude": round(place.longitude, 6),
            },
        }
        if place.wheelchair_accessible:
            physical["amenityFeature"] = {
                "@type": "LocationFeatureSpecification",
                "name": "Wheelchair accessible",
                "value": True,
            }
    virtual = {"@type": "VirtualLocation", "url": http_url(opportunity.registration_url) or url}
    if opportunity.delivery == Delivery.ONLINE.value or physical is None:
        return virtual
    return physical


def _location(
    place: PlaceView | None, opportunity: ListingView, url: str
) -> dict[str, Any] | list[dict[str, Any]]:
    main = _place(place, opportunity, url)
    if opportunity.delivery == Delivery.HYBRID.value and main.get("@type") == "Place":
        online = http_url(opportunity.registration_url) or url
        return [main, {"@type": "VirtualLocation", "url": online}]
    return main


def _offer(opportunity: ListingView, url: str) -> dict[str, Any]:
    return {
        "@type": "Offer",
        "price": f"{opportunity.cost_cents / 100:.2f}",
        "priceCurrency": "USD",
        "url": http_url(opportunity.registration_url) or url,
        "availability": "https://schema.org/InStock",
    }


def _organization(organization: OrganizationView, org_url: str) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "Organization", "name": organization.name, "url": org_url}
    website = http_url(organization.website)
    if website:
        found["sameAs"] = website
    return found


def _local(moment: datetime, opportunity: ListingView) -> str:
    """ISO 8601 with the listing's own UTC offset, as search engines prefer."""
    try:
        zone = ZoneInfo(opportunity.schedule_timezone)
    except (ValueError, KeyError):
        return moment.isoformat()
    return moment.astimezone(zone).isoformat()


def _schedule(
    opportunity: ListingView, sessions: Sequence[SessionView], span: SessionSpan | None
) -> dict[str, Any] | None:
    if not sessions or span is None or span.count < 2:
        return None
    try:
        zone = ZoneInfo(opportunity.schedule_timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    first = sessions[0].starts_at.astimezone(zone)
    first_end = sessions[0].ends_at.astimezone(zone)
    last = span.last.starts_at.astimezone(zone)
    days = sorted(span.weekdays)
    return {
        "@type": "Schedule",
        "startDate": first.date().isoformat(),
        "endDate": last.date().isoformat(),
        "startTime": first.strftime("%H:%M"),
        "endTime": first_end.strftime("%H:%M"),
        "byDay": [SCHEMA_DAYS[d - 1] for d in days],
        "scheduleTimezone": opportunity.schedule_timezone,
    }


def build(
    opportunity: ListingView,
    *,
    organization: OrganizationView,
    place: PlaceView | None,
    sessions: Sequence[SessionView],
    topics: Sequence[str],
    url: str,
    org_url: str,
    lang: str = "en",
    span: SessionSpan | None = None,
) -> dict[str, Any]:
    """`sessions`: the upcoming ones, all of them or (with `span`, which summarizes all)
    at least the first MAX_INSTANCES."""
    kind = schema_type(opportunity.kind)
    span = span or SessionSpan.of(sessions)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": url,
        "name": opportunity.title,
        "description": opportunity.description,
        "url": url,
        "inLanguage": list(opportunity.languages) or [lang],
        "isAccessibleForFree": opportunity.cost_cents == 0,
        "typicalAgeRange": f"{opportunity.min_age}-{opportunity.max_age}",
        "audience": {
            "@type": "PeopleAudience",
            "suggestedMinAge": opportunity.min_age,
            "suggestedMaxAge": opportunity.max_age,
        },
        "offers": _offer(opportunity, url),
    }
    if topics:
        data["keywords"] = ", ".join(topics)
    org = _organization(organization, org_url)
    location = _location(place, opportunity, url)
    if kind == "Event":
        data["organizer"] = org
        data["location"] = location
        data["eventStatus"] = "https://schema.org/EventScheduled"
        data["eventAttendanceMode"] = ATTENDANCE.get(opportunity.delivery, ATTENDANCE["onsite"])
        if sessions:
            data["startDate"] = _local(sessions[0].starts_at, opportunity)
            data["endDate"] = _local(sessions[0].ends_at, opportunity)
        elif opportunity.start_date:
            data["startDate"] = opportunity.start_date.isoformat()
        schedule = _schedule(opportunity, sessions, span)
        if schedule:
            data["eventSchedule"] = schedule
    elif kind == "Course":
        data["provider"] = org
        instances = [
            {
                "@type": "CourseInstance",
                "courseMode": COURSE_MODE.get(opportunity.delivery, "onsite"),
                "location": location,
                "startDate": _local(s.starts_at, opportunity),
                "endDate": _local(s.ends_at, opportunity),
            }
            for s in sessions[:MAX_INSTANCES]
        ]
        if not instances:
            instances = [
                {
                    "@type": "CourseInstance",
                    "courseMode": COURSE_MODE.get(opportunity.delivery, "onsite"),
                    "location": location,
                }
            ]
        schedule = _schedule(opportunity, sessions, span)
        if schedule:
            instances[0]["courseSchedule"] = schedule
        data["hasCourseInstance"] = instances
    else:
        data["provider"] = {**org, "location": location}
        data["educationalProgramMode"] = {
            "onsite": "in-person",
            "online": "online",
            "hybrid": "hybrid",
        }.get(opportunity.delivery, "in-person")
        data["programType"] = opportunity.kind.replace("_", " ")
        if sessions and span is not None:
            data["startDate"] = sessions[0].starts_at.date().isoformat()
            data["endDate"] = span.last.ends_at.date().isoformat()
    return data


def script_json(data: dict[str, Any]) -> Markup:
    """JSON safe inside <script>: no '</script>' or '<!--' can appear in the output."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
