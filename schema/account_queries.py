"""Queries about people and partners: `me`, `organizationAdmin`, `pendingOrganizations`,
`accountExport`. Resolvers call server services; the rules live there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from schema.account_types import (
    Account,
    ApiTokenType,
    ChildAccount,
    InvitationType,
    LearnerInfo,
    OrganizationAdmin,
    PartnerOrganization,
    StaffMember,
    StaffMembership,
    TokenInfo,
    Viewer,
    gid,
)
from schema.context import Context
from schema.enums import ConsentPurpose, Visibility
from schema.errors import domain_errors
from schema.feed_types import FeedType, latest_runs
from schema.permissions import NetworkAdmin, PersonOrGuardian, StaffOfOrganization, pk
from server.authz import has_org_role
from server.catalog import feeds
from server.models import Invitation, Organization, User
from server.models.enums import StaffRole
from server.orgs import api_tokens
from server.orgs import service as orgs
from server.privacy import consent, guardians, learners
from server.privacy.export import export_person


async def _learner_info(
    session: AsyncSession, learner: learners.Learner, now: datetime
) -> LearnerInfo:
    standing = await consent.standing(session, learner.user.id)
    child = learner.is_child(now)
    return LearnerInfo(
        age=learner.age(now),
        is_child=child,
        needs_guardian_consent=child and ConsentPurpose.PARTICIPATION not in standing,
        visibility=Visibility(learner.profile.visibility),
        consents=sorted(standing),
        handle=learner.profile.handle,
    )


async def _account(session: AsyncSession, user: User, context: Context) -> Account:
    learner = await learners.find(session, user.id)
    memberships = [
        StaffMembership(role=role, organization=PartnerOrganization.from_row(org))
        for org_id, role in context.actor.roles.items()
        if (org := await session.get(Organization, org_id)) is not None
    ]
    children = []
    for ward in await guardians.wards(session, user.id):
        ward_learner = await learners.find(session, ward.id)
        if ward_learner is not None:
            children.append(
                ChildAccount(
                    id=gid("Account", ward.id),
                    display_name=ward.display_name,
                    learner=await _learner_info(session, ward_learner, context.now),
                )
            )
    return Account(
        id=gid("Account", user.id),
        email=user.email,
        display_name=user.display_name,
        locale=user.locale,
        email_verified=user.email_verified_at is not None,
        is_network_admin=user.is_network_admin,
        learner=await _learner_info(session, learner, context.now) if learner else None,
        memberships=memberships,
        children=children,
    )


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Who is calling. Anonymous callers get nulls.")
    async def me(self, info: Info[Context, None]) -> Viewer:
        context = info.context
        actor = context.actor
        if actor.is_anonymous:
            return Viewer(account=None, token=None)
        async with context.db.use() as session:
            if actor.token_organization_id is not None:
                org = await session.get(Organization, actor.token_organization_id)
                assert org is not None
                return Viewer(
                    account=None,
                    token=TokenInfo(
                        organization=PartnerOrganization.from_row(org),
                        scopes=sorted(actor.scopes, key=lambda s: s.value),
                    ),
                )
            user = await session.get(User, actor.user_id)
            if user is None:
                return Viewer(account=None, token=None)
            return Viewer(account=await _account(session, user, context), token=None)

    @strawberry.field(
        description="An organization's staff, invitations and API tokens.",
        permission_classes=[StaffOfOrganization],
    )
    async def organization_admin(
        self, info: Info[Context, None], organization_id: relay.GlobalID
    ) -> OrganizationAdmin:
        context = info.context
        org_id = pk(organization_id, "Organization", field="organizationId")
        actor = context.actor
        person = actor.user_id is not None
        with domain_errors():
            async with context.db.use() as session:
                org = await orgs.get(session, org_id)
                staff = [StaffMember.from_rows(m, u) for m, u in await orgs.staff(session, org_id)]
                invitations = None
                if person and has_org_role(actor, org_id, StaffRole.OWNER):
                    rows = await session.scalars(
                        select(Invitation).where(
                            Invitation.organization_id == org_id,
                            Invitation.accepted_at.is_(None),
                            Invitation.revoked_at.is_(None),
                        )
                    )
                    invitations = [InvitationType.from_row(r) for r in rows]
                tokens = None
                if person and has_org_role(actor, org_id, StaffRole.MANAGER):
                    tokens = [
                        ApiTokenType.from_row(t)
                        for t in await api_tokens.of_organization(session, org_id)
                    ]
                feed_rows = await feeds.of_organization(session, org_id)
                runs = await latest_runs(session, [f.id for f in feed_rows])
        return OrganizationAdmin(
            organization=PartnerOrganization.from_row(org),
            staff=staff,
            invitations=invitations,
            api_tokens=tokens,
            feeds=[FeedType.from_row(f, runs[f.id]) for f in feed_rows],
        )

    @strawberry.field(
        description="Applications waiting for a decision.", permission_classes=[NetworkAdmin]
    )
    async def pending_organizations(self, info: Info[Context, None]) -> list[PartnerOrganization]:
        context = info.context
        with domain_errors():
            async with context.db.use() as session:
                rows = await orgs.pending(session, context.actor)
        return [PartnerOrganization.from_row(r) for r in rows]

    @strawberry.field(
        description="Everything we hold about a person, as JSON (the same as the download).",
        permission_classes=[PersonOrGuardian],
    )
    async def account_export(self, info: Info[Context, None], user_id: relay.GlobalID) -> JSON:
        context = info.context
        target = pk(user_id, "Account", field="userId")
        with domain_errors():
            async with context.sessionmaker() as session:  # it writes an audit entry
                document: dict[str, Any] = await export_person(
                    session, context.actor, target, now=context.now
                )
                await session.commit()
        return JSON(document)


__all__ = ["AccountQuery"]
