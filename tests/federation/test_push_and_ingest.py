"""Ways in besides harvesting: the GraphQL push (idempotent, per-record errors), CSV
through the API, `citylearn ingest` from a file and a URL, and the worker's jobs."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import httpx
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partners.csv_listings import template_csv
from server.db import session_scope
from server.models import Feed, ImportRun, Opportunity
from server.models.enums import ApiScope
from server.settings import Settings
from tests.accounts import people
from tests.accounts.test_authorization_matrix import gid
from tests.federation.feed_server import Answer, FeedServer
from tests.federation.test_harvest import CALENDAR
from workers import tasks

UPSERT = """mutation($org: ID!, $listings: [ListingInput!]!) {
  opportunitiesUpsert(organizationId: $org, listings: $listings) {
    created updated unchanged removed runId
    results { externalId outcome opportunityId errors { message } }
    errors { code message } } }"""

GOOD = {
    "externalId": "cms-101",
    "title": "Junior Naturalists",
    "description": "Explore the prairie garden.",
    "kind": "CAMP",
    "topics": ["nature-environment", "Ciencias"],
    "minAge": 8,
    "maxAge": 11,
    "cost": 25.5,
    "place": {
        "name": "North Park Nature Center",
        "address": "5801 N Pulaski Rd",
        "postalCode": "60646",
    },
    "startDate": "2099-07-06",
    "endDate": "2099-07-10",
    "startTime": "09:00:00",
    "durationMinutes": 180,
    "recurrence": "RRULE:FREQ=DAILY;COUNT=5",
}


async def _token_org(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, str]:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        _, secret = await people.token(s, org, ApiScope.LISTINGS_WRITE)
        return org.id, secret


async def test_a_push_is_idempotent_and_reports_each_record(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    org, secret = await _token_org(sessionmaker)
    caller = people.bearer(secret)
    variables = {
        "org": gid("Organization", org),
        "listings": [GOOD, {**GOOD, "externalId": "cms-102", "title": "", "minAge": 30}],
    }
    first = (await caller.call(client, UPSERT, variables))["data"]["opportunitiesUpsert"]
    assert (first["created"], first["unchanged"], first["errors"]) == (1, 0, [])
    results = {r["externalId"]: r for r in first["results"]}
    assert results["cms-101"]["outcome"] == "CREATED" and results["cms-101"]["opportunityId"]
    assert results["cms-102"]["outcome"] == "REJECTED" and results["cms-102"]["errors"]
    async with sessionmaker() as s:
        row = await s.scalar(select(Opportunity).where(Opportunity.external_id == "cms-101"))
        assert row is not None
        marks = (row.rpde_modified, row.updated_at)
        assert row.cost_cents == 2550 and row.source == "push" and len(row.topic_ids) == 2
    # The same payload again (a retried request) changes nothing at all.
    again = (await caller.call(client, UPSERT, variables))["data"]["opportunitiesUpsert"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    async with sessionmaker() as s:
        row = await s.scalar(select(Opportunity).where(Opportunity.external_id == "cms-101"))
        assert row is not None and (row.rpde_modified, row.updated_at) == marks
    removed = await caller.call(
        client,
        UPSERT,
        {"org": gid("Organization", org), "listings": [{"externalId": "cms-101", "deleted": True}]},
    )
    assert removed["data"]["opportunitiesUpsert"]["removed"] == 1
    too_many = await caller.call(
        client, UPSERT, {"org": gid("Organization", org), "listings": [GOOD] * 501}
    )
    assert too_many["data"]["opportunitiesUpsert"]["errors"][0]["code"] == "TOO_MANY"


async def test_csv_through_the_api_names_rows_and_columns(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    org, secret = await _token_org(sessionmaker)
    caller = people.bearer(secret)
    document = """mutation($org: ID!, $csv: String!, $dry: Boolean!) {
      opportunitiesImportCsv(organizationId: $org, csv: $csv, dryRun: $dry) {
        created rejections { location reason } dryRun errors { code message } } }"""
    rows = list(csv.reader(io.StringIO(template_csv())))
    header, example = rows[0], rows[1]
    broken = dict(zip(header, example, strict=True))
    broken.update(external_id="bad-1", title="Broken Dates", start_date="next Tuesday")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, *rows[1:], [broken[c] for c in header]])
    text = out.getvalue()
    preview = await caller.call(
        client, document, {"org": gid("Organization", org), "csv": text, "dry": True}
    )
    payload = preview["data"]["opportunitiesImportCsv"]
    assert payload["dryRun"] and payload["created"] >= 1
    async with sessionmaker() as s:
        assert (
            await s.scalars(select(Opportunity.id).where(Opportunity.organization_id == org))
        ).all() == []
    applied = (
        await caller.call(
            client, document, {"org": gid("Organization", org), "csv": text, "dry": False}
        )
    )["data"]["opportunitiesImportCsv"]
    assert applied["created"] == payload["created"]
    assert applied["created"] == len(rows) - 1
    assert [r["location"] for r in applied["rejections"]] == [
        f"row {len(rows) + 1}, column start_date"
    ]
    bad_header = await caller.call(
        client,
        document,
        {"org": gid("Organization", org), "csv": "title,colour\r\nA,red\r\n", "dry": False},
    )
    errors = bad_header["data"]["opportunitiesImportCsv"]["errors"]
    assert errors[0]["code"] == "BAD_CSV" and "external_id" in errors[0]["message"]


async def test_ingest_command_from_a_file_prints_a_summary(
    tmp_path: Path, settings: Settings, db_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as s:
        slug = (await people.organization(s)).slug
    calendar = tmp_path / "events.ics"
    calendar.write_text(CALENDAR)
    env = {"DATABASE_URL": db_url, "REDIS_URL": settings.redis_url, "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", "ingest", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    dry = run("--org", slug, "--format", "ical", "--dry-run", str(calendar))
    assert dry.returncode == 0, dry.stderr
    assert "created 2, updated 0, unchanged 0, removed 0, rejected 0 (dry run" in dry.stdout
    real = run("--org", slug, "--format", "ical", str(calendar))
    assert real.returncode == 0 and "created 2," in real.stdout
    again = run("--org", slug, "--format", "ical", str(calendar))
    assert "created 0, updated 0, unchanged 2" in again.stdout
    missing = run("--org", "no-such-org", "--format", "ical", str(calendar))
    assert missing.returncode == 1 and "no organization" in missing.stderr
    broken = tmp_path / "broken.ics"
    broken.write_text("<html>not a calendar</html>")
    failed = run("--org", slug, "--format", "ical", str(broken))
    assert failed.returncode == 1 and "not usable" in failed.stderr


async def test_the_worker_harvests_due_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    feed_server: FeedServer,
    redis: Redis,  # flushed for the session: no job ids left from earlier runs
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        feed_server.answers["/worker/feed.ics"] = Answer(CALENDAR.encode())
        feed = Feed(organization_id=org.id, format="ical", url=feed_server.url("/worker/feed.ics"))
        s.add(feed)
        await s.flush()
        feed_id, org_id = feed.id, org.id
    redis_settings = RedisSettings.from_dsn(settings.redis_url)

    async def startup(ctx: dict[str, object]) -> None:
        from partners import fetch, harvest

        ctx["sessionmaker"] = sessionmaker
        ctx["settings"] = settings
        ctx["http"] = fetch.client(harvest.limits_for(settings))

    async def shutdown(ctx: dict[str, object]) -> None:
        await ctx["http"].aclose()  # type: ignore[attr-defined]

    # The cron's job enqueues a harvest per due feed; a worker runs them.
    pool = await create_pool(redis_settings, default_queue_name="test:harvest")
    ctx = {"sessionmaker": sessionmaker, "redis": pool}
    enqueued = await tasks.harvest_due_feeds(ctx)
    assert enqueued >= 1
    worker = Worker(
        functions=[tasks.harvest_feed],
        redis_settings=redis_settings,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        queue_name="test:harvest",
    )
    await worker.async_run()
    await worker.close()
    await pool.aclose()
    async with sessionmaker() as s:
        outcomes = (
            await s.scalars(select(ImportRun.outcome).where(ImportRun.feed_id == feed_id))
        ).all()
        listings = (
            await s.scalars(select(Opportunity.title).where(Opportunity.organization_id == org_id))
        ).all()
    assert outcomes == ["applied"] and sorted(listings) == ["Family Art Day", "Teen Coding Club"]
