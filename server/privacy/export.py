"""Everything we hold about a person, as one JSON document (their right of access).

Learners export their own; guardians export a child's while the child is under 13.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor, can_see_learner_data, require_person
from server.badges import backpack
from server.errors import Forbidden, NotFound
from server.models import (
    AuditEvent,
    EvidenceSubmission,
    Membership,
    Organization,
    User,
    WebSession,
)
from server.privacy import consent, guardians, learners
from server.stacks import applications, progress

FORMAT = "citylearn-export/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_person(
    session: AsyncSession, actor: Actor, user_id: int, *, now: datetime
) -> dict[str, Any]:
    require_person(actor)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such account", field="userId")
    learner = await learners.find(session, user_id)
    child = learner.is_child(now) if learner else False
    if actor.user_id != user_id and not can_see_learner_data(actor, user_id, is_child=child):
        raise Forbidden("only the person, or a guardian while they are under 13, can export")
    document: dict[str, Any] = {
        "format": FORMAT,
        "exportedAt": now.isoformat(),
        "account": {
            "id": user.id,
            "email": user.email,
            "displayName": user.display_name,
            "locale": user.locale,
            "createdAt": _when(user.created_at),
            "emailVerifiedAt": _when(user.email_verified_at),
            "isNetworkAdmin": user.is_network_admin,
        },
        "learnerProfile": None,
        "consents": [
            {
                "purpose": c.purpose,
                "method": c.method,
                "grantedAt": _when(c.granted_at),
                "withdrawnAt": _when(c.withdrawn_at),
            }
            for c in await consent.history(session, user_id)
        ],
        "guardians": [
            {"displayName": g.display_name, "email": g.email}
            for g in await guardians.guardians_of(session, user_id)
        ],
        "children": [
            {"id": w.id, "displayName": w.display_name}
            for w in await guardians.wards(session, user_id)
        ],
        "memberships": [],
        "badges": [
            {
                "id": str(a.id),
                "badge": b.name,
                "issuer": o.name,
                "issuedOn": _when(a.issued_on),
                "expiresAt": _when(a.expires_at),
                "revokedAt": _when(a.revoked_at),
                "visibility": a.visibility,
                "evidence": a.evidence,
            }
            for a, b, o in await backpack.mine(session, user_id)
        ],
        "badgeSubmissions": [
            {
                "badgeClassId": s.badge_class_id,
                "status": s.status,
                "narrative": s.narrative,
                "url": s.url,
                "fileName": s.file_name,
                "submittedAt": _when(s.created_at),
            }
            for s in await session.scalars(
                select(EvidenceSubmission)
                .where(EvidenceSubmission.learner_id == user_id)
                .order_by(EvidenceSubmission.created_at)
            )
        ],
        "importedBadges": [
            {"source": i.source, "valid": i.valid, "badge": i.badge_name, "issuer": i.issuer_name}
            for i in await backpack.imported_of(session, user_id)
        ],
        "unlocks": [
            {
                "opportunity": o.title,
                "unlockedAt": _when(u.unlocked_at),
                "relockedAt": _when(u.relocked_at),
                "relockReason": u.relock_reason,
            }
            for u, o in await progress.unlocks_of(session, user_id)
        ],
        "applications": [
            {
                "opportunity": title,
                "status": a.status,
                "sharedBadges": [str(i) for i in a.shared_assertion_ids],
                "message": a.message,
                "appliedAt": _when(a.created_at),
            }
            for a, title in await applications.of_learner(session, user_id)
        ],
        "sessions": [],
        "activity": [],
    }
    if learner is not None:
        document["learnerProfile"] = {
            "birthDate": learner.profile.birth_date.isoformat(),
            "postalCode": learner.profile.postal_code,
            "neighborhood": learner.profile.neighborhood,
            "visibility": learner.profile.visibility,
            "handle": learner.profile.handle,
        }
    for org, role in await session.execute(
        select(Organization.slug, Membership.role)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == user_id)
    ):
        document["memberships"].append({"organization": org, "role": role})
    for web_session in await session.scalars(
        select(WebSession).where(WebSession.user_id == user_id).order_by(WebSession.created_at)
    ):
        document["sessions"].append(
            {
                "createdAt": _when(web_session.created_at),
                "lastSeenAt": _when(web_session.last_seen_at),
                "device": web_session.user_agent,
            }
        )
    for event in await session.scalars(
        select(AuditEvent)
        .where(
            (AuditEvent.actor_user_id == user_id)
            | ((AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id))
        )
        .order_by(AuditEvent.at)
        .limit(1000)
    ):
        document["activity"].append({"action": event.action, "at": _when(event.at)})
    await audit.record(session, "account.exported", actor, subject_type="user", subject_id=user_id)
    return document
