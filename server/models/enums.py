"""Closed vocabularies, stored as text with CHECK constraints (cheaper to extend than PG enums)."""

from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    MUSEUM = "museum"
    LIBRARY = "library"
    COMMUNITY_GROUP = "community_group"
    COLLEGE = "college"
    EMPLOYER = "employer"
    PARK_DISTRICT = "park_district"
    NONPROFIT = "nonprofit"


class OrganizationStatus(StrEnum):
    PENDING = "pending"  # applied, waiting for a network admin
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"


class StaffRole(StrEnum):
    """A staff member's role in one organization; each includes the ones below it.

    owner   manages the staff (invites, roles, removal) and everything a manager does
    manager edits listings and feeds, designs badge classes, posts gated opportunities,
            creates and revokes API tokens
    issuer  awards and revokes badges, runs claim codes, reviews evidence
    """

    OWNER = "owner"
    MANAGER = "manager"
    ISSUER = "issuer"


ROLE_RANK = {StaffRole.ISSUER: 1, StaffRole.MANAGER: 2, StaffRole.OWNER: 3}


class ConsentPurpose(StrEnum):
    PARTICIPATION = "participation"  # an account that saves, earns badges, applies
    SHARE_WITH_EMPLOYERS = "share_with_employers"  # badges shown to employers on applying
    PUBLIC_PROFILE = "public_profile"  # a profile page anyone can see


class Visibility(StrEnum):
    """Who sees a learner's profile and badges. Private until the learner (and a guardian
    for under-13s) chooses otherwise."""

    PRIVATE = "private"  # the learner and their guardians only
    NETWORK = "network"  # also signed-in partner staff
    PUBLIC = "public"  # anyone with the link


class ApiScope(StrEnum):
    LISTINGS_WRITE = "listings:write"
    BADGES_ISSUE = "badges:issue"
    GATED_WRITE = "gated:write"
    ORG_READ = "org:read"


class LinkPurpose(StrEnum):
    """What a one-time emailed link does."""

    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    GUARDIAN_CONSENT = "guardian_consent"
    STAFF_INVITATION = "staff_invitation"


class OpportunityKind(StrEnum):
    PROGRAM = "program"
    WORKSHOP = "workshop"
    EVENT = "event"
    ONLINE_ACTIVITY = "online_activity"
    DROP_IN = "drop_in"
    CAMP = "camp"
    COURSE = "course"
    VOLUNTEERING = "volunteering"
    INTERNSHIP = "internship"
    JOB_SHADOW = "job_shadow"
    APPRENTICESHIP = "apprenticeship"


class Delivery(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"


class OpportunityStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Accessibility(StrEnum):
    WHEELCHAIR = "wheelchair"
    ASL = "asl"
    SENSORY_FRIENDLY = "sensory_friendly"
    CAPTIONS = "captions"
    TRANSIT_NEARBY = "transit_nearby"


class FeedFormat(StrEnum):
    ICAL = "ical"
    JSONLD = "jsonld"
    RPDE = "rpde"
    CSV = "csv"


class FeedHealth(StrEnum):
    """healthy -> degraded (a failure) -> quarantined (3 in a row: harvested less often,
    its listings marked stale after a while) -> disabled (10 in a row: staff re-enable)."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    QUARANTINED = "quarantined"
    DISABLED = "disabled"


class RunOutcome(StrEnum):
    APPLIED = "applied"
    NOT_MODIFIED = "not_modified"  # a 304, or nothing new on an RPDE feed
    HELD = "held"  # applied, except removals waiting for confirmation
    FAILED = "failed"
    DRY_RUN = "dry_run"


class BadgeLevel(StrEnum):
    PARTICIPATION = "participation"
    SKILL = "skill"
    ACHIEVEMENT = "achievement"
    SUMMIT = "summit"


class BadgeClassStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"  # no new awards; what was awarded stays valid


class AwardMethod(StrEnum):
    """How an award was made. A badge class lists the first four as its ways to earn."""

    CLAIM_CODE = "claim_code"  # a learner claimed it with a code shown at an event
    ROSTER = "roster"  # staff awarded it to a list of learners
    REVIEW = "review"  # staff approved evidence the learner submitted online
    API = "api"  # a partner system awarded it through the API
    STACK = "stack"  # completing a stack awarded it (the unlock issue)


EARNING_METHODS = (AwardMethod.CLAIM_CODE, AwardMethod.ROSTER, AwardMethod.REVIEW, AwardMethod.API)


class StackStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"  # evaluated no more; completions and awards stay


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # counts against the opportunity's capacity
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the learner


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"  # sent back with feedback; the learner may submit again


def check_in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
