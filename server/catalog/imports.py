"""The one service that turns partner records into listings (every way in ends here:
a harvested feed, a CSV upload, a GraphQL push, `citylearn ingest`).

Rules, in the order they apply to each record:
- A record the adapter could not read, or that breaks a rule below, is rejected with its
  reason; it never stops the others, and what is stored for it stays as it was.
- A record is matched to a listing by (organization, external id), whatever source sent
  it: the same external id from two sources is one listing.
- Otherwise, a listing of the same organization with the same normalized title, first
  start and place is a duplicate from another source: rejected, naming the original.
- A deleted record (a tombstone) archives its listing.
- RPDE: a record no newer than what is stored changes nothing (by its `source_version`,
  the feed's own order of changes, else by `source_modified`).
- A listing is written only when its content hash changed; then its sessions are
  expanded again. Unchanged records write nothing.
- A place without coordinates is geocoded from its ZIP code (offline centroids) and
  marked approximate.
- Snapshot sources (CSV, iCalendar, JSON-LD) replace their own listings: those that
  vanished from the source are archived, unless that would archive more than a quarter
  of the organization's active listings; then those removals wait for a person to
  confirm (`confirm_removals`), and everything else is applied.
- A dry run computes exactly this inside a savepoint and rolls it back.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geoalchemy2 import Geometry
from sqlalchemy import Table, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor, require_org_role
from server.catalog.keywords import listing_keywords
from server.catalog.records import (
    MAX_DESCRIPTION,
    MAX_EXTERNAL_ID,
    MAX_TITLE,
    ListingRecord,
    ParsedItem,
    PlaceRecord,
    RecordError,
)
from server.catalog.schedule import SessionTimes, expand_schedule, is_open_ended, session_rows
from server.errors import Conflict, DomainError, InvalidInput, NotFound
from server.geo.geocoder import GeoPoint, default_geocoder
from server.models import ImportRun, Opportunity, Organization, Place, Session, Topic
from server.models.enums import (
    ApiScope,
    Delivery,
    OpportunityStatus,
    OrganizationStatus,
    RunOutcome,
    StaffRole,
)

# More than this share of an organization's active listings removed by one snapshot is
# held for confirmation (a partner's CMS that suddenly publishes an empty page).
MASS_REMOVAL_SHARE = 0.25
MAX_REJECTIONS_KEPT = 200
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return len(name) <= 64


ACTIVE = (OpportunityStatus.PUBLISHED.value,)


@dataclass(frozen=True)
class Rejection:
    location: str
    external_id: str | None
    reason: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # External ids a snapshot would have removed, waiting for confirmation.
    held_removals: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Listing ids written (created or updated), for callers that report per record.
    written: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)

    @property
    def held(self) -> bool:
        return bool(self.held_removals)

    def as_text(self) -> str:
        lines = [
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, rejected {len(self.rejected)}"
            + (" (dry run: nothing was saved)" if self.dry_run else "")
        ]
        if self.held_removals:
            lines.append(
                f"held: {len(self.held_removals)} removals wait for confirmation "
                f"(more than {MASS_REMOVAL_SHARE:.0%} of the active listings)"
            )
        for r in self.rejected:
            where = ", ".join(p for p in (r.location, r.external_id and f"id {r.external_id}") if p)
            lines.append(f"rejected {where}: {r.reason}")
        return "\n".join(lines)


@dataclass
class _Existing:
    id: int
    external_id: str
    content_hash: str | None
    source: str
    source_modified: datetime | None
    source_version: str | None
    status: str
    dedup_key: str | None


def _norm(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _dedup_key(title: str, start: str | None, place_name: str | None) -> str:
    return "|".join((_norm(title), start or "", _norm(place_name or "")))


def content_hash(record: ListingRecord) -> str:
    """What makes two versions of a listing different (not where or when it was read)."""
    data = asdict(record)
    for volatile in ("location", "extra", "source_modified", "source_version"):
        data.pop(volatile, None)
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(record: ListingRecord, today: date) -> tuple[date | None, list[SessionTimes]]:
    """The rules a record must follow before it is stored (InvalidInput says which).
    Returns the listing's end date (the record's, else its last session's when its
    schedule ends; None for one that goes on or has no dates) and its sessions."""
    if record.deleted:
        return None, []
    if not record.title.strip() or len(record.title) > MAX_TITLE:
        raise InvalidInput("a title of 1 to 300 characters is required", field="title")
    if len(record.description) > MAX_DESCRIPTION:
        raise InvalidInput("the description is longer than 20,000 characters", field="description")
    if not (0 <= record.min_age <= record.max_age <= 120):
        raise InvalidInput("ages must be 0 to 120, the minimum not above the maximum", field="age")
    if (
        record.min_grade is not None
        and record.max_grade is not None
        and record.min_grade > record.max_grade
    ):
        raise InvalidInput("the lowest grade is above the highest", field="grade")
    if record.cost_cents < 0:
        raise InvalidInput("the cost cannot be negative", field="cost")
    if record.capacity is not None and record.capacity < 0:
        raise InvalidInput("the capacity cannot be negative", field="capacity")
    if record.registration_url:
        parts = urlsplit(record.registration_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(
                "the registration link must be an http(s) address", field="registrationUrl"
            )
    if not _known_zone(record.timezone):
        raise InvalidInput(f"unknown time zone {record.timezone[:64]!r}", field="timezone")
    for language in record.languages:
        if not _LANGUAGE.fullmatch(language):
            raise InvalidInput(
                f"not a language code like en or es: {language[:20]!r}", field="languages"
            )
    if record.delivery is not Delivery.ONLINE and record.place is None:
        raise InvalidInput("an onsite or hybrid listing needs a place", field="place")
    if record.start_date is not None:
        if record.start_time is None:
            raise InvalidInput("a start date needs a start time", field="startTime")
        if record.end_date is not None and record.end_date < record.start_date:
            raise InvalidInput("the end date is before the start date", field="endDate")
        # Raises InvalidInput for a bad RRULE, time zone, duration or too many sessions.
        sessions = expand_schedule(
            start_date=record.start_date,
            end_date=record.end_date,
            start_time=record.start_time,
            duration_minutes=record.duration_minutes or 60,
            timezone=record.timezone,
            rrule=record.recurrence,
            today=today,
        )
        if record.end_date is not None:
            return record.end_date, sessions
        if record.recurrence and is_open_ended(record.recurrence):
            return None, sessions
        return max((s.local_date for s in sessions), default=record.start_date), sessions
    return record.end_date, []


class _Places:
    """An organization's places, found by name and ZIP, or made (geocoded if needed). A
    listing takes its place's point: the one stored, unless the record brings better."""

    def __init__(self, session: AsyncSession, organization_id: int) -> None:
        self.session = session
        self.organization_id = organization_id
        self.by_key: dict[str, tuple[Place, GeoPoint]] = {}

    async def load(self) -> None:
        rows = await self.session.execute(
            select(
                Place,
                func.ST_Y(cast(Place.location, Geometry)),
                func.ST_X(cast(Place.location, Geometry)),
            ).where(Place.organization_id == self.organization_id)
        )
        for place, latitude, longitude in rows:
            key = self._key(place.name, place.postal_code)
            self.by_key.setdefault(key, (place, GeoPoint(latitude, longitude)))

    @staticmethod
    def _key(name: str, postal_code: str | None) -> str:
        return f"{_norm(name)}|{postal_code or ''}"

    async def resolve(self, record: PlaceRecord) -> tuple[Place, GeoPoint]:
        postal_code = record.postal_code or _zip_in(record.address)
        key = self._key(record.name or record.address, postal_code)
        known = self.by_key.get(key)
        exact = self._exact(record)
        if known is not None:
            place, point = known
            if exact is not None and (place.location_approximate or exact != point):
                # The source now gives coordinates: better than a centroid or old ones.
                place.location, place.location_approximate = exact.wkt(), False
                self.by_key[key] = (place, exact)
                return place, exact
            return place, point
        point, approximate = (
            (exact, False) if exact else (self._centroid(record, postal_code), True)
        )
        place = Place(
            organization_id=self.organization_id,
            name=(record.name or record.address)[:300],
            address=record.address[:1000],
            postal_code=postal_code,
            location=point.wkt(),
            location_approximate=approximate,
            wheelchair_accessible=record.wheelchair_accessible,
        )
        self.session.add(place)
        await self.session.flush()
        self.by_key[key] = (place, point)
        return place, point

    @staticmethod
    def _exact(record: PlaceRecord) -> GeoPoint | None:
        if record.latitude is None or record.longitude is None:
            return None
        try:
            return GeoPoint(record.latitude, record.longitude)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="place") from exc

    @staticmethod
    def _centroid(record: PlaceRecord, postal_code: str | None) -> GeoPoint:
        found = default_geocoder().geocode(postal_code or record.address)
        if found is None:
            raise InvalidInput(
                "the place has no coordinates and no ZIP code we can place", field="place"
            )
        return found.point


