"""Stacks and gates benchmark: the unlock engine (server/stacks/engine.py) over a network
of 10,000 rules and 1,000,000 awards, called in-process exactly as the worker's outbox
handlers call it (server/stacks/jobs.py).

    .venv/bin/python benchmarks/stacks_bench.py                    # the issue's sizes
    .venv/bin/python benchmarks/stacks_bench.py --learners 10000 --awards 100000 \\
        --stacks 650 --gates 350 --samples 300                    # a quick run

The load (bulk SQL, not the award path): a few hundred issuing organizations and some
employers, 2,000 badge classes (mixed levels, most aligned to competencies), 100,000
learners (users + learner_profiles), 1,000,000 awards with a Zipf-like popularity of
badge classes and a skewed number of badges per learner, and 10,000 rules: stacks and
gated listings (published, of employer organizations; some gated by a stack, most by a
rule of their own) of realistic shapes (all_of 2-5 badges, any_of, at_least n of,
nested, level-in-competency). Their `rule_terms` index rows are written in bulk from the
same functions `definitions.reindex` uses, and checked against `reindex` itself for a
sample of rules.

Measurement 1, the cost of evaluating one award, with 100 rules and with 10,000 rules
side by side in one run. The 10,000-rule index is `public.rule_terms`; the 100-rule one is
a copy holding the terms of 100 of the rules only, in a schema `bench_small` that a second
engine puts first on its search_path: the engine then sees only those 100 rules, against
the same data and the same cache. Each sample is a fresh award (a random learner, a badge
class drawn with the awards' popularity) followed by `engine.evaluate_learner` in the
same transaction, rolled back afterwards; only `evaluate_learner` is timed. Both
configurations evaluate the same awards, in alternating batches (which goes first
alternates too), so machine noise hits both alike. Before it, the sample learners are
"settled": evaluated once for everything they hold, as the engine would have done when
their awards came in, so a fresh award meets the state it would meet in production.

Measurement 2, a full backfill of a new rule naming popular badge classes, as the worker
runs it: a gated listing made with `definitions.set_gate` and a stack made with
`definitions.create_stack`, then chunk after chunk, each in its own transaction:
`engine.target_of`, `engine.backfill(after=cursor)`, the next chunk's event emitted, commit.

The benchmark uses its own database (`citylearn_stacksbench`, recreated each run and
dropped at the end unless --keep) on the project's private PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import statistics
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from server import devservices  # noqa: E402
from server.settings import Settings, load_settings  # noqa: E402

BENCH_DB = "citylearn_stacksbench"
SMALL_SCHEMA = "bench_small"
SPARSE_SCHEMA = "bench_sparse"
# Ids no badge class or competency has: the sparse index's other rules name these.
ELSEWHERE_CLASS = 1_000_000_000
ELSEWHERE_COMPETENCY = 1_000_000
DOMAIN = "bench.example.org"
ISSUER_KINDS = ["museum", "library", "community_group", "college", "park_district", "nonprofit"]
LEVELS = ["participation", "skill", "achievement", "summit"]
LEVEL_WEIGHTS = [35, 35, 22, 8]
RULE_LEVELS = ["participation", "skill", "achievement", "summit"]
RULE_LEVEL_WEIGHTS = [10, 50, 35, 5]
STACK_COLUMNS = ["id", "organization_id", "name", "description", "rule"]
STACK_COLUMNS += ["award_badge_class_id", "status"]
# Rules: the share of a stack's badges that are its own organization's, how much more
# often popular badge classes are named (Zipf exponent), and the share of rules with a
# level-in-competency part.
OWN_SHARE = 0.7
RULE_ZIPF = 0.4
LEVEL_SHARE = 0.10
GATE_KINDS = ["internship", "job_shadow", "apprenticeship", "program", "workshop"]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def rss_kib() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process, KiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Picker:
    """Draws from a fixed discrete distribution (cumulative weights, bisect)."""

    def __init__(self, items: list[int], weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))

    def __call__(self, rng: random.Random) -> int:
        return self.items[bisect_right(self.cum, rng.random() * self.cum[-1])]


# --- the network: badge classes and rules (generated in Python, loaded in bulk) -----------


@dataclass
class Network:
    issuers: list[int]
    employers: list[int]
    class_org: dict[int, int]
    class_level: dict[int, str]
    class_comps: dict[int, list[int]]
    class_expiry: dict[int, int | None]
    by_popularity: list[int]  # badge class ids, most awarded first
    awards: Picker  # a badge class, as often as awards are of it
    in_rules: Picker  # a badge class, as often as rules name it (flatter than awards)
    competency: Picker
    org_classes: dict[int, list[int]]
    stacks: list[tuple[int, int, dict[str, Any], int | None]] = field(default_factory=list)
    # (opportunity id, organization, stack id or None, own rule or None)
    gates: list[tuple[int, int, int | None, dict[str, Any] | None]] = field(default_factory=list)


def make_network(args: argparse.Namespace, rng: random.Random) -> Network:
    issuers = list(range(1, args.issuers + 1))
    employers = list(range(args.issuers + 1, args.issuers + args.employers + 1))
    org_pick = Picker(issuers, [1 / (i**0.7) for i in range(1, len(issuers) + 1)])
    competency = Picker(
        list(range(1, args.competencies + 1)),
        [1 / (i**0.5) for i in range(1, args.competencies + 1)],
    )
    class_ids = list(range(1, args.classes + 1))
    class_org: dict[int, int] = {}
    class_level: dict[int, str] = {}
    class_comps: dict[int, list[int]] = {}
    class_expiry: dict[int, int | None] = {}
    org_classes: dict[int, list[int]] = {}
    for c in class_ids:
        org = issuers[(c - 1) % len(issuers)] if c <= len(issuers) else org_pick(rng)
        class_org[c] = org
        org_classes.setdefault(org, []).append(c)
        class_level[c] = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        comps: set[int] = set()
        if rng.random() < 0.65:
            while len(comps) < rng.choice((1, 1, 2, 2, 3)):
                comps.add(competency(rng))
        class_comps[c] = sorted(comps)
        class_expiry[c] = rng.choice((365, 730)) if rng.random() < 0.10 else None
    by_popularity = class_ids[:]
    rng.shuffle(by_popularity)
    ranks = range(1, len(by_popularity) + 1)
    return Network(
        issuers=issuers,
        employers=employers,
        class_org=class_org,
        class_level=class_level,
        class_comps=class_comps,
        class_expiry=class_expiry,
        by_popularity=by_popularity,
        awards=Picker(by_popularity, [1 / (r**args.zipf) for r in ranks]),
        in_rules=Picker(by_popularity, [1 / (r**RULE_ZIPF) for r in ranks]),
        competency=competency,
        org_classes=org_classes,
    )


def make_rule(net: Network, rng: random.Random, org: int | None) -> dict[str, Any]:
    """A rule of a realistic shape; about half its badges are its own organization's."""
    used: set[int] = set()
    own = net.org_classes.get(org, []) if org is not None else []

    def badge() -> dict[str, Any]:
        for _ in range(50):
            c = rng.choice(own) if own and rng.random() < OWN_SHARE else net.in_rules(rng)
            if c not in used:
                used.add(c)
                return {"badge": c}
        c = next(c for c in net.by_popularity if c not in used)
        used.add(c)
        return {"badge": c}

    def badges(k: int) -> list[dict[str, Any]]:
        return [badge() for _ in range(k)]

    def level() -> dict[str, Any]:
        chosen = rng.choices(RULE_LEVELS, RULE_LEVEL_WEIGHTS)[0]
        return {"level": chosen, "competency": net.competency(rng)}

    shape = rng.random()
    if shape < 0.35:
        return {"all_of": badges(rng.randint(2, 5))}
    if shape < 0.40:
        return {"any_of": badges(rng.randint(2, 4))}
    if shape < 0.64:
        m = rng.randint(3, 6)
        return {"at_least": rng.randint(2, m - 1), "of": badges(m)}
    if shape < 1 - LEVEL_SHARE:
        form = rng.randrange(3)
        if form == 0:
            return {"all_of": [badge(), {"any_of": badges(rng.randint(2, 3))}]}
        if form == 1:
            return {"all_of": [*badges(rng.randint(1, 2)), {"at_least": 2, "of": badges(3)}]}
        return {"any_of": [{"all_of": badges(2)}, {"all_of": badges(rng.randint(2, 3))}]}
    form = rng.random()
    if form < 0.05:  # a level alone is met by many badges: rare
        return level()
    if form < 0.6:
        return {"all_of": [level(), badge()]}
    return {"at_least": 2, "of": [level(), level(), *badges(2)]}


