"""GraphQL types for badges: badge classes, awards, claim codes, submissions, roster lines."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from schema.account_types import gid
from schema.payloads import UserError
from server.badges import claims
from server.badges.urls import BadgeUrls
from server.errors import InvalidInput
from server.models import Assertion, BadgeClass, ClaimCode, EvidenceSubmission


def award_gid(assertion_id: uuid.UUID) -> relay.GlobalID:
    return relay.GlobalID("Award", str(assertion_id))


def award_pk(global_id: relay.GlobalID, *, field: str = "id") -> uuid.UUID:
    try:
        if global_id.type_name == "Award":
            return uuid.UUID(global_id.node_id)
    except ValueError:
        pass
    raise InvalidInput("not a valid Award id", field=field)


@strawberry.enum
class BadgeLevelEnum(Enum):
    PARTICIPATION = "participation"
    SKILL = "skill"
    ACHIEVEMENT = "achievement"
    SUMMIT = "summit"


@strawberry.enum
class EarningEnum(Enum):
    CLAIM_CODE = "claim_code"
    ROSTER = "roster"
    REVIEW = "review"
    API = "api"


@strawberry.enum
class VisibilityEnum(Enum):
    PRIVATE = "private"
    NETWORK = "network"
    PUBLIC = "public"


@strawberry.type(name="BadgeClass")
class BadgeClassType:
    id: relay.GlobalID
    organization_id: relay.GlobalID
    name: str
    description: str
    level: BadgeLevelEnum
    earning: list[EarningEnum]
    criteria_narrative: str | None
    criteria_url: str | None
    tags: list[str]
    expires_after_days: int | None
    archived: bool
    url: str = strawberry.field(description="The hosted Open Badges 2.0 BadgeClass.")
    image_url: str

    @classmethod
    def from_row(cls, row: BadgeClass, urls: BadgeUrls) -> BadgeClassType:
        return cls(
            id=gid("BadgeClass", row.id),
            organization_id=gid("Organization", row.organization_id),
            name=row.name,
            description=row.description,
            level=BadgeLevelEnum(row.level),
            earning=[EarningEnum(value) for value in row.earning],
            criteria_narrative=row.criteria_narrative,
            criteria_url=row.criteria_url,
            tags=list(row.tags),
            expires_after_days=row.expires_after_days,
            archived=row.status == "archived",
            url=urls.badge_class(row.id),
            image_url=urls.badge_image(row.id),
        )


@strawberry.type(name="Award", description="One badge awarded to one recipient.")
class AwardType:
    id: relay.GlobalID
    badge_class_id: relay.GlobalID
    url: str = strawberry.field(description="The hosted Open Badges 2.0 Assertion.")
    credential_url: str = strawberry.field(description="The Open Badges 3.0 credential.")
    issued_on: datetime
    expires_at: datetime | None
    revoked: bool
    revocation_reason: str | None
    visibility: VisibilityEnum

    @classmethod
    def from_row(cls, row: Assertion, urls: BadgeUrls) -> AwardType:
        return cls(
            id=award_gid(row.id),
            badge_class_id=gid("BadgeClass", row.badge_class_id),
            url=urls.assertion(row.id),
            credential_url=urls.credential(row.id),
            issued_on=row.issued_on,
            expires_at=row.expires_at,
            revoked=row.revoked_at is not None,
            revocation_reason=row.revocation_reason,
            visibility=VisibilityEnum(row.visibility),
        )


@strawberry.type(name="ClaimCode")
class ClaimCodeType:
    id: relay.GlobalID
    badge_class_id: relay.GlobalID
    code: str = strawberry.field(description="As shown: ABCD-EFGH.")
    claim_url: str
    starts_at: datetime
    ends_at: datetime
    max_uses: int
    uses: int
    closed: bool

    @classmethod
    def from_row(cls, row: ClaimCode, urls: BadgeUrls) -> ClaimCodeType:
        return cls(
            id=gid("ClaimCode", row.id),
            badge_class_id=gid("BadgeClass", row.badge_class_id),
            code=claims.display_code(row.code),
            claim_url=urls.claim(row.code),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            max_uses=row.max_uses,
            uses=row.uses,
            closed=row.closed_at is not None,
        )


@strawberry.type(name="EvidenceSubmission")
class SubmissionType:
    id: relay.GlobalID
    badge_class_id: relay.GlobalID
    status: str
    feedback: str | None
    award_id: relay.GlobalID | None

    @classmethod
    def from_row(cls, row: EvidenceSubmission) -> SubmissionType:
        return cls(
            id=gid("EvidenceSubmission", row.id),
            badge_class_id=gid("BadgeClass", row.badge_class_id),
            status=row.status,
            feedback=row.feedback,
            award_id=award_gid(row.assertion_id) if row.assertion_id else None,
        )


@strawberry.type
class RosterLineType:
    line: int
    email: str
    outcome: str = strawberry.field(
        description="award, invite (no account yet), already, duplicate or invalid."
    )
    message: str | None


@strawberry.type
class BadgeClassPayload:
    badge_class: BadgeClassType | None
    errors: list[UserError]


@strawberry.type
class AwardResult:
    index: int
    award: AwardType | None
    created: bool = strawberry.field(description="False when a retry found the earlier award.")
    errors: list[UserError]


@strawberry.type
class AwardsPayload:
    results: list[AwardResult]
    errors: list[UserError]


@strawberry.type
class AwardPayload:
    award: AwardType | None
    created: bool
    errors: list[UserError]


@strawberry.type
class ClaimCodePayload:
    claim_code: ClaimCodeType | None
    errors: list[UserError]


@strawberry.type
class RosterPayload:
    lines: list[RosterLineType]
    awarded: int
    errors: list[UserError]


@strawberry.type
class SubmissionPayload:
    submission: SubmissionType | None
    errors: list[UserError]


@strawberry.type
class EndorsementPayload:
    endorsed: bool
    errors: list[UserError]
