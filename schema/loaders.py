"""Per-request DataLoaders, built in get_context, never at module level.

Batches use the request's one session under its lock (schema/database.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from schema.database import RequestDatabase
from server.catalog import reads
from server.catalog.reads import ListingView, OrganizationView, SessionView
from server.models import Topic

V = TypeVar("V")


class Loaders:
    def __init__(self, db: RequestDatabase, now: datetime) -> None:
        self._db = db
        self._now = now
        self.opportunity_by_id = self._by_id(reads.listings_by_ids, ListingView)
        self.organization_by_id = self._by_id(reads.organizations_by_ids, OrganizationView)
        self.topic_by_id = self._by_id(reads.topics_by_ids, Topic)
        # Keys are (listing id, include past sessions, how many).
        self.sessions_by_opportunity: DataLoader[tuple[int, bool, int], list[SessionView]] = (
            DataLoader(self._sessions)
        )

    def _by_id(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[dict[int, V]]],
        _type: type[V],
    ) -> DataLoader[int, V | None]:
        async def load(keys: list[int]) -> list[V | None]:
            async with self._db.use() as session:
                found = await fetch(session, keys)
            return [found.get(key) for key in keys]

        return DataLoader(load)

    async def _sessions(self, keys: list[tuple[int, bool, int]]) -> list[list[SessionView]]:
        # One query per distinct (include past, how many): a page asks the same for all rows.
        found: dict[tuple[bool, int], dict[int, list[SessionView]]] = {}
        async with self._db.use() as session:
            for include_past, limit in sorted({(k[1], k[2]) for k in keys}):
                ids = [k[0] for k in keys if (k[1], k[2]) == (include_past, limit)]
                found[(include_past, limit)] = await reads.sessions_by_opportunity_ids(
                    session,
                    ids,
                    upcoming_from=None if include_past else self._now,
                    limit_per=limit,
                )
        return [found[(k[1], k[2])].get(k[0], []) for k in keys]