def _zip_in(address: str) -> str | None:
    found = _ZIP.findall(address or "")
    return found[-1] if found else None


async def _topic_ids(session: AsyncSession) -> tuple[dict[str, int], dict[int, str]]:
    by_word: dict[str, int] = {}
    names: dict[int, str] = {}
    for topic in await session.scalars(select(Topic)):
        names[topic.id] = topic.name
        for word in (topic.slug, topic.name, topic.name_es):
            by_word[_norm(word)] = topic.id
    return by_word, names


async def _existing(session: AsyncSession, organization_id: int) -> list[_Existing]:
    rows = await session.execute(
        select(
            Opportunity.id,
            Opportunity.external_id,
            Opportunity.content_hash,
            Opportunity.source,
            Opportunity.source_modified,
            Opportunity.source_version,
            Opportunity.status,
            Opportunity.title,
            Opportunity.start_date,
            Opportunity.start_time,
            Place.name,
        )
        .outerjoin(Place, Place.id == Opportunity.place_id)
        .where(Opportunity.organization_id == organization_id)
    )
    found = []
    for (
        oid,
        ext,
        digest,
        source,
        modified,
        version,
        status,
        title,
        start_date,
        start_time,
        place,
    ) in rows:
        start = f"{start_date}T{start_time}" if start_date and start_time else None
        found.append(
            _Existing(
                oid,
                ext or f"#{oid}",
                digest,
                source,
                modified,
                version,
                status,
                _dedup_key(title, start, place) if status in ACTIVE else None,
            )
        )
    return found


