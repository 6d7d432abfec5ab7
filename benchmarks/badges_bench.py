"""Badge awarding benchmark: the GraphQL `badgesAward` bulk call over HTTP against the real
app (uvicorn, a subprocess), and its follow-up work carried out by the real arq worker
(`citylearn worker`, a subprocess) relaying the outbox, emails sent over SMTP to a mail
sink of the benchmark's own.

    .venv/bin/python benchmarks/badges_bench.py                  # the defaults below
    .venv/bin/python benchmarks/badges_bench.py --seconds 10     # a quicker run

Part 1, "1,000 awards in one bulk call" (goal: under 1 second end to end). An issuing
organization, a badge class and an API token with badges:issue; one warm-up call; then
--repeats calls of --awards awards each (distinct recipient emails, fresh idempotency
keys), each timed from the client: request sent -> response parsed and every result
checked `created` with no errors. Then a retry of the first call's keys (nothing new may
be created). The worker is not running in part 1: the call is timed alone, and its
follow-up events are set aside afterwards (deleted) so part 2 starts with an empty outbox.

Part 2, "sustained awards per second with the follow-up work drained by the worker".
The worker starts; --clients clients post calls of --batch awards for --seconds seconds;
every commit nudges the worker, whose relay carries out the follow-ups (badge.bake,
badge.notify -> an `email` event -> SMTP, stacks.evaluate). When the posting stops the
bench waits for the outbox to drain (outbox_events with dispatched_at IS NULL -> 0):
first as the system is (no more nudges: the relay job already running, then the worker's
cron, every 30 s) for up to --idle-drain seconds, then, if events are left, nudging the
relay itself (the app's own `outbox.nudge`, every 0.1 s, what further API traffic would
do) until the outbox is empty or --drain-limit more seconds have passed. It prints awards/s
accepted, follow-up events/s carried out (and each topic's time per event), the drain
times, and the worker's peak RSS (VmHWM).

The app is started with a query-cost budget it never exhausts, so part 2 measures the
award path and not the rate limit; the figures say what the default budget would allow
(`--default-budget` keeps the default budget instead). The benchmark uses its own
database (`citylearn_badgebench`, recreated each run) and Redis database 12 on the app's
servers, and its own mail sink (benchmarks/results/badges-mail/, emptied each run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from server import devservices  # noqa: E402
from server.settings import Settings, load_settings  # noqa: E402

BENCH_DB = "citylearn_badgebench"
REDIS_DB = 12
RESULTS = ROOT / "benchmarks" / "results"
MAIL_FOLDER = RESULTS / "badges-mail"
HUGE_BUDGET = 1_000_000_000

# What a partner system asks for: each result's award id and errors.
AWARD = """
mutation Award($org: ID!, $awards: [AwardInput!]!) {
  badgesAward(organizationId: $org, awards: $awards) {
    results { index created award { id } errors { code message } }
    errors { code message }
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def gid(type_name: str, value: int) -> str:
    from strawberry import relay

    return str(relay.GlobalID(type_name, str(value)))


def rss_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process, KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


# --- setup -------------------------------------------------------------------------------


@dataclass
class Issuer:
    organization_id: int
    badge_class_id: int
    token: str


async def prepare(settings: Settings) -> tuple[str, Issuer]:
    """The bench database, migrated, with an issuing organization, a badge class and an
    API token (badges:issue) made through the app's own services."""
    admin = settings.plain_database_url
    conn = await asyncpg.connect(with_database(admin, "postgres"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    await conn.close()
    url = with_database(admin, BENCH_DB)
    from server.migrate import upgrade

    await asyncio.to_thread(upgrade, "postgresql+asyncpg://" + url.split("://", 1)[1])

    import dataclasses

    from server.accounts import passwords
    from server.authz import Actor
    from server.badges import classes
    from server.db import make_engine, make_sessionmaker, session_scope
    from server.models import Membership, Organization, User
    from server.models.enums import ApiScope, StaffRole
    from server.orgs import api_tokens

    engine = make_engine(dataclasses.replace(settings, database_url=url))
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            org = Organization(
                slug="bench-issuer",
                name="Bench Bike Collective",
                kind="nonprofit",
                status="approved",
                is_issuer=True,
                website="https://bikes.bench.example.org",
            )
            session.add(org)
            await session.flush()
            manager = User(
                email="manager@bench.example.org",
                password_hash=passwords.hash_password("bench bench bench"),
                display_name="Morgan",
                email_verified_at=datetime.now(UTC),
            )
            session.add(manager)
            await session.flush()
            session.add(
                Membership(organization_id=org.id, user_id=manager.id, role=StaffRole.MANAGER.value)
            )
            await session.flush()
            actor = Actor(user_id=manager.id, roles={org.id: StaffRole.MANAGER})
            badge_class = await classes.create(
                session,
                actor,
                org.id,
                classes.BadgeClassInput(
                    name="Bike Mechanic",
                    description="Fixed a flat and adjusted brakes on a real bike.",
                    level="skill",
                    earning=["api", "roster", "claim_code", "review"],
                    criteria_narrative="Fix a flat tire and adjust the brakes with a mentor.",
                ),
            )
            made = await api_tokens.create(
                session,
                actor,
                org.id,
                name="Bench partner CMS",
                scopes={ApiScope.BADGES_ISSUE},
                now=datetime.now(UTC),
            )
            issuer = Issuer(org.id, badge_class.id, made.secret)
    finally:
        await engine.dispose()
    return url, issuer


async def flush_redis(redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()


def bench_env(url: str, redis_url: str, smtp_url: str, port: int, budget: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SMTP_URL": smtp_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if not budget:  # the tests do the same: a budget the benchmark never exhausts
        env["CITYLEARN_COST_BUDGET"] = str(HUGE_BUDGET)
    return env


def start_app(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = (RESULTS / "badges-app.log").open("w")
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited ({proc.returncode}); see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the app did not start listening within 30 s")


def start_sink(port: int) -> subprocess.Popen[bytes]:
    shutil.rmtree(MAIL_FOLDER, ignore_errors=True)
    log = (RESULTS / "badges-mail-sink.log").open("w")
    command = [sys.executable, "-m", "server.mail.sink", "--port", str(port)]
    command += ["--folder", str(MAIL_FOLDER)]
    proc = subprocess.Popen(command, stdout=log, stderr=log, cwd=ROOT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"220"):
                    return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the mail sink did not greet within 20 s")


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (RESULTS / "badges-worker.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"], env=env, stdout=log, stderr=log, cwd=ROOT
    )


async def wait_for_worker(redis_url: str, limit: float = 30.0) -> None:
    """Until the worker's startup heartbeat is in Redis."""
    from redis.asyncio import Redis

    from workers.settings import HEARTBEAT_KEY

    redis = Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + limit
        while not await redis.exists(HEARTBEAT_KEY):
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not start within 30 s")
            await asyncio.sleep(0.1)
    finally:
        await redis.aclose()


def mails_received() -> int:
    if not MAIL_FOLDER.exists():
        return 0
    return sum(1 for p in MAIL_FOLDER.iterdir() if p.suffix == ".eml")


# --- the client --------------------------------------------------------------------------


@dataclass
class Call:
    seconds: float
    created: int
    found: int
    errors: int
    cost: int | None
    throttled: bool = False


class Client:
    def __init__(self, base_url: str, issuer: Issuer) -> None:
        self.issuer = issuer
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=300,
            headers={"authorization": f"Bearer {issuer.token}"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )
        self.org = gid("Organization", issuer.organization_id)
        self.badge_class = gid("BadgeClass", issuer.badge_class_id)

    def awards(self, label: str, count: int) -> list[dict[str, Any]]:
        return [
            {
                "badgeClassId": self.badge_class,
                "recipientEmail": f"learner-{label}-{n}@bench.example.org",
                "idempotencyKey": f"{label}-{n}",
            }
            for n in range(count)
        ]

    async def award(self, awards: list[dict[str, Any]]) -> Call:
        body = {"query": AWARD, "variables": {"org": self.org, "awards": awards}}
        started = time.perf_counter()
        response = await self.http.post("/graphql", json=body)
        data = response.json()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}: {response.text[:500]}")
        cost = ((data.get("extensions") or {}).get("cost") or {}).get("requestedQueryCost")
        if data.get("errors"):
            codes = {(e.get("extensions") or {}).get("code") for e in data["errors"]}
            if codes == {"THROTTLED"}:
                return Call(elapsed, 0, 0, 0, cost, throttled=True)
            raise SystemExit(f"GraphQL errors: {data['errors'][:3]}")
        payload = data["data"]["badgesAward"]
        if payload["errors"]:
            raise SystemExit(f"the call was refused: {payload['errors']}")
        results = payload["results"]
        assert len(results) == len(awards), (len(results), len(awards))
        created = sum(1 for r in results if r["created"])
        found = sum(1 for r in results if not r["created"] and r["award"] and not r["errors"])
        errors = sum(1 for r in results if r["errors"] or not r["award"])
        return Call(elapsed, created, found, errors, cost)

    async def aclose(self) -> None:
        await self.http.aclose()


# --- the database's side -----------------------------------------------------------------


async def db_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM assertions) AS assertions,"
            " (SELECT count(*) FROM assertions WHERE baked_png IS NOT NULL) AS baked,"
            " (SELECT count(*) FROM assertions WHERE notified_at IS NOT NULL) AS notified,"
            " (SELECT count(*) FROM outbox_events) AS events,"
            " (SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL) AS pending,"
            " (SELECT count(*) FROM outbox_events WHERE dispatched_at IS NOT NULL) AS dispatched,"
            " (SELECT count(*) FROM outbox_events WHERE attempts > 0) AS failed_attempts"
        )
        assert row is not None
        return dict(row)
    finally:
        await conn.close()


async def events_by_topic(url: str) -> dict[str, tuple[int, int]]:
    """topic -> (events, dispatched)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT topic, count(*) AS n, count(dispatched_at) AS done FROM outbox_events "
            "GROUP BY topic ORDER BY topic"
        )
        return {r["topic"]: (r["n"], r["done"]) for r in rows}
    finally:
        await conn.close()


async def set_aside_events(url: str) -> int:
    """Part 1's follow-up events are deleted so part 2 starts with an empty outbox."""
    conn = await asyncpg.connect(url)
    try:
        deleted = await conn.fetchval(
            "WITH gone AS (DELETE FROM outbox_events RETURNING 1) SELECT count(*) FROM gone"
        )
        await conn.execute("VACUUM ANALYZE outbox_events")
        return int(deleted)
    finally:
        await conn.close()


async def explain_claim(url: str) -> tuple[float, str]:
    """The relay's claim (server/outbox.py `_claim`) with the backlog as it is: its
    execution time and plan. In a transaction rolled back, so the row it locks is freed."""
    sql = (
        "SELECT * FROM outbox_events WHERE dispatched_at IS NULL AND available_at <= now() "
        "ORDER BY available_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            raise _Rollback(plan)
    except _Rollback as rollback:
        import json

        parsed = json.loads(rollback.plan)[0]
        nodes = []
        node = parsed["Plan"]
        while node:
            nodes.append(node["Node Type"])
            node = (node.get("Plans") or [None])[0]
        return float(parsed["Execution Time"]), " > ".join(nodes)
    finally:
        await conn.close()


class _Rollback(Exception):
    def __init__(self, plan: str) -> None:
        self.plan = plan


async def topic_costs(url: str, since: datetime) -> dict[str, tuple[int, int, float]]:
    """topic -> (events, dispatched, median ms per event). The relay carries out its events
    a few per transaction, all stamped with the transaction's start (dispatched_at is
    now()); a transaction's time is the gap to the next one's stamp. Only transactions of
    a single topic count (a bulk call's events of one topic are consecutive, so most are),
    and gaps over 1 s (the relay waiting for its next job) are left out."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "WITH tx AS (SELECT dispatched_at AS at, min(topic) AS topic, count(*) AS n, "
            "count(DISTINCT topic) AS topics FROM outbox_events WHERE dispatched_at >= $1 "
            "GROUP BY dispatched_at), "
            "g AS (SELECT topic, topics, n, extract(epoch FROM lead(at) OVER (ORDER BY at) - at) "
            "AS gap FROM tx) "
            "SELECT t.topic, t.n, t.done, (SELECT percentile_cont(0.5) WITHIN GROUP "
            "(ORDER BY gap / n) FROM g WHERE g.topic = t.topic AND g.topics = 1 AND gap < 1) "
            "AS median FROM (SELECT topic, count(*) AS n, count(dispatched_at) AS done "
            "FROM outbox_events GROUP BY topic) t ORDER BY t.topic",
            since,
        )
        return {r["topic"]: (r["n"], r["done"], float(r["median"] or 0) * 1000) for r in rows}
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- part 1 ------------------------------------------------------------------------------


@dataclass
class BulkResult:
    times: list[float]
    retry: Call
    cost: int | None
    before: dict[str, int]
    after: dict[str, int]
    after_retry: dict[str, int]
    topics: dict[str, tuple[int, int]]


async def part_one(args: argparse.Namespace, url: str, client: Client) -> BulkResult:
    warm = await client.award(client.awards("warmup", min(100, args.awards)))
    assert warm.created == min(100, args.awards), warm
    before = await db_counts(url)
    times: list[float] = []
    cost = None
    for r in range(args.repeats):
        call = await client.award(client.awards(f"bulk{r}", args.awards))
        if call.created != args.awards or call.errors:
            raise SystemExit(f"bulk call {r + 1}: {call}")
        times.append(call.seconds)
        cost = call.cost
        print(
            f"  bulk call {r + 1}: {args.awards:,} awards in {call.seconds * 1000:,.0f} ms "
            f"({args.awards / call.seconds:,.0f} awards/s), all created"
        )
    after = await db_counts(url)
    retry = await client.award(client.awards("bulk0", args.awards))
    if retry.created or retry.errors or retry.found != args.awards:
        raise SystemExit(f"the retry created or failed awards: {retry}")
    after_retry = await db_counts(url)
    print(
        f"  retry of call 1's {args.awards:,} keys: {retry.seconds * 1000:,.0f} ms, "
        f"created 0, found {retry.found:,}"
    )
    return BulkResult(times, retry, cost, before, after, after_retry, await events_by_topic(url))


def report_one(args: argparse.Namespace, result: BulkResult) -> None:
    made = result.after["assertions"] - result.before["assertions"]
    events = result.after["events"] - result.before["events"]
    print(
        f"  rows written by the {args.repeats} calls: {made:,} assertions, {events:,} outbox "
        f"events ({events / max(made, 1):.0f} per award); by the retry: assertions "
        f"{result.after_retry['assertions'] - result.after['assertions']:+}, events "
        f"{result.after_retry['events'] - result.after['events']:+}"
    )
    topics = ", ".join(f"{t} {n:,}" for t, (n, _) in result.topics.items())
    print(f"  outbox by topic (incl. warm-up): {topics}")


# --- part 2 ------------------------------------------------------------------------------


@dataclass
class Sustained:
    seconds: float = 0.0
    calls: list[Call] = field(default_factory=list)
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, pend, done, hwm
    at_stop: dict[str, int] = field(default_factory=dict)
    before: dict[str, int] = field(default_factory=dict)
    claim_ms: float = 0.0
    claim_plan: str = ""
    idle_drained: int = 0
    idle_seconds: float = 0.0
    idle_left: int = 0
    nudged_seconds: float | None = None
    nudged_drained: int = 0
    nudged_left: int = 0
    drain_seconds: float | None = None
    after: dict[str, int] = field(default_factory=dict)
    rss_rest: int = 0
    hwm: int = 0
    app_hwm: int = 0
    mails: int = 0
    topics: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    cpu_posting: float = 0.0
    cpu_idle: float = 0.0
    cpu_nudged: float = 0.0


async def poster(
    client: Client, args: argparse.Namespace, name: int, stop_at: float, out: Sustained
) -> None:
    n = 0
    while time.perf_counter() < stop_at:
        call = await client.award(client.awards(f"s{name}-{n}", args.batch))
        n += 1
        out.calls.append(call)
        if call.throttled:
            await asyncio.sleep(0.2)
        elif call.created != args.batch:
            raise SystemExit(f"a sustained call did not create every award: {call}")


async def sampler(
    url: str, worker_pid: int, started: float, stop: asyncio.Event, out: Sustained
) -> None:
    conn = await asyncpg.connect(url)
    try:
        while not stop.is_set():
            row = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE dispatched_at IS NULL) AS pending,"
                " count(dispatched_at) AS done FROM outbox_events"
            )
            assert row is not None
            hwm = rss_kib(worker_pid)[1]
            out.samples.append((time.perf_counter() - started, row["pending"], row["done"], hwm))
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                pass
    finally:
        await conn.close()


async def pending(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL")
        )
    finally:
        await conn.close()


async def part_two(
    args: argparse.Namespace,
    url: str,
    redis_url: str,
    base_url: str,
    issuer: Issuer,
    worker: subprocess.Popen[bytes],
    app: subprocess.Popen[bytes],
) -> Sustained:
    out = Sustained()
    out.rss_rest = rss_kib(worker.pid)[0]
    cpu0 = cpu_seconds(worker.pid)
    out.before = await db_counts(url)
    conn = await asyncpg.connect(url)
    since = await conn.fetchval("SELECT clock_timestamp()")
    await conn.close()
    clients = [Client(base_url, issuer) for _ in range(args.clients)]
    started = time.perf_counter()
    stop_sampling = asyncio.Event()
    sampling = asyncio.create_task(sampler(url, worker.pid, started, stop_sampling, out))
    stop_at = started + args.seconds
    await asyncio.gather(*(poster(c, args, i, stop_at, out) for i, c in enumerate(clients)))
    out.seconds = time.perf_counter() - started
    for c in clients:
        await c.aclose()
    out.at_stop = await db_counts(url)
    out.cpu_posting = cpu_seconds(worker.pid) - cpu0
    out.claim_ms, out.claim_plan = await explain_claim(url)
    print(
        f"  posting stopped after {out.seconds:.1f} s: "
        f"{out.at_stop['pending']:,} follow-up events pending"
    )

    # The drain as the system is: nothing nudges the worker any more; its cron relays.
    stopped = time.perf_counter()
    cpu0 = cpu_seconds(worker.pid)
    left = out.at_stop["pending"]
    while left and time.perf_counter() - stopped < args.idle_drain:
        await asyncio.sleep(1.0)
        left = await pending(url)
    out.idle_seconds = time.perf_counter() - stopped
    out.cpu_idle = cpu_seconds(worker.pid) - cpu0
    out.idle_left = left
    out.idle_drained = out.at_stop["pending"] - left
    if not left:
        out.drain_seconds = out.idle_seconds
    print(
        f"  drain without nudges: {out.idle_drained:,} events in {out.idle_seconds:.0f} s, "
        f"{left:,} left"
    )
    if left:
        # What further API traffic would do: nudge the relay (the app's own nudge).
        from arq import create_pool
        from arq.connections import RedisSettings

        from server.outbox import nudge

        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        nudging = time.perf_counter()
        cpu0 = cpu_seconds(worker.pid)
        last_check = 0.0
        try:
            while left and time.perf_counter() - nudging < args.drain_limit:
                await nudge(pool)
                await asyncio.sleep(0.1)
                if time.perf_counter() - last_check >= 1.0:
                    last_check = time.perf_counter()
                    left = await pending(url)
        finally:
            await pool.aclose()
        out.nudged_seconds = time.perf_counter() - nudging
        out.cpu_nudged = cpu_seconds(worker.pid) - cpu0
        out.nudged_drained = out.idle_left - left
        out.nudged_left = left
        if not left:
            out.drain_seconds = out.idle_seconds + out.nudged_seconds
        print(
            f"  drain with the relay nudged every 0.1 s: {out.nudged_drained:,} events in "
            f"{out.nudged_seconds:.1f} s, {left:,} left"
        )
    stop_sampling.set()
    await sampling
    out.after = await db_counts(url)
    out.hwm = rss_kib(worker.pid)[1]
    out.app_hwm = rss_kib(app.pid)[1]
    out.topics = await topic_costs(url, since)
    await asyncio.sleep(0.5)  # the sink renames each message into place
    out.mails = mails_received()
    return out


def report_two(args: argparse.Namespace, s: Sustained) -> dict[str, str]:
    ok = [c for c in s.calls if not c.throttled]
    accepted = sum(c.created for c in ok)
    throttled = len(s.calls) - len(ok)
    latencies = sorted(c.seconds for c in ok)
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else 0.0
    during = s.at_stop["dispatched"] - s.before["dispatched"]
    made = s.after["assertions"] - s.before["assertions"]
    events = s.at_stop["events"] - s.before["events"]
    relay_rate = s.nudged_drained / s.nudged_seconds if s.nudged_seconds else None
    # Each award's 3 follow-ups, plus the email its badge.notify queues when carried out.
    per_award = 4
    print(
        f"  {len(ok):,} calls of {args.batch} awards by {args.clients} client(s) "
        f"({throttled} throttled): {accepted:,} awards accepted, "
        f"{accepted / s.seconds:,.0f} awards/s; call latency p50 {p50:,.0f} ms, p95 {p95:,.0f} ms"
    )
    print(
        f"  follow-up events written {events:,} ({events / max(made, 1):.0f} per award); "
        f"carried out by the worker while posting {during:,} = {during / s.seconds:,.0f} events/s "
        f"({during / per_award / s.seconds:,.0f} awards' worth/s)"
    )
    print(
        f"  relay claim query with {s.at_stop['pending']:,} pending: {s.claim_ms:.2f} ms "
        f"({s.claim_plan})"
    )
    if relay_rate is not None:
        print(
            f"  relay rate when nudged (no posting): {relay_rate:,.0f} events/s "
            f"({relay_rate / per_award:,.1f} awards' worth/s), worker CPU "
            f"{s.cpu_nudged / (s.nudged_seconds or 1):.0%} of a core"
        )
    print(
        f"  without nudges: {s.idle_drained:,} events in {s.idle_seconds:.0f} s, worker CPU "
        f"{s.cpu_idle / max(s.idle_seconds, 1e-9):.0%} of a core"
    )
    for topic, (n, done, ms) in s.topics.items():
        print(f"  topic {topic:<16} {n:>7,} events, {done:>7,} carried out, {ms:5.1f} ms each")
    if s.drain_seconds is not None:
        drain = f"{s.drain_seconds:.1f} s"
    elif relay_rate:
        drain = (
            f"not drained; at the nudged rate about "
            f"{s.idle_seconds + (s.nudged_seconds or 0) + s.after['pending'] / relay_rate:,.0f} s"
        )
    else:
        drain = "not drained"
    left = s.after["pending"]
    print(
        f"  drain after posting stopped: {drain} ({left:,} left); assertions baked "
        f"{s.after['baked']:,} / notified {s.after['notified']:,} of {s.after['assertions']:,}; "
        f"emails at the sink {s.mails:,}; events with a failed attempt "
        f"{s.after['failed_attempts']:,}"
    )
    print(
        f"  worker RSS at rest {s.rss_rest / 1024:.0f} MiB, peak (VmHWM) {s.hwm / 1024:.0f} MiB; "
        f"app peak {s.app_hwm / 1024:.0f} MiB"
    )
    cost = next((c.cost for c in ok if c.cost is not None), None)
    return {
        "accepted": f"{accepted / s.seconds:,.0f} awards/s ({accepted:,} in {s.seconds:.1f} s, "
        f"{args.clients} client(s) x {args.batch}/call, p50 {p50:,.0f} ms)",
        "relayed": f"{during / s.seconds:,.0f} events/s while posting; "
        f"{s.idle_drained / max(s.idle_seconds, 1e-9):,.0f} events/s draining after it"
        + (f"; {relay_rate:,.0f} events/s nudged" if relay_rate is not None else ""),
        "drain": (
            f"{drain}: {s.idle_drained:,} events in the first {s.idle_seconds:.0f} s "
            "without nudges"
            + (
                f", then {s.nudged_drained:,} in {s.nudged_seconds:.1f} s nudged"
                if s.nudged_seconds is not None
                else ""
            )
        ),
        "rss": f"{s.hwm / 1024:.0f} MiB (at rest {s.rss_rest / 1024:.0f} MiB)",
        "cost": str(cost),
    }


# --- the run -----------------------------------------------------------------------------


def summary(args: argparse.Namespace, one: BulkResult, two: dict[str, str]) -> None:
    times = sorted(one.times)
    cost = one.cost
    rows = [
        (
            f"{args.awards:,} awards in one call, {args.repeats} calls (goal < 1 s)",
            f"min {times[0] * 1000:,.0f} / median {statistics.median(times) * 1000:,.0f} / "
            f"max {times[-1] * 1000:,.0f} ms",
        ),
        (f"retry of the same {args.awards:,} keys", f"{one.retry.seconds * 1000:,.0f} ms, 0 new"),
        ("sustained awards accepted", two["accepted"]),
        ("follow-up events carried out", two["relayed"]),
        ("backlog drain after posting", two["drain"]),
        ("worker peak RSS (VmHWM)", two["rss"]),
    ]
    if cost is not None and two["cost"] != "None":
        per_call = int(two["cost"])
        refill = Settings.cost_refill_per_second
        rows.append(
            (
                "query cost per call (default budget)",
                f"{cost} points for {args.awards:,}, {per_call} for {args.batch}; the default "
                f"refill of {refill:,.0f} points/s allows {refill / per_call * args.batch:,.0f} "
                f"awards/s in calls of {args.batch}",
            )
        )
    width = max(len(label) for label, _ in rows)
    print("\nsummary")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def bench(args: argparse.Namespace) -> None:
    devservices.start()
    settings = load_settings()
    redis_url = urlunsplit(urlsplit(settings.redis_url)._replace(path=f"/{REDIS_DB}"))
    app_port, smtp_port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{app_port}"
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    url, issuer = asyncio.run(prepare(settings))
    asyncio.run(flush_redis(redis_url))
    env = bench_env(url, redis_url, f"smtp://127.0.0.1:{smtp_port}", app_port, args.default_budget)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        sink = start_sink(smtp_port)
        procs.append(sink)
        app = start_app(env, app_port)
        procs.append(app)

        async def one() -> BulkResult:
            client = Client(base_url, issuer)
            try:
                return await part_one(args, url, client)
            finally:
                await client.aclose()

        print(f"part 1: {args.awards:,} awards in one bulk call, {args.repeats} times (no worker)")
        bulk = asyncio.run(one())
        report_one(args, bulk)
        set_aside = asyncio.run(set_aside_events(url))
        print(f"  part 1's {set_aside:,} follow-up events set aside (deleted) before part 2")

        worker = start_worker(env)
        procs.append(worker)
        asyncio.run(wait_for_worker(redis_url))
        time.sleep(2)  # its startup crons (relay, heartbeat, purge) have run
        print(
            f"part 2: {args.seconds:.0f} s of calls of {args.batch} awards by {args.clients} "
            f"client(s), the worker relaying"
        )
        sustained = asyncio.run(part_two(args, url, redis_url, base_url, issuer, worker, app))
        two = report_two(args, sustained)
        summary(args, bulk, two)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--awards", type=int, default=1000, help="awards per bulk call, part 1")
    parser.add_argument("--repeats", type=int, default=5, help="bulk calls timed in part 1")
    parser.add_argument("--seconds", type=float, default=30.0, help="posting time, part 2")
    parser.add_argument("--batch", type=int, default=100, help="awards per call, part 2")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients, part 2")
    parser.add_argument(
        "--idle-drain",
        type=float,
        default=1800.0,
        help="most seconds to watch the drain with no more nudges",
    )
    parser.add_argument(
        "--drain-limit", type=float, default=600.0, help="most seconds of the nudged drain"
    )
    parser.add_argument(
        "--default-budget",
        action="store_true",
        help="keep the app's default query-cost budget (calls may be throttled)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    bench(args)


if __name__ == "__main__":
    main()
