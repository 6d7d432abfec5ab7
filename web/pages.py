"""The public pages: home, search, opportunity detail (+ .ics), organization.

Pages call the server services directly (no GraphQL). One request does a
handful of batch reads: the search page is topics, the page of hits, the total,
then opportunities, organizations, places and sessions for that page by id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.accounts.csrf import CSRF_FIELD
from server.badges import classes as badge_classes
from server.catalog import reads
from server.catalog.reads import ListingView, OrganizationView, PlaceView, SessionView
from server.errors import InvalidInput
from server.geo.geocoder import default_geocoder
from server.models import BadgeClass, Topic
from server.models.enums import (
    Accessibility,
    BadgeClassStatus,
    Delivery,
    OpportunityKind,
    OrganizationStatus,
)
from server.search import service as search_service
from server.search.query import (
    MatchCount,
    SearchFilter,
    SearchHit,
    SearchPage,
    SearchQuery,
    TimeOfDay,
)
from server.settings import Settings
from web import ics, jsonld
from web.forms import RADIUS_CHOICES, FormError, SearchForm, error_from_service, parse_search_form
from web.i18n import COOKIE, LANGUAGE_NAMES, Translator, choose_language, normalize
from web.ics_listing import listing_event
from web.links import http_url
from web.rule_words import loss_words
from web.session import apply_cookies, csrf_token, signed_in_hint

TEMPLATES = Path(__file__).resolve().parent / "templates"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # Search URLs carry a ZIP code or coordinates: never hand them to other sites.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), interest-cohort=()",
}
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_ID = 2**63 - 1
UPCOMING_IN_LIST = 3
UPCOMING_ON_DETAIL = 8
MAX_ICS_EVENTS = 200
_ID = re.compile(r"[0-9]{1,19}")

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


env.filters["http_url"] = http_url
env.globals["loss_words"] = loss_words


def _marked(card: str, marker: str) -> Markup:
    """A result card (the shared result_item macro) with `marker` at the end of its body:
    the last </div> of the card closes its body."""
    html = str(card)
    at = html.rfind("</div>")
    if at < 0:
        return Markup(html) + Markup(marker)
    return Markup(html[:at]) + Markup(marker) + Markup(html[at:])


env.filters["marked"] = _marked


# -- request context ---------------------------------------------------------------


@dataclass
class PageContext:
    request: Request
    lang: str
    t: Translator
    set_cookie: bool  # the visitor chose a language with ?lang= just now
    now: datetime

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Pages only read (see server.db.make_read_sessionmaker)."""
        maker: async_sessionmaker[AsyncSession] = self.request.app.state.read_sessionmaker
        return maker

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    def absolute(self, path: str) -> str:
        return str(self.request.base_url).rstrip("/") + path

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo("America/Chicago")).date()

    @property
    def switch_url(self) -> str:
        other = "es" if self.lang == "en" else "en"
        url = self.request.url.include_query_params(lang=other)
        return f"{url.path}?{url.query}"


def page_context(request: Request) -> PageContext:
    query_lang = request.query_params.get("lang")
    lang = choose_language(
        query_lang, request.cookies.get(COOKIE), request.headers.get("accept-language")
    )
    return PageContext(
        request=request,
        lang=lang,
        t=Translator(lang),
        set_cookie=normalize(query_lang) is not None and request.cookies.get(COOKIE) != lang,
        now=_now(request),
    )


def _now(request: Request) -> datetime:
    """The clock; tests and demos may pin it with `app.state.clock` (a callable)."""
    clock = getattr(request.app.state, "clock", None)
    if callable(clock):
        value = clock()
        if isinstance(value, datetime):
            return value
    return datetime.now(UTC)


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render(ctx: PageContext, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(
        request=ctx.request,
        lang=ctx.lang,
        t=ctx.t,
        ctx=ctx,
        switch_url=ctx.switch_url,
        # Forms put {{ csrf_field() }} inside; it sets the visitor's nonce cookie if needed.
        csrf_field=lambda: Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf_token(ctx.request)}">'
        ),
        signed_in=signed_in_hint(ctx.request),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    secure(response)
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers.setdefault("Cache-Control", "no-cache")
    if ctx.set_cookie:
        response.set_cookie(
            COOKIE,
            ctx.lang,
            max_age=COOKIE_MAX_AGE,
            path="/",
            samesite="lax",
            httponly=True,
            secure=ctx.settings.secure_cookies,
        )
    apply_cookies(ctx.request, response)
    return response