def make_rules(args: argparse.Namespace, net: Network, rng: random.Random) -> None:
    from server.stacks import rules

    for stack_id in range(1, args.stacks + 1):
        org = rng.choice(net.issuers)
        rule = rules.to_json(rules.parse(make_rule(net, rng, org)))
        award = None
        named = rules.badge_classes(rules.parse(rule))
        choices = [c for c in net.org_classes.get(org, []) if c not in named]
        if choices and rng.random() < 0.6:
            award = rng.choice(choices)
        net.stacks.append((stack_id, org, rule, award))
    on_stack = round(args.gates * 0.3)
    for n in range(1, args.gates + 1):
        org = net.employers[(n - 1) % len(net.employers)]
        if n <= on_stack:
            net.gates.append((n, org, rng.randint(1, args.stacks), None))
        else:
            rule = rules.to_json(rules.parse(make_rule(net, rng, None)))
            net.gates.append((n, org, None, rule))


def terms_of(rule: dict[str, Any]) -> list[tuple[int | None, int | None]]:
    """(badge_class_id, competency_id) rows, as definitions.reindex writes them."""
    from server.stacks import rules

    parsed = rules.parse(rule)
    return [(b, None) for b in sorted(rules.badge_classes(parsed))] + [
        (None, c) for c in sorted(rules.competencies(parsed))
    ]


# --- the load ----------------------------------------------------------------------------


@dataclass
class Loaded:
    seconds: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    db_bytes: int = 0
    assertions_bytes: int = 0
    terms: int = 0
    small_rules: int = 0
    small_terms: int = 0
    sparse_terms: int = 0
    verified: int = 0


