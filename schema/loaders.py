"""Per-request DataLoaders, built in get_context, never at module level.

Each batch opens its own short session: graphql-core resolves sibling fields
concurrently and one AsyncSession must not be shared across tasks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from server.catalog import reads
from server.catalog.reads import PlaceView
from server.models import Opportunity, Organization, Session, Topic

V = TypeVar("V")


class Loaders:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> None:
        self._sessionmaker = sessionmaker
        self._now = now
        self.opportunity_by_id = self._by_id(reads.opportunities_by_ids, Opportunity)
        self.organization_by_id = self._by_id(reads.organizations_by_ids, Organization)
        self.place_by_id = self._by_id(reads.places_by_ids, PlaceView)
        self.topic_by_id = self._by_id(reads.topics_by_ids, Topic)
        self.upcoming_sessions_by_opportunity: DataLoader[int, list[Session]] = DataLoader(
            self._sessions(upcoming=True)
        )
        self.all_sessions_by_opportunity: DataLoader[int, list[Session]] = DataLoader(
            self._sessions(upcoming=False)
        )

    def _by_id(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[dict[int, V]]],
        _type: type[V],
    ) -> DataLoader[int, V | None]:
        async def load(keys: list[int]) -> list[V | None]:
            async with self._sessionmaker() as session:
                found = await fetch(session, keys)
            return [found.get(key) for key in keys]

        return DataLoader(load)

    def _sessions(self, *, upcoming: bool) -> Callable[[list[int]], Awaitable[list[list[Session]]]]:
        async def load(keys: list[int]) -> list[list[Session]]:
            async with self._sessionmaker() as session:
                found = await reads.sessions_by_opportunity_ids(
                    session, keys, upcoming_from=self._now if upcoming else None
                )
            return [found.get(key, []) for key in keys]

        return load
