"""/partners/{slug}/listings: an organization's listings (every staff member reads them),
made and edited by hand, published, unpublished and archived (managers and owners).

A listing made or edited here is a `ListingRecord` handed to the one import service
(server/catalog/imports.py), like a CSV row or a feed item: the same checks, the same
geocoding, the same session expansion. A new one gets a stable external id
("manual-<hex>"); an edited one keeps its own id and its source, so a listing that came
from a feed or a CSV stays that source's (the next import replaces the edits, and the
page says so). Publishing, unpublishing and archiving go through the catalog service.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.catalog import feeds
from server.catalog import service as catalog
from server.catalog.imports import Rejection, import_records
from server.catalog.records import MAX_DESCRIPTION, ListingRecord, PlaceRecord
from server.errors import DomainError, InvalidInput, NotFound
from server.models import Feed, Opportunity, OpportunityGate, Place, Topic
from server.models.enums import Accessibility, Delivery, OpportunityKind, OpportunityStatus
from web.dashboard_kit import (
    DashboardOrg,
    dash_notice,
    dashboard_org,
    reason_text,
    require_listings_writer,
    source_label,
    stamp,
)
from web.errors_i18n import message_key
from web.i18n import LANGUAGE_NAMES
from web.kit import Form, parse_id, person_page, problem, read_form, see_other, write
from web.pages import PageContext, render, topic_name
from web.session import checked_form

PAGE_SIZE = 25
MAX_PAGE = 10_000
# The filter tabs' order: what learners see first.
STATUSES = tuple(
    s.value
    for s in (OpportunityStatus.PUBLISHED, OpportunityStatus.DRAFT, OpportunityStatus.ARCHIVED)
)
# The zones a partner in this network is likely to need; a listing's own stays on offer.
TIMEZONES = (
    "America/Chicago",
    "America/New_York",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
DEFAULT_ZONE = "America/Chicago"
# ISO weekday order (1 = Monday), as RFC 5545 spells them.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
GRADES = tuple(range(0, 14))  # 0 kindergarten ... 12, 13 college
TEXT_FIELDS = (
    "title",
    "kind",
    "delivery",
    "min_age",
    "max_age",
    "min_grade",
    "max_grade",
    "cost",
    "financial_aid",
    "place_name",
    "address",
    "postal_code",
    "latitude",
    "longitude",
    "start_date",
    "end_date",
    "start_time",
    "duration",
    "timezone",
    "then",
)
LIST_FIELDS = ("topics", "languages", "accessibility", "days")
MAX_URL = 2000
_ZIP = re.compile(r"([0-9]{5})(?:-[0-9]{4})?")
_DAY = "(?:MO|TU|WE|TH|FR|SA|SU)"
# The one recurrence the form shows: weekly on some days (what it and the CSV adapter write,
# the adapter with an UNTIL at the end date's last second, see `weekly_days`).
_WEEKLY = re.compile(rf"(?:RRULE:)?FREQ=WEEKLY;BYDAY=({_DAY}(?:,{_DAY})*)(?:;UNTIL=[0-9TZ]+)?")

# The import service's rejection (by its message key) -> the form field it is about.
REASON_FIELDS = {
    "err.listing_title": "title",
    "err.description_long": "description",
    "err.ages": "min_age",
    "err.grades": "min_grade",
    "err.cost_negative": "cost",
    "err.registration_url": "registration_url",
    "err.needs_place": "place_name",
    "err.place_unknown": "postal_code",
    "err.latitude": "latitude",
    "err.longitude": "longitude",
    "err.start_time_needed": "start_time",
    "err.end_before_start": "end_date",
    "err.too_many_sessions": "end_date",
    "err.timezone": "timezone",
    "err.duration": "duration",
    "err.rrule": "days",
    "err.duplicate": "title",
}


# -- the list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingRow:
    id: int
    title: str
    status: str
    source: str
    feed_id: int | None
    kind: str
    delivery: str
    start_date: date | None
    end_date: date | None
    updated_at: datetime
    place_name: str | None
    postal_code: str | None
    approximate: bool
    stale: bool


def _page_number(raw: str | None) -> int:
    if raw and raw.isdigit() and len(raw) < 6:
        return max(1, min(int(raw), MAX_PAGE))
    return 1


async def _rows(
    session: AsyncSession, org_id: int, status: str | None, page: int, now: datetime
) -> tuple[list[ListingRow], bool]:
    statement = (
        select(
            Opportunity.id,
            Opportunity.title,
            Opportunity.status,
            Opportunity.source,
            Opportunity.feed_id,
            Opportunity.kind,
            Opportunity.delivery,
            Opportunity.start_date,
            Opportunity.end_date,
            Opportunity.updated_at,
            Place.name,
            Place.postal_code,
            Place.location_approximate,
            Feed.health,
            Feed.last_success_at,
        )
        .outerjoin(Place, Place.id == Opportunity.place_id)
        .outerjoin(Feed, Feed.id == Opportunity.feed_id)
        .where(Opportunity.organization_id == org_id)
        .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    if status is not None:
        statement = statement.where(Opportunity.status == status)
    found = []
    for (
        oid,
        title,
        status_,
        source,
        feed_id,
        kind,
        delivery,
        start_date,
        end_date,
        updated_at,
        place_name,
        postal_code,
        approximate,
        health,
        last_success,
    ) in await session.execute(statement):
        stale = health is not None and feeds.is_stale(health, last_success, now=now)
        found.append(
            ListingRow(
                oid,
                title,
                status_,
                source,
                feed_id,
                kind,
                delivery,
                start_date,
                end_date,
                updated_at,
                place_name,
                postal_code,
                bool(approximate),
                stale,
            )
        )
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


async def _counts(session: AsyncSession, org_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Opportunity.status, func.count())
        .where(Opportunity.organization_id == org_id)
        .group_by(Opportunity.status)
    )
    counts = {status: 0 for status in STATUSES}
    counts.update({status: int(n) for status, n in rows})
    return counts


@person_page
async def listings(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    raw_status = request.query_params.get("status", "")
    status = raw_status if raw_status in STATUSES else None
    page = _page_number(request.query_params.get("page"))
    async with ctx.sessionmaker() as session:
        rows, has_next = await _rows(session, dorg.org.id, status, page, ctx.now)
        counts = await _counts(session, dorg.org.id)
        # Gated listings link to their applicants (web/dashboard_stacks.py).
        gated = set(
            await session.scalars(
                select(OpportunityGate.opportunity_id).where(
                    OpportunityGate.opportunity_id.in_([r.id for r in rows])
                )
            )
        )

    def page_url(n: int) -> str:
        params = [f"status={status}"] if status else []
        if n > 1:
            params.append(f"page={n}")
        return f"{dorg.base}/listings" + ("?" + "&".join(params) if params else "")

    return render(
        ctx,
        "partners/dashboard/listings.html",
        d=dorg,
        org=dorg.org,
        section="listings",
        rows=rows,
        gated=gated,
        counts=counts,
        total=sum(counts.values()),
        status=status,
        statuses=STATUSES,
        page=page,
        next_url=page_url(page + 1) if has_next else None,
        prev_url=page_url(page - 1) if page > 1 else None,
        source_label=lambda source: source_label(ctx.t, source),
        stamp=lambda value: stamp(ctx.t, value, ctx.today),
        notice=dash_notice(ctx),
    )


# -- the form ------------------------------------------------------------------------------


@dataclass
class Existing:
    """The listing being edited, as stored."""

    id: int
    external_id: str
    status: str
    source: str
    feed_id: int | None
    title: str
    # The schedule as stored; `days` when the form can show it as a weekly rule.
    recurrence: str | None
    days: tuple[str, ...]
    shown: bool
    start_date: date | None
    end_date: date | None
    start_time: time | None
    approximate: bool

    @property
    def other_recurrence(self) -> str | None:
        """A recurrence the form cannot show (monthly, EXDATEs ...)."""
        return None if self.shown else self.recurrence


def _choices(ctx: PageContext, topics: Iterable[Topic], zone: str | None) -> dict[str, Any]:
    t = ctx.t
    zones = list(TIMEZONES)
    if zone and zone not in zones:
        zones.append(zone)
    return {
        "kinds": [(k.value, t("kind." + k.value)) for k in OpportunityKind],
        "deliveries": [(d.value, t("delivery." + d.value)) for d in Delivery],
        "topics": [(topic.slug, topic_name(topic, ctx.lang)) for topic in topics],
        "languages": [(code, t.language_name(code)) for code in LANGUAGE_NAMES],
        "access": [(a.value, t("access." + a.value)) for a in Accessibility],
        "grades": [("", t("dash.grade_any"))] + [(str(g), t.grade(g)) for g in GRADES],
        "days": [(code, t.weekday(n)) for n, code in enumerate(WEEKDAYS, start=1)],
        "zones": [(z, z.replace("_", " ")) for z in zones],
    }


async def _topics(session: AsyncSession) -> list[Topic]:
    return list(await session.scalars(select(Topic).order_by(Topic.name)))


async def _show_form(
    ctx: PageContext,
    dorg: DashboardOrg,
    form: Form,
    existing: Existing | None,
    status: int = 200,
) -> Response:
    async with ctx.sessionmaker() as session:
        topics = await _topics(session)
    return render(
        ctx,
        "partners/dashboard/listing_form.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="listings",
        form=form,
        existing=existing,
        source_label=lambda source: source_label(ctx.t, source),
        **_choices(ctx, topics, form.value("timezone")),
    )


def _read(data: FormData) -> Form:
    form = read_form(data, TEXT_FIELDS, lists=LIST_FIELDS)
    # Longer than read_form's cut: the service says what is too long, rather than the page
    # shortening a description or a link in silence.
    for name, limit in (("description", MAX_DESCRIPTION + 1), ("registration_url", MAX_URL)):
        raw = data.get(name)
        form.values[name] = raw.replace("\x00", "").strip()[:limit] if isinstance(raw, str) else ""
    return form


def _integer(form: Form, name: str, key: str, *, limit: int = 10_000) -> int | None:
    text = form.value(name)
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        form.add(name, key)
        return None
    if abs(value) > limit:
        form.add(name, key)
        return None
    return value


def _decimal_number(form: Form, name: str, key: str) -> float | None:
    text = form.value(name)
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        form.add(name, key)
        return None
    if not math.isfinite(value):
        form.add(name, key)
        return None
    return value


_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{2}")


def _cents(form: Form, key: str) -> int:
    """Dollars as typed: '25', '$12.50', '12,50' (a decimal comma), '1,200'."""
    text = form.value("cost").replace("$", "").replace(" ", "")
    if not text:
        return 0
    text = text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        form.add("cost", key)
        return 0
    if not amount.is_finite() or abs(amount) > 1_000_000:
        form.add("cost", key)
        return 0
    return int((amount * 100).to_integral_value())


def _day(form: Form, name: str, key: str) -> date | None:
    text = form.value(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.add(name, key)
        return None


def _clock(form: Form, name: str, key: str) -> time | None:
    text = form.value(name)
    if not text:
        return None
    try:
        value = time.fromisoformat(text)
    except ValueError:
        form.add(name, key)
        return None
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _zone(form: Form, key: str) -> str:
    name = form.value("timezone") or DEFAULT_ZONE
    # The column holds 64 characters, and the service checks a zone only with a date.
    if len(name) > 64 or "/" not in name:
        form.add("timezone", key)
        return DEFAULT_ZONE
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        form.add("timezone", key)
        return DEFAULT_ZONE
    return name


def _kind(form: Form, key: str) -> OpportunityKind:
    raw = form.value("kind")
    found = next((k for k in OpportunityKind if k.value == raw), None)
    if raw and found is None:
        form.add("kind", key)
    return found or OpportunityKind.PROGRAM


def _delivery(form: Form, key: str) -> Delivery:
    raw = form.value("delivery")
    found = next((d for d in Delivery if d.value == raw), None)
    if raw and found is None:
        form.add("delivery", key)
    return found or Delivery.ONSITE


def record_from(
    ctx: PageContext, form: Form, *, external_id: str, existing: Existing | None
) -> ListingRecord | None:
    """The form as a listing record, or None (with the errors on the form)."""
    t = ctx.t
    kind = _kind(form, t("err.choice"))
    delivery = _delivery(form, t("err.choice"))
    min_age = _integer(form, "min_age", t("dash.err.age"))
    max_age = _integer(form, "max_age", t("dash.err.age"))
    min_grade = _integer(form, "min_grade", t("err.choice"), limit=13)
    max_grade = _integer(form, "max_grade", t("err.choice"), limit=13)
    cost_cents = _cents(form, t("dash.err.cost"))
    start_date = _day(form, "start_date", t("dash.err.date"))
    end_date = _day(form, "end_date", t("dash.err.date"))
    start_time = _clock(form, "start_time", t("dash.err.time"))
    duration = _integer(form, "duration", t("dash.err.duration"), limit=100_000)
    zone = _zone(form, t("err.choice"))
    latitude = _decimal_number(form, "latitude", t("dash.err.coordinates"))
    longitude = _decimal_number(form, "longitude", t("dash.err.coordinates"))
    if (latitude is None) != (longitude is None) and not form.error("latitude"):
        form.add("latitude", t("dash.err.coordinates"))
    postal_code = form.value("postal_code")
    found_zip = _ZIP.fullmatch(postal_code)
    if postal_code and found_zip is None:
        form.add("postal_code", t("err.postal_code"))
    access = tuple(a for a in Accessibility if a.value in form.lists.get("accessibility", []))
    days = [code for code in WEEKDAYS if code in form.lists.get("days", [])]
    recurrence = _recurrence(existing, days, start_date, end_date, start_time)
    if days and start_date is None and not form.error("start_date"):
        form.add("days", t("dash.err.days_need_start"))
    if not form.ok:
        return None
    place = None
    place_fields = ("place_name", "address", "postal_code", "latitude", "longitude")
    if delivery is not Delivery.ONLINE and any(form.value(n) for n in place_fields):
        place = PlaceRecord(
            name=form.value("place_name"),
            address=form.value("address"),
            postal_code=found_zip.group(1) if found_zip else None,
            latitude=latitude,
            longitude=longitude,
            wheelchair_accessible=Accessibility.WHEELCHAIR in access,
        )
    defaults = ListingRecord(external_id=external_id, title="")
    return ListingRecord(
        external_id=external_id,
        title=form.value("title"),
        description=form.value("description"),
        kind=kind,
        delivery=delivery,
        topics=tuple(form.lists.get("topics", [])),
        min_age=defaults.min_age if min_age is None else min_age,
        max_age=defaults.max_age if max_age is None else max_age,
        min_grade=min_grade,
        max_grade=max_grade,
        cost_cents=cost_cents,
        financial_aid=form.value("financial_aid") == "1",
        languages=tuple(c for c in LANGUAGE_NAMES if c in form.lists.get("languages", [])),
        accessibility=access,
        registration_url=form.value("registration_url") or None,
        place=place,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        duration_minutes=duration,
        timezone=zone,
        recurrence=recurrence,
        location="form",
    )


def _recurrence(
    existing: Existing | None,
    days: list[str],
    start_date: date | None,
    end_date: date | None,
    start_time: time | None,
) -> str | None:
    """The schedule to save: the stored one, exactly, while its days and dates are as the
    form showed them (an import's UNTIL and first-day RDATE stay); else the form's."""
    if existing is not None and existing.recurrence:
        same_when = (start_date, end_date, start_time) == (
            existing.start_date,
            existing.end_date,
            existing.start_time,
        )
        if existing.shown and same_when and tuple(days) == existing.days:
            return existing.recurrence
        if not existing.shown and not days:
            return existing.recurrence
    return "RRULE:FREQ=WEEKLY;BYDAY=" + ",".join(days) if days else None


def weekly_days(recurrence: str | None, start: datetime | None) -> tuple[str, ...] | None:
    """The weekdays of a plain weekly rule (optionally with an UNTIL, and an RDATE of the
    first session, as the CSV adapter writes one); None for any other recurrence."""
    lines = [line.strip() for line in (recurrence or "").splitlines() if line.strip()]
    if not lines:
        return ()
    found = _WEEKLY.fullmatch(lines[0])
    first = f"RDATE:{start:%Y%m%dT%H%M%S}" if start else None
    if found is None or any(line != first for line in lines[1:]):
        return None
    return tuple(found.group(1).split(","))


class _Rejected(Exception):
    """Leaves the unit of work (rolling it back) with the service's reason."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.reason)
        self.rejection = rejection


def _fail_with(ctx: PageContext, form: Form, reason: str) -> None:
    key, _ = message_key(InvalidInput(reason))
    form.add(REASON_FIELDS.get(key or "", "form"), reason_text(ctx.t, reason))


async def _save(
    request: Request,
    ctx: PageContext,
    actor: Actor,
    dorg: DashboardOrg,
    form: Form,
    existing: Existing | None,
) -> Response:
    external_id = existing.external_id if existing else f"manual-{secrets.token_hex(8)}"
    record = record_from(ctx, form, external_id=external_id, existing=existing)
    if record is None:
        return await _show_form(ctx, dorg, form, existing, status=400)
    source = existing.source if existing else "manual"
    try:
        async with write(request) as session:
            require_listings_writer(actor, dorg)
            summary = await import_records(
                session,
                organization_id=dorg.org.id,
                source=source,
                items=[record],
                snapshot=False,
                now=ctx.now,
                feed_id=existing.feed_id if existing else None,
            )
            if summary.rejected:
                raise _Rejected(summary.rejected[0])
            listing_id = summary.written.get(external_id) or (existing.id if existing else None)
            if listing_id is None:
                raise NotFound("no such listing")
            # The import publishes what it writes; an edit keeps the listing's status.
            wanted = OpportunityStatus(existing.status) if existing else OpportunityStatus.PUBLISHED
            if existing is None and form.value("then") == "draft":
                wanted = OpportunityStatus.DRAFT
            if wanted is not OpportunityStatus.PUBLISHED:
                await catalog.set_status(session, actor, listing_id, wanted)
    except _Rejected as rejected:
        _fail_with(ctx, form, rejected.rejection.reason)
        return await _show_form(ctx, dorg, form, existing, status=400)
    except DomainError as exc:
        if exc.code == "NOT_FOUND" or exc.code == "FORBIDDEN":
            raise
        form.fail(exc, ctx.t, fields=())
        return await _show_form(ctx, dorg, form, existing, status=400)
    notice = "listing-saved" if existing else "listing-created"
    return see_other(request, f"{dorg.base}/listings?notice={notice}")


@person_page
async def new_listing(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    if request.method == "GET":
        start = Form(
            values={
                "kind": OpportunityKind.PROGRAM.value,
                "delivery": Delivery.ONSITE.value,
                "min_age": "5",
                "max_age": "18",
                "timezone": DEFAULT_ZONE,
                "duration": "60",
            },
            lists={"languages": ["en"]},
        )
        return await _show_form(ctx, dorg, start, None)
    form = _read(await checked_form(request))
    return await _save(request, ctx, actor, dorg, form, None)


async def _existing(
    session: AsyncSession, dorg: DashboardOrg, listing_id: int
) -> tuple[Existing, Form]:
    row = await session.get(Opportunity, listing_id)
    if row is None or row.organization_id != dorg.org.id:
        raise NotFound("no such listing")
    place = await session.get(Place, row.place_id) if row.place_id else None
    slugs = []
    if row.topic_ids:
        slugs = list(await session.scalars(select(Topic.slug).where(Topic.id.in_(row.topic_ids))))
    start = (
        datetime.combine(row.start_date, row.start_time)
        if row.start_date and row.start_time
        else None
    )
    weekly = weekly_days(row.schedule_rrule, start)
    coordinates: tuple[str, str] = ("", "")
    if place is not None and not place.location_approximate:
        # Only real coordinates go back in the form: a ZIP centroid stays approximate.
        point = await session.execute(
            text(
                "SELECT ST_Y(location::geometry), ST_X(location::geometry) "
                "FROM places WHERE id = :id"
            ),
            {"id": place.id},
        )
        lat, lng = point.one()
        coordinates = (f"{lat:.6f}", f"{lng:.6f}")
    form = Form(
        values={
            "title": row.title,
            "description": row.description,
            "kind": row.kind,
            "delivery": row.delivery,
            "min_age": str(row.min_age),
            "max_age": str(row.max_age),
            "min_grade": "" if row.min_grade is None else str(row.min_grade),
            "max_grade": "" if row.max_grade is None else str(row.max_grade),
            "cost": _dollars(row.cost_cents),
            "financial_aid": "1" if row.financial_aid else "",
            "registration_url": row.registration_url or "",
            "place_name": place.name if place else "",
            "address": place.address if place else "",
            "postal_code": (place.postal_code or "") if place else "",
            "latitude": coordinates[0],
            "longitude": coordinates[1],
            "start_date": row.start_date.isoformat() if row.start_date else "",
            "end_date": row.end_date.isoformat() if row.end_date else "",
            "start_time": row.start_time.strftime("%H:%M") if row.start_time else "",
            "duration": str(row.duration_minutes) if row.duration_minutes else "",
            "timezone": row.schedule_timezone,
        },
        lists={
            "topics": slugs,
            "languages": list(row.languages),
            "accessibility": list(row.accessibility),
            "days": list(weekly or ()),
        },
    )
    existing = Existing(
        id=row.id,
        # Listings made before external ids (the demo city) are matched as "#<id>".
        external_id=row.external_id or f"#{row.id}",
        status=row.status,
        source=row.source,
        feed_id=row.feed_id,
        title=row.title,
        recurrence=row.schedule_rrule,
        days=weekly or (),
        shown=weekly is not None,
        start_date=row.start_date,
        end_date=row.end_date,
        start_time=row.start_time,
        approximate=bool(place and place.location_approximate),
    )
    return existing, form


def _dollars(cents: int) -> str:
    if cents % 100 == 0:
        return str(cents // 100)
    return f"{cents / 100:.2f}"


def _listing_id(request: Request) -> int:
    listing_id = parse_id(request.path_params.get("listing_id"))
    if listing_id is None:
        raise NotFound("no such listing")
    return listing_id


@person_page
async def edit_listing(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request) if request.method == "POST" else None
    listing_id = _listing_id(request)
    async with ctx.sessionmaker() as session:
        existing, stored = await _existing(session, dorg, listing_id)
    if data is None:
        return await _show_form(ctx, dorg, stored, existing)
    return await _save(request, ctx, actor, dorg, _read(data), existing)


STATUS_NOTICES = {
    OpportunityStatus.PUBLISHED: "published",
    OpportunityStatus.DRAFT: "unpublished",
    OpportunityStatus.ARCHIVED: "archived",
}


@person_page
async def listing_status(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    listing_id = _listing_id(request)
    wanted = next((s for s in OpportunityStatus if s.value == data.get("status")), None)
    if wanted is None:
        return problem(ctx, "bad_request", 400, ctx.t("err.choice"))
    async with write(request) as session:
        if await catalog.organization_of_listing(session, listing_id) != dorg.org.id:
            raise NotFound("no such listing")
        await catalog.set_status(session, actor, listing_id, wanted)
    return see_other(request, f"{dorg.base}/listings?notice={STATUS_NOTICES[wanted]}")
