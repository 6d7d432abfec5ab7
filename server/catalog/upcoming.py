"""Upcoming sessions in bulk, for the outgoing feeds (RPDE and iCalendar).

One statement per call whatever the number of listings; "upcoming" is the one rule in
server/catalog/schedule.py (a session counts until it ends).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.reads import SessionView
from server.catalog.schedule import UPCOMING_SESSION_SQL
from server.db import fetch_all

_SESSION_COLUMNS = (
    "s.opportunity_id, s.starts_at, s.ends_at, s.local_date, s.local_dow, s.local_start_minute"
)


@dataclass(frozen=True)
class SessionSpan:
    """All of a listing's upcoming sessions in brief: how many, the last one and their
    weekdays. A schedule's end date and days come from all of them, also when a reader
    (the RPDE feed) fetched only the first few."""

    count: int
    last: SessionView
    weekdays: frozenset[int]

    @classmethod
    def of(cls, sessions: Sequence[SessionView]) -> SessionSpan | None:
        if not sessions:
            return None
        return cls(len(sessions), sessions[-1], frozenset(s.local_dow for s in sessions))


# The aggregate reads index entries only; the last session is one index probe per listing.
_SPANS_SQL = (
    "SELECT a.n, a.dows, l.* FROM ("
    "SELECT s.opportunity_id, count(*) AS n, array_agg(DISTINCT s.local_dow) AS dows "
    f"FROM sessions s WHERE s.opportunity_id = ANY(:ids) AND {UPCOMING_SESSION_SQL} "
    "GROUP BY s.opportunity_id) a "
    f"CROSS JOIN LATERAL (SELECT {_SESSION_COLUMNS} FROM sessions s "
    f"WHERE s.opportunity_id = a.opportunity_id AND {UPCOMING_SESSION_SQL} "
    "ORDER BY s.starts_at DESC LIMIT 1) l"
)


async def spans_by_opportunity_ids(
    session: AsyncSession, ids: Sequence[int], *, now: datetime
) -> dict[int, SessionSpan]:
    if not ids:
        return {}
    rows = await fetch_all(session, _SPANS_SQL, {"ids": sorted(set(ids)), "now": now})
    return {
        row[2]: SessionSpan(int(row[0]), SessionView(*row[2:]), frozenset(row[1])) for row in rows
    }


# Sessions in start order across listings, capped: a calendar shows the soonest ones.
_OF_ORGANIZATION_SQL = (
    f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN opportunities o ON o.id = s.opportunity_id "
    "WHERE o.organization_id = :org AND o.status = 'published' "
    f"AND {UPCOMING_SESSION_SQL} ORDER BY s.starts_at, s.opportunity_id LIMIT :limit"
)
_OF_LISTINGS_SQL = (
    f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.opportunity_id = ANY(:ids) "
    f"AND {UPCOMING_SESSION_SQL} ORDER BY s.starts_at, s.opportunity_id LIMIT :limit"
)


async def of_organization(
    session: AsyncSession, organization_id: int, *, now: datetime, limit: int
) -> list[SessionView]:
    """The soonest upcoming sessions of an organization's published listings."""
    rows = await fetch_all(
        session, _OF_ORGANIZATION_SQL, {"org": organization_id, "now": now, "limit": limit}
    )
    return [SessionView(*row) for row in rows]


async def of_listings(
    session: AsyncSession, ids: Sequence[int], *, now: datetime, limit: int
) -> list[SessionView]:
    """The soonest upcoming sessions of these listings, together."""
    if not ids:
        return []
    rows = await fetch_all(
        session, _OF_LISTINGS_SQL, {"ids": sorted(set(ids)), "now": now, "limit": limit}
    )
    return [SessionView(*row) for row in rows]