async def not_found(request: Request, exc: Exception | None = None) -> Response:
    """The friendly, translated 404; usable as the app's 404 exception handler too."""
    ctx = page_context(request)
    return render(ctx, "not_found.html", status_code=404)


# -- view models -------------------------------------------------------------------


@dataclass
class ResultView:
    number: int
    opportunity: ListingView
    organization: OrganizationView | None
    place: PlaceView | None
    distance_km: float | None
    sessions: list[SessionView] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.opportunity.id

    @property
    def online(self) -> bool:
        return self.opportunity.delivery == Delivery.ONLINE.value or self.place is None

    @property
    def timezone(self) -> str:
        return self.opportunity.schedule_timezone


async def load_results(
    session: AsyncSession, hits: Sequence[SearchHit], now: datetime
) -> list[ResultView]:
    """Everything the result list shows, in one read whatever the page size."""
    listings = await reads.listings_by_ids(
        session,
        [hit.opportunity_id for hit in hits],
        sessions_per=UPCOMING_IN_LIST,
        upcoming_from=now,
    )
    results: list[ResultView] = []
    for hit in hits:
        listing = listings.get(hit.opportunity_id)
        if listing is None:  # deleted between the search and the read
            continue
        results.append(
            ResultView(
                number=len(results) + 1,
                opportunity=listing,
                organization=listing.organization,
                place=listing.place,
                distance_km=hit.distance_km,
                sessions=list(listing.sessions),
            )
        )
    return results


def map_data(page: SearchPage | None, results: Sequence[ResultView]) -> dict[str, Any] | None:
    """Coordinates for the progressive-enhancement map (drawn by static/site.js)."""
    markers = [
        {
            "n": r.number,
            "lat": round(r.place.latitude, 5),
            "lng": round(r.place.longitude, 5),
            "title": r.opportunity.title,
        }
        for r in results
        if r.place is not None and r.opportunity.delivery != Delivery.ONLINE.value
    ]
    if not markers:
        return None
    center = None
    if page is not None and page.point is not None:
        center = {"lat": page.point.latitude, "lng": page.point.longitude}
    radius = page.radius_km if page is not None else None
    return {"center": center, "radius_km": radius, "markers": markers}


@dataclass
class Choices:
    """The fixed option lists of the search form."""

    topics: list[Topic]
    radius: list[float]
    kinds: list[str] = field(default_factory=lambda: [k.value for k in OpportunityKind])
    delivery: list[str] = field(default_factory=lambda: [d.value for d in Delivery])
    access: list[str] = field(default_factory=lambda: [a.value for a in Accessibility])
    times: list[str] = field(default_factory=lambda: [t.value for t in TimeOfDay])
    languages: list[str] = field(default_factory=lambda: list(LANGUAGE_NAMES))


def topic_name(topic: Topic, lang: str) -> str:
    return topic.name_es if lang == "es" and topic.name_es else topic.name


def _radius_choices(form: SearchForm, page: SearchPage | None) -> list[float]:
    choices = list(RADIUS_CHOICES)
    current = page.radius_km if page is not None else None
    if current is None:
        try:
            current = float(form.value("radius")) if form.value("radius") else None
        except ValueError:
            current = None
    if current is not None and current > 0 and current not in choices:
        choices = sorted([*choices, current])
    return choices


# -- handlers ------------------------------------------------------------------------


async def home(request: Request) -> Response:
    ctx = page_context(request)
    async with ctx.sessionmaker() as session:
        topics = await reads.all_topics(session)
    return render(ctx, "home.html", topics=topics, topic_name=topic_name)


