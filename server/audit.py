"""Writing the audit log: one call per security-relevant action, in the action's own
transaction, so the log and the change commit or roll back together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.authz import Actor
from server.models import AuditEvent

# The actions written today (a closed list keeps the log searchable).
ACTIONS = frozenset(
    {
        "account.signed_up",
        "account.email_verified",
        "account.signed_in",
        "account.sign_in_failed",
        "account.sign_in_throttled",
        "account.signed_out",
        "account.password_reset_requested",
        "account.password_reset",
        "account.exported",
        "account.deleted",
        "consent.requested",
        "consent.granted",
        "consent.withdrawn",
        "guardian.linked",
        "profile.visibility_changed",
        "organization.applied",
        "organization.approved",
        "organization.declined",
        "staff.invited",
        "staff.joined",
        "staff.role_changed",
        "staff.removed",
        "api_token.created",
        "api_token.revoked",
        "listing.status_changed",
        "listings.imported",
        "listings.removals_confirmed",
        "feed.registered",
        "feed.changed",
        "badge_class.created",
        "badge_class.changed",
        "badge_class.endorsed",
        "badge.revoked",
        "stack.saved",
        "stack.archived",
        "gate.saved",
        "gate.removed",
        "badge_equivalence.added",
        "application.submitted",
        "application.withdrawn",
        "application.decided",
        "badge.visibility_changed",
        "claim_code.opened",
        "claim_code.closed",
        "submission.reviewed",
    }
)


async def record(
    session: AsyncSession,
    action: str,
    actor: Actor | None,
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    **details: Any,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEvent(
            action=action,
            actor_user_id=actor.user_id if actor else None,
            actor_token_id=actor.token_id if actor else None,
            subject_type=subject_type,
            subject_id=subject_id,
            ip=actor.ip if actor else None,
            details=details,
        )
    )


async def scrub_person(session: AsyncSession, user_id: int) -> None:
    """Keep what happened, drop who it was: details and IPs of events about or by a
    deleted person are cleared; actions, times and the numeric id stay."""
    await session.execute(
        update(AuditEvent)
        .where((AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id))
        .values(details={}, ip=None)
    )
    await session.execute(
        update(AuditEvent).where(AuditEvent.actor_user_id == user_id).values(ip=None)
    )
