from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Identity, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base


class Session(Base):
    """One dated occurrence of an opportunity, expanded from its schedule.

    The local day and minute are stored because filters ("Saturday mornings")
    speak in the opportunity's own time zone.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_opportunity_starts", "opportunity_id", "starts_at"),
        Index("ix_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    local_date: Mapped[date] = mapped_column(Date, nullable=False)
    # ISO weekday, 1 = Monday ... 7 = Sunday.
    local_dow: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    local_start_minute: Mapped[int] = mapped_column(SmallInteger, nullable=False)
