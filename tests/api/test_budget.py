"""Per-client budgets of query cost: the Redis token bucket, throttling, failing open."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette

from server import ratelimit
from server.app import create_app
from server.ratelimit import Spend, TokenBucket
from server.settings import Settings
from tests.graphql_client import SEARCH, gql

# SEARCH with first: 20: the connection, pageInfo and 20 results of 8 objects each.
SEARCH_COST = 2 + 20 * 8
NEAR = {"near": {"postalCode": "60614"}, "first": 20}
BUDGET = 400  # two searches, not three
REFILL = 0.01  # per second: nothing measurable comes back during a test


def unique() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def bucket(redis: Redis) -> TokenBucket:
    return TokenBucket(redis, f"test-{unique()}", capacity=1000, refill_per_second=10.0)


async def test_spends_and_refuses_without_spending(bucket: TokenBucket) -> None:
    key = unique()
    assert await bucket.spend(key, 300, now=100.0) == Spend(True, 700.0, 0.0)
    # 800 > 700: refused, and the 700 stay; 100 more points take 10 s at 10/s.
    assert await bucket.spend(key, 800, now=100.0) == Spend(False, 700.0, 10.0)
    assert await bucket.spend(key, 700, now=100.0) == Spend(True, 0.0, 0.0)
    assert await bucket.spend(key, 1, now=100.0) == Spend(False, 0.0, 0.1)


async def test_refills_with_time_up_to_the_capacity(bucket: TokenBucket) -> None:
    key = unique()
    await bucket.spend(key, 1000, now=100.0)
    assert await bucket.spend(key, 50, now=105.0) == Spend(True, 0.0, 0.0)
    assert await bucket.spend(key, 0, now=107.5) == Spend(True, 25.0, 0.0)
    # A clock that goes back refills nothing.
    assert await bucket.spend(key, 0, now=50.0) == Spend(True, 25.0, 0.0)
    assert await bucket.spend(key, 0, now=10_000.0) == Spend(True, 1000.0, 0.0)


async def test_concurrent_spends_never_share_the_last_points(bucket: TokenBucket) -> None:
    key = unique()
    spends = await asyncio.gather(*(bucket.spend(key, 150, now=100.0) for _ in range(10)))
    assert sum(s is not None and s.spent for s in spends) == 6  # 6 x 150 of 1000


async def test_budgets_are_per_key(bucket: TokenBucket) -> None:
    ip, other_ip, token = (f"ip:{unique()}", f"ip:{unique()}", f"token:{unique()}")
    await bucket.spend(ip, 1000, now=100.0)
    assert await bucket.spend(ip, 1, now=100.0) == Spend(False, 0.0, 0.1)
    for key in (other_ip, token):
        assert await bucket.spend(key, 1000, now=100.0) == Spend(True, 0.0, 0.0)


async def test_the_key_expires_once_the_bucket_would_be_full(
    bucket: TokenBucket, redis: Redis
) -> None:
    key = unique()
    await bucket.spend(key, 300, now=100.0)
    # 300 points at 10 per second: full again in 30 s.
    ttl = await redis.pttl(f"{bucket.name}:{key}")
    assert 29_000 < ttl <= 30_000


async def test_reloads_the_script_when_redis_forgot_it(bucket: TokenBucket, redis: Redis) -> None:
    await redis.script_flush()  # as after a restart: EVALSHA answers NOSCRIPT
    assert await bucket.spend(unique(), 1, now=100.0) == Spend(True, 999.0, 0.0)
    assert await bucket.spend(unique(), 1) == Spend(True, 999.0, 0.0)  # Redis' own clock


@asynccontextmanager
async def app_with(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture(scope="module")
async def small_budget_app(settings: Settings) -> AsyncIterator[Starlette]:
    small = dataclasses.replace(
        settings, cost_budget=BUDGET, max_query_cost=BUDGET, cost_refill_per_second=REFILL
    )
    async with app_with(small) as application:
        yield application


def client_from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_client_is_throttled_when_its_budget_is_spent(
    small_budget_app: Starlette,
) -> None:
    address = unique()
    async with client_from(small_budget_app, address) as c:
        first, second, third = [await gql(c, SEARCH, NEAR) for _ in range(3)]
    for body, left in ((first, BUDGET - SEARCH_COST), (second, BUDGET - 2 * SEARCH_COST)):
        assert "errors" not in body and body["data"]["opportunities"]["edges"]
        assert body["extensions"]["cost"] == {
            "requestedQueryCost": SEARCH_COST,
            "maximumQueryCost": BUDGET,
            "throttleStatus": {
                "maximumAvailable": BUDGET,
                "currentlyAvailable": pytest.approx(left, abs=0.1),
                "restoreRate": REFILL,
            },
        }
    assert third["data"] is None
    (error,) = third["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    # 162 - 76 points at 0.01 per second.
    wait = (SEARCH_COST - (BUDGET - 2 * SEARCH_COST)) / REFILL
    assert error["extensions"]["retryAfterSeconds"] == pytest.approx(wait, rel=0.01)
    assert "Throttled" in error["message"]
    status = third["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == pytest.approx(BUDGET - 2 * SEARCH_COST, abs=0.1)

    # Another address has its own budget.
    async with client_from(small_budget_app, unique()) as c:
        assert "errors" not in await gql(c, SEARCH, NEAR)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_without_redis_requests_are_served(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ratelimit, "_last_warning", float("-inf"))
    nowhere = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    async with app_with(nowhere) as application:
        async with client_from(application, unique()) as c:
            with caplog.at_level(logging.WARNING, logger="server.ratelimit"):
                body = await gql(c, SEARCH, NEAR)
            assert "errors" not in body and body["data"]["opportunities"]["edges"]
            assert body["extensions"]["cost"]["requestedQueryCost"] == SEARCH_COST
            assert body["extensions"]["cost"]["throttleStatus"] is None
            assert "budgets unavailable" in caplog.text
            # Still refused over the maximum, without Redis.
            too_costly = "{ opportunities(first: 50) { edges { node { sessions(first: 100) "
            body = await gql(c, too_costly + "{ startsAt } } } } }")
            assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
