"""What a learner holds, as unlock rules see it: their awards that are neither revoked nor
expired, each with its badge class's level and competencies. (Imported badges join once
they are mapped to an equivalent badge class: the stacks issue's next step.)"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Assertion, BadgeClass
from server.stacks.rules import Held


async def of_learner(
    session: AsyncSession,
    learner_id: int,
    *,
    now: datetime,
    badge_class_ids: Iterable[int] | None = None,
) -> list[Held]:
    """The learner's valid badges (only those of `badge_class_ids` when given: a rule's
    evaluation reads just the classes it mentions)."""
    stmt = (
        select(BadgeClass.id, BadgeClass.level, BadgeClass.competency_ids)
        .join(Assertion, Assertion.badge_class_id == BadgeClass.id)
        .where(
            Assertion.recipient_user_id == learner_id,
            Assertion.revoked_at.is_(None),
            or_(Assertion.expires_at.is_(None), Assertion.expires_at > now),
        )
        .distinct()
    )
    if badge_class_ids is not None:
        stmt = stmt.where(BadgeClass.id.in_(sorted(set(badge_class_ids))))
    rows = await session.execute(stmt)
    return [Held(i, level, frozenset(comps)) for i, level, comps in rows.all()]
