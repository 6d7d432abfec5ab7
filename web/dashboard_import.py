"""/partners/{slug}/import: listings from a CSV file (uploaded, or pasted as text).

1. The upload is parsed (partners/csv_listings.py) and run as a dry run: the import
   service computes everything in a savepoint and rolls it back, and this page rolls back
   the transaction around it too, so a preview stores nothing, not even a run.
2. The preview shows the counts, each rejected row ("row 4, column start_date: ...") and
   the listings a snapshot would remove; its "Apply" form carries the same bytes back
   (base64 in a hidden field: the exact bytes, nothing kept on the server).
3. Applying runs it for real (source "csv", a snapshot: listings that came from CSV and
   are not in this file are archived) and records the run; a run that would archive more
   than a quarter of the listings is held, and its page offers to confirm the removals
   (`confirm_held_removals`), as a held feed run's does.

The upload is a multipart form, so this page checks its CSRF token itself (with an upload's
limits) instead of `checked_form`, which takes no files and 64 KB at most.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from partners import csv_listings
from server.authz import Actor
from server.catalog.imports import ImportSummary, confirm_held_removals, import_records, record_run
from server.catalog.records import ParsedItem, SourceError
from server.errors import Conflict, DomainError, NotFound
from server.models import ImportRun
from web.dashboard_feeds import held_titles
from web.dashboard_kit import (
    DashboardOrg,
    RejectionLine,
    dash_notice,
    dashboard_org,
    location_text,
    reason_text,
    rejection_lines,
    require_listings_writer,
    source_label,
    stamp,
)
from web.i18n_dashboard import COLUMN_HELP_ES
from web.kit import Form, message_of, page, parse_id, person_page, see_other, to_signin, write
from web.pages import PageContext, render, secure
from web.session import UploadTooLarge, checked_form, checked_upload, current_actor

SOURCE = "csv"
MAX_CSV_BYTES = 1024 * 1024
# The apply form carries the file as base64 (4/3 of it) beside a few small fields.
MAX_BODY = 2 * MAX_CSV_BYTES
RUNS_SHOWN = 10
TEMPLATE_NAME = "citylearn-listings-template.csv"


async def checked_csv_upload(request: Request) -> FormData:
    return await checked_upload(request, max_bytes=MAX_BODY)


def column_help(ctx: PageContext, column: csv_listings.Column) -> str:
    if ctx.lang == "es":
        return COLUMN_HELP_ES.get(column.name, column.help)
    return column.help


# -- reading what was sent -------------------------------------------------------------------


async def _bytes_of(data: FormData, form: Form, ctx: PageContext) -> bytes | None:
    """The CSV: the carried payload, else the uploaded file, else the pasted text."""
    payload = data.get("payload")
    if isinstance(payload, str) and payload:
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            form.add("file", ctx.t("dash.import.err_payload"))
            return None
        return _sized(content, form, ctx)
    upload = data.get("file")
    if isinstance(upload, UploadFile) and (upload.filename or upload.size):
        content = await upload.read(MAX_CSV_BYTES + 1)
        form.values["filename"] = (upload.filename or "")[:200]
        if content:
            return _sized(content, form, ctx)
    text = data.get("text")
    if isinstance(text, str) and text.strip():
        return _sized(text.encode("utf-8"), form, ctx)
    form.add("file", ctx.t("dash.import.err_nothing"))
    return None


def _sized(content: bytes, form: Form, ctx: PageContext) -> bytes | None:
    if len(content) > MAX_CSV_BYTES:
        form.add("file", ctx.t("dash.import.err_large", mb=MAX_CSV_BYTES // (1024 * 1024)))
        return None
    return content


def _parsed(content: bytes, form: Form, ctx: PageContext) -> list[ParsedItem] | None:
    try:
        return list(csv_listings.parse(content))
    except SourceError as exc:
        form.add("file", header_text(ctx, exc))
        return None


def header_text(ctx: PageContext, exc: SourceError) -> str:
    """What is wrong with the file as a whole (missing or unknown columns...)."""
    detail = str(exc)
    return ctx.t("dash.import.err_source", detail=reason_text(ctx.t, detail))


# -- the page --------------------------------------------------------------------------------


async def _recent_runs(session: AsyncSession, org_id: int) -> list[ImportRun]:
    return list(
        await session.scalars(
            select(ImportRun)
            .where(ImportRun.organization_id == org_id, ImportRun.source == SOURCE)
            .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
            .limit(RUNS_SHOWN)
        )
    )


async def _upload_page(
    ctx: PageContext, dorg: DashboardOrg, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        runs = await _recent_runs(session, dorg.org.id)
    return render(
        ctx,
        "partners/dashboard/import.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="import",
        form=form,
        columns=[(c.name, column_help(ctx, c), c.required) for c in csv_listings.TEMPLATE_COLUMNS],
        runs=runs,
        max_mb=MAX_CSV_BYTES // (1024 * 1024),
        stamp=lambda value: stamp(ctx.t, value, ctx.today),
        notice=dash_notice(ctx),
    )


async def _preview(
    request: Request, ctx: PageContext, dorg: DashboardOrg, form: Form, content: bytes
) -> Response:
    items = _parsed(content, form, ctx)
    if items is None:
        return await _upload_page(ctx, dorg, form, status=400)
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    try:
        async with maker() as session:
            try:
                summary = await import_records(
                    session,
                    organization_id=dorg.org.id,
                    source=SOURCE,
                    items=items,
                    snapshot=True,
                    now=ctx.now,
                    dry_run=True,
                )
                titles = await held_titles(session, dorg.org.id, summary.held_removals)
            finally:
                # Nothing of a preview stays, whatever the import service did.
                await session.rollback()
    except DomainError as exc:
        if exc.code in ("FORBIDDEN", "NOT_FOUND"):
            raise
        form.add("form", message_of(exc, ctx.t))
        return await _upload_page(ctx, dorg, form, status=400)
    return render(
        ctx,
        "partners/dashboard/import_preview.html",
        d=dorg,
        org=dorg.org,
        section="import",
        summary=summary,
        rejections=_rejections(ctx, summary),
        titles=titles,
        payload=base64.b64encode(content).decode("ascii"),
        filename=form.value("filename"),
    )


def _rejections(ctx: PageContext, summary: ImportSummary) -> list[RejectionLine]:
    return [
        RejectionLine(location_text(ctx.t, r.location), r.external_id, reason_text(ctx.t, r.reason))
        for r in summary.rejected
    ]


async def _apply(
    request: Request,
    ctx: PageContext,
    actor: Actor,
    dorg: DashboardOrg,
    form: Form,
    content: bytes,
) -> Response:
    items = _parsed(content, form, ctx)
    if items is None:
        return await _upload_page(ctx, dorg, form, status=400)
    started: datetime = ctx.now
    try:
        async with write(request) as session:
            require_listings_writer(actor, dorg)
            summary = await import_records(
                session,
                organization_id=dorg.org.id,
                source=SOURCE,
                items=items,
                snapshot=True,
                now=ctx.now,
            )
            run = await record_run(
                session,
                organization_id=dorg.org.id,
                source=SOURCE,
                summary=summary,
                started_at=started,
                now=ctx.now,
                actor=actor,
            )
            run_id = run.id
    except DomainError as exc:
        if exc.code in ("FORBIDDEN", "NOT_FOUND"):
            raise
        form.add("form", message_of(exc, ctx.t))
        return await _upload_page(ctx, dorg, form, status=400)
    return see_other(request, f"{dorg.base}/imports/{run_id}?notice=imported")


@page
async def import_page(request: Request, ctx: PageContext) -> Response:
    data: FormData | None = None
    too_large = False
    if request.method == "POST":
        # The token first: a forged post is refused the same way signed in or not.
        try:
            data = await checked_csv_upload(request)
        except UploadTooLarge:
            too_large = True
    try:
        return await _import(request, ctx, data, too_large)
    finally:
        if data is not None:
            await data.close()  # an upload spools to a temporary file


async def _import(
    request: Request, ctx: PageContext, data: FormData | None, too_large: bool
) -> Response:
    actor = await current_actor(request, now=ctx.now)
    if actor.user_id is None:
        return to_signin(request)
    if request.method == "GET":
        dorg = await dashboard_org(request, ctx, actor)
        return await _upload_page(ctx, dorg, Form())
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    form = Form()
    if too_large or data is None:
        form.add("file", ctx.t("dash.import.err_large", mb=MAX_CSV_BYTES // (1024 * 1024)))
        return await _upload_page(ctx, dorg, form, status=413)
    content = await _bytes_of(data, form, ctx)
    if content is None:
        return await _upload_page(ctx, dorg, form, status=400)
    if data.get("step") == "apply":
        return await _apply(request, ctx, actor, dorg, form, content)
    return await _preview(request, ctx, dorg, form, content)


@person_page
async def template_csv(request: Request, ctx: PageContext, actor: Actor) -> Response:
    await dashboard_org(request, ctx, actor)
    response = Response(
        csv_listings.template_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"',
            "Cache-Control": "no-store",
        },
    )
    return secure(response)


# -- one run (a CSV import or a feed harvest) -----------------------------------------------


def _run_id(request: Request) -> int:
    run_id = parse_id(request.path_params.get("run_id"))
    if run_id is None:
        raise NotFound("no such import")
    return run_id


async def _run_of(session: AsyncSession, dorg: DashboardOrg, run_id: int) -> ImportRun:
    run = await session.get(ImportRun, run_id)
    if run is None or run.organization_id != dorg.org.id:
        raise NotFound("no such import")
    return run


async def _run_page(
    ctx: PageContext, dorg: DashboardOrg, run_id: int, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        run = await _run_of(session, dorg, run_id)
        titles = await held_titles(session, dorg.org.id, run.held_removals or [])
    return render(
        ctx,
        "partners/dashboard/run.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="feeds" if run.feed_id else "import",
        run=run,
        titles=titles,
        form=form,
        source=source_label(ctx.t, run.source),
        stamp=lambda value: stamp(ctx.t, value, ctx.today),
        rejections=rejection_lines(ctx.t, run.rejections),
        notice=dash_notice(ctx),
    )


@person_page
async def run_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    return await _run_page(ctx, dorg, _run_id(request), Form())


@person_page
async def confirm(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    run_id = _run_id(request)
    try:
        async with write(request) as session:
            run = await _run_of(session, dorg, run_id)
            feed_id = run.feed_id
            await confirm_held_removals(session, actor, run_id, now=ctx.now)
    except Conflict as exc:  # a newer import of the same source has run since
        form = Form()
        form.add("form", message_of(exc, ctx.t))
        return await _run_page(ctx, dorg, run_id, form, status=409)
    if data.get("back") == "feed" and feed_id is not None:
        return see_other(request, f"{dorg.base}/feeds/{feed_id}?notice=removals-confirmed")
    return see_other(request, f"{dorg.base}/imports/{run_id}?notice=removals-confirmed")
