"""People: one User per email; learner profile, guardianship and staff roles hang off it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import StaffRole, Visibility, check_in


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lowercased by the accounts service; unique as such.
        Index("uq_users_email", "email", unique=True),
        CheckConstraint("locale IN ('en', 'es')", name="locale"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    # argon2id; null until the person sets one (a guardian invited by a child's sign-up).
    password_hash: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    locale: Mapped[str] = mapped_column(String(2), nullable=False, server_default="en")
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_network_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerProfile(Timestamped, Base):
    """What a learner account holds beyond the User. No street address, ever: a ZIP code
    or a neighborhood at most."""

    __tablename__ = "learner_profiles"
    __table_args__ = (CheckConstraint(check_in("visibility", Visibility), name="visibility"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Needed for the age gate and age-limited opportunities; shown to no one else.
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    neighborhood: Mapped[str | None] = mapped_column(String(120))
    visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, server_default=Visibility.PRIVATE.value
    )
    # A public handle for the profile page; random, so it reveals nothing.
    handle: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)


class Guardianship(Base):
    """A guardian's link to a child's account, made when the guardian consented."""

    __tablename__ = "guardianships"
    __table_args__ = (UniqueConstraint("guardian_id", "learner_id", name="guardian_learner"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Membership(Timestamped, Base):
    """A staff member of an organization, with one role."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", name="org_user"),
        CheckConstraint(check_in("role", StaffRole), name="role"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False)


class Invitation(Timestamped, Base):
    """An invitation to join an organization's staff; accepted through its emailed link."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(check_in("role", StaffRole), name="role"),
        Index(
            "uq_invitations_open",
            "organization_id",
            "email",
            unique=True,
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
