"""A listing's session as an iCalendar event: the one place for the UID scheme, so a
listing's own .ics and its organization's and a search's calendars name a session alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from server.catalog.reads import ListingView, SessionView
from server.models.enums import Delivery
from web import ics


def event_uid(opportunity_id: int, starts_at: datetime, host: str) -> str:
    # Start time, not the row id: sessions are re-expanded when a schedule changes, and
    # calendars should see the same event, not a new one.
    return f"opportunity-{opportunity_id}.{starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@{host}"


def listing_event(
    listing: ListingView,
    session: SessionView,
    *,
    url: str,
    host: str,
    online_label: str,
    categories: Sequence[str],
) -> ics.CalendarEvent:
    place = listing.place
    location = ""
    if place is not None:
        location = ", ".join(p for p in (place.name, place.address) if p)
    elif listing.delivery == Delivery.ONLINE.value:
        location = online_label
    return ics.CalendarEvent(
        uid=event_uid(listing.id, session.starts_at, host),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=listing.title,
        description="\n\n".join(p for p in (listing.description.strip(), url) if p),
        location=location,
        url=url,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        categories=categories,
    )
