"""Tombstones of deleted listings: written by the database, kept 30 days for RPDE readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import Opportunity, OpportunityTombstone
from server.privacy import retention
from tests.accounts.people import unique
from tests.feeds.rpde_walk import listing, venue


async def test_deleting_a_listing_leaves_a_tombstone_the_purge_keeps_for_30_days(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-tombstones"))
        made = [await listing(s, org, place, title=f"Listing {n}") for n in range(3)]
        ids = [o.id for o in made]
        newest = max(o.rpde_modified for o in made)
    async with session_scope(sessionmaker) as s:
        await s.execute(delete(Opportunity).where(Opportunity.id.in_(ids)))
    async with session_scope(sessionmaker) as s:
        stones = {t.id: t for t in await s.scalars(select(OpportunityTombstone))}
        for i in ids:
            assert stones[i].organization_id == org.id
            assert stones[i].rpde_modified > newest  # a change after every earlier one
        ages = {ids[0]: 31, ids[1]: 29, ids[2]: 8}
        for i, days in ages.items():
            await s.execute(
                update(OpportunityTombstone)
                .where(OpportunityTombstone.id == i)
                .values(deleted_at=now - timedelta(days=days))
            )
    async with session_scope(sessionmaker) as s:
        purged = await retention.purge(s, now=now)
    assert purged.tombstones >= 1
    async with session_scope(sessionmaker) as s:
        left = set(await s.scalars(select(OpportunityTombstone.id)))
    assert ids[0] not in left  # older than 30 days
    assert {ids[1], ids[2]} <= left  # the spec asks for at least 7 days
