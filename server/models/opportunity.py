from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import Delivery, OpportunityKind, OpportunityStatus, check_in

# Title weighs most, then topics/organization keywords, then the description.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(keywords, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'C')"
)


class Opportunity(Timestamped, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint(check_in("kind", OpportunityKind), name="kind"),
        CheckConstraint(check_in("delivery", Delivery), name="delivery"),
        CheckConstraint(check_in("status", OpportunityStatus), name="status"),
        CheckConstraint("min_age <= max_age", name="age_range"),
        CheckConstraint("cost_cents >= 0", name="cost"),
        # Onsite and hybrid listings must be somewhere; online ones may not be.
        CheckConstraint("delivery = 'online' OR location IS NOT NULL", name="located"),
        Index("ix_opportunities_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_opportunities_topic_ids", "topic_ids", postgresql_using="gin"),
        Index(
            "ix_opportunities_location",
            "location",
            postgresql_using="gist",
            postgresql_where=text("status = 'published'"),
        ),
        Index("ix_opportunities_org_status", "organization_id", "status"),
        Index("ix_opportunities_rpde", "rpde_modified", "id"),
        Index(
            "uq_opportunities_provenance",
            "organization_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("places.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    topic_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, server_default="{}"
    )
    competency_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, server_default="{}"
    )
    min_age: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=5)
    max_age: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=24)
    # Grades: 0 is kindergarten, 13+ is post-secondary.
    min_grade: Mapped[int | None] = mapped_column(SmallInteger)
    max_grade: Mapped[int | None] = mapped_column(SmallInteger)
    cost_cents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    financial_aid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    delivery: Mapped[str] = mapped_column(String(10), nullable=False)
    languages: Mapped[list[str]] = mapped_column(
        ARRAY(String(8)), nullable=False, server_default="{en}"
    )
    accessibility: Mapped[list[str]] = mapped_column(
        ARRAY(String(30)), nullable=False, server_default="{}"
    )
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_url: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    schedule_rrule: Mapped[str | None] = mapped_column(Text)
    schedule_timezone: Mapped[str] = mapped_column(
        String(64), nullable=False, default="America/Chicago"
    )
    start_time: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # A copy of the place's point, so KNN search scans one table with one GiST index.
    location: Mapped[Any] = mapped_column(
        Geography(geometry_type="POINT", srid=4326, spatial_index=False), nullable=True
    )
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=OpportunityStatus.PUBLISHED.value
    )
    # Where it came from: "manual", "push", "csv", "feed:<id>" or "ingest:<...>"; a snapshot
    # import replaces only the listings of its own source.
    source: Mapped[str] = mapped_column(String(200), nullable=False, server_default="manual")
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(300))
    source_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The source's own order of changes (server/catalog/records.py, source_version).
    source_version: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Topic names and organization name, kept by the catalog service for full-text search.
    keywords: Mapped[str] = mapped_column(Text, nullable=False, default="", deferred=True)
    # Bumped by a trigger on every insert and update (migration 0003): the RPDE feed's
    # `modified`, strictly increasing, so paging by (rpde_modified, id) never misses a change.
    rpde_modified: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    # Only SQL reads it; deferred so loading a listing does not drag its index terms along.
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), nullable=False, deferred=True
    )


class OpportunityTombstone(Base):
    """A deleted listing, kept for the RPDE feed's readers (written by a trigger, migration
    0003; purged after 30 days by server/privacy/retention.py's job)."""

    __tablename__ = "opportunity_tombstones"
    __table_args__ = (Index("ix_opportunity_tombstones_rpde", "rpde_modified", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    organization_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    rpde_modified: Mapped[int] = mapped_column(BigInteger, nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )
