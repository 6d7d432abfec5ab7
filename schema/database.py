"""One database session per GraphQL request, shared under a lock.

graphql-core resolves sibling fields concurrently and an AsyncSession must not be
used by two tasks at once, so every use takes the lock. Sharing one session (one
pool checkout) instead of one per loader batch saved a dozen round trips per search
page. The session reads in autocommit (server.db.make_read_sessionmaker).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.extensions import SchemaExtension


class RequestDatabase:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._lock = asyncio.Lock()
        self._session: AsyncSession | None = None

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._session is None:
                self._session = self._sessionmaker()
            yield self._session

    async def close(self) -> None:
        async with self._lock:
            if self._session is not None:
                await self._session.close()
                self._session = None


class CloseRequestDatabase(SchemaExtension):
    """Returns the request's connection to the pool once the operation is done."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context: Any = self.execution_context.context
            database = getattr(context, "db", None)
            if isinstance(database, RequestDatabase):
                await database.close()


__all__ = ["CloseRequestDatabase", "RequestDatabase"]
