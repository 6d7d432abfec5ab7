"""Consent records: one row per grant, closed by its withdrawal. History is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base
from server.models.enums import ConsentPurpose, check_in


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(check_in("purpose", ConsentPurpose), name="purpose"),
        CheckConstraint("method IN ('self', 'guardian_email')", name="method"),
        # At most one standing grant per learner and purpose.
        Index(
            "uq_consents_standing",
            "learner_id",
            "purpose",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(String(30), nullable=False)
    # Who said yes: the learner (13 and over) or a guardian (for under-13s).
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
