"""A live server whose PUBLIC_URL is its own loopback address, so the badges it hosts name
URLs that outside verifiers (the IMS validator, PyJWT with a fetched key) can fetch."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from server.settings import Settings
from tests.conftest import _free_port, serving


@dataclasses.dataclass(frozen=True)
class BadgeServer:
    url: str
    settings: Settings


@pytest.fixture(scope="session")
def badge_server(settings: Settings) -> Iterator[BadgeServer]:
    port = _free_port()
    served = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{port}")
    with serving(served, port) as url:
        yield BadgeServer(url, served)
