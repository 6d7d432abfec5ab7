"""Search benchmark: raw SQL vs GraphQL over HTTP vs the HTML page, at N concurrent clients.

    .venv/bin/python benchmarks/search_bench.py            # or: make bench
    .venv/bin/python benchmarks/search_bench.py --opportunities 20000 --seconds 5
    .venv/bin/python benchmarks/search_bench.py --fresh    # drop and reseed the bench database
    .venv/bin/python benchmarks/search_bench.py --server-workers 1,2 --no-count-variant

One "typical search": near a Chicago ZIP code's centroid (rotating over ten ZIPs), within
5 km, for a 12-year-old, first 20 results by distance, each with its organization, place
and next three sessions, and the total count. Scenarios, each at --clients concurrent
clients on 127.0.0.1:

  a   the raw asyncpg SQL of that search: the very statements the app runs for it (the
      search, the listings with their organization, place and sessions, the count), built
      by server.search.sql and server.catalog.reads and executed with asyncpg directly
  a1  the first of those statements alone (the ids of one page), for reference
  b   the same search through GraphQL over HTTP on uvicorn (a subprocess)
  b0  (--no-count-variant) b without totalCount, to show what the count costs
  c   the HTML search page, /search?q=<zip>&radius=5&age=12, on the same server

The benchmark database `citylearn_bench` lives on the same PostgreSQL server as the
application's (the private one unless DATABASE_URL is set). It is seeded once with the
demo city and reused while its size matches; --fresh rebuilds it. Results are printed and
written to benchmarks/results/latest.json; docs/benchmark.md explains them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import orjson  # noqa: E402

from server import devservices  # noqa: E402
from server.catalog.reads import listings_statement  # noqa: E402
from server.db import positional  # noqa: E402
from server.geo.geocoder import GeoPoint, default_geocoder  # noqa: E402
from server.search.query import SearchFilter, SortOrder  # noqa: E402
from server.search.service import COUNT_CAP  # noqa: E402
from server.search.sql import count_sql, filter_where, page_sql  # noqa: E402
from server.settings import load_settings  # noqa: E402

BENCH_DB = "citylearn_bench"
MARKER_PREFIX = "citylearn-bench"
RESULTS_DIR = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"

# Spread over the city, so neither the plan nor the buffer cache sees one point only.
ZIPS = (
    "60614",
    "60622",
    "60608",
    "60615",
    "60640",
    "60647",
    "60618",
    "60609",
    "60637",
    "60605",
)
RADIUS_KM = 5.0
AGE = 12
PAGE_SIZE = 20
SESSIONS_SHOWN = 3

SEARCH_QUERY = """
query Search($near: GeoInput, $radiusKm: Float, $filter: OpportunityFilter,
             $sort: OpportunitySort, $first: Int) {
  opportunities(near: $near, radiusKm: $radiusKm, filter: $filter, sort: $sort, first: $first) {
    totalCount totalCountCapped
    pageInfo { hasNextPage endCursor }
    edges {
      distanceKm
      node {
        id title kind
        organization { name }
        place { name address postalCode location { latitude longitude } }
        sessions(first: 3) { startsAt }
      }
    }
  }
}
"""

KNN_INDEX = "Index Scan using ix_opportunities_location"


# --------------------------------------------------------------------------- helpers


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def plain_url(url: str) -> str:
    """asyncpg wants postgresql://, SQLAlchemy postgresql+asyncpg://."""
    return "postgresql://" + url.split("://", 1)[1]


