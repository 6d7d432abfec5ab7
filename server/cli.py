"""`citylearn` command line: serve, worker, migrate, seed, ingest, badges, services, run."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from server import devservices
from server.settings import load_settings


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"CityLearn is serving at http://{host}:{port}/  (GraphQL: /graphql)", flush=True)
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    import logging

    from arq.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    from workers.settings import WorkerSettings

    run_worker(WorkerSettings, burst=args.burst)  # type: ignore[arg-type]
    return 0


def _migrate() -> None:
    from server.migrate import upgrade

    upgrade(load_settings().sqlalchemy_url)


def _cmd_migrate(args: argparse.Namespace) -> int:
    _migrate()
    print("database is at the latest migration")
    return 0


def _seed(opportunities: int, seed: int, only_if_empty: bool) -> None:
    from server.demo.load import seed_demo

    started = time.perf_counter()
    counts = asyncio.run(
        seed_demo(
            load_settings().database_url,
            seed=seed,
            opportunities=opportunities,
            only_if_empty=only_if_empty,
        )
    )
    if counts is None:
        print("database already has data; demo city not loaded (use --force to add anyway)")
    else:
        print(f"demo city loaded in {time.perf_counter() - started:.1f}s: {counts}")


def _demo_people() -> None:
    """Development only: sign-in accounts to try every kind of page (server/demo/people.py)."""
    settings = load_settings()
    if not settings.is_development:
        return
    from server.db import make_engine, make_sessionmaker, session_scope
    from server.demo import badges, people, stacks

    async def ensure() -> tuple[list[people.DemoPerson], badges.DemoBadges | None]:
        engine = make_engine(settings)
        try:
            async with session_scope(make_sessionmaker(engine)) as session:
                made = await people.ensure(session)
                demo_badges = await badges.ensure(session, now=datetime.now(UTC))
                await stacks.ensure(session, now=datetime.now(UTC))
                return made, demo_badges
        finally:
            await engine.dispose()

    made, demo_badges = asyncio.run(ensure())
    print(f"demo accounts (password {people.PASSWORD!r}, development only):")
    for person in made:
        print(f"  {person.email:<30} {person.what}")
    if demo_badges is not None and demo_badges.claim_code:
        print(
            f"demo badges by {demo_badges.organization}: claim one at {settings.public_url}"
            f"/claim with the code {demo_badges.claim_code}"
        )


def _cmd_seed(args: argparse.Namespace) -> int:
    _seed(args.opportunities, args.seed, only_if_empty=not args.force)
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    # The CLI is a composition root: it may use the partners' adapters.
    from partners.ingest import ingest

    try:
        summary = asyncio.run(
            ingest(
                load_settings(),
                organization_slug=args.org,
                format=args.format,
                source=args.source,
                dry_run=args.dry_run,
                confirm_removals=args.confirm_removals,
            )
        )
    except (OSError, ValueError, RuntimeError) as exc:  # fatal: nothing was applied
        print(f"ingest failed: {exc}", file=sys.stderr)
        return 1
    print(summary.as_text())
    return 0


def _verify_source(source: str) -> bytes | str | None:
    """What `badges verify SOURCE` names: stdin, a URL, a file, or literal JSON/JWS/SVG text."""
    from server.badges import verify

    if source == "-":
        return sys.stdin.buffer.read(verify.MAX_INPUT_BYTES + 1)
    if source.startswith(("http://", "https://")):
        return source
    path = Path(source)
    try:
        is_file = path.is_file()
    except OSError:  # ENAMETOOLONG: a JWS is longer than any file name
        is_file = False
    if is_file:
        with path.open("rb") as file:  # one byte over the limit is enough to refuse it
            return file.read(verify.MAX_INPUT_BYTES + 1)
    text = source.strip()
    if text.startswith(("{", "<")) or verify.looks_like_jws(text):
        return source
    return None


def _cmd_badges_verify(args: argparse.Namespace) -> int:
    import json

    from server.badges import verify

    try:
        source = _verify_source(args.source)
    except OSError as exc:
        print(f"badges verify: cannot read {args.source}: {exc.strerror}", file=sys.stderr)
        return 2
    if source is None:
        print(
            f"badges verify: no such file: {args.source} "
            "(give a badge file, a URL, a JWS or JSON, or - for stdin)",
            file=sys.stderr,
        )
        return 2
    # Private and loopback hosts only where feeds may use them (development: a local server).
    limits = verify.default_limits(allow_private=load_settings().allow_private_feed_hosts)
    result = asyncio.run(
        verify.verify(source, recipient_emails=args.recipient, limits=limits, now=datetime.now(UTC))
    )
    print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    return 0 if result.valid else 1


def _cmd_services(args: argparse.Namespace) -> int:
    if args.action == "start":
        devservices.start()
    elif args.action == "stop":
        devservices.stop()
    devservices.print_status()
    return 0


def _running_private_services() -> bool:
    return any(value.startswith("running") for value in devservices.status().values())


def _cmd_run(args: argparse.Namespace) -> int:
    """Everything on one machine: services, migrations, demo data, web + API, worker."""
    already_running = _running_private_services()
    devservices.start()
    _migrate()
    _seed(args.opportunities, args.seed, only_if_empty=True)
    _demo_people()
    settings = load_settings()
    port = args.port or settings.port
    python = [sys.executable, "-m", "server.cli"]
    # Own process groups: a terminal's Ctrl-C reaches only us, and we stop each child once
    # (a second SIGINT makes uvicorn abort its graceful shutdown).
    children = [
        subprocess.Popen([*python, "serve", "--port", str(port)], process_group=0),
        subprocess.Popen([*python, "worker"], process_group=0),
    ]
    print(f"\n  CityLearn demo city: http://{settings.host}:{port}/   (Ctrl-C stops)\n", flush=True)
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        # Leave servers alone that were running before we started (another shell uses them).
        if not already_running:
            devservices.stop()
        print("CityLearn stopped.")
    failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citylearn", description="CityLearn: a city-wide learning-opportunities network."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="start services, migrate, seed the demo city, serve + worker")
    run.add_argument("--port", type=int, help="HTTP port (default: $PORT or 8000)")
    run.add_argument("--opportunities", type=int, default=5200, help="demo city size")
    run.add_argument("--seed", type=int, default=2026, help="demo city random seed")
    run.set_defaults(func=_cmd_run)

    serve = sub.add_parser("serve", help="serve the web pages and the GraphQL API (uvicorn)")
    serve.add_argument("--host", help="bind address (default: $HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--log-level", default="info", help="uvicorn log level")
    serve.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="silence access logs"
    )
    serve.set_defaults(func=_cmd_serve)

    worker = sub.add_parser("worker", help="run the arq background worker")
    worker.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    worker.set_defaults(func=_cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    migrate.set_defaults(func=_cmd_migrate)

    seed = sub.add_parser("seed", help="load the generated demo city (Chicago)")
    seed.add_argument("--opportunities", type=int, default=5200, help="how many listings")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same city)")
    seed.add_argument("--force", action="store_true", help="load even if data exists")
    seed.set_defaults(func=_cmd_seed)

    ingest = sub.add_parser(
        "ingest",
        help="import an organization's listings from a file or URL (csv, ical, jsonld, rpde)",
    )
    ingest.add_argument("--org", required=True, help="the organization's slug")
    ingest.add_argument(
        "--format", required=True, choices=["csv", "ical", "jsonld", "rpde"], help="source format"
    )
    ingest.add_argument("source", help="a file path or an http(s) URL")
    ingest.add_argument(
        "--dry-run", action="store_true", help="show what would change; change nothing"
    )
    ingest.add_argument(
        "--confirm-removals",
        action="store_true",
        help="apply removals even when they exceed a quarter of the active listings",
    )
    ingest.set_defaults(func=_cmd_ingest)

    badges = sub.add_parser("badges", help="Open Badges tools")
    badges_sub = badges.add_subparsers(dest="badges_command", required=True, metavar="COMMAND")
    verify = badges_sub.add_parser(
        "verify",
        help="verify an Open Badge (2.0 or 3.0): prints the checks as JSON; exit 0 if valid",
    )
    verify.add_argument(
        "source",
        help="a baked PNG/SVG or JSON file, an http(s) URL, a JWS / VC-JWT or JSON text, "
        "or - for stdin",
    )
    verify.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="EMAIL",
        help="an email the badge should be awarded to (repeatable)",
    )
    verify.set_defaults(func=_cmd_badges_verify)

    services = sub.add_parser(
        "services",
        help="the private PostgreSQL+PostGIS, Redis and mail sink (unless *_URL are set)",
    )
    services.add_argument("action", choices=["start", "stop", "status"])
    services.set_defaults(func=_cmd_services)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except RuntimeError as exc:
        print(f"citylearn: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
