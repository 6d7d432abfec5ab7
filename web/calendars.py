"""Calendars to subscribe to: an organization's upcoming sessions, and a search's.

- `/organizations/<slug>.ics`: the soonest MAX_EVENTS upcoming sessions of the
  organization's published listings;
- `/search.ics?<the /search parameters>`: the upcoming sessions of the search's first
  SEARCH_RESULTS results (its filters choose the listings; every upcoming session of
  those listings is in), the soonest MAX_EVENTS of them.

Events carry the same UIDs as a listing's own .ics (web/ics_listing.py), so a session is
one event whichever calendar it came from. Shared caches may keep them a few minutes;
the language (topic names, "Online") follows the visitor's, as on the pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.catalog import reads, upcoming
from server.catalog.reads import ListingView, SessionView
from server.errors import InvalidInput
from server.models.enums import OpportunityStatus, OrganizationStatus
from server.search import service as search_service
from web import ics
from web.forms import error_from_service, parse_search_form
from web.ics_listing import listing_event
from web.pages import PageContext, not_found, page_context, secure, topic_name

MAX_EVENTS = 2000
SEARCH_RESULTS = 50
CACHE_SECONDS = 300
# What subscribed calendars are told about how often to come back.
REFRESH_MINUTES = 60


def _public(listing: ListingView) -> bool:
    return (
        listing.status == OpportunityStatus.PUBLISHED.value
        and listing.organization.status == OrganizationStatus.APPROVED.value
    )


async def _events(
    ctx: PageContext,
    session: AsyncSession,
    sessions: Sequence[SessionView],
    listings: dict[int, ListingView],
) -> list[ics.CalendarEvent]:
    wanted = {i for listing in listings.values() for i in listing.topic_ids}
    topics = await reads.topics_by_ids(session, list(wanted))
    host = ctx.request.url.hostname or "citylearn"
    online = ctx.t("result.online")
    events = []
    for s in sessions:
        listing = listings.get(s.opportunity_id)
        if listing is None or not _public(listing):
            continue
        names = [topic_name(topics[i], ctx.lang) for i in listing.topic_ids if i in topics]
        url = ctx.absolute(f"/opportunities/{listing.id}")
        events.append(
            listing_event(listing, s, url=url, host=host, online_label=online, categories=names)
        )
    return events


def _calendar(ctx: PageContext, events: list[ics.CalendarEvent], *, name: str) -> Response:
    body = ics.calendar(events, name=name, now=ctx.now, refresh_minutes=REFRESH_MINUTES)
    response = Response(
        body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "Vary": "Accept-Language, Cookie",
        },
    )
    return secure(response)


async def organization_ics(request: Request) -> Response:
    ctx = page_context(request)
    slug = str(request.path_params.get("slug", ""))
    if not slug or len(slug) > 120 or "\x00" in slug:
        return await not_found(request)
    async with ctx.sessionmaker() as session:
        organization = await reads.organization_by_slug(session, slug)
        if organization is None or organization.status != OrganizationStatus.APPROVED.value:
            return await not_found(request)
        sessions = await upcoming.of_organization(
            session, organization.id, now=ctx.now, limit=MAX_EVENTS
        )
        listings = await reads.listings_by_ids(session, [s.opportunity_id for s in sessions])
        events = await _events(ctx, session, sessions, listings)
    return _calendar(ctx, events, name=f"{organization.name} ({ctx.t('site.name')})")


async def search_ics(request: Request) -> Response:
    ctx = page_context(request)
    form = parse_search_form(request.query_params, page_size=SEARCH_RESULTS)
    # Always the first results: a subscription has no "next page".
    form.query.after = None
    # The search page's own messages, so both say the same about a bad parameter.
    problem = ctx.t(form.errors[0].message_key) if form.errors else None
    events: list[ics.CalendarEvent] = []
    if problem is None:
        async with ctx.sessionmaker() as session:
            try:
                found = await search_service.search(
                    session, form.query, settings=ctx.settings, now=ctx.now
                )
            except InvalidInput as exc:
                problem = ctx.t(error_from_service(exc).message_key)
            else:
                ids = [hit.opportunity_id for hit in found.hits]
                sessions = await upcoming.of_listings(session, ids, now=ctx.now, limit=MAX_EVENTS)
                listings = await reads.listings_by_ids(session, ids)
                events = await _events(ctx, session, sessions, listings)
    if problem is not None:
        response = PlainTextResponse(problem + "\n", status_code=400)
        return secure(response)
    label = form.value("q") or form.value("text")
    name = ctx.t("calendar.search_name") + (f": {label}" if label else "")
    return _calendar(ctx, events, name=name)
