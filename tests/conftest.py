"""Test fixtures: a real PostgreSQL+PostGIS database and a real Redis, no mocks.

`make test` starts the private servers (or uses DATABASE_URL / REDIS_URL); this file
creates a throwaway database on that server, migrates it, loads a small
deterministic demo city plus hand-made fixtures, and drops it at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import uvicorn
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.app import create_app
from server.db import make_engine, make_sessionmaker
from server.migrate import upgrade
from server.settings import Settings, load_settings
from tests import builders

pytest_plugins = ["tests.mail_sink"]  # smtp_sink, mail_settings: a real SMTP server

TEST_DB_PREFIX = "citylearn_test"
DEMO_OPPORTUNITIES = 600
DEMO_ORGANIZATIONS = 40


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _recreate(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(_with_database(admin_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(_with_database(admin_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _fresh_migrated_db(base: Settings, name: str) -> str:
    await _recreate(base.plain_database_url, name)
    url = _with_database(base.plain_database_url, name)
    # Alembic's env.py runs its own event loop: keep it off ours.
    await asyncio.to_thread(upgrade, _with_database(base.sqlalchemy_url, name))
    return url


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
async def db_url(base_settings: Settings) -> AsyncIterator[str]:
    """A migrated database holding the small demo city and the hand-made fixtures."""
    from server.demo.load import seed_demo

    name = f"{TEST_DB_PREFIX}_{os.getpid()}"
    url = await _fresh_migrated_db(base_settings, name)
    await seed_demo(url, opportunities=DEMO_OPPORTUNITIES, organizations=DEMO_ORGANIZATIONS)
    await builders.load_fixtures(url)
    yield url
    await _drop(base_settings.plain_database_url, name)


@pytest.fixture(scope="session")
async def migrated_db_url(base_settings: Settings) -> AsyncIterator[str]:
    """An empty, migrated database for tests that load their own data."""
    name = f"{TEST_DB_PREFIX}_{os.getpid()}_empty"
    url = await _fresh_migrated_db(base_settings, name)
    yield url
    await _drop(base_settings.plain_database_url, name)


@pytest.fixture(scope="session")
def settings(base_settings: Settings, db_url: str) -> Settings:
    redis = urlsplit(base_settings.redis_url)
    # Database 15 of the test Redis, flushed per session, keeps tests off dev data.
    test_redis = urlunsplit(redis._replace(path="/15"))
    return dataclasses.replace(
        base_settings,
        database_url=db_url,
        redis_url=test_redis,
        # The suite sends thousands of queries from one address: a query cost budget it
        # never exhausts (tests/api gives its apps small ones).
        cost_budget=1_000_000_000,
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="session")
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture(scope="session")
def production_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, env="production", secure_cookies=True)


@pytest.fixture(scope="session")
async def production_app(production_settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(production_settings)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def production_client(production_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=production_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """uvicorn serving the app on a loopback port, in a thread with its own event loop."""
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[str]:
    with serving(settings, _free_port()) as url:
        yield url