def _start(record: ListingRecord) -> str | None:
    if record.start_date and record.start_time:
        return f"{record.start_date}T{record.start_time}"
    return None


async def import_records(
    session: AsyncSession,
    *,
    organization_id: int,
    source: str,
    items: Iterable[ParsedItem],
    snapshot: bool,
    now: datetime,
    feed_id: int | None = None,
    dry_run: bool = False,
    confirm_removals: bool = False,
) -> ImportSummary:
    """Applies the records in the caller's transaction (see the module docstring)."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organization", field="organizationId")
    if organization.status != OrganizationStatus.APPROVED.value:
        raise InvalidInput(
            "listings can be imported once the organization is approved",
            code="ORGANIZATION_NOT_APPROVED",
        )
    savepoint = await session.begin_nested() if dry_run else None
    summary = ImportSummary(dry_run=dry_run)
    try:
        await _apply(
            session, organization, source, feed_id, items, snapshot, now, confirm_removals, summary
        )
    finally:
        if savepoint is not None:
            await savepoint.rollback()
    return summary


async def _apply(
    session: AsyncSession,
    organization: Organization,
    source: str,
    feed_id: int | None,
    items: Iterable[ParsedItem],
    snapshot: bool,
    now: datetime,
    confirm_removals: bool,
    summary: ImportSummary,
) -> None:
    existing = await _existing(session, organization.id)
    by_external = {e.external_id: e for e in existing}
    by_dedup = {e.dedup_key: e for e in existing if e.dedup_key}
    topics, topic_names = await _topic_ids(session)
    places = _Places(session, organization.id)
    await places.load()
    seen: set[str] = set()
    partial = False
    writes = _Writes()
    for item in items:
        if isinstance(item, RecordError):
            summary.rejected.append(Rejection(item.location, item.external_id, item.reason))
            partial = partial or item.partial
            if item.external_id:
                seen.add(item.external_id)  # unreadable this time: not a removal
            continue
        record = item
        if record.external_id in seen:
            summary.rejected.append(
                Rejection(record.location, record.external_id, "the same external id twice")
            )
            continue
        seen.add(record.external_id)
        try:
            outcome = await _one(
                session,
                organization,
                source,
                feed_id,
                record,
                by_external,
                by_dedup,
                topics,
                topic_names,
                places,
                now.date(),
                writes,
            )
        except DomainError as error:
            summary.rejected.append(Rejection(record.location, record.external_id, error.message))
            summary.outcomes[record.external_id] = "rejected"
            continue
        summary.outcomes[record.external_id] = outcome
        if outcome == "created":
            summary.created += 1
        elif outcome == "updated":
            summary.updated += 1
        elif outcome == "removed":
            summary.removed += 1
        else:
            summary.unchanged += 1
    await writes.flush(session, by_external)
    for external_id, outcome in summary.outcomes.items():
        listing = by_external.get(external_id)
        if listing is not None and outcome in ("created", "updated"):
            summary.written[external_id] = listing.id
    # A source cut short says nothing about what is missing from it.
    if snapshot and not partial:
        await _remove_vanished(
            session, organization, source, by_external, seen, confirm_removals, summary
        )


async def _one(
    session: AsyncSession,
    organization: Organization,
    source: str,
    feed_id: int | None,
    record: ListingRecord,
    by_external: dict[str, _Existing],
    by_dedup: dict[str, _Existing],
    topics: dict[str, int],
    topic_names: dict[int, str],
    places: _Places,
    today: date,
    writes: _Writes,
) -> str:
    current = by_external.get(record.external_id)
    if not record.external_id.strip() or len(record.external_id) > MAX_EXTERNAL_ID:
        raise InvalidInput("an external id of 1 to 300 characters is required", field="externalId")
    if current is not None and _not_newer(record, current):
        return "unchanged"
    if record.deleted:
        if current is None or current.status not in ACTIVE:
            return "unchanged"
        await _archive(session, [current.id])
        current.status = OpportunityStatus.ARCHIVED.value
        _note_version(record, current, writes)
        return "removed"
    digest = content_hash(record)
    if current is not None and current.content_hash == digest and current.status in ACTIVE:
        # Validated when it was stored: nothing to check or write but a newer version,
        # so that an older change replayed later is still seen as older.
        _note_version(record, current, writes)
        return "unchanged"
    end_date, sessions = _check(record, today)
    place_name = record.place.name if record.place else None
    key = _dedup_key(record.title, _start(record), place_name)
    twin = by_dedup.get(key)
    if current is None and twin is not None and twin.external_id != record.external_id:
        raise InvalidInput(
            f"a duplicate of listing {twin.external_id} (same title, start and place)",
            code="DUPLICATE",
        )
    place = point = None
    if record.place is not None:
        place, point = await places.resolve(record.place)
    topic_ids = sorted({topics[_norm(t)] for t in record.topics if _norm(t) in topics})
    values: dict[str, Any] = {
        "organization_id": organization.id,
        "place_id": place.id if place else None,
        "location": point.wkt() if point else None,
        "kind": record.kind.value,
        "title": record.title.strip(),
        "description": record.description.strip(),
        "topic_ids": topic_ids,
        "min_age": record.min_age,
        "max_age": record.max_age,
        "min_grade": record.min_grade,
        "max_grade": record.max_grade,
        "cost_cents": record.cost_cents,
        "financial_aid": record.financial_aid,
        "delivery": record.delivery.value,
        "languages": list(record.languages) or ["en"],
        "accessibility": [a.value for a in record.accessibility],
        "capacity": record.capacity,
        "registration_url": record.registration_url,
        "start_date": record.start_date,
        "end_date": end_date,
        "start_time": record.start_time,
        "duration_minutes": record.duration_minutes,
        "schedule_timezone": record.timezone,
        "schedule_rrule": record.recurrence,
        "status": OpportunityStatus.PUBLISHED.value,
        "source": source,
        "feed_id": feed_id,
        "external_id": record.external_id,
        "source_modified": record.source_modified,
        "source_version": record.source_version,
        "content_hash": digest,
        "keywords": listing_keywords([topic_names[i] for i in topic_ids], organization.name),
    }
    if current is None:
        current = _Existing(
            0,
            record.external_id,
            digest,
            source,
            record.source_modified,
            record.source_version,
            values["status"],
            key,
        )
        by_external[record.external_id] = current
        by_dedup[key] = current
        writes.created.append((values, sessions))
        return "created"
    writes.updated.append((current.id, values, sessions))
    current.content_hash, current.source, current.status = digest, source, values["status"]
    current.source_modified = record.source_modified
    current.source_version = record.source_version
    return "updated"


def _not_newer(record: ListingRecord, current: _Existing) -> bool:
    """The record is a change the stored listing already has, or an older one."""
    if record.source_version is not None and current.source_version is not None:
        return record.source_version <= current.source_version
    return (
        current.source_modified is not None
        and record.source_modified is not None
        and record.source_modified <= current.source_modified
    )


def _note_version(record: ListingRecord, current: _Existing, writes: _Writes) -> None:
    # A listing made earlier in this run (id 0 until written) keeps its first version.
    changed = record.source_version is not None and record.source_version != current.source_version
    if changed and current.id:
        current.source_version = record.source_version
        writes.versions.append({"row_id": current.id, "new_version": record.source_version})


@dataclass
class _Writes:
    """The rows an import writes, sent in a few statements at the end instead of several
    per listing (measured: the per-listing ORM flush was most of an import's time)."""

    created: list[tuple[dict[str, Any], list[SessionTimes]]] = field(default_factory=list)
    updated: list[tuple[int, dict[str, Any], list[SessionTimes]]] = field(default_factory=list)
    # A newer source version of a listing whose content is unchanged.
    versions: list[dict[str, Any]] = field(default_factory=list)

    async def flush(self, session: AsyncSession, by_external: dict[str, _Existing]) -> None:
        sessions: list[dict[str, Any]] = []
        # On the table, not the class: plain executemany UPDATEs, no ORM bulk update by key.
        table: Table = Opportunity.__table__  # type: ignore[assignment]
        if self.created:
            rows = await session.execute(
                insert(Opportunity).returning(Opportunity.id, Opportunity.external_id),
                [values for values, _ in self.created],
            )
            ids = {external_id: oid for oid, external_id in rows}
            for values, times in self.created:
                oid = ids[values["external_id"]]
                by_external[values["external_id"]].id = oid
                sessions.extend(session_rows(oid, times))
        if self.updated:
            # Bind names may not be column names in an UPDATE's SET: prefix them.
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({key: bindparam(f"new_{key}") for key in self.updated[0][1]}),
                [
                    {"row_id": oid, **{f"new_{k}": v for k, v in values.items()}}
                    for oid, values, _ in self.updated
                ],
            )
            await session.execute(
                delete(Session).where(
                    Session.opportunity_id.in_([oid for oid, _, _ in self.updated])
                )
            )
            for oid, _, times in self.updated:
                sessions.extend(session_rows(oid, times))
        if sessions:
            await session.execute(insert(Session), sessions)
        if self.versions:
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(source_version=bindparam("new_version")),
                self.versions,
            )


