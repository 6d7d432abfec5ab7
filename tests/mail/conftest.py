"""The mail tests' own database: they make relays fail on purpose (up to giving up), and a
relay takes every due event in its database, so in the shared one they would change other
tests' events. `outbox_db` empties its outbox before each test."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import make_engine, make_sessionmaker, session_scope
from server.models import OutboxEvent
from server.settings import Settings
from tests.conftest import TEST_DB_PREFIX, _drop, _fresh_migrated_db


@pytest.fixture(scope="session")
async def mail_sessionmaker(
    base_settings: Settings,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    name = f"{TEST_DB_PREFIX}_{os.getpid()}_mail"
    url = await _fresh_migrated_db(base_settings, name)
    engine = make_engine(dataclasses.replace(base_settings, database_url=url))
    yield make_sessionmaker(engine)
    await engine.dispose()
    await _drop(base_settings.plain_database_url, name)


@pytest.fixture
async def outbox_db(
    mail_sessionmaker: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    async with session_scope(mail_sessionmaker) as session:
        await session.execute(delete(OutboxEvent))
    return mail_sessionmaker
