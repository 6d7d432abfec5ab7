"""Our catalog as an OpenActive RPDE 1.0 feed: which items a page holds, in one statement.

Ordering strategy: RPDE's "Modified Timestamp and ID" (`afterTimestamp` + `afterId`),
with `opportunities.rpde_modified` as the "timestamp". The spec allows any comparable
integer there ("the timestamp does not need to reflect actual time"). The other
strategy, "Incrementing Unique Change Number", would fit today's sequence too (every
change takes a fresh value, tombstones included), but it rests on that uniqueness; with
the id as tie-breaker the published URLs stay valid if `modified` ever becomes
non-unique (a transaction id, a timestamp), and consumers keep their cursors.

A page is listings and tombstones merged, each branch an index range scan on
(rpde_modified, id) with a strict `>` after the cursor: published listings of approved
organizations are "updated", every other listing (draft, archived, or of an
organization that is not approved) and every tombstone is "deleted".

Commit order. `rpde_modified` is drawn from a sequence when a row is written, not when
its transaction commits: a long transaction can hold value 100 while another commits
101. A reader that saw 101 and moved past it would never see 100. So a page only holds
values up to a *horizon*: a sequence value that every transaction which drew a value at
or below it has finished with (see `Horizon`). Every draw happens inside a statement
that holds a RowExclusiveLock on `opportunities` (the trigger runs in the INSERT, UPDATE
or DELETE), so the writers still running are those holding that lock in pg_locks. No
lock is taken and no writer waits; a feed read only trails a running write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from server.db import fetch_all

MAX_LIMIT = 500
# Before every real value: rpde_modified starts at 1 (sequence) and ids at 1 (identity).
START = (-1, -1)
TOMBSTONE_KEPT_DAYS = 30
# A write transaction left open (a console session, a stuck worker) holds the horizon
# back, so the feed stops moving: say so, at most once a minute.
STALLED_AFTER_SECONDS = 120.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    id: int
    modified: int
    live: bool  # "updated" when True, else "deleted"


# The sequence's last value handed out (CACHE 1, so no backend holds values ahead of it).
_LAST_VALUE_SQL = "SELECT COALESCE(pg_sequence_last_value('opportunity_rpde_seq'), 0)"
# Transactions that have written to opportunities and not yet ended (prepared ones too).
_WRITERS_SQL = (
    "SELECT DISTINCT l.virtualtransaction FROM pg_locks l "
    "WHERE l.locktype = 'relation' AND l.relation = 'opportunities'::regclass "
    "AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) "
    "AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()"
)


@dataclass
class Horizon:
    """The highest `modified` a page may show, per process.

    Each look records the sequence's last value L, then the writers W running at that
    moment. Any value at or below L was drawn by a transaction that had written before
    L was read, so it was in W unless it had already ended (committed or rolled back,
    and visible to any later statement). Once a later look finds none of W still
    running, everything up to L is settled. Looks are serialized so "later" holds.
    """

    safe: int = 0
    _looks: deque[tuple[int, frozenset[str]]] = field(default_factory=lambda: deque(maxlen=256))
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Since when the horizon has trailed the sequence without moving; the last warning.
    _behind_since: float | None = None
    _warned_at: float = 0.0

    async def look(self, session: AsyncSession) -> int:
        async with self._lock:
            last = int((await fetch_all(session, _LAST_VALUE_SQL, {}))[0][0])
            writers = frozenset(str(row[0]) for row in await fetch_all(session, _WRITERS_SQL, {}))
            before = self.safe
            safe = self.settle(last, writers)
            self._watch(before, last, writers, time.monotonic())
            return safe

    def _watch(self, before: int, last: int, writers: frozenset[str], now: float) -> None:
        """Warns when the horizon trails the sequence and has not moved for a while."""
        if self.safe >= last:
            self._behind_since = None
            return
        if self.safe > before or self._behind_since is None:
            self._behind_since = now
            return
        if now - self._behind_since > STALLED_AFTER_SECONDS and now - self._warned_at > 60:
            self._warned_at = now
            log.warning(
                "RPDE feed held at %d (sequence at %d) for %.0f s by open write transactions "
                "on opportunities: %s",
                self.safe,
                last,
                now - self._behind_since,
                ", ".join(sorted(writers)),
            )

    def settle(self, last: int, writers: frozenset[str]) -> int:
        self._looks.append((last, writers))
        for value, running in self._looks:
            if value > self.safe and running.isdisjoint(writers):
                self.safe = value
        kept = [(value, running) for value, running in self._looks if value > self.safe]
        self._looks = deque(kept, maxlen=256)
        return self.safe


# Each branch stops at the page size on its own index; the merge keeps the first ones.
_UPDATED_SQL = (
    "SELECT o.id, o.rpde_modified AS modified, "
    "(o.status = 'published' AND g.status = 'approved') AS live "
    "FROM opportunities o JOIN organizations g ON g.id = o.organization_id "
    "WHERE (o.rpde_modified, o.id) > (:after_modified, :after_id) "
    "AND o.rpde_modified <= :horizon{org} ORDER BY o.rpde_modified, o.id LIMIT :limit"
)
# A tombstone whose id lives again (an explicit re-insert) is superseded by the row.
_DELETED_SQL = (
    "SELECT t.id, t.rpde_modified AS modified, false AS live FROM opportunity_tombstones t "
    "WHERE (t.rpde_modified, t.id) > (:after_modified, :after_id) "
    "AND t.rpde_modified <= :horizon{org} "
    "AND NOT EXISTS (SELECT 1 FROM opportunities x WHERE x.id = t.id) "
    "ORDER BY t.rpde_modified, t.id LIMIT :limit"
)


def _page_sql(*, one_organization: bool) -> str:
    updated = _UPDATED_SQL.format(org=" AND o.organization_id = :org" if one_organization else "")
    deleted = _DELETED_SQL.format(org=" AND t.organization_id = :org" if one_organization else "")
    return (
        f"SELECT p.id, p.modified, p.live FROM (({updated}) UNION ALL ({deleted})) p "
        "ORDER BY p.modified, p.id LIMIT :limit"
    )


_PAGE_SQL = _page_sql(one_organization=False)
_ORGANIZATION_PAGE_SQL = _page_sql(one_organization=True)


async def page(
    session: AsyncSession,
    *,
    after: tuple[int, int] | None,
    limit: int,
    horizon: int,
    organization_id: int | None = None,
) -> list[Entry]:
    """The items after the cursor (modified, id), oldest change first, at most `limit`."""
    after_modified, after_id = after if after is not None else START
    params = {
        "after_modified": after_modified,
        "after_id": after_id,
        "horizon": horizon,
        "limit": max(1, min(limit, MAX_LIMIT)),
    }
    sql = _PAGE_SQL
    if organization_id is not None:
        sql = _ORGANIZATION_PAGE_SQL
        params["org"] = organization_id
    rows = await fetch_all(session, sql, params)
    return [Entry(int(row[0]), int(row[1]), bool(row[2])) for row in rows]