async def _archive(session: AsyncSession, ids: Sequence[int]) -> None:
    await session.execute(
        update(Opportunity)
        .where(Opportunity.id.in_(ids))
        .values(status=OpportunityStatus.ARCHIVED.value)
    )


async def _remove_vanished(
    session: AsyncSession,
    organization: Organization,
    source: str,
    by_external: dict[str, _Existing],
    seen: set[str],
    confirm_removals: bool,
    summary: ImportSummary,
) -> None:
    vanished = [
        e
        for e in by_external.values()
        if e.source == source and e.status in ACTIVE and e.external_id not in seen
    ]
    if not vanished:
        return
    active = sum(1 for e in by_external.values() if e.status in ACTIVE)
    if not confirm_removals and len(vanished) > MASS_REMOVAL_SHARE * active:
        summary.held_removals = sorted(e.external_id for e in vanished)
        return
    await _archive(session, [e.id for e in vanished])
    for e in vanished:
        e.status = OpportunityStatus.ARCHIVED.value
        summary.outcomes[e.external_id] = "removed"
    summary.removed += len(vanished)


async def import_as(
    session: AsyncSession,
    actor: Actor,
    *,
    organization_id: int,
    source: str,
    items: Iterable[ParsedItem],
    snapshot: bool,
    now: datetime,
    dry_run: bool = False,
    confirm_removals: bool = False,
) -> tuple[ImportSummary, ImportRun]:
    """An import someone asked for (an upload, a push, a page's form): their right to
    change the organization's listings is checked, and the run is recorded."""
    require_org_role(actor, organization_id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)
    summary = await import_records(
        session,
        organization_id=organization_id,
        source=source,
        items=items,
        snapshot=snapshot,
        now=now,
        dry_run=dry_run,
        confirm_removals=confirm_removals,
    )
    run = await record_run(
        session,
        organization_id=organization_id,
        source=source,
        summary=summary,
        started_at=now,
        now=now,
        actor=actor,
    )
    return summary, run


