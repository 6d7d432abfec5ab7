"""Stacks (pathways), badge-gated opportunities, the index from badge classes to the rules
that mention them, unlocks and applications."""

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
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import ApplicationStatus, StackStatus, check_in


class Stack(Timestamped, Base):
    """A pathway: a rule over badge classes (server/stacks/rules.py), across issuers, that
    may award a badge of its own owner's when a learner completes it."""

    __tablename__ = "stacks"
    __table_args__ = (CheckConstraint(check_in("status", StackStatus), name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    rule: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    award_badge_class_id: Mapped[int | None] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, server_default=StackStatus.ACTIVE.value
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OpportunityGate(Timestamped, Base):
    """What it takes to apply for an opportunity: a stack, or a rule of its own."""

    __tablename__ = "opportunity_gates"
    __table_args__ = (
        CheckConstraint("(stack_id IS NULL) <> (rule IS NULL)", name="one_rule"),
        Index("ix_opportunity_gates_stack", "stack_id"),
    )

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    stack_id: Mapped[int | None] = mapped_column(ForeignKey("stacks.id", ondelete="RESTRICT"))
    # None is SQL NULL (not JSON null), so the one_rule check sees it.
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    # Rank applicants who shared them higher; not required.
    preferred_badge_class_ids: Mapped[list[int]] = mapped_column(
        ARRAY(BigInteger), nullable=False, server_default="{}"
    )
    apply_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RuleTerm(Base):
    """One badge class or competency a stack's or a gate's rule mentions: an award of that
    class (or of a class aligned to that competency) re-evaluates only these rules."""

    __tablename__ = "rule_terms"
    __table_args__ = (
        CheckConstraint("(stack_id IS NULL) <> (opportunity_id IS NULL)", name="one_owner"),
        CheckConstraint("(badge_class_id IS NULL) <> (competency_id IS NULL)", name="one_term"),
        Index("ix_rule_terms_badge_class", "badge_class_id"),
        Index("ix_rule_terms_competency", "competency_id"),
        Index("ix_rule_terms_stack", "stack_id"),
        Index("ix_rule_terms_opportunity", "opportunity_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    stack_id: Mapped[int | None] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity_gates.opportunity_id", ondelete="CASCADE")
    )
    badge_class_id: Mapped[int | None] = mapped_column(BigInteger)
    competency_id: Mapped[int | None] = mapped_column(Integer)


class BadgeEquivalence(Base):
    """A badge from elsewhere (by its achievement id or criteria URL) that counts as one of
    the network's badge classes in every rule."""

    __tablename__ = "badge_equivalences"
    __table_args__ = (
        CheckConstraint("(achievement_id IS NULL) <> (criteria_url IS NULL)", name="one_key"),
        UniqueConstraint(
            "badge_class_id",
            "achievement_id",
            "criteria_url",
            name="badge_equivalence_once",
            postgresql_nulls_not_distinct=True,
        ),
        Index("ix_badge_equivalences_achievement", "achievement_id"),
        Index("ix_badge_equivalences_criteria", "criteria_url"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), nullable=False
    )
    achievement_id: Mapped[str | None] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(Text)
    mapped_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class StackCompletion(Base):
    """A learner completed a stack (once); the stack's own badge was awarded then."""

    __tablename__ = "stack_completions"

    stack_id: Mapped[int] = mapped_column(
        ForeignKey("stacks.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    assertion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assertions.id", ondelete="SET NULL")
    )


class Unlock(Base):
    """A learner x gated opportunity: open since `unlocked_at` because of `holding`, or
    locked again since `relocked_at` (a badge revoked or expired) with the reason."""

    __tablename__ = "unlocks"
    __table_args__ = (
        UniqueConstraint("learner_id", "opportunity_id", name="unlock_once"),
        Index("ix_unlocks_opportunity", "opportunity_id", "learner_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False
    )
    unlocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # The badge classes that met the rule when it unlocked.
    holding: Mapped[list[int]] = mapped_column(
        ARRAY(BigInteger), nullable=False, server_default="{}"
    )
    relocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relock_reason: Mapped[str | None] = mapped_column(Text)
    # The same, for pages in any language: [{"badge": name, "revoked": bool, "why": text}]
    # ([] when the rule changed).
    relock_lost: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB(none_as_null=True))
    # How many times it opened: each opening is one notification.
    openings: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")


class Application(Timestamped, Base):
    """A learner's application for a gated opportunity, with the badges they chose to show."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("opportunity_id", "learner_id", name="application_once"),
        CheckConstraint(check_in("status", ApplicationStatus), name="status"),
        Index("ix_applications_learner", "learner_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(
        String(12), nullable=False, server_default=ApplicationStatus.SUBMITTED.value
    )
    # The learner's own awards they chose to show the employer (nothing else is shown).
    shared_assertion_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"
    )
    message: Mapped[str | None] = mapped_column(Text)
    # Set when the rule stopped being met after applying (a badge revoked or expired).
    flagged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flag_reason: Mapped[str | None] = mapped_column(Text)
    flag_lost: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB(none_as_null=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
