"""Mutations. Each names who may call it (permission_classes), runs one server service in
its own transaction (schema/payloads.py) and returns a payload with `errors`.

| mutation | who may call it |
| --- | --- |
| organizationApply | any signed-in person (they become the owner) |
| organizationApprove, organizationDecline | network admins |
| staffInvite, staffRoleChange, staffRemove | the organization's owners |
| apiTokenCreate, apiTokenRevoke | the organization's managers and owners |
| opportunitySetStatus | the organization's managers, or its tokens with listings:write |
| learnerVisibilitySet, consentGrant, consentWithdraw | the learner from 13; a guardian before |
| accountDelete | the person; a guardian for a child under 13 |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from schema.account_types import (
    ApiTokenType,
    InvitationType,
    PartnerOrganization,
    StaffMember,
    gid,
)
from schema.context import Context
from schema.enums import (
    ApiScope,
    ConsentPurpose,
    OpportunityStatus,
    OrganizationKind,
    StaffRole,
    Visibility,
)
from schema.payloads import UserError, perform
from schema.permissions import (
    LearnerDecides,
    ListingWriter,
    ManagerOfApiToken,
    ManagerOfOrganization,
    NetworkAdmin,
    OwnerOfOrganization,
    OwnerOfStaffMember,
    PersonOrGuardian,
    SignedInPerson,
    pk,
)
from server.catalog import service as catalog
from server.models import User
from server.orgs import api_tokens
from server.orgs import service as orgs
from server.privacy import consent, deletion, learners


@strawberry.input
class OrganizationApplyInput:
    name: str
    kind: OrganizationKind
    description: str = ""
    website: str | None = None
    postal_code: str | None = None
    is_issuer: bool = False
    is_employer: bool = False


@strawberry.type
class OrganizationPayload:
    organization: PartnerOrganization | None
    errors: list[UserError]


@strawberry.type
class InvitationPayload:
    invitation: InvitationType | None
    errors: list[UserError]


@strawberry.type
class StaffMemberPayload:
    staff_member: StaffMember | None
    errors: list[UserError]


@strawberry.type
class DeletePayload:
    deleted_id: relay.GlobalID | None
    errors: list[UserError]


@strawberry.type
class ApiTokenCreatePayload:
    api_token: ApiTokenType | None
    secret: str | None = strawberry.field(
        description="The whole token. Shown this once: store it in the partner system now."
    )
    errors: list[UserError]


@strawberry.type
class ApiTokenPayload:
    api_token: ApiTokenType | None
    errors: list[UserError]


@strawberry.type
class OpportunityStatusPayload:
    opportunity_id: relay.GlobalID | None
    status: OpportunityStatus | None
    errors: list[UserError]


@strawberry.type
class LearnerSettingsPayload:
    learner_id: relay.GlobalID | None
    visibility: Visibility | None
    consents: list[ConsentPurpose] | None
    errors: list[UserError]


async def _learner_settings(
    context: Context, learner_id: int, errors: list[UserError]
) -> LearnerSettingsPayload:
    if errors:
        return LearnerSettingsPayload(
            learner_id=None, visibility=None, consents=None, errors=errors
        )
    async with context.read_sessionmaker() as session:
        learner = await learners.get(session, learner_id)
        standing = await consent.standing(session, learner_id)
    return LearnerSettingsPayload(
        learner_id=gid("Account", learner_id),
        visibility=Visibility(learner.profile.visibility),
        consents=sorted(standing),
        errors=[],
    )


ConsentChange = Callable[..., Awaitable[bool]]


async def _change_consent(
    context: Context, learner_id: relay.GlobalID, purpose: ConsentPurpose, change: ConsentChange
) -> LearnerSettingsPayload:
    target = pk(learner_id, "Account", field="learnerId")

    async def work(session: AsyncSession) -> bool:
        return await change(session, context.actor, target, purpose, now=context.now)

    _, errors = await perform(context, work)
    return await _learner_settings(context, target, errors)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Apply for an organization to join the network; an admin decides.",
        permission_classes=[SignedInPerson],
    )
    async def organization_apply(
        self, info: Info[Context, None], input: OrganizationApplyInput
    ) -> OrganizationPayload:
        context = info.context

        async def work(session: AsyncSession) -> PartnerOrganization:
            org = await orgs.apply(
                session,
                context.actor,
                name=input.name,
                kind=input.kind,
                website=input.website,
                postal_code=input.postal_code,
                description=input.description,
                is_issuer=input.is_issuer,
                is_employer=input.is_employer,
            )
            return PartnerOrganization.from_row(org)

        org, errors = await perform(context, work)
        return OrganizationPayload(organization=org, errors=errors)

    @strawberry.mutation(permission_classes=[NetworkAdmin])
    async def organization_approve(
        self, info: Info[Context, None], id: relay.GlobalID
    ) -> OrganizationPayload:
        context = info.context

        async def work(session: AsyncSession) -> PartnerOrganization:
            org = await orgs.approve(
                session,
                context.actor,
                pk(id, "Organization"),
                public_url=context.settings.public_url,
            )
            return PartnerOrganization.from_row(org)

        org, errors = await perform(context, work)
        return OrganizationPayload(organization=org, errors=errors)

    @strawberry.mutation(permission_classes=[NetworkAdmin])
    async def organization_decline(
        self, info: Info[Context, None], id: relay.GlobalID, reason: str
    ) -> OrganizationPayload:
        context = info.context

        async def work(session: AsyncSession) -> PartnerOrganization:
            org = await orgs.decline(session, context.actor, pk(id, "Organization"), reason=reason)
            return PartnerOrganization.from_row(org)

        org, errors = await perform(context, work)
        return OrganizationPayload(organization=org, errors=errors)

    @strawberry.mutation(
        description="Invite someone to the staff by email.",
        permission_classes=[OwnerOfOrganization],
    )
    async def staff_invite(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        email: str,
        role: StaffRole,
    ) -> InvitationPayload:
        context = info.context

        async def work(session: AsyncSession) -> InvitationType:
            invitation = await orgs.invite(
                session,
                context.actor,
                pk(organization_id, "Organization", field="organizationId"),
                email=email,
                role=role,
                now=context.now,
                public_url=context.settings.public_url,
            )
            return InvitationType.from_row(invitation)

        invitation, errors = await perform(context, work)
        return InvitationPayload(invitation=invitation, errors=errors)

    @strawberry.mutation(permission_classes=[OwnerOfStaffMember])
    async def staff_role_change(
        self, info: Info[Context, None], membership_id: relay.GlobalID, role: StaffRole
    ) -> StaffMemberPayload:
        context = info.context

        async def work(session: AsyncSession) -> StaffMember:
            membership = await orgs.change_role(
                session,
                context.actor,
                pk(membership_id, "StaffMember", field="membershipId"),
                role,
            )
            user = await session.get(User, membership.user_id)
            assert user is not None
            return StaffMember.from_rows(membership, user)

        member, errors = await perform(context, work)
        return StaffMemberPayload(staff_member=member, errors=errors)

    @strawberry.mutation(permission_classes=[OwnerOfStaffMember])
    async def staff_remove(
        self, info: Info[Context, None], membership_id: relay.GlobalID
    ) -> DeletePayload:
        context = info.context

        async def work(session: AsyncSession) -> relay.GlobalID:
            await orgs.remove_member(
                session, context.actor, pk(membership_id, "StaffMember", field="membershipId")
            )
            return membership_id

        deleted, errors = await perform(context, work)
        return DeletePayload(deleted_id=deleted, errors=errors)

    @strawberry.mutation(
        description="A new API token for a partner system. The secret is shown once.",
        permission_classes=[ManagerOfOrganization],
    )
    async def api_token_create(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        name: str,
        scopes: list[ApiScope],
    ) -> ApiTokenCreatePayload:
        context = info.context

        async def work(session: AsyncSession) -> api_tokens.NewToken:
            return await api_tokens.create(
                session,
                context.actor,
                pk(organization_id, "Organization", field="organizationId"),
                name=name,
                scopes=set(scopes),
                now=context.now,
            )

        created, errors = await perform(context, work)
        if created is None:
            return ApiTokenCreatePayload(api_token=None, secret=None, errors=errors)
        return ApiTokenCreatePayload(
            api_token=ApiTokenType.from_row(created.token), secret=created.secret, errors=[]
        )

    @strawberry.mutation(permission_classes=[ManagerOfApiToken])
    async def api_token_revoke(
        self, info: Info[Context, None], id: relay.GlobalID
    ) -> ApiTokenPayload:
        context = info.context

        async def work(session: AsyncSession) -> ApiTokenType:
            token = await api_tokens.revoke(
                session, context.actor, pk(id, "ApiToken"), now=context.now
            )
            return ApiTokenType.from_row(token)

        token, errors = await perform(context, work)
        return ApiTokenPayload(api_token=token, errors=errors)

    @strawberry.mutation(
        description="Publish, unpublish (DRAFT) or archive a listing.",
        permission_classes=[ListingWriter],
    )
    async def opportunity_set_status(
        self, info: Info[Context, None], id: relay.GlobalID, status: OpportunityStatus
    ) -> OpportunityStatusPayload:
        context = info.context

        async def work(session: AsyncSession) -> OpportunityStatus:
            row = await catalog.set_status(session, context.actor, pk(id, "Opportunity"), status)
            return OpportunityStatus(row.status)

        done, errors = await perform(context, work)
        return OpportunityStatusPayload(
            opportunity_id=id if done else None, status=done, errors=errors
        )

    @strawberry.mutation(
        description="Who sees the learner's profile and badges. PUBLIC records the "
        "public-profile consent; anything else withdraws it.",
        permission_classes=[LearnerDecides],
    )
    async def learner_visibility_set(
        self, info: Info[Context, None], learner_id: relay.GlobalID, visibility: Visibility
    ) -> LearnerSettingsPayload:
        context = info.context
        target = pk(learner_id, "Account", field="learnerId")

        async def work(session: AsyncSession) -> Visibility:
            return await learners.set_visibility(
                session, context.actor, target, visibility, now=context.now
            )

        _, errors = await perform(context, work)
        return await _learner_settings(context, target, errors)

    @strawberry.mutation(permission_classes=[LearnerDecides])
    async def consent_grant(
        self, info: Info[Context, None], learner_id: relay.GlobalID, purpose: ConsentPurpose
    ) -> LearnerSettingsPayload:
        return await _change_consent(info.context, learner_id, purpose, learners.grant_consent)

    @strawberry.mutation(
        description="Withdraw a consent; it takes effect at once.",
        permission_classes=[LearnerDecides],
    )
    async def consent_withdraw(
        self, info: Info[Context, None], learner_id: relay.GlobalID, purpose: ConsentPurpose
    ) -> LearnerSettingsPayload:
        return await _change_consent(info.context, learner_id, purpose, learners.withdraw_consent)

    @strawberry.mutation(
        description="Delete an account and its data (see the README for what remains).",
        permission_classes=[PersonOrGuardian],
    )
    async def account_delete(
        self, info: Info[Context, None], user_id: relay.GlobalID
    ) -> DeletePayload:
        context = info.context

        async def work(session: AsyncSession) -> relay.GlobalID:
            await deletion.delete_account(
                session, context.actor, pk(user_id, "Account", field="userId"), now=context.now
            )
            return user_id

        deleted, errors = await perform(context, work)
        return DeletePayload(deleted_id=deleted, errors=errors)
