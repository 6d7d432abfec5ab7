"""Consent per purpose. A grant is a row; withdrawing closes it at once. Everything that
depends on consent asks `standing` (or `holds`) at the moment it acts, so a withdrawal
takes effect on the next request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor
from server.models import Consent
from server.models.enums import ConsentPurpose


async def standing(session: AsyncSession, learner_id: int) -> set[ConsentPurpose]:
    rows = await session.scalars(
        select(Consent.purpose).where(
            Consent.learner_id == learner_id, Consent.withdrawn_at.is_(None)
        )
    )
    return {ConsentPurpose(p) for p in rows}


async def holds(session: AsyncSession, learner_id: int, purpose: ConsentPurpose) -> bool:
    return purpose in await standing(session, learner_id)


async def holders(
    session: AsyncSession, learner_ids: Iterable[int], purpose: ConsentPurpose
) -> set[int]:
    """Which of these learners have a standing consent to `purpose` (one read for a list)."""
    ids = sorted(set(learner_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(Consent.learner_id).where(
            Consent.learner_id.in_(ids),
            Consent.purpose == purpose.value,
            Consent.withdrawn_at.is_(None),
        )
    )
    return set(rows)


async def _standing_row(
    session: AsyncSession, learner_id: int, purpose: ConsentPurpose
) -> Consent | None:
    return await session.scalar(
        select(Consent)
        .where(
            Consent.learner_id == learner_id,
            Consent.purpose == purpose.value,
            Consent.withdrawn_at.is_(None),
        )
        .with_for_update()
    )


async def grant(
    session: AsyncSession,
    learner_id: int,
    purpose: ConsentPurpose,
    *,
    granted_by: Actor,
    method: str,
    now: datetime | None = None,
) -> bool:
    """Records a grant; False when one already stands (idempotent)."""
    if await _standing_row(session, learner_id, purpose) is not None:
        return False
    row = Consent(
        learner_id=learner_id,
        purpose=purpose.value,
        granted_by_id=granted_by.user_id,
        method=method,
    )
    if now is not None:
        row.granted_at = now
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        "consent.granted",
        granted_by,
        subject_type="user",
        subject_id=learner_id,
        purpose=purpose.value,
        method=method,
    )
    return True


async def withdraw(
    session: AsyncSession,
    learner_id: int,
    purpose: ConsentPurpose,
    *,
    withdrawn_by: Actor,
    now: datetime,
) -> bool:
    """Closes the standing grant; False when there was none."""
    row = await _standing_row(session, learner_id, purpose)
    if row is None:
        return False
    row.withdrawn_at = now
    row.withdrawn_by_id = withdrawn_by.user_id
    await audit.record(
        session,
        "consent.withdrawn",
        withdrawn_by,
        subject_type="user",
        subject_id=learner_id,
        purpose=purpose.value,
    )
    return True


async def history(session: AsyncSession, learner_id: int) -> list[Consent]:
    rows = await session.scalars(
        select(Consent).where(Consent.learner_id == learner_id).order_by(Consent.granted_at)
    )
    return list(rows)