async def record_run(
    session: AsyncSession,
    *,
    organization_id: int,
    source: str,
    summary: ImportSummary | None,
    started_at: datetime,
    now: datetime,
    feed_id: int | None = None,
    actor: Actor | None = None,
    http_status: int | None = None,
    error: str | None = None,
    not_modified: bool = False,
) -> ImportRun:
    """The run's record: what the dashboard shows under a feed, and what a held import's
    confirmation acts on."""
    if error is not None:
        outcome = RunOutcome.FAILED
    elif not_modified:
        outcome = RunOutcome.NOT_MODIFIED
    elif summary is not None and summary.dry_run:
        outcome = RunOutcome.DRY_RUN
    elif summary is not None and summary.held:
        outcome = RunOutcome.HELD
    else:
        outcome = RunOutcome.APPLIED
    run = ImportRun(
        organization_id=organization_id,
        feed_id=feed_id,
        source=source,
        started_at=started_at,
        finished_at=now,
        outcome=outcome.value,
        http_status=http_status,
        error=error[:2000] if error else None,
    )
    if summary is not None:
        run.created, run.updated = summary.created, summary.updated
        run.unchanged, run.removed = summary.unchanged, summary.removed
        run.rejected = len(summary.rejected)
        run.rejections = [asdict(r) for r in summary.rejected[:MAX_REJECTIONS_KEPT]]
        run.held_removals = summary.held_removals or None
    session.add(run)
    await session.flush()
    if actor is not None and summary is not None and not summary.dry_run:
        await audit.record(
            session,
            "listings.imported",
            actor,
            subject_type="organization",
            subject_id=organization_id,
            source=source,
            created=summary.created,
            updated=summary.updated,
            removed=summary.removed,
        )
    return run


