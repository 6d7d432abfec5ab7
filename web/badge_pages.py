"""The learner's badge pages: claiming with a code (/claim, /claim/{code}), the backpack
(/backpack: my badges, who sees each, downloads, export), sending in work for a badge
(/badges/{id}/submit) and the submitted file (/badges/evidence/{id}/file).

Claiming signed out takes an email and a promise of being 13 or over: a younger child
claims signed in, on an account a guardian agreed to (server/badges/claims.py)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from server.accounts.age import needs_guardian
from server.authz import Actor
from server.badges import awards, backpack, claims, classes, hosted, published, review
from server.badges.urls import PAGE_URLS, BadgeUrls
from server.errors import DomainError, NotFound
from server.models import ClaimCode, LearnerProfile
from server.models.enums import Visibility
from web.kit import (
    Form,
    message_of,
    nudge,
    page,
    parse_id,
    person_page,
    read_form,
    see_other,
    write,
)
from web.pages import PageContext, not_found, render
from web.session import checked_form, checked_upload, current_actor

VISIBILITIES = (Visibility.PRIVATE, Visibility.NETWORK, Visibility.PUBLIC)
FORM_ROOM = 64 * 1024  # the form's other fields beside an upload


def _urls(request: Request) -> BadgeUrls:
    return BadgeUrls(request.app.state.settings.public_url)


# --- claiming ------------------------------------------------------------------------------


async def _code_row(ctx: PageContext, code: str) -> ClaimCode | None:
    normalized = claims.normalize_code(code)
    if not normalized:
        return None
    async with ctx.sessionmaker() as session:
        row: ClaimCode | None = await session.scalar(
            select(ClaimCode).where(ClaimCode.code == normalized)
        )
    return row


async def _claim_page(
    request: Request, ctx: PageContext, code: str, form: Form, status: int = 200
) -> Response:
    viewer = await current_actor(request, now=ctx.now)
    row = await _code_row(ctx, code) if code else None
    badge_class = closed = None
    if row is not None:
        async with ctx.sessionmaker() as session:
            badge_class = await classes.get(session, row.badge_class_id)
        closed = claims.why_closed(row, ctx.now)
    response = render(
        ctx,
        "badges/claim.html",
        status_code=status,
        code=claims.display_code(row.code) if row else code,
        raw_code=row.code if row else "",
        badge_class=badge_class,
        closed=closed,
        unknown=bool(code) and row is None,
        person=viewer.user_id is not None,
        form=form,
        urls=PAGE_URLS,
        public=_urls(request),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@page
async def claim_start(request: Request, ctx: PageContext) -> Response:
    """/claim: type the code shown at the event (or arrive with ?code=)."""
    code = request.query_params.get("code", "")
    if code:
        normalized = claims.normalize_code(code)
        return see_other(request, f"/claim/{quote(normalized)}")
    return await _claim_page(request, ctx, "", Form())


@page
async def claim(request: Request, ctx: PageContext) -> Response:
    code = str(request.path_params.get("code", ""))[:40]
    if request.method != "POST":
        return await _claim_page(request, ctx, code, Form())
    data = await checked_form(request)
    form = read_form(data, ("email", "over_13"))
    viewer = await current_actor(request, now=ctx.now)
    email = None
    if viewer.user_id is None:
        email = form.value("email")
        if form.value("over_13") != "1":
            form.add("over_13", ctx.t("badge.claim.over_13_needed"))
            return await _claim_page(request, ctx, code, form, status=400)
    try:
        async with write(request) as session:
            claimed = await claims.claim(session, viewer, code, now=ctx.now, email=email)
    except DomainError as exc:
        form.fail(exc, ctx.t, fields=("email",))
        return await _claim_page(request, ctx, code, form, status=409)
    await nudge(request)
    target = f"/claim/{quote(claims.normalize_code(code))}/done"
    if viewer.user_id is not None:
        target += "?" + urlencode({"award": str(claimed.assertion_id)})
    return see_other(request, target)


@page
async def claim_done(request: Request, ctx: PageContext) -> Response:
    code = str(request.path_params.get("code", ""))[:40]
    row = await _code_row(ctx, code)
    if row is None:
        return await not_found(request)
    viewer = await current_actor(request, now=ctx.now)
    award_url = None
    raw = request.query_params.get("award")
    if raw and viewer.user_id is not None:
        try:
            assertion_id = uuid.UUID(raw)
        except ValueError:
            assertion_id = None
        if assertion_id is not None:
            async with ctx.sessionmaker() as session:
                record = await published.award(session, assertion_id)
            if record and record.assertion.recipient_user_id == viewer.user_id:
                award_url = _urls(request).assertion(assertion_id)
    async with ctx.sessionmaker() as session:
        badge_class = await classes.get(session, row.badge_class_id)
    return render(
        ctx,
        "badges/claimed.html",
        badge_class=badge_class,
        person=viewer.user_id is not None,
        award_url=award_url,
        urls=PAGE_URLS,
        public=_urls(request),
    )


# --- the backpack --------------------------------------------------------------------------


def linkedin_url(record: published.AwardRecord, urls: BadgeUrls) -> str:
    """LinkedIn's add-a-certification form, filled in (for a badge the learner made public)."""
    issued = record.assertion.issued_on
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": record.badge_class.name,
        "organizationName": record.organization.name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": urls.assertion(record.assertion.id),
        "certId": str(record.assertion.id),
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@person_page
async def backpack_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    urls = _urls(request)
    async with ctx.sessionmaker() as session:
        rows = await backpack.mine(session, actor.user_id or 0)
        submissions = await review.of_learner(session, actor)
        imported = await backpack.imported_of(session, actor.user_id or 0)
        profile = await session.get(LearnerProfile, actor.user_id)
    items = [published.AwardRecord(a, b, o) for a, b, o in rows]
    child = profile is not None and needs_guardian(profile.birth_date, ctx.now.date())
    response = render(
        ctx,
        "badges/backpack.html",
        items=items,
        submissions=submissions,
        imported=imported,
        urls=PAGE_URLS,
        public=urls,
        visibilities=[v.value for v in VISIBILITIES],
        child=child,
        linkedin=lambda record: linkedin_url(record, urls),
        now=ctx.now,
        notice=ctx.t("badge.backpack.saved") if request.query_params.get("saved") else None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@person_page
async def backpack_visibility(request: Request, ctx: PageContext, actor: Actor) -> Response:
    data = await checked_form(request)
    raw_id, raw_visibility = data.get("award"), data.get("visibility")
    try:
        assertion_id = uuid.UUID(str(raw_id))
        visibility = Visibility(str(raw_visibility))
    except ValueError:
        raise NotFound("no such award") from None
    async with write(request) as session:
        await backpack.set_visibility(session, actor, assertion_id, visibility, now=ctx.now)
    if data.get("back") == "children":  # a guardian, from the children's page
        return see_other(request, "/account/children?notice=saved")
    return see_other(request, "/backpack?saved=1")


@person_page
async def backpack_export(request: Request, ctx: PageContext, actor: Actor) -> Response:
    """Everything in the backpack as Open Badges JSON: each award's OB 2.0 assertion with
    its badge class and issuer embedded, and the OB 3.0 credential's address."""
    urls = _urls(request)
    mail_from = request.app.state.settings.mail_from
    exported: list[dict[str, Any]] = []
    # Many awards share a badge class and an issuer: each document is read once.
    classes_seen: dict[int, dict[str, Any]] = {}
    issuers_seen: dict[int, dict[str, Any]] = {}
    async with ctx.sessionmaker() as session:
        for assertion, badge_class, organization in await backpack.mine(
            session, actor.user_id or 0
        ):
            if organization.id not in issuers_seen:
                issuers_seen[organization.id] = await published.issuer_v2(
                    session, organization, urls, mail_from=mail_from
                )
            if badge_class.id not in classes_seen:
                classes_seen[badge_class.id] = {
                    **await published.badge_class_v2(session, badge_class, urls),
                    "issuer": issuers_seen[organization.id],
                }
            document = hosted.assertion_document(assertion, urls)  # with evidence
            document["badge"] = classes_seen[badge_class.id]
            exported.append(
                {
                    "assertion": document,
                    "revoked": assertion.revoked_at is not None,
                    "credential": urls.credential(assertion.id),
                }
            )
        imported = [
            {"source": row.source, "valid": row.valid, "document": row.document}
            for row in await backpack.imported_of(session, actor.user_id or 0)
        ]
    body = orjson.dumps({"badges": exported, "imported": imported}, option=orjson.OPT_INDENT_2)
    response = Response(body, media_type="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="citylearn-badges.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- sending in work -----------------------------------------------------------------------


async def _submit_page(
    request: Request, ctx: PageContext, badge_class_id: int, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        badge_class = await classes.get(session, badge_class_id)
    return render(
        ctx,
        "badges/submit.html",
        status_code=status,
        badge_class=badge_class,
        form=form,
        urls=PAGE_URLS,
        public=_urls(request),
    )


@person_page
async def submit(request: Request, ctx: PageContext, actor: Actor) -> Response:
    badge_class_id = parse_id(request.path_params.get("id"))
    if badge_class_id is None:
        raise NotFound("no such badge class")
    if request.method != "POST":
        return await _submit_page(request, ctx, badge_class_id, Form())
    data = await checked_upload(request, max_bytes=review.MAX_FILE_BYTES + FORM_ROOM)
    form = read_form(data, ("narrative", "url"), long=("narrative",))
    upload = data.get("file")
    file = None
    if upload is not None and not isinstance(upload, str):
        content = await upload.read(review.MAX_FILE_BYTES + 1)
        await data.close()
        if content:
            file = review.Upload(
                upload.filename or "work",
                upload.content_type or "application/octet-stream",
                content,
            )
    try:
        async with write(request) as session:
            await review.submit(
                session,
                actor,
                badge_class_id,
                now=ctx.now,
                narrative=form.value("narrative") or None,
                url=form.value("url") or None,
                upload=file,
            )
    except DomainError as exc:
        name = exc.field if exc.field in ("narrative", "url", "file") else "form"
        form.add(name or "form", message_of(exc, ctx.t))
        return await _submit_page(request, ctx, badge_class_id, form, status=400)
    return see_other(request, "/backpack?saved=1")


@page
async def evidence_file(request: Request, ctx: PageContext) -> Response:
    """A submitted file: for the learner and the issuer's staff, and for anyone who may see
    the details of the award it became evidence of."""
    submission_id = parse_id(request.path_params.get("id"))
    if submission_id is None:
        return await not_found(request)
    viewer = await current_actor(request, now=ctx.now)
    async with ctx.sessionmaker() as session:
        submission = await review.get(session, submission_id)
        allowed = False
        if submission.file is not None:
            try:
                await review.file_for(session, viewer, submission_id)
                allowed = True
            except DomainError:
                if submission.assertion_id is not None:
                    assertion = await awards.get(session, submission.assertion_id)
                    allowed = backpack.may_see_details(viewer, assertion)
    if not allowed or submission.file is None:
        return await not_found(request)
    # Served as a download, never rendered in our origin.
    response = Response(submission.file, media_type="application/octet-stream")
    name = (submission.file_name or "work").replace('"', "")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@person_page
async def endorse(request: Request, ctx: PageContext, actor: Actor) -> Response:
    """A manager of another organization vouches for a badge class, from its page."""
    badge_class_id = parse_id(request.path_params.get("id"))
    data = await checked_form(request)
    endorser_id = parse_id(data.get("endorser"))
    if badge_class_id is None or endorser_id is None:
        raise NotFound("no such badge class")
    async with write(request) as session:
        comment = read_form(data, ("comment",), long=("comment",)).value("comment")
        await classes.endorse(session, actor, badge_class_id, endorser_id, comment)
    return see_other(request, f"/ob/v2/badges/{badge_class_id}")