def sqlalchemy_url(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


def bind(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """The app's `:name` SQL in asyncpg's `$n` form, as server.db runs it."""
    text, names = positional(sql)
    return text, [params[name] for name in names]


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * pct / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# ------------------------------------------------------------------ the typical search


@dataclass(frozen=True)
class Probe:
    """One typical search: a ZIP code and the point it resolves to."""

    zip: str
    point: GeoPoint

    @property
    def search_filter(self) -> SearchFilter:
        return SearchFilter(age=AGE)

    def statements(self, now: datetime) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
        """The service's page statement and count statement, in asyncpg form."""
        where = filter_where(
            self.search_filter, point=self.point, radius_m=RADIUS_KM * 1000, now=now
        )
        sql, params = page_sql(
            where, sort=SortOrder.DISTANCE, after=None, limit=PAGE_SIZE, point=self.point, now=now
        )
        csql, cparams = count_sql(where, cap=COUNT_CAP)
        return bind(sql, params), bind(csql, cparams)

    def graphql_body(self, *, total_count: bool = True) -> bytes:
        query = (
            SEARCH_QUERY
            if total_count
            else SEARCH_QUERY.replace("    totalCount totalCountCapped\n", "")
        )
        variables = {
            "near": {"postalCode": self.zip},
            "radiusKm": RADIUS_KM,
            "filter": {"age": AGE},
            "sort": "DISTANCE",
            "first": PAGE_SIZE,
        }
        return orjson.dumps({"query": query, "variables": variables})

    def html_path(self) -> str:
        return "/search?" + urlencode({"q": self.zip, "radius": f"{RADIUS_KM:g}", "age": AGE})


def probes() -> list[Probe]:
    found = []
    for code in ZIPS:
        result = default_geocoder().geocode(code)
        if result is None:
            raise SystemExit(f"benchmark ZIP {code} does not geocode")
        found.append(Probe(code, result.point))
    return found


# ----------------------------------------------------------------------- CPU accounting


_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    ppid: int
    name: str  # the command line (PostgreSQL backends put user, database and state there)
    cpu: float  # user + system seconds
    children_cpu: float  # ... of its children that have exited (and were waited for)
    started: int  # clock ticks after boot: with the pid, tells a process from a newer one


def _scan() -> dict[int, Proc]:
    """Every process on the machine, from /proc."""
    found: dict[int, Proc] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        comm, rest = stat.split(" (", 1)[1].rsplit(")", 1)
        fields = rest.split()
        name = cmdline.replace(b"\0", b" ").decode(errors="replace").strip() or comm
        cpu = (int(fields[11]) + int(fields[12])) / _TICK
        children = (int(fields[13]) + int(fields[14])) / _TICK
        found[int(entry.name)] = Proc(int(fields[1]), name[:80], cpu, children, int(fields[19]))
    return found


def _tree(procs: dict[int, Proc], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, proc in procs.items():
        children.setdefault(proc.ppid, []).append(pid)
    pids, todo = set(), [root]
    while todo:
        current = todo.pop()
        if current in procs:
            pids.add(current)
            todo.extend(children.get(current, []))
    return pids


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total


@dataclass
class CpuSnapshot:
    at: float
    procs: dict[int, Proc]
    busy: float
    total: float


def cpu_snapshot() -> CpuSnapshot:
    busy, total = _machine_busy()
    return CpuSnapshot(at=time.perf_counter(), procs=_scan(), busy=busy, total=total)


def cpu_usage(before: CpuSnapshot, after: CpuSnapshot, server_pid: int | None) -> dict[str, Any]:
    """Percent of one core over the window, by who used it.

    client: this process; server: uvicorn and its workers; pg: the PostgreSQL backends
    connected to the bench database plus the postmaster's children that exited in the
    window (parallel query workers live for one query); other: the rest of the machine
    (listed when it is large: another job on this small machine skews every figure);
    machine: all CPUs.
    """
    wall = max(after.at - before.at, 1e-9)

    def used(pid: int) -> float:
        proc = after.procs[pid]
        old = before.procs.get(pid)
        return proc.cpu - (old.cpu if old and old.started == proc.started else 0.0)

    mine = os.getpid()
    server = _tree(after.procs, server_pid) if server_pid else set()
    pg = {pid for pid, p in after.procs.items() if f" {BENCH_DB} " in f" {p.name} "}
    client = used(mine)
    served = sum(used(pid) for pid in server)
    database = sum(used(pid) for pid in pg)
    postmasters = {after.procs[pid].ppid for pid in pg}
    exited = sum(
        after.procs[pm].children_cpu - before.procs[pm].children_cpu
        for pm in postmasters
        if pm in after.procs
        and pm in before.procs
        and after.procs[pm].started == before.procs[pm].started
    )
    others = sorted(
        (
            (used(pid), after.procs[pid].name)
            for pid in after.procs
            if pid not in {mine, *server, *pg}
        ),
        reverse=True,
    )
    cores = os.cpu_count() or 1
    machine = (after.busy - before.busy) / max(after.total - before.total, 1) * 100 * cores

    def pct(seconds: float) -> float:
        return round(seconds / wall * 100, 1)

    # A backend of another database that exits in the window adds its whole life to the
    # postmaster's children time: count exited children only up to the CPU time nobody
    # alive accounts for.
    live = pct(client) + pct(served) + pct(database) + pct(sum(v for v, _ in others))
    exited_pct = min(pct(exited), max(0.0, machine - live))
    ours = pct(client) + pct(served) + pct(database) + exited_pct
    return {
        "client_pct": pct(client),
        "server_pct": pct(served),
        "postgres_pct": round(pct(database) + exited_pct, 1),
        "postgres_exited_workers_pct": exited_pct,
        "other_pct": round(max(0.0, machine - ours), 1),
        "machine_pct": round(machine, 1),
        "top_other": [f"{pct(v):.0f}% {name}" for v, name in others[:3] if pct(v) >= 5],
    }


async def wait_idle(limit: float, threshold_pct: float = 15.0) -> float | None:
    """Wait up to `limit` seconds for a second in which the CPUs are at most `threshold_pct`
    busy (other jobs on a shared machine skew the figures). The busy % of the last second,
    or None when not waited."""
    if limit <= 0:
        return None
    deadline = time.monotonic() + limit
    busy_pct = 100.0
    while True:
        busy0, total0 = _machine_busy()
        await asyncio.sleep(1.0)
        busy1, total1 = _machine_busy()
        busy_pct = (busy1 - busy0) / max(total1 - total0, 1) * 100
        if busy_pct <= threshold_pct or time.monotonic() >= deadline:
            return round(busy_pct, 1)


# -------------------------------------------------------------------------- load loop


@dataclass
class Result:
    name: str
    label: str
    requests: int
    errors: int
    seconds: float
    qps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    cpu: dict[str, Any] = field(default_factory=dict)
    db_per_request: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)
    busy_before_pct: float | None = None  # the machine, in the second before the run
    first_error: str | None = None
    notes: str = ""


class RequestFn(Protocol):
    def __call__(self, client: int, i: int) -> Awaitable[None]: ...


async def run_load(
    name: str,
    label: str,
    one: RequestFn,
    *,
    clients: int,
    warmup: float,
    seconds: float,
    server_pid: int | None = None,
    monitor: asyncpg.Connection | None = None,
    idle_wait: float = 0.0,
    max_requests: int = 2_000_000,
) -> Result:
    """`clients` tasks call `one` back to back; latencies count in the measured window only."""
    idle = await wait_idle(idle_wait)
    if idle is not None and idle > 15.0:
        print(f"    (the machine is still {idle:.0f}% busy with other work)")
    start = time.perf_counter()
    measure_from = start + warmup
    measure_to = measure_from + seconds
    latencies: list[float] = []
    errors = 0
    first_error: str | None = None
    issued = 0

    async def client(cid: int) -> None:
        nonlocal errors, first_error, issued
        i = 0
        while issued < max_requests:
            t0 = time.perf_counter()
            if t0 >= measure_to:
                return
            issued += 1
            try:
                await one(cid, i)
            except Exception as exc:  # counted and reported, the run goes on
                errors += 1
                if first_error is None:
                    first_error = f"{type(exc).__name__}: {exc}"[:500]
                if errors >= 50 and not latencies:
                    return
                await asyncio.sleep(0.01)
            else:
                t1 = time.perf_counter()
                if measure_from <= t1 <= measure_to:
                    latencies.append(t1 - t0)
            i += 1

    async def sample() -> tuple[CpuSnapshot, CpuSnapshot, dict[str, int], dict[str, int]]:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        before = cpu_snapshot()
        db_before = await db_counters(monitor)
        await asyncio.sleep(max(0.0, measure_to - time.perf_counter()))
        after = cpu_snapshot()
        return before, after, db_before, await db_counters(monitor)

    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(client(c) for c in range(clients)))
    before, after, db_before, db_after = await sampler
    latencies.sort()
    ms = [v * 1000 for v in latencies]
    cpu = cpu_usage(before, after, server_pid)
    per_request = {
        key: round((db_after[key] - db_before[key]) / max(len(ms), 1), 2) for key in db_after
    }
    return Result(
        name=name,
        label=label,
        requests=len(ms),
        errors=errors,
        seconds=seconds,
        qps=len(ms) / seconds,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        mean_ms=statistics.fmean(ms) if ms else float("nan"),
        cpu=cpu,
        cpu_ms_per_request={
            who: round(cpu[f"{who}_pct"] / 100 * seconds * 1000 / max(len(ms), 1), 2)
            for who in ("client", "server", "postgres")
        },
        db_per_request=per_request,
        busy_before_pct=idle,
        first_error=first_error,
    )


async def db_counters(monitor: asyncpg.Connection | None) -> dict[str, int]:
    """The bench database's activity counters (backends report them about once a second)."""
    if monitor is None:
        return {}
    row = await monitor.fetchrow(
        "SELECT sessions AS new_connections, xact_commit + xact_rollback AS transactions "
        "FROM pg_stat_database WHERE datname = $1",
        BENCH_DB,
    )
    return {key: int(value) for key, value in dict(row).items()} if row else {}


# ------------------------------------------------------------------ a tiny HTTP client


class HttpError(Exception):
    pass


class RawHttp:
    """HTTP/1.1 keep-alive over one connection: far less client CPU than a full client.

    Enough for this server: Content-Length or chunked bodies, nothing else.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        return self.reader, self.writer

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._request(method, path, body)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            # The server closes idle keep-alive connections (uvicorn after 5 s): a request
            # that got no byte back on such a connection is sent once more on a new one.
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            return await self._request(method, path, body)

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        reader, writer = await self._connect()
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        status_and_headers = await reader.readuntil(b"\r\n\r\n")
        lines = status_and_headers.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        if "content-length" in headers:
            payload = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            payload = b"".join(parts)
        else:
            raise HttpError(f"no body framing in response to {path}")
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxHttp:
    """The same interface over httpx, for comparison (--client httpx)."""

    def __init__(self, port: int) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        headers = {"content-type": "application/json"} if body else None
        response = await self.client.request(method, path, content=body or None, headers=headers)
        return response.status_code, response.content

    async def close(self) -> None:
        await self.client.aclose()


class Http(Protocol):
    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


# -------------------------------------------------------------------- the app server


class AppServer:
    """`citylearn serve` in a subprocess, pointed at the bench database."""

    def __init__(self, database_url: str, redis_url: str, port: int, workers: int) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.port = port
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = RESULTS_DIR / f"server-{workers}w.log"

    def __enter__(self) -> AppServer:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CITYLEARN_ENV": "production",
            "CITYLEARN_SECRET_KEY": "benchmark-only-secret",
            # Every request comes from 127.0.0.1, 300+ pages/s at 162 points each: a query
            # cost budget (schema/cost.py) it never exhausts, so no run is throttled. The
            # cost is still computed and the budget still spent in Redis, as in production.
            "CITYLEARN_COST_BUDGET": "1000000000",
            "PYTHONUNBUFFERED": "1",
        }
        cmd = [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no server log)"

    async def wait_healthy(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"the server exited with {self.proc.returncode}:\n{self._log_tail()}"
                )
            http = RawHttp(self.port)
            try:
                status, _ = await http.request("GET", "/healthz")
                if status == 200:
                    return
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                await http.close()
            await asyncio.sleep(0.2)
        raise SystemExit(f"the server did not get healthy in {within:.0f}s:\n{self._log_tail()}")

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # Our own child's process group (start_new_session): its uvicorn workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# ------------------------------------------------------------------- bench database


async def _admin(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(with_database(plain_url(url), "postgres"))


async def _marker(admin: asyncpg.Connection) -> str | None:
    row = await admin.fetchrow(
        "SELECT shobj_description(oid, 'pg_database') AS marker FROM pg_database "
        "WHERE datname = $1",
        BENCH_DB,
    )
    if row is None:
        return None
    return str(row["marker"] or "")


def _marker_text(opportunities: int, seed: int) -> str:
    return f"{MARKER_PREFIX} opportunities={opportunities} seed={seed}"


async def prepare_database(
    base_url: str, *, opportunities: int, seed: int, fresh: bool
) -> tuple[str, float | None]:
    """The bench database's URL, and how long seeding took (None when reused)."""
    url = with_database(plain_url(base_url), BENCH_DB)
    wanted = _marker_text(opportunities, seed)
    admin = await _admin(base_url)
    try:
        marker = await _marker(admin)
        reuse = marker == wanted and not fresh
        if not reuse:
            # Before anything is dropped: a loader that does not import yet leaves the old data.
            try:
                from server.demo.load import seed_demo
            except ImportError as exc:
                raise SystemExit(f"the demo city loader is not available: {exc}") from exc
        if marker is not None and not reuse:
            why = "--fresh" if fresh else f"it holds {marker or 'an unfinished seed'!r}"
            print(f"dropping {BENCH_DB} ({why})")
            await admin.execute(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)')
        if not reuse:
            await admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await admin.close()

    from server.migrate import upgrade

    # Alembic's env.py runs its own event loop: keep it off ours.
    await asyncio.to_thread(upgrade, sqlalchemy_url(url))
    if reuse:
        conn = await asyncpg.connect(url)
        try:
            count = await conn.fetchval("SELECT count(*) FROM opportunities")
        finally:
            await conn.close()
        print(f"reusing {BENCH_DB}: {count} opportunities ({marker})")
        return url, None

    print(f"seeding {BENCH_DB} with {opportunities} opportunities (seed {seed}) ...", flush=True)
    started = time.perf_counter()
    counts = await seed_demo(url, seed=seed, opportunities=opportunities, only_if_empty=True)
    seeded = time.perf_counter() - started
    conn = await asyncpg.connect(url)
    try:
        analyze_started = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE)")
        analyzed = time.perf_counter() - analyze_started
        await conn.execute(f"COMMENT ON DATABASE \"{BENCH_DB}\" IS '{wanted}'")
    finally:
        await conn.close()
    print(f"seeded in {seeded:.1f}s (+ VACUUM ANALYZE {analyzed:.1f}s): {counts}")
    return url, seeded


