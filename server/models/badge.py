"""Open Badges: issuer keys, badge classes, endorsements, awards (assertions), claim codes,
evidence submissions and badges learners import from elsewhere."""

from __future__ import annotations

import uuid
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import (
    AwardMethod,
    BadgeClassStatus,
    BadgeLevel,
    SubmissionStatus,
    Visibility,
    check_in,
)


class IssuerKey(Base):
    """A signing key of an issuing organization: RS256 for OB 2.0 signed assertions,
    EdDSA for OB 3.0 credentials. The public half is published; a retired key stays
    published so what it signed still verifies."""

    __tablename__ = "issuer_keys"
    __table_args__ = (
        CheckConstraint("alg IN ('RS256', 'EdDSA')", name="alg"),
        Index("ix_issuer_keys_org_alg", "organization_id", "alg"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    kid: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    alg: Mapped[str] = mapped_column(String(8), nullable=False)
    # PKCS8 PEM. Protect the database (and its backups) as you would the keys themselves.
    private_pem: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    public_pem: Mapped[str] = mapped_column(Text, nullable=False)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BadgeClass(Timestamped, Base):
    """What a badge means (an OB 2.0 BadgeClass, an OB 3.0 Achievement)."""

    __tablename__ = "badge_classes"
    __table_args__ = (
        CheckConstraint(check_in("level", BadgeLevel), name="level"),
        CheckConstraint(check_in("status", BadgeClassStatus), name="status"),
        CheckConstraint("expires_after_days IS NULL OR expires_after_days > 0", name="expiry"),
        Index("ix_badge_classes_org", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    # None: the generated image (server/badges/images.py) is served.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_type: Mapped[str | None] = mapped_column(String(20))
    criteria_narrative: Mapped[str | None] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(Text)
    # Alignments to the network's competency framework (the competencies table).
    competency_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, server_default="{}"
    )
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    expires_after_days: Mapped[int | None] = mapped_column(Integer)
    # How it is earned: a subset of AwardMethod values (claim_code, roster, review, api).
    earning: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    status: Mapped[str] = mapped_column(
        String(12), nullable=False, server_default=BadgeClassStatus.ACTIVE.value
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OpportunityBadgeClass(Base):
    """The badge classes an opportunity awards."""

    __tablename__ = "opportunity_badge_classes"

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Endorsement(Base):
    """Another organization vouching for a badge class (an employer, most often)."""

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("badge_class_id", "endorser_id", name="one_per_endorser"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), nullable=False
    )
    endorser_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    comment: Mapped[str] = mapped_column(Text, nullable=False)
    endorsed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class ClaimCode(Base):
    """A short code (and QR) staff show at an event; learners claim the badge with it."""

    __tablename__ = "claim_codes"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("max_uses > 0", name="max_uses"),
        CheckConstraint("uses <= max_uses", name="uses"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)
    # The event (a listing) it is shown at: who claimed it are that event's participants.
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    max_uses: Mapped[int] = mapped_column(Integer, nullable=False)
    uses: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Assertion(Base):
    """One award of a badge class to one recipient (an OB 2.0 Assertion, an OB 3.0
    OpenBadgeCredential). The id is a random UUID: its public URL must not be guessable."""

    __tablename__ = "assertions"
    __table_args__ = (
        CheckConstraint(check_in("method", AwardMethod), name="method"),
        CheckConstraint(check_in("visibility", Visibility), name="visibility"),
        # A retried API call with the same key finds the first award.
        Index(
            "uq_assertions_idempotency",
            "organization_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        # One award per learner (by email) per claim code.
        Index(
            "uq_assertions_claim",
            "claim_code_id",
            "recipient_email",
            unique=True,
            postgresql_where=text("claim_code_id IS NOT NULL"),
        ),
        Index("ix_assertions_recipient", "recipient_user_id"),
        Index(
            "ix_assertions_pending_email",
            "recipient_email",
            postgresql_where=text("recipient_user_id IS NULL"),
        ),
        Index("ix_assertions_badge_class", "badge_class_id"),
        # A badge class's holders in learner order, read without the awards themselves:
        # the stacks engine's backfill walks them a chunk at a time.
        Index(
            "ix_assertions_holders",
            "badge_class_id",
            "recipient_user_id",
            postgresql_include=["expires_at"],
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index(
            "ix_assertions_revoked",
            "organization_id",
            postgresql_where=text("revoked_at IS NOT NULL"),
        ),
        # Awards past their expiry that the worker's sweep has not re-evaluated yet.
        Index(
            "ix_assertions_expiry_unswept",
            "expires_at",
            postgresql_where=text("expires_at IS NOT NULL AND expiry_swept_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="RESTRICT"), nullable=False
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    # Null while an award made to an email waits for that person to sign up.
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )
    # Lowercased; the identity the hash is of. Never published: only the hash is.
    recipient_email: Mapped[str] = mapped_column(String(320), nullable=False)
    salt: Mapped[str] = mapped_column(String(40), nullable=False)
    identity_hash: Mapped[str] = mapped_column(String(80), nullable=False)
    issued_on: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    narrative: Mapped[str | None] = mapped_column(Text)
    # [{"narrative": ..., "url": ..., "name": ..., "submission_id": ...}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default="[]"
    )
    method: Mapped[str] = mapped_column(String(12), nullable=False)
    awarded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_by_token: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    claim_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_codes.id", ondelete="SET NULL")
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    visibility: Mapped[str] = mapped_column(
        String(10), nullable=False, server_default=Visibility.PRIVATE.value
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # Filled by the worker's bake job; the download bakes on the fly until then.
    baked_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the expiry sweep re-evaluated the recipient's rules after `expires_at` passed.
    expiry_swept_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EvidenceSubmission(Timestamped, Base):
    """Work a learner submits online for a badge class, waiting in the issuer's queue."""

    __tablename__ = "evidence_submissions"
    __table_args__ = (
        CheckConstraint(check_in("status", SubmissionStatus), name="status"),
        CheckConstraint(
            "narrative IS NOT NULL OR url IS NOT NULL OR file IS NOT NULL", name="something"
        ),
        Index("ix_evidence_submissions_queue", "badge_class_id", "status"),
        Index("ix_evidence_submissions_learner", "learner_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), nullable=False
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    narrative: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    file: Mapped[bytes | None] = mapped_column(LargeBinary)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, server_default=SubmissionStatus.PENDING.value
    )
    feedback: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assertion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assertions.id", ondelete="SET NULL")
    )


class ImportedBadge(Base):
    """A badge a learner added to their backpack from elsewhere, with what verifying it
    found. Verified again on demand; the stored result says when it was last checked."""

    __tablename__ = "imported_badges"
    __table_args__ = (Index("ix_imported_badges_learner", "learner_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(Text, nullable=False)  # a URL, or what was uploaded
    spec: Mapped[str] = mapped_column(String(10), nullable=False)  # "ob2" or "ob3"
    valid: Mapped[bool] = mapped_column(nullable=False)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    badge_name: Mapped[str | None] = mapped_column(Text)
    issuer_name: Mapped[str | None] = mapped_column(Text)
    achievement_id: Mapped[str | None] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    document: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    verified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
