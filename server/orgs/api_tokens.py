"""API tokens for partner systems: made by an organization's manager, shown once, stored
as a SHA-256, scoped, revocable, with the time each was last used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts.secrets import digest, new_secret
from server.authz import Actor, require_active_organization, require_org_role
from server.errors import InvalidInput, NotFound
from server.models import ApiToken, Organization
from server.models.enums import ApiScope, OrganizationStatus, StaffRole
from server.orgs.service import get as get_organization

PREFIX = "cl_"
# last_used_at is written at most this often, not on every call.
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKENS_PER_ORGANIZATION = 50
_SCOPES = {s.value for s in ApiScope}


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The whole token, to show once; only its hash is kept.
    secret: str


async def create(
    session: AsyncSession,
    actor: Actor,
    organization_id: int,
    *,
    name: str,
    scopes: set[ApiScope],
    now: datetime,
) -> NewToken:
    require_org_role(actor, organization_id, StaffRole.MANAGER)
    require_active_organization(await get_organization(session, organization_id))
    label = " ".join((name or "").split())
    if not 1 <= len(label) <= 120:
        raise InvalidInput("name the token after the system that uses it", field="name")
    if not scopes:
        raise InvalidInput("choose at least one scope", field="scopes")
    live = await session.scalars(
        select(ApiToken.id).where(
            ApiToken.organization_id == organization_id, ApiToken.revoked_at.is_(None)
        )
    )
    if len(list(live)) >= MAX_TOKENS_PER_ORGANIZATION:
        raise InvalidInput("revoke unused tokens first", field="name", code="TOO_MANY_TOKENS")
    secret = PREFIX + new_secret()
    token = ApiToken(
        organization_id=organization_id,
        name=label,
        prefix=secret[:10],
        token_hash=digest(secret),
        scopes=sorted(s.value for s in scopes),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(token)
    await session.flush()
    await audit.record(
        session,
        "api_token.created",
        actor,
        subject_type="organization",
        subject_id=organization_id,
        token=token.id,
        scopes=token.scopes,
    )
    return NewToken(token, secret)


async def organization_of(session: AsyncSession, token_id: int) -> int | None:
    return await session.scalar(select(ApiToken.organization_id).where(ApiToken.id == token_id))


async def revoke(session: AsyncSession, actor: Actor, token_id: int, *, now: datetime) -> ApiToken:
    token = await session.get(ApiToken, token_id, with_for_update=True)
    if token is None:
        raise NotFound("no such token", field="id")
    require_org_role(actor, token.organization_id, StaffRole.MANAGER)
    if token.revoked_at is None:
        token.revoked_at = now
        await audit.record(
            session,
            "api_token.revoked",
            actor,
            subject_type="organization",
            subject_id=token.organization_id,
            token=token.id,
        )
    return token


async def of_organization(session: AsyncSession, organization_id: int) -> list[ApiToken]:
    rows = await session.scalars(
        select(ApiToken)
        .where(ApiToken.organization_id == organization_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    return list(rows)


async def authenticate(
    session: AsyncSession, secret: str, *, now: datetime, ip: str | None = None
) -> Actor | None:
    """The actor for a Bearer token, or None when it is unknown, revoked, or its
    organization is not approved."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    found = (
        await session.execute(
            select(ApiToken, Organization.status)
            .join(Organization, Organization.id == ApiToken.organization_id)
            .where(ApiToken.token_hash == digest(secret))
        )
    ).first()
    if found is None:
        return None
    token, status = found
    if token.revoked_at is not None or status != OrganizationStatus.APPROVED.value:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        await session.flush()
    return Actor(
        token_id=token.id,
        token_organization_id=token.organization_id,
        scopes=frozenset(ApiScope(s) for s in token.scopes if s in _SCOPES),
        ip=ip,
    )