async def app_session_settings(url: str) -> dict[str, str]:
    """The settings the application's engine sets on its connections (server/db.py), so
    the raw asyncpg connections run the SQL under the same ones (e.g. jit=off)."""
    import dataclasses

    from sqlalchemy import text

    from server.db import make_engine

    settings = dataclasses.replace(load_settings(), database_url=url)
    engine = make_engine(settings, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT name, setting FROM pg_settings WHERE source = 'client'")
            )
            return {str(name): str(value) for name, value in rows}
    finally:
        await engine.dispose()


# ------------------------------------------------------------------------- scenarios


async def explain(pool: asyncpg.Pool, probe: Probe) -> dict[str, Any]:
    (sql, args), (csql, cargs) = probe.statements(datetime.now(UTC))
    async with pool.acquire() as conn:
        # Once untimed, so the plan shows a warm cache like the runs will.
        await conn.fetch(sql, *args)
        plan = [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)]
        count_plan = [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + csql, *cargs)]
    text = "\n".join(plan)
    knn = KNN_INDEX in text and "Order By" in text
    return {
        "sql": sql,
        "plan": plan,
        "count_plan": count_plan,
        "uses_knn_index": knn,
    }


async def check_hits(pool: asyncpg.Pool, all_probes: Sequence[Probe]) -> dict[str, list[int]]:
    """Rows on the first page and the total for each ZIP (a ZIP with none is no test)."""
    out: dict[str, list[int]] = {}
    async with pool.acquire() as conn:
        for probe in all_probes:
            (sql, args), (csql, cargs) = probe.statements(datetime.now(UTC))
            rows = await conn.fetch(sql, *args)
            total = await conn.fetchval(csql, *cargs)
            out[probe.zip] = [min(len(rows), PAGE_SIZE), int(total)]
    return out