async def create_database(admin: str) -> str:
    conn = await asyncpg.connect(with_database(admin, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await conn.close()
    url = with_database(admin, BENCH_DB)
    from server.migrate import upgrade

    await asyncio.to_thread(upgrade, "postgresql+asyncpg://" + url.split("://", 1)[1])
    return url


async def drop_database(admin: str) -> None:
    conn = await asyncpg.connect(with_database(admin, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    finally:
        await conn.close()


class Steps:
    def __init__(self, out: Loaded) -> None:
        self.out = out
        self.started = time.perf_counter()

    def done(self, label: str) -> None:
        now = time.perf_counter()
        self.out.steps.append((label, now - self.started))
        print(f"  {label}: {now - self.started:.1f} s", flush=True)
        self.started = now


async def load(
    args: argparse.Namespace, url: str, net: Network, rng: random.Random, out: Loaded
) -> None:
    started = time.perf_counter()
    steps = Steps(out)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; "
            "SET max_parallel_maintenance_workers = 1; SET jit = off"
        )
        await conn.execute("SELECT setseed($1)", args.seed / 1000 % 1)
        await conn.execute(
            "INSERT INTO competencies (id, slug, name, name_es, description) "
            "SELECT g, 'bench-competency-' || g, 'Competency ' || g, 'Competencia ' || g, '' "
            "FROM generate_series(1, $1) g",
            args.competencies,
        )
        await conn.execute(
            "INSERT INTO organizations (id, slug, name, kind, description, status, website, "
            " is_issuer, is_employer) "
            "SELECT g, 'bench-org-' || g, 'Bench Organization ' || g, "
            " CASE WHEN g > $1::int THEN 'employer' ELSE ($3::text[])[1 + g % 6] END, '', "
            " 'approved', 'https://org' || g || '.bench.example.org', g <= $1, g > $1 "
            "FROM generate_series(1, $1::int + $2::int) g",
            args.issuers,
            args.employers,
            ISSUER_KINDS,
        )
        await conn.copy_records_to_table(
            "badge_classes",
            columns=[
                "id",
                "organization_id",
                "name",
                "description",
                "criteria_narrative",
                "competency_ids",
                "tags",
                "level",
                "expires_after_days",
                "earning",
                "status",
            ],
            records=[
                (
                    c,
                    net.class_org[c],
                    f"Badge {c}",
                    f"What badge {c} means.",
                    f"Do what badge {c} asks, with a mentor.",
                    net.class_comps[c],
                    [],
                    net.class_level[c],
                    net.class_expiry[c],
                    ["roster", "claim_code", "api"],
                    "active",
                )
                for c in sorted(net.class_org)
            ],
        )
        steps.done(f"{args.issuers + args.employers} organizations, {args.classes:,} classes")

        await conn.execute(
            "INSERT INTO users (id, email, display_name, locale, email_verified_at) "
            "SELECT g, 'learner' || g || '@" + DOMAIN + "', 'Learner ' || g, "
            " CASE WHEN g % 10 = 0 THEN 'es' ELSE 'en' END, now() "
            "FROM generate_series(1, $1) g",
            args.learners,
        )
        await conn.execute(
            "INSERT INTO learner_profiles (user_id, birth_date, postal_code, visibility, handle) "
            "SELECT g, date '2005-01-01' + (g * 37 % 2900), '606' || lpad((g % 60)::text, 2, "
            "'0'), 'private', substr(md5('handle' || g), 1, 20) FROM generate_series(1, $1) g",
            args.learners,
        )
        await conn.execute(
            "INSERT INTO users (id, email, display_name, is_network_admin, email_verified_at) "
            "VALUES ($1, 'admin@" + DOMAIN + "', 'Bench admin', true, now())",
            args.learners + 1,
        )
        steps.done(f"{args.learners:,} learners")

        # Awards: (learner, class) pairs, distinct, the class by its popularity (a CDF
        # table looked up per row), the learner skewed (a few hold many badges) and
        # scattered over the ids; then written in the order they were issued.
        await conn.execute("CREATE TEMP TABLE zipf (class_id bigint, org bigint, hi float8)")
        total = sum(1 / (r**args.zipf) for r in range(1, len(net.by_popularity) + 1))
        cum = 0.0
        rows = []
        for rank, c in enumerate(net.by_popularity, 1):
            cum += 1 / (rank**args.zipf) / total
            rows.append((c, net.class_org[c], cum))
        rows[-1] = (rows[-1][0], rows[-1][1], 2.0)
        await conn.copy_records_to_table("zipf", records=rows)
        await conn.execute("CREATE INDEX ON zipf (hi); ANALYZE zipf")
        await conn.execute(
            "CREATE TEMP TABLE pairs (learner bigint, class_id bigint, org bigint, "
            "PRIMARY KEY (learner, class_id))"
        )
        have = 0
        while have < args.awards:
            draw = int((args.awards - have) * 1.08) + 1000
            await conn.execute(
                "INSERT INTO pairs SELECT g.learner, z.class_id, z.org FROM ("
                " SELECT 1 + (floor($1::bigint * power(random(), $2::float8))::bigint * 48271)"
                " % $1::bigint AS learner,"
                " random() AS u FROM generate_series(1, $3)) g "
                "CROSS JOIN LATERAL (SELECT class_id, org FROM zipf WHERE zipf.hi > g.u "
                " ORDER BY zipf.hi LIMIT 1) z ON CONFLICT DO NOTHING",
                args.learners,
                args.skew,
                draw,
            )
            have = await conn.fetchval("SELECT count(*) FROM pairs")
        steps.done(f"{have:,} distinct (learner, class) pairs drawn")

        # Bulk path: the secondary indexes of assertions are dropped and rebuilt from
        # their own definitions (pg_indexes), the primary key and the foreign keys stay.
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'assertions' "
            "AND indexname <> 'pk_assertions'"
        )
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        await conn.execute(
            "CREATE TEMP TABLE picked AS SELECT pairs.*, random() AS r, "
            " now() - random() * interval '1095 days' AS issued_on "
            # Not ORDER BY random(): PostgreSQL would sort by the column r itself.
            "FROM pairs ORDER BY md5(learner || '/' || class_id) LIMIT $1",
            args.awards,
        )
        await conn.execute(
            "INSERT INTO assertions (badge_class_id, organization_id, recipient_user_id, "
            " recipient_email, salt, identity_hash, issued_on, expires_at, expiry_swept_at, "
            " method, visibility, revoked_at, revocation_reason) "
            "SELECT p.class_id, p.org, p.learner, e.email, e.salt, "
            " 'sha256$' || encode(sha256(convert_to(e.email || e.salt, 'UTF8')), 'hex'), "
            " p.issued_on, x.expires_at, "
            " CASE WHEN x.expires_at <= now() THEN x.expires_at END, "
            " (ARRAY['roster', 'claim_code', 'api', 'review'])[1 + (p.learner + p.class_id) % 4],"
            " CASE WHEN p.r < 0.3 THEN 'private' WHEN p.r < 0.8 THEN 'network' ELSE 'public' END,"
            " CASE WHEN p.r > 0.99 THEN p.issued_on + interval '30 days' END, "
            " CASE WHEN p.r > 0.99 THEN 'awarded by mistake' END "
            "FROM picked p "
            "JOIN badge_classes b ON b.id = p.class_id "
            "CROSS JOIN LATERAL (SELECT 'learner' || p.learner || '@" + DOMAIN + "' AS email, "
            "  substr(md5(p.learner || ':' || p.class_id), 1, 16) AS salt) e "
            "CROSS JOIN LATERAL (SELECT p.issued_on + b.expires_after_days * interval '1 day' "
            "  AS expires_at) x "
            "ORDER BY p.issued_on"
        )
        steps.done(f"{args.awards:,} assertions inserted")
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("DROP TABLE pairs; DROP TABLE picked; DROP TABLE zipf")
        steps.done(f"{len(indexes)} assertion indexes rebuilt")

        # Rules: stacks, gated listings (published, of employer organizations), gates, and
        # their rule_terms rows.
        await conn.copy_records_to_table(
            "stacks",
            columns=STACK_COLUMNS,
            records=[
                (s, org, f"Pathway {s}", "", json.dumps(rule), award, "active")
                for s, org, rule, award in net.stacks
            ],
        )
        await conn.execute(
            "INSERT INTO opportunities (id, organization_id, kind, title, description, "
            " min_age, max_age, cost_cents, financial_aid, delivery, schedule_timezone, status,"
            " keywords, source) "
            "SELECT g, $2::int + 1 + (g - 1) % $3::int, ($4::text[])[1 + g % 5], "
            " 'Gated listing ' || g, "
            " 'Open to learners who hold the right badges.', 14, 24, 0, false, 'online', "
            " 'America/Chicago', 'published', '', 'manual' FROM generate_series(1, $1) g",
            len(net.gates),
            args.issuers,
            args.employers,
            GATE_KINDS,
        )
        await conn.copy_records_to_table(
            "opportunity_gates",
            columns=["opportunity_id", "stack_id", "rule"],
            records=[
                (o, stack, json.dumps(rule) if rule is not None else None)
                for o, _, stack, rule in net.gates
            ],
        )
        stack_rules = {s: rule for s, _, rule, _ in net.stacks}
        term_rows: list[tuple[int | None, int | None, int | None, int | None]] = []
        for s, _, rule, _ in net.stacks:
            term_rows += [(s, None, b, c) for b, c in terms_of(rule)]
        for o, _, stack, own in net.gates:
            rule = stack_rules[stack] if stack is not None else own
            assert rule is not None
            term_rows += [(None, o, b, c) for b, c in terms_of(rule)]
        await conn.copy_records_to_table(
            "rule_terms",
            columns=["stack_id", "opportunity_id", "badge_class_id", "competency_id"],
            records=term_rows,
        )
        out.terms = len(term_rows)
        for table in ("competencies", "organizations", "badge_classes", "users"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        for table in ("stacks", "opportunities"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        steps.done(
            f"{len(net.stacks):,} stacks + {len(net.gates):,} gates = "
            f"{len(net.stacks) + len(net.gates):,} rules, {len(term_rows):,} rule_terms rows"
        )

        # The 100-rule index: the same rows, for 100 of the rules, in a schema of its own.
        owners = [("stack", s) for s, *_ in net.stacks] + [("gate", o) for o, *_ in net.gates]
        chosen = rng.sample(owners, min(args.small, len(owners)))
        await conn.execute(
            f"DROP SCHEMA IF EXISTS {SMALL_SCHEMA} CASCADE; CREATE SCHEMA {SMALL_SCHEMA}; "
            f"CREATE TABLE {SMALL_SCHEMA}.rule_terms (LIKE public.rule_terms INCLUDING ALL)"
        )
        await conn.execute(
            f"INSERT INTO {SMALL_SCHEMA}.rule_terms SELECT * FROM public.rule_terms t "
            "WHERE t.stack_id = ANY($1::bigint[]) OR t.opportunity_id = ANY($2::bigint[])",
            [i for kind, i in chosen if kind == "stack"],
            [i for kind, i in chosen if kind == "gate"],
        )
        out.small_rules = len(chosen)
        out.small_terms = await conn.fetchval(f"SELECT count(*) FROM {SMALL_SCHEMA}.rule_terms")
        # The sparse 10,000-rule index: the same 100 rules, and the other 9,900 naming badge
        # classes and competencies no award has (ids moved out of range). What it measures:
        # does the cost grow with the number of rules in the network, when the awarded
        # badge is named by no more of them?
        await conn.execute(
            f"DROP SCHEMA IF EXISTS {SPARSE_SCHEMA} CASCADE; CREATE SCHEMA {SPARSE_SCHEMA}; "
            f"CREATE TABLE {SPARSE_SCHEMA}.rule_terms (LIKE public.rule_terms INCLUDING ALL); "
            f"INSERT INTO {SPARSE_SCHEMA}.rule_terms SELECT * FROM {SMALL_SCHEMA}.rule_terms"
        )
        await conn.execute(
            f"INSERT INTO {SPARSE_SCHEMA}.rule_terms (id, stack_id, opportunity_id,"
            " badge_class_id, competency_id) OVERRIDING SYSTEM VALUE"
            " SELECT t.id, t.stack_id, t.opportunity_id, t.badge_class_id + $1,"
            " t.competency_id + $2 FROM public.rule_terms t"
            f" WHERE t.id NOT IN (SELECT id FROM {SMALL_SCHEMA}.rule_terms)",
            ELSEWHERE_CLASS,
            ELSEWHERE_COMPETENCY,
        )
        out.sparse_terms = await conn.fetchval(f"SELECT count(*) FROM {SPARSE_SCHEMA}.rule_terms")

        await conn.execute("VACUUM ANALYZE")
        steps.done("VACUUM ANALYZE")
        out.seconds = time.perf_counter() - started
        for table in (
            "organizations",
            "badge_classes",
            "users",
            "learner_profiles",
            "assertions",
            "stacks",
            "opportunities",
            "opportunity_gates",
            "rule_terms",
        ):
            out.counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        out.counts["assertions revoked"] = await conn.fetchval(
            "SELECT count(*) FROM assertions WHERE revoked_at IS NOT NULL"
        )
        out.counts["assertions expired"] = await conn.fetchval(
            "SELECT count(*) FROM assertions WHERE expires_at <= now()"
        )
        out.db_bytes = await conn.fetchval("SELECT pg_database_size(current_database())")
        out.assertions_bytes = await conn.fetchval("SELECT pg_total_relation_size('assertions')")
    finally:
        await conn.close()


async def verify_terms(
    sessionmaker: async_sessionmaker[AsyncSession], net: Network, rng: random.Random, n: int
) -> int:
    """For a sample of rules (stacks, gates with a rule of their own, gates on a stack),
    the bulk-loaded rule_terms rows equal what definitions.reindex writes."""
    from sqlalchemy import select

    from server.models import RuleTerm
    from server.stacks import definitions, rules

    stack_rules = {s: rule for s, _, rule, _ in net.stacks}
    sample: list[tuple[int | None, int | None, dict[str, Any]]] = []
    for s, _, rule, _ in rng.sample(net.stacks, min(n // 2, len(net.stacks))):
        sample.append((s, None, rule))
    own = [g for g in net.gates if g[3] is not None]
    on_stack = [g for g in net.gates if g[2] is not None]
    for o, _, _, own_rule in rng.sample(own, min(n // 4, len(own))):
        assert own_rule is not None
        sample.append((None, o, own_rule))
    for o, _, stack, _ in rng.sample(on_stack, min(n - len(sample), len(on_stack))):
        assert stack is not None
        sample.append((None, o, stack_rules[stack]))

    def key(t: RuleTerm) -> tuple[int, int, int, int]:
        return (
            t.stack_id or 0,
            t.opportunity_id or 0,
            t.badge_class_id or 0,
            t.competency_id or 0,
        )

    async with sessionmaker() as session:
        for stack_id, opportunity_id, rule in sample:
            owner = (
                RuleTerm.stack_id == stack_id
                if stack_id is not None
                else RuleTerm.opportunity_id == opportunity_id
            )
            bulk = sorted(map(key, await session.scalars(select(RuleTerm).where(owner))))
            await definitions.reindex(
                session, rules.parse(rule), stack_id=stack_id, opportunity_id=opportunity_id
            )
            session.expunge_all()
            again = sorted(map(key, await session.scalars(select(RuleTerm).where(owner))))
            if bulk != again or not bulk:
                raise SystemExit(
                    f"rule_terms of {stack_id=} {opportunity_id=} differ from reindex: "
                    f"{bulk} != {again}"
                )
        await session.rollback()
    return len(sample)


# --- measurement 1: one award's evaluation, 100 vs 10,000 rules ---------------------------


class Statements:
    """Counts the SQL statements an engine sends."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._on)

    def _on(self, *_: Any) -> None:
        self.count += 1


@dataclass
class Config:
    label: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    statements: Statements
    ms: list[float] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)
    sql: list[int] = field(default_factory=list)
    changed: list[bool] = field(default_factory=list)
    completed: int = 0
    opened: int = 0
    closed: int = 0
    batch_medians: list[float] = field(default_factory=list)
    parts: Counter[str] = field(default_factory=Counter)  # seconds inside evaluate_learner


AWARD_SQL = text(
    "INSERT INTO assertions (badge_class_id, organization_id, recipient_user_id, "
    "recipient_email, salt, identity_hash, method) "
    "VALUES (:c, :o, :l, :e, 'benchsalt', 'sha256$bench', 'api')"
)


async def one_sample(
    cfg: Config, settings: Settings, learner: int, badge_class: int, org: int, record: bool
) -> None:
    from server.stacks import engine

    async with cfg.sessionmaker() as session:
        await session.execute(
            AWARD_SQL, {"c": badge_class, "o": org, "l": learner, "e": f"learner{learner}@{DOMAIN}"}
        )
        now = datetime.now(UTC)
        before = cfg.statements.count
        started = time.perf_counter()
        applied = await engine.evaluate_learner(
            session, learner, [badge_class], now=now, settings=settings
        )
        elapsed = time.perf_counter() - started
        sent = cfg.statements.count - before
        await session.rollback()
    if record:
        cfg.ms.append(elapsed * 1000)
        cfg.touched.append(applied.evaluated)
        cfg.sql.append(sent)
        cfg.changed.append(bool(applied.completed or applied.opened or applied.closed))
        cfg.completed += len(applied.completed)
        cfg.opened += len(applied.opened)
        cfg.closed += len(applied.closed)


async def settle(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, learners: list[int]
) -> tuple[float, int, int]:
    """Bring these learners to the state the engine left them in when their awards came
    in: every rule evaluated for what they hold, committed (completions, their badges,
    unlocks). Batched like a backfill: each rule once, for the sample learners holding
    something it names; again for the rules the stack badges so awarded can change."""
    from sqlalchemy import select

    from server.models import BadgeClass, RuleTerm
    from server.stacks import engine, holdings, rules

    started = time.perf_counter()
    completed = opened = 0
    async with sessionmaker() as session:
        targets = await engine.targets_where(session, RuleTerm.id.is_not(None))
    todo, changed = sorted(learners), None
    for _ in range(5):
        async with sessionmaker() as session:
            held = await holdings.of_learners(session, todo, now=datetime.now(UTC))
        by_class: dict[int, set[int]] = {}
        by_comp: dict[int, set[int]] = {}
        for learner, items in held.items():
            for h in items:
                by_class.setdefault(h.badge_class_id, set()).add(learner)
                for c in h.competency_ids:
                    by_comp.setdefault(c, set()).add(learner)
        again: set[int] = set()
        for n in range(0, len(targets), 200):
            async with sessionmaker() as session:
                for target in targets[n : n + 200]:
                    names = rules.badge_classes(target.rule)
                    comps = rules.competencies(target.rule)
                    if changed is not None and not (names & changed[0] or comps & changed[1]):
                        continue
                    who: set[int] = set()
                    for b in names:
                        who |= by_class.get(b, set())
                    for c in comps:
                        who |= by_comp.get(c, set())
                    ordered = sorted(who)
                    for k in range(0, len(ordered), 1000):
                        part = {learner: held[learner] for learner in ordered[k : k + 1000]}
                        done = await engine.apply(
                            session, target, part, now=datetime.now(UTC), settings=settings
                        )
                        completed += len(done.completed)
                        opened += len(done.opened)
                        again.update(learner for _, learner in done.completed)
                await session.commit()
        awarded = {t.stack.award_badge_class_id for t in targets if t.stack is not None}
        if not again:
            break
        async with sessionmaker() as session:
            comps_of = {
                c: set(cs)
                for c, cs in await session.execute(
                    select(BadgeClass.id, BadgeClass.competency_ids).where(
                        BadgeClass.id.in_([a for a in awarded if a is not None])
                    )
                )
            }
        classes = {a for a in awarded if a is not None}
        changed = (classes, set().union(*comps_of.values()) if comps_of else set())
        todo = sorted(again)
    return time.perf_counter() - started, completed, opened


async def measure_one(
    args: argparse.Namespace,
    settings: Settings,
    configs: list[Config],
    net: Network,
    samples: list[tuple[int, int]],
    warmup: list[tuple[int, int]],
) -> None:
    from server.stacks import engine, holdings

    for cfg in configs:
        for learner, c in warmup:
            await one_sample(cfg, settings, learner, c, net.class_org[c], record=False)
    # Where the time goes inside evaluate_learner (module functions it calls, wrapped).
    current: list[Counter[str]] = [Counter()]
    originals = (engine.lock_learners, engine.targets_for, holdings.of_learners, engine.apply_all)
    engine.lock_learners = timed(current, "lock the learner", engine.lock_learners)
    engine.targets_for = timed(current, "find the rules (rule_terms, load)", engine.targets_for)
    holdings.of_learners = timed(current, "read holdings", holdings.of_learners)
    engine.apply_all = timed(current, "evaluate + apply", engine.apply_all)
    try:
        for n, start in enumerate(range(0, len(samples), args.batch)):
            batch = samples[start : start + args.batch]
            order = configs if n % 2 == 0 else list(reversed(configs))
            for cfg in order:
                current[0] = cfg.parts
                first = len(cfg.ms)
                for learner, c in batch:
                    await one_sample(cfg, settings, learner, c, net.class_org[c], record=True)
                cfg.batch_medians.append(statistics.median(cfg.ms[first:]))
            if (n + 1) % 10 == 0:
                done = min(start + args.batch, len(samples))
                medians = ", ".join(
                    f"{c.label} p50 {statistics.median(c.ms):.2f} ms" for c in configs
                )
                print(f"    {done:,}/{len(samples):,} awards: {medians}", flush=True)
    finally:
        engine.lock_learners, engine.targets_for, holdings.of_learners, engine.apply_all = originals


def report_one(configs: list[Config]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for cfg in configs:
        ms, touched = cfg.ms, cfg.touched
        zero = sum(1 for t in touched if t == 0) / len(touched)
        print(
            f"  {cfg.label:>13}: p50 {pct(ms, 0.5):.2f} ms, p95 {pct(ms, 0.95):.2f} ms, "
            f"p99 {pct(ms, 0.99):.2f} ms, mean {statistics.fmean(ms):.2f} ms "
            f"({len(ms):,} awards)"
        )
        print(
            f"  {'':>13}  rules evaluated per award: mean {statistics.fmean(touched):.1f}, "
            f"p50 {pct(touched, 0.5):.0f}, p95 {pct(touched, 0.95):.0f}, max {max(touched)}; "
            f"none for {zero:.0%} of awards; SQL statements per award: mean "
            f"{statistics.fmean(cfg.sql):.1f}, p95 {pct(cfg.sql, 0.95):.0f}; changes: "
            f"{cfg.completed} completed, {cfg.opened} opened, {cfg.closed} closed"
        )
        total = sum(ms) / 1000
        parts = ", ".join(
            f"{name} {seconds * 1000 / len(ms):.2f} ms ({seconds / total:.0%})"
            for name, seconds in cfg.parts.items()
        )
        print(f"  {'':>13}  mean per award: {parts}")
        quiet = [m for m, c in zip(ms, cfg.changed, strict=True) if not c]
        print(
            f"  {'':>13}  the {len(quiet):,} awards that changed nothing: p50 "
            f"{pct(quiet, 0.5):.2f} ms, p95 {pct(quiet, 0.95):.2f} ms"
        )
        rows.append(
            (
                f"one award, {cfg.label}",
                f"p50 {pct(ms, 0.5):.2f} / p95 {pct(ms, 0.95):.2f} / p99 {pct(ms, 0.99):.2f} ms;"
                f" rules evaluated mean {statistics.fmean(touched):.1f} (p95 "
                f"{pct(touched, 0.95):.0f}); {statistics.fmean(cfg.sql):.1f} statements",
            )
        )
    small, *others = configs
    for big in others:
        r50 = pct(big.ms, 0.5) / pct(small.ms, 0.5)
        r95 = pct(big.ms, 0.95) / pct(small.ms, 0.95)
        r99 = pct(big.ms, 0.99) / pct(small.ms, 0.99)
        pairs = zip(big.batch_medians, small.batch_medians, strict=True)
        paired = statistics.median(b / s for b, s in pairs)
        print(
            f"  ratio {big.label} / {small.label}: p50 x{r50:.2f}, p95 x{r95:.2f}, "
            f"p99 x{r99:.2f}; median of the per-batch p50 ratios x{paired:.2f} "
            f"({len(big.batch_medians)} batches)"
        )
        rows.append(
            (
                f"ratio {big.label} / {small.label}",
                f"p50 x{r50:.2f}, p95 x{r95:.2f}, p99 x{r99:.2f} "
                f"(median of per-batch ratios x{paired:.2f})",
            )
        )
    return rows


# --- measurement 2: a full backfill of a new rule -----------------------------------------


@dataclass
class Backfilled:
    label: str
    rule: dict[str, Any]
    seconds: float = 0.0
    chunks: int = 0
    evaluated: int = 0
    completed: int = 0
    opened: int = 0
    chunk_ms: list[float] = field(default_factory=list)
    parts: Counter[str] = field(default_factory=Counter)
    awards_made: int = 0
    emails: int = 0
    rss_before: int = 0
    rss_after: int = 0


def timed(
    parts: Counter[str] | list[Counter[str]], name: str, fn: Callable[..., Awaitable[Any]]
) -> Any:
    """`fn`, adding the seconds it takes to parts[name] (or to parts[0][name])."""

    async def wrapper(*a: Any, **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            return await fn(*a, **kw)
        finally:
            into = parts[0] if isinstance(parts, list) else parts
            into[name] += time.perf_counter() - started

    return wrapper


async def backfill_rule(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    out: Backfilled,
    *,
    stack_id: int | None = None,
    opportunity_id: int | None = None,
    chunk: int,
) -> None:
    """As the stacks.backfill handler runs it: one chunk per transaction (job)."""
    from sqlalchemy import func, select

    from server import outbox
    from server.models import Assertion, OutboxEvent
    from server.stacks import engine, holdings

    originals = (engine._candidates, engine.lock_learners, holdings.of_learners, engine.apply_all)
    engine._candidates = timed(out.parts, "candidates query", engine._candidates)
    engine.lock_learners = timed(out.parts, "lock learners", engine.lock_learners)
    holdings.of_learners = timed(out.parts, "read holdings", holdings.of_learners)
    engine.apply_all = timed(out.parts, "evaluate + apply", engine.apply_all)
    async with sessionmaker() as session:
        assertions0 = await session.scalar(select(func.count()).select_from(Assertion))
        emails0 = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "email")
        )
    out.rss_before = rss_kib()[0]
    payload: dict[str, Any] = (
        {"stack": stack_id} if stack_id is not None else {"opportunity": opportunity_id}
    )
    started = time.perf_counter()
    try:
        after = 0
        while True:
            chunk_started = time.perf_counter()
            async with sessionmaker() as session:
                target = await engine.target_of(
                    session, stack_id=stack_id, opportunity_id=opportunity_id
                )
                assert target is not None
                done, cursor = await engine.backfill(
                    session,
                    target,
                    after=after,
                    now=datetime.now(UTC),
                    settings=settings,
                    chunk=chunk,
                )
                if cursor is not None:
                    await outbox.emit(session, "stacks.backfill", {**payload, "after": cursor})
                commit_started = time.perf_counter()
                await session.commit()
                out.parts["commit"] += time.perf_counter() - commit_started
            out.chunk_ms.append((time.perf_counter() - chunk_started) * 1000)
            out.chunks += 1
            out.evaluated += done.evaluated
            out.completed += len(done.completed)
            out.opened += len(done.opened)
            if cursor is None:
                break
            after = cursor
    finally:
        engine._candidates, engine.lock_learners, holdings.of_learners, engine.apply_all = originals
    out.seconds = time.perf_counter() - started
    out.rss_after = rss_kib()[0]
    async with sessionmaker() as session:
        assertions1 = await session.scalar(select(func.count()).select_from(Assertion))
        emails1 = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "email")
        )
    out.awards_made = int(assertions1 or 0) - int(assertions0 or 0)
    out.emails = int(emails1 or 0) - int(emails0 or 0)


async def measure_two(
    args: argparse.Namespace,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    net: Network,
) -> list[Backfilled]:
    from server.authz import Actor
    from server.db import session_scope
    from server.stacks import definitions

    admin = Actor(user_id=args.learners + 1, display_name="Bench admin", is_admin=True)
    top = net.by_popularity
    gate_rule = {"at_least": 2, "of": [{"badge": c} for c in top[:6]]}
    stack_rule = {"all_of": [{"badge": top[0]}, {"any_of": [{"badge": c} for c in top[1:4]]}]}
    results = []

    # A new gated listing of an employer, its gate a rule of its own.
    async with session_scope(sessionmaker) as session:
        opportunity_id = await session.scalar(
            text(
                "INSERT INTO opportunities (organization_id, kind, title, description, min_age,"
                " max_age, cost_cents, financial_aid, delivery, schedule_timezone, status, "
                " keywords) VALUES (:org, 'internship', 'Summer internship (bench)', '', 14, "
                " 24, 0, false, 'online', 'America/Chicago', 'published', '') RETURNING id"
            ),
            {"org": net.employers[0]},
        )
        await definitions.set_gate(
            session, admin, opportunity_id, definitions.GateInput(rule=gate_rule)
        )
    gate = Backfilled("new gate", gate_rule)
    print(f"  gate on listing {opportunity_id}: {json.dumps(gate_rule)}", flush=True)
    await backfill_rule(
        sessionmaker, settings, gate, opportunity_id=opportunity_id, chunk=args.chunk
    )
    report_backfill(gate)
    results.append(gate)

    # A new stack that awards a badge of its own organization's on completion.
    org = net.class_org[top[0]]
    if len(net.org_classes[org]) < 5:  # an issuer with a few badges of its own
        org = max(net.org_classes, key=lambda o: len(net.org_classes[o]))
    award_class = next(c for c in net.org_classes[org] if c not in top[:4])
    async with session_scope(sessionmaker) as session:
        stack = await definitions.create_stack(
            session,
            admin,
            org,
            definitions.StackInput(
                name="Bench pathway", rule=stack_rule, award_badge_class_id=award_class
            ),
        )
        stack_id = stack.id
    made = Backfilled("new stack", stack_rule)
    print(f"  stack {stack_id} (awards badge {award_class}): {json.dumps(stack_rule)}", flush=True)
    await backfill_rule(sessionmaker, settings, made, stack_id=stack_id, chunk=args.chunk)
    report_backfill(made)
    results.append(made)
    return results


def report_backfill(b: Backfilled) -> None:
    rate = b.evaluated / b.seconds if b.seconds else 0.0
    print(
        f"  {b.label}: {b.evaluated:,} learners evaluated in {b.chunks} chunks, "
        f"{b.seconds:.1f} s = {rate:,.0f} learners/s; {b.opened:,} unlocks opened, "
        f"{b.completed:,} completions ({b.awards_made:,} badges awarded), {b.emails:,} emails "
        f"queued; chunk p50 {pct(b.chunk_ms, 0.5):,.0f} ms, max {max(b.chunk_ms):,.0f} ms"
    )
    parts = ", ".join(
        f"{name} {seconds:.1f} s ({seconds / b.seconds:.0%})" for name, seconds in b.parts.items()
    )
    print(f"    where the time went: {parts}")


# --- the run -----------------------------------------------------------------------------


def summary(
    args: argparse.Namespace,
    loaded: Loaded,
    one: list[tuple[str, str]],
    two: list[Backfilled],
    settled: tuple[float, int, int],
    total: float,
) -> None:
    rows = [
        (
            "data loaded",
            f"{loaded.counts['assertions']:,} awards, {loaded.counts['users'] - 1:,} learners, "
            f"{loaded.counts['badge_classes']:,} classes, {loaded.counts['organizations']} orgs, "
            f"{loaded.counts['stacks'] + loaded.counts['opportunity_gates']:,} rules "
            f"({loaded.terms:,} rule_terms)",
        ),
        ("load time", f"{loaded.seconds:.0f} s (after migrations)"),
        (
            "database size",
            f"{loaded.db_bytes / 2**20:,.0f} MiB (assertions with indexes "
            f"{loaded.assertions_bytes / 2**20:,.0f} MiB)",
        ),
        (
            "sample learners settled",
            f"{settled[0]:.0f} s ({settled[1]:,} completions, {settled[2]:,} unlocks)",
        ),
        *one,
    ]
    for b in two:
        rows.append(
            (
                f"backfill, {b.label}",
                f"{b.evaluated:,} learners in {b.seconds:.1f} s = "
                f"{b.evaluated / b.seconds:,.0f} learners/s, {b.chunks} chunks of {args.chunk}; "
                f"{b.opened:,} unlocks, {b.completed:,} completions",
            )
        )
    rows.append(("peak RSS (VmHWM) of the process", f"{rss_kib()[1] / 1024:,.0f} MiB"))
    rows.append(("whole run", f"{total / 60:.1f} min"))
    width = max(len(label) for label, _ in rows)
    print("\nsummary")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


async def run(args: argparse.Namespace) -> None:
    from server.db import make_engine, make_sessionmaker

    started = time.perf_counter()
    base = load_settings()
    admin = base.plain_database_url
    rng = random.Random(args.seed)
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}", flush=True)
    print(f"database {BENCH_DB}: created and migrated", flush=True)
    url = await create_database(admin)
    settings = dataclasses.replace(base, database_url=url)
    engines: list[AsyncEngine] = []
    try:
        net = make_network(args, rng)
        make_rules(args, net, rng)
        print("load:", flush=True)
        loaded = Loaded()
        await load(args, url, net, rng, loaded)
        for table, n in loaded.counts.items():
            print(f"    {table:<20} {n:>10,}")
        print(
            f"  loaded in {loaded.seconds:.0f} s; database {loaded.db_bytes / 2**20:,.0f} MiB "
            f"(assertions {loaded.assertions_bytes / 2**20:,.0f} MiB); "
            f"{args.small}-rule index: {loaded.small_terms} rows; sparse index: "
            f"{loaded.sparse_terms:,} rows",
            flush=True,
        )

        big_engine = make_engine(settings)
        server_settings = {
            "jit": "off",
            "max_parallel_workers_per_gather": "0",
            "search_path": f"{SMALL_SCHEMA}, public",
        }
        small_engine = make_engine(settings, connect_args={"server_settings": server_settings})
        sparse_settings = {**server_settings, "search_path": f"{SPARSE_SCHEMA}, public"}
        sparse_engine = make_engine(settings, connect_args={"server_settings": sparse_settings})
        engines += [big_engine, small_engine, sparse_engine]
        big_sm, small_sm = make_sessionmaker(big_engine), make_sessionmaker(small_engine)
        sparse_sm = make_sessionmaker(sparse_engine)
        loaded.verified = await verify_terms(big_sm, net, rng, args.verify)
        print(f"  rule_terms equal definitions.reindex's for {loaded.verified} sampled rules")

        total_rules = len(net.stacks) + len(net.gates)
        configs = [
            Config(f"{args.small:,} rules", small_engine, small_sm, Statements(small_engine)),
            Config(f"{total_rules:,} rules", big_engine, big_sm, Statements(big_engine)),
            Config(
                f"{total_rules:,} sparse",
                sparse_engine,
                sparse_sm,
                Statements(sparse_engine),
            ),
        ]
        pool = rng.sample(range(1, args.learners + 1), min(args.pool, args.learners))
        pairs = [(rng.choice(pool), net.awards(rng)) for _ in range(args.samples + args.warmup)]
        warmup, samples = pairs[: args.warmup], pairs[args.warmup :]
        print(f"measurement 1: {len(samples):,} awards, each evaluated in both configurations")
        settled = await settle(big_sm, settings, sorted({learner for learner, _ in pairs}))
        print(
            f"  {len({learner for learner, _ in pairs}):,} sample learners settled in "
            f"{settled[0]:.0f} s ({settled[1]:,} completions, {settled[2]:,} unlocks)",
            flush=True,
        )
        await measure_one(args, settings, configs, net, samples, warmup)
        one = report_one(configs)

        print(f"measurement 2: backfill of new rules, chunks of {args.chunk}", flush=True)
        two = await measure_two(args, big_sm, settings, net)
        print(f"  process RSS now {rss_kib()[0] / 1024:,.0f} MiB, peak {rss_kib()[1] / 1024:,.0f}")
        summary(args, loaded, one, two, settled, time.perf_counter() - started)
    finally:
        for e in engines:
            await e.dispose()
        if args.keep:
            print(f"kept database {BENCH_DB} ({with_database(admin, BENCH_DB)})")
        else:
            await drop_database(admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--awards", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=2_000, help="badge classes")
    parser.add_argument("--issuers", type=int, default=300, help="issuing organizations")
    parser.add_argument("--employers", type=int, default=60, help="employer organizations")
    parser.add_argument("--competencies", type=int, default=150)
    parser.add_argument("--stacks", type=int, default=6_500)
    parser.add_argument("--gates", type=int, default=3_500, help="gated listings (30%% on a stack)")
    parser.add_argument("--small", type=int, default=100, help="rules in the small index")
    parser.add_argument("--samples", type=int, default=2_000, help="awards per configuration")
    parser.add_argument(
        "--pool", type=int, default=500, help="learners the sample awards go to (at random)"
    )
    parser.add_argument("--warmup", type=int, default=100, help="awards first, not counted")
    parser.add_argument("--batch", type=int, default=50, help="awards per alternating batch")
    parser.add_argument("--verify", type=int, default=60, help="rules checked against reindex")
    parser.add_argument("--chunk", type=int, default=1000, help="backfill chunk (the engine's)")
    parser.add_argument("--zipf", type=float, default=0.8, help="badge class popularity exponent")
    parser.add_argument(
        "--skew", type=float, default=1.3, help="badges per learner skew (1 = uniform)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    devservices.start()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