async def confirm_held_removals(
    session: AsyncSession, actor: Actor, run_id: int, *, now: datetime
) -> int:
    """Archives what a held run would have removed. Refused when a newer import of the
    same source has run since (its own result is what counts now). Returns how many."""
    run = await session.get(ImportRun, run_id, with_for_update=True)
    if run is None or not run.held_removals:
        raise NotFound("no held import", field="runId")
    require_org_role(actor, run.organization_id, StaffRole.MANAGER, scope=ApiScope.LISTINGS_WRITE)
    if run.confirmed_at is not None:
        return 0
    newer = await session.scalar(
        select(ImportRun.id).where(
            ImportRun.organization_id == run.organization_id,
            ImportRun.source == run.source,
            ImportRun.started_at > run.started_at,
            ImportRun.outcome.in_([RunOutcome.APPLIED.value, RunOutcome.HELD.value]),
        )
    )
    if newer is not None:
        raise Conflict(
            "a newer import of this source has run since; see its result", code="STALE_RUN"
        )
    ids = list(
        await session.scalars(
            select(Opportunity.id).where(
                Opportunity.organization_id == run.organization_id,
                Opportunity.source == run.source,
                Opportunity.status.in_(ACTIVE),
                Opportunity.external_id.in_(run.held_removals),
            )
        )
    )
    if ids:
        await _archive(session, ids)
    run.confirmed_at = now
    return len(ids)