def sql_search(pool_conns: list[asyncpg.Connection], all_probes: Sequence[Probe]) -> RequestFn:
    async def one(client: int, i: int) -> None:
        probe = all_probes[(client + i) % len(all_probes)]
        (sql, args), _ = probe.statements(datetime.now(UTC))
        await pool_conns[client].fetch(sql, *args)

    return one


def sql_page(pool_conns: list[asyncpg.Connection], all_probes: Sequence[Probe]) -> RequestFn:
    async def one(client: int, i: int) -> None:
        conn = pool_conns[client]
        probe = all_probes[(client + i) % len(all_probes)]
        now = datetime.now(UTC)
        (sql, args), (csql, cargs) = probe.statements(now)
        rows = await conn.fetch(sql, *args)
        ids = [r["id"] for r in rows[:PAGE_SIZE]]
        lsql, largs = bind(*listings_statement(ids, sessions_per=SESSIONS_SHOWN, upcoming_from=now))
        await conn.fetch(lsql, *largs)
        await conn.fetchval(csql, *cargs)

    return one


def graphql_search(
    conns: list[Http], all_probes: Sequence[Probe], *, total_count: bool = True
) -> RequestFn:
    bodies = [probe.graphql_body(total_count=total_count) for probe in all_probes]

    async def one(client: int, i: int) -> None:
        status, payload = await conns[client].request(
            "POST", "/graphql", bodies[(client + i) % len(bodies)]
        )
        if status != 200 or b'"errors"' in payload[:200]:
            raise HttpError(f"GraphQL answered {status}: {payload[:300]!r}")

    return one


