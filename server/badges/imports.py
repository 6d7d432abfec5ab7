"""Adding a badge from anywhere to a learner's backpack: verified first (server/badges/
verify.py: hosted fetch or signature, recipient against the learner's email, revocation,
expiry), then kept with what verifying found. Something that is not a badge at all is
refused; a badge that fails a check is kept and shown as not verified, so the learner
sees why (revoked, expired, not theirs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from partners.fetch import Limits
from server import outbox
from server.authz import Actor, require_person
from server.badges import verify
from server.errors import InvalidInput
from server.models import ImportedBadge, User

MAX_IMPORTED = 500


def _summary_source(source: verify.Source) -> str:
    if isinstance(source, str):
        text = source.strip()
        return text if text.startswith(("http://", "https://")) else "pasted"
    return "uploaded image"


async def add(
    session: AsyncSession,
    actor: Actor,
    source: verify.Source,
    *,
    limits: Limits,
    now: datetime,
) -> tuple[ImportedBadge, verify.Verification]:
    """Verify `source` against the learner's own email and keep it in their backpack."""
    learner_id = require_person(actor)
    user = await session.get(User, learner_id)
    assert user is not None
    result = await verify.verify(source, recipient_emails=[user.email], limits=limits, now=now)
    if result.spec is None:  # not even badge-shaped (a tampered badge is kept, unverified)
        failed = result.failures[0].detail if result.failures else "this is not a badge"
        raise InvalidInput(f"this is not a badge we can read: {failed}", field="source")
    document = result.to_json()
    row = ImportedBadge(
        learner_id=learner_id,
        source=_summary_source(source),
        spec=result.spec,
        valid=result.valid,
        checks=document["checks"],
        badge_name=result.badge.name if result.badge else None,
        issuer_name=result.issuer.name if result.issuer else None,
        achievement_id=result.badge.id if result.badge else None,
        criteria_url=result.badge.criteria_url if result.badge else None,
        issued_on=result.issued_on,
        expires_at=result.expires_at,
        document=result.document or {},
        verified_at=now,
    )
    session.add(row)
    await session.flush()
    if row.valid:  # a mapped badge from elsewhere counts in stacks and gates
        await outbox.emit(session, "stacks.evaluate", {"learner": learner_id, "imported": row.id})
    return row, result
