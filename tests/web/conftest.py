"""Fixtures of the page tests: an app with production cookie settings, and clients from
their own addresses (sign-in throttling counts failures per address)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

_addresses = itertools.count(10)

ClientFactory = Callable[[], httpx.AsyncClient]


@pytest.fixture(scope="session")
async def secure_app(settings: Settings) -> AsyncIterator[Starlette]:
    """As deployed: production, and Secure cookies (load_settings' default outside
    development; the shared production_settings fixture only changes env)."""
    application = create_app(dataclasses.replace(settings, env="production", secure_cookies=True))
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def secure_client(secure_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=secure_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


@pytest.fixture
async def new_client(app: Starlette) -> AsyncIterator[ClientFactory]:
    """Makes clients (browsers), each from an address of its own."""
    made: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        n = next(_addresses)
        transport = httpx.ASGITransport(
            app=app, raise_app_exceptions=False, client=(f"10.9.{n // 250}.{n % 250}", 5000)
        )
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    """A headless Debian Chromium (Playwright's own download is not available here)."""
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as p:
        instance = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()