async def search_page(request: Request) -> Response:
    ctx = page_context(request)
    form = parse_search_form(request.query_params)
    page: SearchPage | None = None
    total = MatchCount(0, capped=False)
    results: list[ResultView] = []
    async with ctx.sessionmaker() as session:
        topics = await reads.all_topics(session)
        if not form.errors:
            try:
                page = await search_service.search(
                    session, form.query, settings=ctx.settings, now=ctx.now
                )
                total = await search_service.count(
                    session, form.query, settings=ctx.settings, now=ctx.now
                )
            except InvalidInput as exc:
                form.errors.append(error_from_service(exc))
                page = None
        if page is not None:
            results = await load_results(session, page.hits, ctx.now)
        markers = await _search_markers(request, ctx, session, [r.id for r in results])
    place_label = None
    if form.value("q"):
        found = default_geocoder().geocode(form.value("q"))
        place_label = found.label if found else form.value("q")
    return render(
        ctx,
        "search.html",
        status_code=400 if form.errors else 200,
        form=form,
        page=page,
        total=total,
        results=results,
        place_label=place_label,
        choices=Choices(topics=topics, radius=_radius_choices(form, page)),
        topic_name=topic_name,
        map=map_data(page, results),
        map_json=jsonld.script_json(map_data(page, results) or {}),
        error_keys={e.param: e.message_key for e in form.errors},
        markers=markers,
    )


async def _search_markers(
    request: Request, ctx: PageContext, session: AsyncSession, ids: list[int]
) -> dict[int, Any]:
    """Gated listings on this page of results, marked locked or unlocked for the viewer."""
    from web import stack_pages  # it imports this module (through web.kit)

    return await stack_pages.search_markers(request, ctx, session, ids)


def _opportunity_id(raw: object) -> int | None:
    text = str(raw)
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


@dataclass
class Detail:
    opportunity: ListingView
    organization: OrganizationView
    place: PlaceView | None
    sessions: list[SessionView]
    topics: list[Topic]


async def load_detail(session: AsyncSession, opportunity_id: int, now: datetime) -> Detail | None:
    listing = (await reads.listings_by_ids(session, [opportunity_id])).get(opportunity_id)
    if listing is None or listing.status != "published":
        return None
    if listing.organization.status != OrganizationStatus.APPROVED.value:
        return None
    sessions = (
        await reads.sessions_by_opportunity_ids(session, [opportunity_id], upcoming_from=now)
    ).get(opportunity_id, [])
    topics = await reads.topics_by_ids(session, list(listing.topic_ids))
    ordered = [topics[i] for i in listing.topic_ids if i in topics]
    return Detail(listing, listing.organization, listing.place, sessions, ordered)


async def _requested_detail(request: Request, ctx: PageContext) -> Detail | None:
    opportunity_id = _opportunity_id(request.path_params.get("opportunity_id"))
    if opportunity_id is None:
        return None
    async with ctx.sessionmaker() as session:
        return await load_detail(session, opportunity_id, ctx.now)


async def opportunity_page(request: Request) -> Response:
    ctx = page_context(request)
    detail = await _requested_detail(request, ctx)
    if detail is None:
        return await not_found(request)
    return await opportunity_response(request, ctx, detail)


