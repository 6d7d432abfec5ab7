"""/partners/{slug}/feeds: the organization's registered feeds with their health, and each
feed's last runs with the records it rejected (every staff member reads them); managers
and owners register feeds, harvest one now, enable a quarantined or disabled one, and
remove one (server/catalog/feeds.py decides).

"Harvest now" makes the feed due, commits, then queues the worker's `harvest_feed` job
under one job id per feed (a second click while it waits queues nothing more). When Redis
cannot take the job, the feed is due all the same: the worker's cron harvests it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.catalog import feeds
from server.errors import Conflict, DomainError, NotFound
from server.models import Feed, ImportRun, Opportunity
from server.models.enums import FeedFormat, FeedHealth
from web.dashboard_kit import (
    DashboardOrg,
    dash_notice,
    dashboard_org,
    rejection_lines,
    stamp,
)
from web.i18n import Translator
from web.kit import Form, message_of, parse_id, person_page, read_form, see_other, write
from web.pages import PageContext, render
from web.session import checked_form

log = logging.getLogger(__name__)

HARVEST_JOB = "harvest_feed"  # workers/tasks.py
FORMATS = (FeedFormat.ICAL, FeedFormat.JSONLD, FeedFormat.RPDE)  # CSV is uploaded
INTERVALS = (15, 30, 60, 180, 360, 720, 1440, 10080)
DEFAULT_INTERVAL = 360
RUNS_SHOWN = 10
REJECTIONS_OF = 3  # the latest runs whose rejections are listed
# The feeds service's InvalidInput.field -> the register form's field.
FEED_FIELDS = {"url": "url", "format": "format", "intervalMinutes": "interval"}


def interval_label(t: Translator, minutes: int) -> str:
    if minutes % 1440 == 0:
        return t("dash.every_days", count=minutes // 1440)
    if minutes % 60 == 0:
        return t("dash.every_hours", count=minutes // 60)
    return t("dash.every_minutes", count=minutes)


@dataclass(frozen=True)
class FeedView:
    feed: Feed
    stale: bool


def _views(found: Sequence[Feed], ctx: PageContext) -> list[FeedView]:
    return [FeedView(f, feeds.is_stale(f.health, f.last_success_at, now=ctx.now)) for f in found]


def _helpers(ctx: PageContext) -> dict[str, object]:
    t = ctx.t
    return {
        "stamp": lambda value: stamp(t, value, ctx.today),
        "interval_label": lambda minutes: interval_label(t, minutes),
        "can_enable": lambda feed: (
            feed.health in (FeedHealth.QUARANTINED.value, FeedHealth.DISABLED.value)
        ),
        "can_harvest": lambda feed: feed.health != FeedHealth.DISABLED.value,
    }


async def _list_page(
    ctx: PageContext, dorg: DashboardOrg, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        found = await feeds.of_organization(session, dorg.org.id)
    return render(
        ctx,
        "partners/dashboard/feeds.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="feeds",
        feeds=_views(found, ctx),
        form=form,
        formats=[(f.value, ctx.t("dash.format." + f.value)) for f in FORMATS],
        intervals=[(str(m), interval_label(ctx.t, m)) for m in INTERVALS],
        notice=dash_notice(ctx),
        **_helpers(ctx),
    )


@person_page
async def feed_list(request: Request, ctx: PageContext, actor: Actor) -> Response:
    if request.method == "GET":
        dorg = await dashboard_org(request, ctx, actor)
        start = Form(values={"format": FeedFormat.ICAL.value, "interval": str(DEFAULT_INTERVAL)})
        return await _list_page(ctx, dorg, start)
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    form = read_form(await checked_form(request), ("format", "url", "interval"))
    kind = next((f for f in FORMATS if f.value == form.value("format")), None)
    if kind is None:
        form.add("format", ctx.t("err.choice"))
    raw = form.value("interval")
    interval = int(raw) if raw.isdigit() and len(raw) < 7 else None
    if interval is None:
        form.add("interval", ctx.t("err.choice"))
    if not form.value("url"):
        form.add("url", ctx.t("err.feed_url"))
    if kind is None or interval is None or not form.ok:
        return await _list_page(ctx, dorg, form, status=400)
    try:
        async with write(request) as session:
            feed = await feeds.register(
                session,
                actor,
                dorg.org.id,
                format=kind,
                url=form.value("url"),
                interval_minutes=interval,
                now=ctx.now,
            )
            feed_id = feed.id
    except DomainError as exc:
        if exc.code in ("FORBIDDEN", "NOT_FOUND"):
            raise
        form.add(FEED_FIELDS.get(exc.field or "", "form"), message_of(exc, ctx.t))
        return await _list_page(ctx, dorg, form, status=400)
    # Registered feeds are due at once: queue the first harvest rather than wait for cron.
    queued = await enqueue_harvest(request, feed_id)
    notice = "feed-registered" if queued else "harvest-later"
    return see_other(request, f"{dorg.base}/feeds/{feed_id}?notice={notice}")


async def enqueue_harvest(request: Request, feed_id: int) -> bool:
    """After the commit: the worker harvests now. False when Redis could not take it."""
    try:
        await request.app.state.redis.enqueue_job(
            HARVEST_JOB, feed_id, _job_id=f"harvest:{feed_id}"
        )
    except Exception as exc:  # the feed is due: the worker's cron harvests it anyway
        log.warning("could not queue the harvest of feed %s (%s); the cron will", feed_id, exc)
        return False
    return True


def _feed_id(request: Request) -> int:
    feed_id = parse_id(request.path_params.get("feed_id"))
    if feed_id is None:
        raise NotFound("no such feed")
    return feed_id


async def _feed_of(session: AsyncSession, dorg: DashboardOrg, feed_id: int) -> Feed:
    feed = await session.get(Feed, feed_id)
    if feed is None or feed.organization_id != dorg.org.id:
        raise NotFound("no such feed")
    return feed


async def held_titles(
    session: AsyncSession, org_id: int, external_ids: Iterable[str]
) -> dict[str, str]:
    """External id -> title, for the listings held runs would remove."""
    wanted = set(external_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Opportunity.external_id, Opportunity.title).where(
            Opportunity.organization_id == org_id, Opportunity.external_id.in_(sorted(wanted))
        )
    )
    return {ext: title for ext, title in rows if ext}


async def _detail_page(
    ctx: PageContext, dorg: DashboardOrg, feed_id: int, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        feed = await _feed_of(session, dorg, feed_id)
        runs = list(
            await session.scalars(
                select(ImportRun)
                .where(ImportRun.feed_id == feed_id)
                .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
                .limit(RUNS_SHOWN)
            )
        )
        held = (ext for run in runs for ext in (run.held_removals or []))
        titles = await held_titles(session, dorg.org.id, held)
    return render(
        ctx,
        "partners/dashboard/feed.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="feeds",
        f=FeedView(feed, feeds.is_stale(feed.health, feed.last_success_at, now=ctx.now)),
        runs=runs,
        rejections={run.id: rejection_lines(ctx.t, run.rejections) for run in runs[:REJECTIONS_OF]},
        titles=titles,
        form=form,
        notice=dash_notice(ctx),
        **_helpers(ctx),
    )


@person_page
async def feed_detail(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    return await _detail_page(ctx, dorg, _feed_id(request), Form())


def _back(dorg: DashboardOrg, feed_id: int, back: object, notice: str) -> str:
    if back == "feed":
        return f"{dorg.base}/feeds/{feed_id}?notice={notice}"
    return f"{dorg.base}/feeds?notice={notice}"


async def _refused(
    ctx: PageContext, dorg: DashboardOrg, feed_id: int, exc: DomainError, back: object
) -> Response:
    form = Form()
    form.add("form", message_of(exc, ctx.t))
    if back == "feed":
        return await _detail_page(ctx, dorg, feed_id, form, status=409)
    return await _list_page(ctx, dorg, form, status=409)


@person_page
async def harvest(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    feed_id = _feed_id(request)
    try:
        async with write(request) as session:
            await _feed_of(session, dorg, feed_id)
            await feeds.harvest_now(session, actor, feed_id, now=ctx.now)
    except Conflict as exc:  # disabled: enable it first
        return await _refused(ctx, dorg, feed_id, exc, data.get("back"))
    queued = await enqueue_harvest(request, feed_id)
    notice = "harvest-queued" if queued else "harvest-later"
    return see_other(request, _back(dorg, feed_id, data.get("back"), notice))


@person_page
async def enable(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    feed_id = _feed_id(request)
    async with write(request) as session:
        await _feed_of(session, dorg, feed_id)
        await feeds.enable(session, actor, feed_id, now=ctx.now)
    await enqueue_harvest(request, feed_id)
    return see_other(request, _back(dorg, feed_id, data.get("back"), "feed-enabled"))


@person_page
async def remove(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    feed_id = _feed_id(request)
    if data.get("confirm") != "1":
        async with ctx.sessionmaker() as session:
            await _feed_of(session, dorg, feed_id)
        form = Form()
        form.add("confirm", ctx.t("dash.feed.remove_confirm_needed"))
        return await _detail_page(ctx, dorg, feed_id, form, status=400)
    async with write(request) as session:
        await _feed_of(session, dorg, feed_id)
        await feeds.remove(session, actor, feed_id)
    return see_other(request, f"{dorg.base}/feeds?notice=feed-removed")