def html_search(conns: list[Http], all_probes: Sequence[Probe]) -> RequestFn:
    paths = [probe.html_path() for probe in all_probes]

    async def one(client: int, i: int) -> None:
        status, payload = await conns[client].request("GET", paths[(client + i) % len(paths)])
        if status != 200:
            raise HttpError(f"/search answered {status}: {payload[:300]!r}")

    return one


async def check_graphql(http: Http, probe: Probe) -> int:
    status, payload = await http.request("POST", "/graphql", probe.graphql_body())
    body = orjson.loads(payload)
    if status != 200 or "errors" in body:
        raise SystemExit(f"GraphQL search failed ({status}): {payload[:1000]!r}")
    edges = body["data"]["opportunities"]["edges"]
    return len(edges)


async def html_available(http: Http, probe: Probe) -> str | None:
    """None when /search serves the page, else why not."""
    status, payload = await http.request("GET", probe.html_path())
    if status == 200 and b"<html" in payload[:2000].lower():
        return None
    return f"/search answered {status}: {payload[:200]!r}"


# ----------------------------------------------------------------------------- report


def print_table(results: Sequence[Result]) -> None:
    head = (
        f"{'scenario':<44} {'requests':>8} {'qps':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'err':>3} {'conn/req':>8} {'xact/req':>8}  cpu ms/req cli/srv/pg"
        "  busy% all/other"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        cpu, db, ms = r.cpu, r.db_per_request, r.cpu_ms_per_request
        print(
            f"{r.label:<44} {r.requests:>8} {r.qps:>8.1f} {r.p50_ms:>7.2f} {r.p95_ms:>7.2f} "
            f"{r.p99_ms:>7.2f} {r.errors:>3} {db.get('new_connections', 0):>8.2f} "
            f"{db.get('transactions', 0):>8.2f}  "
            f"{ms.get('client', 0):>6.2f}/{ms.get('server', 0):.2f}/{ms.get('postgres', 0):.2f}"
            f"  {cpu.get('machine_pct', 0):.0f}/{cpu.get('other_pct', 0):.0f}"
        )
        if r.first_error:
            print(f"    first error: {r.first_error}")
        if cpu.get("other_pct", 0) >= 15 and cpu.get("top_other"):
            print(f"    busy elsewhere: {'; '.join(cpu.get('top_other', []))}")


def ratios(by_name: dict[str, Result]) -> dict[str, float]:
    out: dict[str, float] = {}
    for top in by_name:
        if not top.startswith(("b", "c")):
            continue
        for base in ("a", "a1"):
            if base in by_name and by_name[base].qps:
                out[f"{top}/{base}"] = round(by_name[top].qps / by_name[base].qps, 3)
    return out


# ------------------------------------------------------------------------------ main


async def bench(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(
        f"CityLearn search benchmark: {args.clients} concurrent clients, "
        f"{args.warmup:g}s warm-up + {args.seconds:g}s per scenario, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    url, seeded = await prepare_database(
        settings.database_url, opportunities=args.opportunities, seed=args.seed, fresh=args.fresh
    )
    monitor = await asyncpg.connect(url)
    try:
        return await _bench(args, url, seeded, settings.redis_url, monitor)
    finally:
        await monitor.close()


async def _bench(
    args: argparse.Namespace,
    url: str,
    seeded: float | None,
    redis_url: str,
    monitor: asyncpg.Connection,
) -> int:
    all_probes = probes()
    results: list[Result] = []
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "opportunities": args.opportunities,
        "seed": args.seed,
        "seed_seconds": None if seeded is None else round(seeded, 1),
        "clients": args.clients,
        "warmup_s": args.warmup,
        "seconds": args.seconds,
        "client": args.client,
        "zips": list(ZIPS),
        "search": {
            "radius_km": RADIUS_KM,
            "age": AGE,
            "first": PAGE_SIZE,
            "sort": "distance",
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1m": os.getloadavg()[0],
        },
    }
    session_settings = await app_session_settings(url)
    report["app_session_settings"] = session_settings
    print(
        "raw SQL connections use the app's session settings: "
        + (", ".join(f"{k}={v}" for k, v in sorted(session_settings.items())) or "(none)")
    )
    pool = await asyncpg.create_pool(
        url, min_size=args.clients, max_size=args.clients, server_settings=session_settings
    )
    assert pool is not None
    try:
        report["postgres"] = await pool.fetchval("SELECT version()")
        plan = await explain(pool, all_probes[0])
        report["explain"] = plan
        print(f"\nthe search statement (ZIP {all_probes[0].zip}):\n  {plan['sql']}\n")
        print("EXPLAIN (ANALYZE, BUFFERS) of the search statement:")
        print("\n".join("  " + line for line in plan["plan"]))
        print("EXPLAIN (ANALYZE, BUFFERS) of the count statement:")
        print("\n".join("  " + line for line in plan["count_plan"]))
        if plan["uses_knn_index"]:
            print(f"plan OK: {KNN_INDEX} with an index-ordered (Order By) KNN scan\n")
        else:
            print(
                f"WARNING: the search plan does not use '{KNN_INDEX}' with 'Order By' "
                "(no index-ordered KNN scan)\n"
            )
        hits = await check_hits(pool, all_probes)
        report["hits_per_zip"] = hits
        print(
            "first page / total per ZIP: "
            + ", ".join(
                f"{z} {h[0]}/{h[1] if h[1] <= COUNT_CAP else f'{COUNT_CAP}+'}"
                for z, h in hits.items()
            )
        )
        empty = [z for z, h in hits.items() if h[0] == 0]
        if empty:
            print(f"WARNING: no results near {', '.join(empty)}")

        conns = [await pool.acquire() for _ in range(args.clients)]
        try:
            for name, label, fn in (
                ("a", "a  SQL: search, listings, count (asyncpg)", sql_page(conns, all_probes)),
                ("a1", "a1 SQL: the search statement alone", sql_search(conns, all_probes)),
            ):
                print(f"running {label.strip()} ...", flush=True)
                result = await run_load(
                    name,
                    label,
                    fn,
                    clients=args.clients,
                    warmup=args.warmup,
                    seconds=args.seconds,
                    monitor=monitor,
                    idle_wait=args.idle_wait,
                )
                results.append(result)
        finally:
            for conn in conns:
                await pool.release(conn)
    finally:
        await pool.close()

    worker_counts = [int(w) for w in str(args.server_workers).split(",") if w.strip()]
    html_missing: str | None = None
    for index, workers in enumerate(worker_counts):
        suffix = "" if index == 0 else str(workers)  # b, c; then b2, c2 for 2 workers
        plural = "s" if workers > 1 else ""
        port = args.port or free_port()
        with AppServer(url, redis_url, port, workers) as server:
            await server.wait_healthy()
            maker: Callable[[int], Http] = RawHttp if args.client == "raw" else HttpxHttp
            http: list[Http] = [maker(port) for _ in range(args.clients)]

            async def measure(name: str, label: str, fn: RequestFn) -> None:
                print(f"running {label} ...", flush=True)
                results.append(
                    await run_load(
                        name,
                        label,
                        fn,
                        clients=args.clients,
                        warmup=args.warmup,
                        seconds=args.seconds,
                        server_pid=server.pid,
                        monitor=monitor,
                        idle_wait=args.idle_wait,
                    )
                )

            try:
                edges = await check_graphql(http[0], all_probes[0])
                print(f"uvicorn on {HOST}:{port}, {workers} worker(s); GraphQL page: {edges} edges")
                await measure(
                    "b" + suffix,
                    f"b{suffix:<1} GraphQL over HTTP ({workers} worker{plural})",
                    graphql_search(http, all_probes),
                )
                if args.no_count_variant and index == 0:
                    await measure(
                        "b0",
                        f"b0 GraphQL, no totalCount ({workers} worker{plural})",
                        graphql_search(http, all_probes, total_count=False),
                    )
                if args.skip_html:
                    html_missing = "skipped (--skip-html)"
                else:
                    html_missing = await html_available(http[0], all_probes[0])
                if html_missing is None:
                    await measure(
                        "c" + suffix,
                        f"c{suffix:<1} HTML /search page ({workers} worker{plural})",
                        html_search(http, all_probes),
                    )
                else:
                    print(f"scenario c not run: {html_missing}")
            finally:
                for h in http:
                    await h.close()

    by_name = {r.name: r for r in results}
    print()
    print_table(results)
    found = ratios(by_name)
    print()
    print("throughput ratios (qps): " + "   ".join(f"{k} = {v:.2f}" for k, v in found.items()))
    for name, result in by_name.items():
        if not (name.startswith("b") and name != "b0"):
            continue
        goal_p95 = "met" if result.p95_ms < 50 else "NOT met"
        ratio = found.get(f"{name}/a", 0)
        goal_ratio = "met" if ratio >= 0.5 else "NOT met"
        print(
            f"{result.label.strip()}: goal p95 < 50 ms {goal_p95} ({result.p95_ms:.1f} ms); "
            f"goal {name}/a >= 0.5 {goal_ratio} ({ratio:.2f})"
        )
    print(
        f"\nnote: the load generator runs on the same {os.cpu_count()}-CPU machine as uvicorn "
        "and PostgreSQL and uses CPU too (the 'client' column; % of one core). 'pg' counts the "
        f"backends connected to {BENCH_DB}, 'other' every other process on the machine (other "
        f"jobs skew the figures); 'machine' is all CPUs together (max "
        f"{100 * (os.cpu_count() or 1)}%). conn/req and xact/req: new PostgreSQL connections "
        f"and transactions per request in {BENCH_DB} (pg_stat_database, reported by the "
        "backends about once a second, so approximate)."
    )
    if seeded is not None:
        print(f"seeding {args.opportunities} opportunities took {seeded:.1f}s")

    report["results"] = [asdict(r) for r in results]
    report["ratios"] = found
    report["html"] = html_missing or "measured"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / "latest.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"results written to {out.relative_to(ROOT)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=100_000, help="bench city size")
    parser.add_argument("--seed", type=int, default=2026, help="demo city random seed")
    parser.add_argument("--fresh", action="store_true", help="drop and reseed the bench database")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time first")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--server-workers",
        default="1,2",
        help="uvicorn worker processes; a list such as 1,2 runs b and c once per count "
        "(docker-compose.yml deploys 2 on this 2-CPU size)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="HTTP client: a minimal keep-alive one (default, light on CPU) or httpx",
    )
    parser.add_argument("--skip-html", action="store_true", help="do not run scenario c")
    parser.add_argument(
        "--no-count-variant",
        action="store_true",
        help="also run b0: the GraphQL search without totalCount (what the count costs)",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=60.0,
        help="before each scenario, wait up to this many seconds for the CPUs to be idle "
        "(0: do not wait)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.warmup < 0 or args.opportunities < 1:
        raise SystemExit("clients, seconds and opportunities must be positive")
    devservices.start()  # only what DATABASE_URL / REDIS_URL do not point elsewhere
    try:
        import uvloop  # what uvicorn runs on too
    except ImportError:
        return asyncio.run(bench(args))
    return uvloop.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
