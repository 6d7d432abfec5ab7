"""Types for people, organizations as their staff see them, and API tokens.

None of these is reachable anonymously: they hang off `me`, `organizationAdmin` and
`pendingOrganizations`, each behind a permission class.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.enums import (
    ApiScope,
    ConsentPurpose,
    OrganizationKind,
    OrganizationStatus,
    StaffRole,
    Visibility,
)
from server.models import ApiToken as ApiTokenRow
from server.models import Invitation as InvitationRow
from server.models import Membership as MembershipRow
from server.models import Organization as OrganizationRow
from server.models import User as UserRow

if TYPE_CHECKING:
    from schema.feed_types import FeedType


def gid(type_name: str, value: int) -> relay.GlobalID:
    return relay.GlobalID(type_name, str(value))


@strawberry.type(description="An organization as its staff and network admins see it.")
class PartnerOrganization:
    id: relay.GlobalID
    slug: str
    name: str
    kind: OrganizationKind
    status: OrganizationStatus
    status_reason: str | None = strawberry.field(description="Why it was declined or suspended.")
    is_issuer: bool
    is_employer: bool
    website: str | None
    postal_code: str | None

    @classmethod
    def from_row(cls, row: OrganizationRow) -> PartnerOrganization:
        return cls(
            id=gid("Organization", row.id),
            slug=row.slug,
            name=row.name,
            kind=OrganizationKind(row.kind),
            status=OrganizationStatus(row.status),
            status_reason=row.status_reason,
            is_issuer=row.is_issuer,
            is_employer=row.is_employer,
            website=row.website,
            postal_code=row.postal_code,
        )


@strawberry.type
class StaffMember:
    id: relay.GlobalID
    role: StaffRole
    display_name: str
    email: str

    @classmethod
    def from_rows(cls, membership: MembershipRow, user: UserRow) -> StaffMember:
        return cls(
            id=gid("StaffMember", membership.id),
            role=StaffRole(membership.role),
            display_name=user.display_name,
            email=user.email,
        )


@strawberry.type(name="Invitation")
class InvitationType:
    id: relay.GlobalID
    email: str
    role: StaffRole
    created_at: datetime

    @classmethod
    def from_row(cls, row: InvitationRow) -> InvitationType:
        return cls(
            id=gid("Invitation", row.id),
            email=row.email,
            role=StaffRole(row.role),
            created_at=row.created_at,
        )


@strawberry.type(name="ApiToken", description="A partner system's credential (never the secret).")
class ApiTokenType:
    id: relay.GlobalID
    name: str
    prefix: str = strawberry.field(description="The token's first characters, to tell it apart.")
    scopes: list[ApiScope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiTokenRow) -> ApiTokenType:
        return cls(
            id=gid("ApiToken", row.id),
            name=row.name,
            prefix=row.prefix,
            scopes=[ApiScope(s) for s in row.scopes],
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="What a learner account holds; seen by the learner and guardians.")
class LearnerInfo:
    age: int
    is_child: bool = strawberry.field(description="Under 13: a guardian decides for them.")
    needs_guardian_consent: bool = strawberry.field(
        description="A child whose guardian has not consented yet: the account is limited."
    )
    visibility: Visibility
    consents: list[ConsentPurpose]
    handle: str


@strawberry.type
class StaffMembership:
    role: StaffRole
    organization: PartnerOrganization


@strawberry.type
class ChildAccount:
    id: relay.GlobalID
    display_name: str
    learner: LearnerInfo


@strawberry.type(description="The signed-in person.")
class Account:
    id: relay.GlobalID
    email: str
    display_name: str
    locale: str
    email_verified: bool
    is_network_admin: bool
    learner: LearnerInfo | None
    memberships: list[StaffMembership]
    children: list[ChildAccount]


@strawberry.type(description="The API token a partner system calls with.")
class TokenInfo:
    organization: PartnerOrganization
    scopes: list[ApiScope]


@strawberry.type(description="Who is calling: a person, a partner system, or nobody.")
class Viewer:
    account: Account | None
    token: TokenInfo | None


@strawberry.type(description="An organization's private side, for its staff.")
class OrganizationAdmin:
    organization: PartnerOrganization
    staff: list[StaffMember]
    invitations: list[InvitationType] | None = strawberry.field(
        description="Open invitations; owners only (null for others)."
    )
    api_tokens: list[ApiTokenType] | None = strawberry.field(
        description="Managers and owners only (null for others)."
    )
    feeds: list[Annotated[FeedType, strawberry.lazy("schema.feed_types")]] = strawberry.field(
        description="The organization's partner feeds with their health and latest runs."
    )
