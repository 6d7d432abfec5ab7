"""The partner's badge pages, under /partners/{slug}/badges:

- the organization's badge classes; managers design and edit them (server/badges/classes.py);
- a badge class's page: open a claim code, award by roster, its recent awards (revoke);
- the claim-code screen for a projector or a phone: the code, a big QR, the count of
  claims so far (it refreshes itself), and "close";
- roster awards with a preview of each line before anything is stored;
- the review queue of work learners sent in: approve (award) or return with feedback.

Every staff member of the organization reads these pages; the issuer role and above award;
managers and owners design. The services decide; these pages only ask.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import segno
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor, has_org_role
from server.badges import awards, claims, classes, review, roster
from server.badges.urls import PAGE_URLS, BadgeUrls
from server.errors import DomainError, NotFound
from server.models import (
    Assertion,
    BadgeClass,
    ClaimCode,
    Competency,
    Opportunity,
    OpportunityBadgeClass,
)
from server.models.enums import (
    EARNING_METHODS,
    BadgeClassStatus,
    BadgeLevel,
    OpportunityStatus,
    StaffRole,
)
from web.dashboard_kit import CITY_ZONE, DashboardOrg, dashboard_org
from web.kit import (
    Form,
    message_of,
    nudge,
    parse_id,
    person_page,
    read_form,
    see_other,
    write,
)
from web.pages import PageContext, render
from web.session import checked_form, checked_upload

AWARDS_SHOWN = 25
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_ROSTER_BYTES = 512 * 1024
FORM_ROOM = 64 * 1024  # the form's other fields beside an upload
# The classes service's field names -> the form's.
FIELDS = {
    "name": "name",
    "description": "description",
    "level": "level",
    "earning": "earning",
    "criteria": "criteria_narrative",
    "criteriaNarrative": "criteria_narrative",
    "criteriaUrl": "criteria_url",
    "competencyIds": "competencies",
    "tags": "tags",
    "expiresAfterDays": "expires_after_days",
    "image": "image",
    "opportunityIds": "opportunities",
}


def _urls(request: Request) -> BadgeUrls:
    return BadgeUrls(request.app.state.settings.public_url)


def _can_award(dorg: DashboardOrg, actor: Actor) -> bool:
    return dorg.approved and has_org_role(actor, dorg.org.id, StaffRole.ISSUER)


async def _class_of(request: Request, ctx: PageContext, dorg: DashboardOrg) -> BadgeClass:
    badge_class_id = parse_id(request.path_params.get("badge_id"))
    if badge_class_id is None:
        raise NotFound("no such badge class")
    async with ctx.sessionmaker() as session:
        badge_class = await session.get(BadgeClass, badge_class_id)
    if badge_class is None or badge_class.organization_id != dorg.org.id:
        raise NotFound("no such badge class")
    return badge_class


@person_page
async def badge_list(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    async with ctx.sessionmaker() as session:
        rows = await classes.of_organization(session, dorg.org.id, include_archived=True)
        waiting = len(await review.queue(session, actor, dorg.org.id))
    return render(
        ctx,
        "partners/badges/list.html",
        d=dorg,
        org=dorg.org,
        section="badges",
        badge_classes=rows,
        waiting=waiting,
        urls=PAGE_URLS,
        public=_urls(request),
        can_award=_can_award(dorg, actor),
        issuing=dorg.org.is_issuer,
    )


# --- designing -----------------------------------------------------------------------------


async def _form_page(
    ctx: PageContext,
    request: Request,
    dorg: DashboardOrg,
    form: Form,
    existing: BadgeClass | None,
    status: int = 200,
) -> Response:
    async with ctx.sessionmaker() as session:
        competencies = list(await session.scalars(select(Competency).order_by(Competency.name)))
        listings = list(
            await session.scalars(
                select(Opportunity)
                .where(
                    Opportunity.organization_id == dorg.org.id,
                    Opportunity.status == OpportunityStatus.PUBLISHED.value,
                )
                .order_by(Opportunity.title)
                .limit(200)
            )
        )
    t = ctx.t
    return render(
        ctx,
        "partners/badges/form.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="badges",
        form=form,
        existing=existing,
        urls=PAGE_URLS,
        public=_urls(request),
        levels=[(level.value, t(f"badge.level.{level.value}")) for level in BadgeLevel],
        earnings=[(m.value, t(f"badge.earning.{m.value}")) for m in EARNING_METHODS],
        competencies=[(str(c.id), c.name if ctx.lang == "en" else c.name_es) for c in competencies],
        listings=[(str(o.id), o.title) for o in listings],
    )


async def _published_listings(session: Any, organization_id: int) -> list[tuple[str, str]]:
    rows = await session.scalars(
        select(Opportunity)
        .where(
            Opportunity.organization_id == organization_id,
            Opportunity.status == OpportunityStatus.PUBLISHED.value,
        )
        .order_by(Opportunity.title)
        .limit(200)
    )
    return [(str(o.id), o.title) for o in rows]


async def _linked(ctx: PageContext, badge_class_id: int) -> list[str]:
    async with ctx.sessionmaker() as session:
        ids = await session.scalars(
            select(OpportunityBadgeClass.opportunity_id).where(
                OpportunityBadgeClass.badge_class_id == badge_class_id
            )
        )
        return [str(i) for i in ids]


def _form_of(badge_class: BadgeClass, linked: list[str]) -> Form:
    form = Form(
        values={
            "name": badge_class.name,
            "description": badge_class.description,
            "level": badge_class.level,
            "criteria_narrative": badge_class.criteria_narrative or "",
            "criteria_url": badge_class.criteria_url or "",
            "tags": ", ".join(badge_class.tags),
            "expires_after_days": str(badge_class.expires_after_days or ""),
        },
        lists={
            "earning": list(badge_class.earning),
            "competencies": [str(c) for c in badge_class.competency_ids],
            "opportunities": linked,
        },
    )
    return form


async def _read_design(
    request: Request, ctx: PageContext
) -> tuple[Form, classes.BadgeClassInput | None]:
    data = await checked_upload(request, max_bytes=MAX_IMAGE_BYTES + FORM_ROOM)
    form = read_form(
        data,
        (
            "name",
            "description",
            "level",
            "criteria_narrative",
            "criteria_url",
            "tags",
            "expires_after_days",
            "remove_image",
        ),
        lists=("earning", "competencies", "opportunities"),
        long=("description", "criteria_narrative"),
    )
    form.lists["opportunities"] = [
        v for v in data.getlist("opportunities") if isinstance(v, str) and v.isdigit()
    ][:200]
    days_text = form.value("expires_after_days")
    days = None
    if days_text:
        if not days_text.isdigit() or len(days_text) > 5:
            form.add("expires_after_days", ctx.t("badge.form.days_number"))
        else:
            days = int(days_text)
    image = image_type = None
    upload = data.get("image")
    if upload is not None and not isinstance(upload, str):
        content = await upload.read(MAX_IMAGE_BYTES + 1)
        await data.close()
        if content:
            image, image_type = content, upload.content_type
    if not form.ok:
        return form, None
    return form, classes.BadgeClassInput(
        name=form.value("name"),
        description=form.value("description"),
        level=form.value("level"),
        earning=form.lists.get("earning", []),
        criteria_narrative=form.value("criteria_narrative") or None,
        criteria_url=form.value("criteria_url") or None,
        competency_ids=[int(c) for c in form.lists.get("competencies", []) if c.isdigit()],
        tags=[tag for tag in form.value("tags").split(",") if tag.strip()],
        expires_after_days=days,
        image=image,
        image_type=image_type,
        remove_image=form.value("remove_image") == "1",
        opportunity_ids=[int(o) for o in form.lists["opportunities"]],
    )


def _fail(form: Form, exc: DomainError, ctx: PageContext) -> None:
    name = FIELDS.get(exc.field or "", "form")
    form.add(name, message_of(exc, ctx.t))


@person_page
async def new_badge(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    if request.method != "POST":
        return await _form_page(
            ctx,
            request,
            dorg,
            Form(values={"level": "participation"}, lists={"earning": ["claim_code"]}),
            None,
        )
    form, data = await _read_design(request, ctx)
    if data is not None:
        try:
            async with write(request) as session:
                created = await classes.create(session, actor, dorg.org.id, data)
            return see_other(request, f"{dorg.base}/badges/{created.id}?notice=created")
        except DomainError as exc:
            _fail(form, exc, ctx)
    return await _form_page(ctx, request, dorg, form, None, status=400)


@person_page
async def edit_badge(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    existing = await _class_of(request, ctx, dorg)
    if request.method != "POST":
        form = _form_of(existing, await _linked(ctx, existing.id))
        return await _form_page(ctx, request, dorg, form, existing)
    form, data = await _read_design(request, ctx)
    if data is not None:
        try:
            async with write(request) as session:
                await classes.update(session, actor, existing.id, data)
            return see_other(request, f"{dorg.base}/badges/{existing.id}?notice=saved")
        except DomainError as exc:
            _fail(form, exc, ctx)
    return await _form_page(ctx, request, dorg, form, existing, status=400)


@person_page
async def archive_badge(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    existing = await _class_of(request, ctx, dorg)
    await checked_form(request)
    async with write(request) as session:
        await classes.set_status(session, actor, existing.id, BadgeClassStatus.ARCHIVED)
    return see_other(request, f"{dorg.base}/badges/{existing.id}?notice=archived")


# --- a badge class: claim codes, roster, awards ----------------------------------------------


async def _detail_page(
    request: Request,
    ctx: PageContext,
    actor: Actor,
    dorg: DashboardOrg,
    badge_class: BadgeClass,
    form: Form,
    status: int = 200,
) -> Response:
    async with ctx.sessionmaker() as session:
        codes = await claims.codes_of(session, badge_class.id)
        recent = list(
            await session.scalars(
                select(Assertion)
                .where(Assertion.badge_class_id == badge_class.id)
                .order_by(Assertion.issued_on.desc(), Assertion.id)
                .limit(AWARDS_SHOWN)
            )
        )
        listings = await _published_listings(session, dorg.org.id)
    notice = request.query_params.get("notice")
    return render(
        ctx,
        "partners/badges/detail.html",
        listings=listings,
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="badges",
        badge_class=badge_class,
        codes=[(code, claims.why_closed(code, ctx.now)) for code in codes],
        recent=recent,
        form=form,
        urls=PAGE_URLS,
        public=_urls(request),
        can_award=_can_award(dorg, actor),
        archived=badge_class.status == BadgeClassStatus.ARCHIVED.value,
        display_code=claims.display_code,
        notice=ctx.t(f"badge.notice.{notice}") if ctx.t.has(f"badge.notice.{notice}") else None,
    )


@person_page
async def badge_detail(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    badge_class = await _class_of(request, ctx, dorg)
    form = Form(values={"hours": "3", "max_uses": "50"})
    return await _detail_page(request, ctx, actor, dorg, badge_class, form)


@person_page
async def open_claim_code(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    badge_class = await _class_of(request, ctx, dorg)
    data = await checked_form(request)
    form = read_form(data, ("hours", "max_uses", "event"))
    hours, uses = form.value("hours"), form.value("max_uses")
    event = parse_id(form.value("event")) if form.value("event") else None
    if not hours.isdigit() or not 1 <= int(hours) <= 744:
        form.add("hours", ctx.t("badge.code.hours_range"))
    if not uses.isdigit() or not 1 <= int(uses) <= claims.MOST_USES:
        form.add("max_uses", ctx.t("badge.code.uses_range", most=claims.MOST_USES))
    if form.ok:
        try:
            async with write(request) as session:
                code = await claims.open_code(
                    session,
                    actor,
                    badge_class.id,
                    starts_at=ctx.now,
                    ends_at=ctx.now + timedelta(hours=int(hours)),
                    max_uses=int(uses),
                    opportunity_id=event,
                )
            return see_other(request, f"{dorg.base}/claim-codes/{code.id}")
        except DomainError as exc:
            form.add("form", message_of(exc, ctx.t))
    return await _detail_page(request, ctx, actor, dorg, badge_class, form, status=400)


async def _code_of(request: Request, ctx: PageContext, dorg: DashboardOrg) -> ClaimCode:
    code_id = parse_id(request.path_params.get("code_id"))
    if code_id is None:
        raise NotFound("no such claim code")
    async with ctx.sessionmaker() as session:
        code = await session.get(ClaimCode, code_id)
        badge_class = await session.get(BadgeClass, code.badge_class_id) if code else None
    if code is None or badge_class is None or badge_class.organization_id != dorg.org.id:
        raise NotFound("no such claim code")
    return code


@person_page
async def claim_code_screen(request: Request, ctx: PageContext, actor: Actor) -> Response:
    """For a projector or a phone held up: the code, its QR, the claims so far."""
    dorg = await dashboard_org(request, ctx, actor)
    code = await _code_of(request, ctx, dorg)
    async with ctx.sessionmaker() as session:
        badge_class = await classes.get(session, code.badge_class_id)
    urls = _urls(request)
    link = urls.claim(code.code)
    qr = segno.make(link, error="m").svg_inline(
        scale=1, border=2, omitsize=True, dark="#111", light="#fff"
    )
    closed = claims.why_closed(code, ctx.now)
    response = render(
        ctx,
        "partners/badges/claim_screen.html",
        d=dorg,
        org=dorg.org,
        code=code,
        shown=claims.display_code(code.code),
        badge_class=badge_class,
        link=link,
        short_link=f"{urls.base}/claim",
        qr=qr,
        closed=closed,
        can_award=_can_award(dorg, actor),
        tz=CITY_ZONE,
    )
    response.headers["Cache-Control"] = "no-store"
    if closed is None:
        response.headers["Refresh"] = "15"  # the count of claims stays current on the wall
    return response


@person_page
async def close_claim_code(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    code = await _code_of(request, ctx, dorg)
    await checked_form(request)
    async with write(request) as session:
        await claims.close_code(session, actor, code.id, now=ctx.now)
    return see_other(request, f"{dorg.base}/claim-codes/{code.id}")


@person_page
async def roster_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    badge_class = await _class_of(request, ctx, dorg)
    form = Form()
    lines: list[roster.RosterLine] | None = None
    done = False
    status = 200
    if request.method == "POST":
        data = await checked_upload(request, max_bytes=MAX_ROSTER_BYTES + FORM_ROOM)
        form = read_form(
            data, ("emails", "narrative", "step", "event"), long=("emails", "narrative")
        )
        text = form.value("emails")
        if form.value("step") == "participants":
            event = parse_id(form.value("event"))
            try:
                async with ctx.sessionmaker() as session:
                    found = await roster.participants(
                        session, actor, dorg.org.id, event if event is not None else 0
                    )
            except DomainError as exc:
                form.add("event", message_of(exc, ctx.t))
                found = []
            text = "\n".join(line for line in (text, *found) if line)
            form.values["emails"] = text
            form.values["step"] = "preview"
        upload = data.get("file")
        if upload is not None and not isinstance(upload, str):
            content = await upload.read(MAX_ROSTER_BYTES + 1)
            await data.close()
            if len(content) > MAX_ROSTER_BYTES:
                form.add("emails", ctx.t("badge.roster.file_large"))
            else:
                text = (text + "\n" + content.decode("utf-8", "replace")).strip()
                form.values["emails"] = text[:50_000]
        try:
            if form.ok and form.value("step") == "award":
                async with write(request) as session:
                    lines = await roster.award(
                        session,
                        actor,
                        badge_class.id,
                        text,
                        now=ctx.now,
                        narrative=form.value("narrative") or None,
                    )
                done = True
            elif form.ok:
                async with ctx.sessionmaker() as session:
                    lines = await roster.preview(session, actor, badge_class.id, text)
        except DomainError as exc:
            form.add("emails", message_of(exc, ctx.t))
            status = 400
        if not form.ok:
            status = 400
    async with ctx.sessionmaker() as session:
        events = await roster.events(session, dorg.org.id)
    return render(
        ctx,
        "partners/badges/roster.html",
        events=events,
        events_options=[
            (
                str(e.opportunity_id),
                ctx.t("badge.roster.event_option", title=e.title, count=e.participants),
            )
            for e in events
        ],
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="badges",
        badge_class=badge_class,
        form=form,
        lines=lines,
        done=done,
        awarding=sum(1 for line in lines or [] if line.awarded),
        can_award=_can_award(dorg, actor),
    )


@person_page
async def revoke_award(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    data = await checked_form(request)
    try:
        assertion_id = uuid.UUID(str(request.path_params.get("award_id", "")))
    except ValueError:
        raise NotFound("no such award") from None
    reason = read_form(data, ("reason",)).value("reason")
    async with ctx.sessionmaker() as session:
        assertion = await awards.get(session, assertion_id)
    if assertion.organization_id != dorg.org.id:
        raise NotFound("no such award")
    notice = "revoked"
    try:
        async with write(request) as session:
            await awards.revoke(session, actor, assertion_id, reason, now=ctx.now)
    except DomainError:
        notice = "revoke_failed"
    return see_other(request, f"{dorg.base}/badges/{assertion.badge_class_id}?notice={notice}")


# --- the review queue ------------------------------------------------------------------------


@person_page
async def review_queue(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    async with ctx.sessionmaker() as session:
        waiting = await review.queue(session, actor, dorg.org.id)
    notice = request.query_params.get("notice")
    return render(
        ctx,
        "partners/badges/reviews.html",
        d=dorg,
        org=dorg.org,
        section="badges",
        waiting=waiting,
        can_award=_can_award(dorg, actor),
        urls=PAGE_URLS,
        public=_urls(request),
        notice=ctx.t(f"badge.notice.{notice}") if ctx.t.has(f"badge.notice.{notice}") else None,
    )


@person_page
async def review_decide(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    submission_id = parse_id(request.path_params.get("submission_id"))
    if submission_id is None:
        raise NotFound("no such submission")
    data = await checked_form(request)
    form = read_form(data, ("decision", "feedback"), long=("feedback",))
    decision, text = form.value("decision"), form.value("feedback")
    settings = request.app.state.settings
    async with ctx.sessionmaker() as session:
        submission = await review.get(session, submission_id)
        badge_class = await classes.get(session, submission.badge_class_id)
    if badge_class.organization_id != dorg.org.id:
        raise NotFound("no such submission")
    try:
        async with write(request) as session:
            if decision == "approve":
                await review.approve(
                    session,
                    actor,
                    submission_id,
                    now=ctx.now,
                    settings=settings,
                    comment=text or None,
                )
                notice = "approved"
            else:
                await review.return_for_changes(
                    session, actor, submission_id, text, now=ctx.now, settings=settings
                )
                notice = "returned"
    except DomainError:
        notice = "review_failed"
    await nudge(request)
    return see_other(request, f"{dorg.base}/reviews?notice={notice}")