async def opportunity_response(
    request: Request,
    ctx: PageContext,
    detail: Detail,
    *,
    status_code: int = 200,
    apply_form: Any = None,
) -> Response:
    """The listing's page; for a gated one also what it takes and, for a learner, where
    they stand and the apply form (`apply_form`: what they sent, with its errors)."""
    from web import stack_pages  # it imports this module (through web.kit)

    opportunity_id = detail.opportunity.id
    url = ctx.absolute(f"/opportunities/{opportunity_id}")
    org_url = ctx.absolute(f"/organizations/{detail.organization.slug}")
    structured = jsonld.build(
        detail.opportunity,
        organization=detail.organization,
        place=detail.place,
        sessions=detail.sessions,
        topics=[t.name for t in detail.topics],
        url=url,
        org_url=org_url,
        lang=ctx.lang,
    )
    gate = await stack_pages.gate_panel(request, ctx, detail.opportunity, apply_form)
    response = render(
        ctx,
        "opportunity.html",
        status_code=status_code,
        d=detail,
        o=detail.opportunity,
        upcoming=detail.sessions[:UPCOMING_ON_DETAIL],
        more_dates=max(0, len(detail.sessions) - UPCOMING_ON_DETAIL),
        topic_name=topic_name,
        json_ld=jsonld.script_json(structured),
        directions=_directions(detail.place),
        earnable=await _earnable(ctx, opportunity_id),
        gate=gate,
    )
    if gate is not None and gate.viewer != "anonymous":
        response.headers["Cache-Control"] = "private, no-store"
    return response


async def _earnable(ctx: PageContext, opportunity_id: int) -> list[BadgeClass]:
    """The active badge classes the listing says it awards."""
    async with ctx.sessionmaker() as session:
        found = await badge_classes.awarded_by(session, opportunity_id)
    return [bc for bc in found if bc.status == BadgeClassStatus.ACTIVE.value]


def _directions(place: PlaceView | None) -> str | None:
    if place is None:
        return None
    return (
        f"https://www.openstreetmap.org/directions?to={place.latitude:.5f}%2C{place.longitude:.5f}"
    )


async def opportunity_ics(request: Request) -> Response:
    ctx = page_context(request)
    detail = await _requested_detail(request, ctx)
    if detail is None or not detail.sessions:
        return await not_found(request)
    o = detail.opportunity
    url = ctx.absolute(f"/opportunities/{o.id}")
    host = ctx.request.url.hostname or "citylearn"
    categories = [topic_name(t, ctx.lang) for t in detail.topics]
    events = [
        listing_event(
            o, s, url=url, host=host, online_label=ctx.t("result.online"), categories=categories
        )
        for s in detail.sessions[:MAX_ICS_EVENTS]
    ]
    body = ics.calendar(events, name=o.title, now=ctx.now)
    response = Response(
        body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="citylearn-{o.id}.ics"',
            "Cache-Control": "no-cache",
        },
    )
    return secure(response)


async def organization_page(request: Request) -> Response:
    ctx = page_context(request)
    slug = str(request.path_params.get("slug", ""))
    # PostgreSQL text cannot hold NUL (asyncpg refuses the query): such a slug is no slug.
    if not slug or len(slug) > 120 or "\x00" in slug:
        return await not_found(request)
    error: FormError | None = None
    page: SearchPage | None = None
    total = MatchCount(0, capped=False)
    results: list[ResultView] = []
    after = request.query_params.get("after") or None
    query = SearchQuery(filter=SearchFilter(organizations=[slug]), after=after)
    async with ctx.sessionmaker() as session:
        organization = await reads.organization_by_slug(session, slug)
        if organization is None or organization.status != OrganizationStatus.APPROVED.value:
            return await not_found(request)
        places = await reads.places_of_organization(session, organization.id)
        try:
            page = await search_service.search(session, query, settings=ctx.settings, now=ctx.now)
            total = await search_service.count(session, query, settings=ctx.settings, now=ctx.now)
        except InvalidInput as exc:
            error = error_from_service(exc)
        if page is not None:
            results = await load_results(session, page.hits, ctx.now)
    base = f"/organizations/{organization.slug}"
    next_url = None
    if page is not None and page.has_next_page and page.end_cursor:
        next_url = ctx.request.url.include_query_params(after=page.end_cursor)
    return render(
        ctx,
        "organization.html",
        status_code=400 if error else 200,
        org=organization,
        places=places,
        page=page,
        total=total,
        results=results,
        error=error,
        base_url=base,
        next_url=f"{next_url.path}?{next_url.query}" if next_url else None,
        first_url=base if after else None,
    )
