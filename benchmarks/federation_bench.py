"""Federation benchmark: 500 partner feeds of 200 listings each, served from loopback,
harvested by the real arq worker (`citylearn worker`, a subprocess).

    .venv/bin/python benchmarks/federation_bench.py              # 500 feeds x 200 listings
    .venv/bin/python benchmarks/federation_bench.py --feeds 50   # a quick run

Three passes over the same feeds, each enqueuing the worker's own `harvest_feed` job for
every feed (what its cron does for due feeds):
  1. first harvest: every listing is new;
  2. again, unchanged, with ETags: conditional GETs answered 304, nothing parsed;
  3. again, unchanged, with the server ignoring ETags: full bodies parsed, and the content
     hashes find nothing to write.
It prints listings per second, the worker's peak memory (VmHWM), and for passes 2 and 3
that nothing was written (the RPDE change counter, the sessions and the runs' counts).

The feeds are iCalendar files (the commonest format partners publish), generated
deterministically: weekly recurring events with EXDATEs, at venues across Chicago ZIPs.
The benchmark uses its own database (`citylearn_fedbench`, recreated each run) and Redis
database 13 on the app's servers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from arq import create_pool  # noqa: E402
from arq.connections import RedisSettings  # noqa: E402

from server import devservices  # noqa: E402
from server.settings import load_settings  # noqa: E402

BENCH_DB = "citylearn_fedbench"
REDIS_DB = 13
ZIPS = ["60614", "60622", "60608", "60615", "60640", "60647", "60618", "60609", "60637", "60605"]
TOPICS = ["Coding", "Robotics", "Art", "Music", "Science", "Writing", "Dance", "Math"]


def calendar(feed: int, listings: int) -> bytes:
    """A partner's calendar: `listings` weekly series at a few of its venues."""
    rng = random.Random(feed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//Partner {feed}//Calendar//EN"]
    venues = [(f"Venue {feed}-{v}", rng.choice(ZIPS)) for v in range(3)]
    for n in range(listings):
        venue, zip_code = venues[n % len(venues)]
        first = date(2099, 6, 1 + n % 28)
        skipped = first + timedelta(days=14)  # the third week, cancelled
        hour = 9 + n % 9
        topic = TOPICS[(feed + n) % len(TOPICS)]
        lines += [
            "BEGIN:VEVENT",
            f"UID:feed{feed}-event{n}@bench.citylearn.test",
            f"SUMMARY:{topic} Workshop {feed}-{n}",
            f"DESCRIPTION:A weekly {topic.lower()} workshop for teens\\, number {n}.",
            f"DTSTART;TZID=America/Chicago:{first:%Y%m%d}T{hour:02d}0000",
            f"DTEND;TZID=America/Chicago:{first:%Y%m%d}T{hour + 1:02d}3000",
            "RRULE:FREQ=WEEKLY;COUNT=8",
            f"EXDATE;TZID=America/Chicago:{skipped:%Y%m%d}T{hour:02d}0000",
            f"LOCATION:{venue}\\, 100 N Main St\\, Chicago\\, IL {zip_code}",
            f"CATEGORIES:{topic}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve(port: int, feeds: int, listings: int, etags: bool) -> None:
    """The partners' web servers (a subprocess): /feeds/<n>.ics with an ETag."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    bodies = {n: calendar(n, listings) for n in range(feeds)}

    async def feed(request: Request) -> Response:
        n = int(request.path_params["n"])
        if n not in bodies:
            return Response(status_code=404)
        tag = f'"v1-{n}"'
        if etags and request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
        headers = {"ETag": tag} if etags else {}
        return Response(bodies[n], media_type="text/calendar", headers=headers)

    app = Starlette(routes=[Route("/feeds/{n:int}.ics", feed)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def prepare(admin_url: str, feeds: int, feed_port: int) -> str:
    conn = await asyncpg.connect(with_database(admin_url, "postgres"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    await conn.close()
    url = with_database(admin_url, BENCH_DB)
    from server.migrate import upgrade

    await asyncio.to_thread(upgrade, "postgresql+asyncpg://" + url.split("://", 1)[1])
    conn = await asyncpg.connect(url)
    try:
        from server.catalog.taxonomy import ensure_taxonomies_asyncpg

        await ensure_taxonomies_asyncpg(conn)
        await conn.executemany(
            "INSERT INTO organizations (slug, name, kind, description, status) "
            "VALUES ($1, $2, 'library', '', 'approved')",
            [(f"partner-{n}", f"Partner {n}") for n in range(feeds)],
        )
        # Not due until a pass makes them due (the worker's own cron must not start early).
        await conn.execute(
            "INSERT INTO feeds (organization_id, format, url, next_run_at) "
            "SELECT id, 'ical', 'http://127.0.0.1:' || $1::text || '/feeds/' "
            "|| substr(slug, 9) || '.ics', now() + interval '1 day' FROM organizations",
            str(feed_port),
        )
    finally:
        await conn.close()
    return url


def peak_rss_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process, KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def counters(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM opportunities WHERE status = 'published') AS listings,"
            " (SELECT coalesce(max(rpde_modified), 0) FROM opportunities) AS rpde_modified,"
            " (SELECT count(*) FROM sessions) AS sessions,"
            " (SELECT count(*) FROM import_runs) AS runs"
        )
        assert row is not None
        return dict(row)
    finally:
        await conn.close()


async def run_pass(
    url: str, redis_url: str, feeds: int, limit_seconds: float
) -> tuple[float, dict[str, int]]:
    """Makes every feed due, enqueues a harvest job for each (the cron may add its own;
    the lease makes one harvest of each), and waits until each feed has a new run."""
    conn = await asyncpg.connect(url)
    began = await conn.fetchval("SELECT clock_timestamp()")
    await conn.execute("UPDATE feeds SET next_run_at = now() - interval '1 second'")
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM feeds ORDER BY id")]
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    started = time.perf_counter()
    for feed_id in ids:
        await pool.enqueue_job("harvest_feed", feed_id, _job_id=f"bench:{began}:{feed_id}")
    await pool.aclose()
    while True:
        done = await conn.fetchval(
            "SELECT count(DISTINCT feed_id) FROM import_runs WHERE started_at >= $1", began
        )
        if done >= feeds:
            break
        if time.perf_counter() - started > limit_seconds:
            raise SystemExit(f"timed out: {done} of {feeds} feeds harvested")
        await asyncio.sleep(0.2)
    elapsed = time.perf_counter() - started
    totals = await conn.fetchrow(
        "SELECT count(*) AS runs, sum(created) AS created, sum(updated) AS updated,"
        " sum(unchanged) AS unchanged, sum(removed) AS removed, sum(rejected) AS rejected,"
        " count(*) FILTER (WHERE outcome = 'not_modified') AS not_modified,"
        " count(*) FILTER (WHERE outcome = 'failed') AS failed"
        " FROM import_runs WHERE started_at >= $1",
        began,
    )
    await conn.close()
    assert totals is not None
    return elapsed, {k: int(v or 0) for k, v in dict(totals).items()}


async def point_feeds_at(url: str, port: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE feeds SET url = regexp_replace(url, ':[0-9]+/', ':' || $1::text || '/')",
            str(port),
        )
    finally:
        await conn.close()


async def flush_redis(redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()


def start_feed_servers(
    args: argparse.Namespace,
) -> tuple[dict[bool, int], list[subprocess.Popen[bytes]]]:
    ports = {True: free_port(), False: free_port()}  # with ETags, without
    servers = [
        subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), "--feeds", str(args.feeds)]
            + ["--listings", str(args.listings)]
            + ([] if etags else ["--no-etags"])
        )
        for etags, port in ports.items()
    ]
    return ports, servers


def start_worker(url: str, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SMTP_URL": "smtp://127.0.0.1:9",  # no mail in this benchmark
        "CITYLEARN_ALLOW_PRIVATE_FEEDS": "1",
    }
    log = (ROOT / "benchmarks" / "results" / "federation-worker.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"], env=env, stdout=log, stderr=log
    )


def report_first(
    args: argparse.Namespace, elapsed: float, runs: dict[str, int], after: dict[str, int], peak: int
) -> None:
    print(
        f"pass 1, first harvest: {elapsed:.1f} s, {runs['created'] / elapsed:,.0f} listings/s "
        f"({after['listings']:,} listings, {after['sessions']:,} sessions; {runs['runs']} runs, "
        f"rejected {runs['rejected']}, failed feeds {runs['failed']}); "
        f"worker peak RSS {peak / 1024:.0f} MiB"
    )


def report_again(
    label: str,
    total: int,
    elapsed: float,
    runs: dict[str, int],
    before: dict[str, int],
    after: dict[str, int],
    peak: int,
) -> None:
    written = {k: after[k] - before[k] for k in ("rpde_modified", "sessions", "listings")}
    print(
        f"{label}: {elapsed:.1f} s, {total / elapsed:,.0f} listings/s checked; "
        f"304s {runs['not_modified']}, created {runs['created']}, updated {runs['updated']}, "
        f"removed {runs['removed']}, unchanged {runs['unchanged']:,}; written: RPDE counter "
        f"+{written['rpde_modified']}, sessions {written['sessions']:+}, listings "
        f"{written['listings']:+}; worker peak RSS {peak / 1024:.0f} MiB"
    )


def bench(args: argparse.Namespace) -> None:
    devservices.start()
    settings = load_settings()
    redis_url = urlunsplit(urlsplit(settings.redis_url)._replace(path=f"/{REDIS_DB}"))
    ports, servers = start_feed_servers(args)
    worker = None
    try:
        url = asyncio.run(prepare(settings.plain_database_url, args.feeds, ports[True]))
        asyncio.run(flush_redis(redis_url))
        worker = start_worker(url, redis_url)
        time.sleep(3)
        rss0, _ = peak_rss_kib(worker.pid)
        total = args.feeds * args.listings
        print(
            f"{args.feeds} feeds x {args.listings} listings = {total:,} listings; "
            f"worker RSS at rest {rss0 / 1024:.0f} MiB"
        )
        elapsed, runs = asyncio.run(run_pass(url, redis_url, args.feeds, args.timeout))
        after = asyncio.run(counters(url))
        report_first(args, elapsed, runs, after, peak_rss_kib(worker.pid)[1])
        for label, etags in (
            ("pass 2, unchanged with ETags", True),
            ("pass 3, unchanged without ETags", False),
        ):
            asyncio.run(point_feeds_at(url, ports[etags]))
            before = asyncio.run(counters(url))
            elapsed, runs = asyncio.run(run_pass(url, redis_url, args.feeds, args.timeout))
            after = asyncio.run(counters(url))
            report_again(label, total, elapsed, runs, before, after, peak_rss_kib(worker.pid)[1])
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per pass")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-etags", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.feeds, args.listings, etags=not args.no_etags)
        return
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    bench(args)


if __name__ == "__main__":
    main()
