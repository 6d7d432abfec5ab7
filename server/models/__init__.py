"""All ORM models in one package so imports never go in circles."""

from server.models.audit import AuditEvent, OutboxEvent
from server.models.auth import ApiToken, EmailLink, WebSession
from server.models.badge import (
    Assertion,
    BadgeClass,
    ClaimCode,
    Endorsement,
    EvidenceSubmission,
    ImportedBadge,
    IssuerKey,
    OpportunityBadgeClass,
)
from server.models.base import Base
from server.models.feed import Feed, ImportRun
from server.models.opportunity import Opportunity, OpportunityTombstone
from server.models.organization import Organization
from server.models.place import Place
from server.models.privacy import Consent
from server.models.session import Session
from server.models.stack import (
    Application,
    BadgeEquivalence,
    OpportunityGate,
    RuleTerm,
    Stack,
    StackCompletion,
    Unlock,
)
from server.models.taxonomy import Competency, Topic
from server.models.user import Guardianship, Invitation, LearnerProfile, Membership, User

__all__ = [
    "ApiToken",
    "Application",
    "Assertion",
    "AuditEvent",
    "BadgeClass",
    "BadgeEquivalence",
    "Base",
    "ClaimCode",
    "Competency",
    "Consent",
    "EmailLink",
    "Endorsement",
    "EvidenceSubmission",
    "Feed",
    "Guardianship",
    "ImportRun",
    "ImportedBadge",
    "Invitation",
    "IssuerKey",
    "LearnerProfile",
    "Membership",
    "Opportunity",
    "OpportunityBadgeClass",
    "OpportunityGate",
    "OpportunityTombstone",
    "Organization",
    "OutboxEvent",
    "Place",
    "RuleTerm",
    "Session",
    "Stack",
    "StackCompletion",
    "Topic",
    "Unlock",
    "User",
    "WebSession",
]
