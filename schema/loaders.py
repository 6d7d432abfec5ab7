"""Per-request DataLoaders, built in get_context, never at module level.

Batches use the request's one session under its lock (schema/database.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from schema.database import RequestDatabase
from server.catalog import reads
from server.catalog.reads import ListingView, OrganizationView, SessionView
from server.models import OpportunityGate, Stack, Topic
from server.stacks import progress
from server.stacks.progress import BadgeRef, GateView

V = TypeVar("V")


class Loaders:
    def __init__(self, db: RequestDatabase, now: datetime) -> None:
        self._db = db
        self._now = now
        self.opportunity_by_id = self._by_id(reads.listings_by_ids, ListingView)
        self.organization_by_id = self._by_id(reads.organizations_by_ids, OrganizationView)
        self.topic_by_id = self._by_id(reads.topics_by_ids, Topic)
        self.badge_ref_by_id = self._by_id(progress.badge_refs, BadgeRef)
        # A gated listing's stack, by the listing's id (None for a rule of its own).
        self.stack_by_gate = self._by_id(_stacks_of_gates, Stack)
        # Keys are (listing id, the viewer's user id or None): what it takes, and whether
        # it is locked for the viewer. A page of listings is one batch (a few reads).
        self.gate_by_opportunity: DataLoader[tuple[int, int | None], GateView | None] = DataLoader(
            self._gates
        )
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

    async def _gates(self, keys: list[tuple[int, int | None]]) -> list[GateView | None]:
        # One viewer per request, so one gate_views call in practice.
        found: dict[int | None, dict[int, GateView]] = {}
        async with self._db.use() as session:
            for viewer in sorted({k[1] for k in keys}, key=lambda v: (v is None, v or 0)):
                found[viewer] = await progress.gate_views(
                    session, [k[0] for k in keys if k[1] == viewer], viewer_id=viewer, now=self._now
                )
        return [found[k[1]].get(k[0]) for k in keys]


async def _stacks_of_gates(session: AsyncSession, ids: Sequence[int]) -> dict[int, Stack]:
    rows = await session.execute(
        select(OpportunityGate.opportunity_id, Stack)
        .join(Stack, Stack.id == OpportunityGate.stack_id)
        .where(OpportunityGate.opportunity_id.in_(list(ids)))
    )
    return {opportunity_id: stack for opportunity_id, stack in rows.all()}
