"""What learners hold, as unlock rules see it: their awards that are neither revoked nor
expired, and the verified, unexpired badges they imported from elsewhere that a mapping
(server/stacks/definitions.add_equivalence) makes equivalent to one of our badge classes,
each with its badge class's level and competencies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Assertion, BadgeClass, BadgeEquivalence, ImportedBadge
from server.stacks.rules import Held


def _awarded(learner_ids: list[int], now: datetime) -> Select[int | None, int]:
    return select(Assertion.recipient_user_id.label("learner"), Assertion.badge_class_id).where(
        Assertion.recipient_user_id.in_(learner_ids),
        Assertion.revoked_at.is_(None),
        or_(Assertion.expires_at.is_(None), Assertion.expires_at > now),
    )


def equivalent() -> ColumnElement[bool]:
    """The one rule for an imported badge and a mapping: the same achievement id, or the
    same criteria URL (NULLs never match)."""
    return or_(
        BadgeEquivalence.achievement_id == ImportedBadge.achievement_id,
        BadgeEquivalence.criteria_url == ImportedBadge.criteria_url,
    )


def _imported(learner_ids: list[int], now: datetime) -> Select[int, int]:
    return (
        select(ImportedBadge.learner_id.label("learner"), BadgeEquivalence.badge_class_id)
        .join(BadgeEquivalence, equivalent())
        .where(
            ImportedBadge.learner_id.in_(learner_ids),
            ImportedBadge.valid.is_(True),
            or_(ImportedBadge.expires_at.is_(None), ImportedBadge.expires_at > now),
        )
    )


async def of_learners(
    session: AsyncSession,
    learner_ids: Iterable[int],
    *,
    now: datetime,
    badge_class_ids: Iterable[int] | None = None,
) -> dict[int, list[Held]]:
    """Each learner's valid badges, in one statement (a backfill reads a thousand learners
    at a time). Only those of `badge_class_ids` when given."""
    ids = sorted(set(learner_ids))
    if not ids:
        return {}
    held = union(_awarded(ids, now), _imported(ids, now)).subquery()
    stmt = select(held.c.learner, BadgeClass.id, BadgeClass.level, BadgeClass.competency_ids).join(
        BadgeClass, BadgeClass.id == held.c.badge_class_id
    )
    if badge_class_ids is not None:
        stmt = stmt.where(BadgeClass.id.in_(sorted(set(badge_class_ids))))
    found: dict[int, list[Held]] = defaultdict(list)
    for learner, class_id, level, comps in (await session.execute(stmt)).all():
        found[learner].append(Held(class_id, level, frozenset(comps)))
    return dict(found)


async def of_learner(
    session: AsyncSession,
    learner_id: int,
    *,
    now: datetime,
    badge_class_ids: Iterable[int] | None = None,
) -> list[Held]:
    """The learner's valid badges (only those of `badge_class_ids` when given)."""
    found = await of_learners(session, [learner_id], now=now, badge_class_ids=badge_class_ids)
    return found.get(learner_id, [])
