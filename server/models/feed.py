"""Partner feeds (URLs harvested on a schedule) and the record of every import run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import FeedFormat, FeedHealth, RunOutcome, check_in


class Feed(Timestamped, Base):
    __tablename__ = "feeds"
    __table_args__ = (
        CheckConstraint(check_in("format", FeedFormat), name="format"),
        CheckConstraint(check_in("health", FeedHealth), name="health"),
        Index("uq_feeds_org_url", "organization_id", "url", unique=True),
        Index("ix_feeds_due", "next_run_at", postgresql_where=text("health <> 'disabled'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="360")
    # Conditional GET validators from the last 200 response.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # RPDE: the `next` URL of the last page read; the next poll starts there.
    cursor_url: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str] = mapped_column(
        String(12), nullable=False, server_default=FeedHealth.HEALTHY.value
    )
    health_reason: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_run_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ImportRun(Base):
    """One import into an organization's listings: a feed harvest, a CSV upload, a push
    or an `ingest` command, with its counts and the records it rejected."""

    __tablename__ = "import_runs"
    __table_args__ = (
        CheckConstraint(check_in("outcome", RunOutcome), name="outcome"),
        Index("ix_import_runs_feed", "feed_id", "started_at"),
        Index("ix_import_runs_org", "organization_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    # Whose listings a snapshot replaces: "feed:<id>", "csv", "push" or "ingest:<...>".
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(12), nullable=False)
    http_status: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    removed: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    # Up to MAX_REJECTIONS_KEPT of {location, external_id, reason}.
    rejections: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default="[]"
    )
    # A snapshot that would remove too many listings: the external ids it would remove,
    # waiting for a person to confirm (server/catalog/imports.py).
    held_removals: Mapped[list[str] | None] = mapped_column(JSONB)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
