"""GraphQL types for stacks of badges and gated opportunities: stacks, gates (what it
takes, and whether it is locked for the viewer), a learner's progress, suggestions and
unlocks, applications and applicants as the employer sees them.

Leaf fields are plain attributes; what another read would answer (a stack's organization
or badge, a gate's stack, an unlock's listing) goes through the request's loaders. Lists
that nest get a `first` argument so the query cost (schema/cost.py) counts what they
hold, not the default page size.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from schema.account_types import gid
from schema.badge_types import BadgeLevelEnum, award_gid
from schema.context import Context
from schema.enums import Delivery
from schema.payloads import UserError
from schema.types import Opportunity, Organization
from server.badges.classes import WhereToEarn
from server.models import Application, BadgeEquivalence, Stack
from server.stacks import applications, progress, rules

MAX_PLACES = progress.PLACES_PER_BADGE


@strawberry.enum(name="StackStatus")
class StackStatusEnum(Enum):
    ACTIVE = "active"
    ARCHIVED = "archived"


@strawberry.enum(name="ApplicationStatus")
class ApplicationStatusEnum(Enum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@strawberry.enum(name="ApplicationDecision")
class DecisionEnum(Enum):
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


def _first(items: list[Any], first: int) -> list[Any]:
    return items[: max(0, first)]


async def _opportunity(info: Info[Context, None], opportunity_id: int) -> Opportunity | None:
    found = await Opportunity.resolve_nodes(info=info, node_ids=[str(opportunity_id)])
    return found[0]


@strawberry.type(name="BadgeRef", description="A badge class by name, with its issuer's name.")
class BadgeRefType:
    id: relay.GlobalID
    name: str
    issuer: str

    @classmethod
    def from_ref(cls, ref: progress.BadgeRef) -> BadgeRefType:
        return cls(id=gid("BadgeClass", ref.id), name=ref.name, issuer=ref.issuer)


@strawberry.type(name="PlaceToEarn", description="A published listing that awards a badge.")
class PlaceToEarnType:
    opportunity_id: relay.GlobalID
    title: str
    delivery: Delivery
    place_name: str | None
    neighborhood: str | None
    distance_km: float | None = strawberry.field(description="From you, when we know where.")

    @classmethod
    def from_place(cls, place: WhereToEarn) -> PlaceToEarnType:
        return cls(
            opportunity_id=gid("Opportunity", place.opportunity_id),
            title=place.title,
            delivery=Delivery(place.delivery),
            place_name=place.place_name,
            neighborhood=place.neighborhood,
            distance_km=place.distance_km,
        )


@strawberry.type(name="MissingBadge")
class MissingBadgeType:
    badge: BadgeRefType
    all_places: strawberry.Private[list[PlaceToEarnType]]

    @strawberry.field(description=f"Up to {MAX_PLACES} listings near you that award it.")
    def places(self, first: int = MAX_PLACES) -> list[PlaceToEarnType]:
        return _first(self.all_places, first)

    @classmethod
    def from_earnable(cls, earnable: progress.Earnable) -> MissingBadgeType:
        return cls(
            badge=BadgeRefType.from_ref(earnable.badge),
            all_places=[PlaceToEarnType.from_place(p) for p in earnable.places],
        )


@strawberry.type(name="LevelNeed", description="Any badge in a competency at a level or above.")
class LevelNeedType:
    competency: str
    level: BadgeLevelEnum


def level_needs(rule: rules.Rule, names: dict[int, str]) -> list[LevelNeedType]:
    """The level rules a rule holds, in order, each once."""
    found: dict[tuple[int, str], None] = {}

    def walk(node: rules.Rule) -> None:
        if isinstance(node, rules.LevelAtLeast):
            found[(node.competency_id, node.level)] = None
        elif not isinstance(node, rules.Badge):
            for child in node.rules:
                walk(child)

    walk(rule)
    return [
        LevelNeedType(competency=names.get(c, str(c)), level=BadgeLevelEnum(level))
        for c, level in found
    ]


@strawberry.type(name="Stack", description="A pathway: a rule over badge classes, any issuer's.")
class StackType:
    id: relay.GlobalID
    name: str
    description: str
    rule: JSON = strawberry.field(
        description='The rule: {"badge": id}, {"all_of": [...]}, {"any_of": [...]}, '
        '{"at_least": n, "of": [...]}, {"level": "skill", "competency": id}.'
    )
    status: StackStatusEnum
    organization_pk: strawberry.Private[int]
    award_badge_class_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Stack) -> StackType:
        return cls(
            id=gid("Stack", row.id),
            name=row.name,
            description=row.description,
            rule=JSON(row.rule),
            status=StackStatusEnum(row.status),
            organization_pk=row.organization_id,
            award_badge_class_pk=row.award_badge_class_id,
        )

    @strawberry.field(description="Null while the organization is not approved.")
    async def organization(self, info: Info[Context, None]) -> Organization | None:
        found = await Organization.resolve_nodes(info=info, node_ids=[str(self.organization_pk)])
        return found[0]

    @strawberry.field(description="The badge a learner is awarded on completing it, if any.")
    async def award_badge_class(self, info: Info[Context, None]) -> BadgeRefType | None:
        if self.award_badge_class_pk is None:
            return None
        ref = await info.context.loaders.badge_ref_by_id.load(self.award_badge_class_pk)
        return BadgeRefType.from_ref(ref) if ref is not None else None


@strawberry.type(name="Gate", description="What it takes to apply for a badge-gated listing.")
class GateType:
    opportunity_id: relay.GlobalID
    rule: JSON = strawberry.field(description="The gate's rule (its stack's, when it has one).")
    stack_name: str | None
    what_it_takes: list[BadgeRefType] = strawberry.field(
        description="The badge classes the rule names, with their issuers."
    )
    levels: list[LevelNeedType] = strawberry.field(
        description="The rule's needs of a level in a competency."
    )
    preferred_badges: list[BadgeRefType] = strawberry.field(
        description="Not required: applicants who share them rank higher."
    )
    apply_by: datetime | None
    locked: bool = strawberry.field(
        description="For you: true until the badges you hold meet the rule (and when signed out)."
    )
    unlocked_at: datetime | None = strawberry.field(
        description="For you: when your badges opened it, while it stays open."
    )
    application_status: ApplicationStatusEnum | None = strawberry.field(
        description="For you: your application's status, when you applied."
    )
    opportunity_pk: strawberry.Private[int]

    @classmethod
    def from_view(cls, view: progress.GateView) -> GateType:
        unlock = view.unlock
        return cls(
            opportunity_id=gid("Opportunity", view.opportunity_id),
            rule=JSON(rules.to_json(view.rule)),
            stack_name=view.stack_name,
            what_it_takes=[
                BadgeRefType.from_ref(view.badges[b])
                for b in sorted(view.badges, key=lambda b: view.badges[b].name)
            ],
            levels=level_needs(view.rule, view.competencies),
            preferred_badges=[BadgeRefType.from_ref(r) for r in view.preferred],
            apply_by=view.apply_by,
            locked=view.locked,
            unlocked_at=(
                unlock.unlocked_at if unlock is not None and unlock.relocked_at is None else None
            ),
            application_status=(
                ApplicationStatusEnum(view.application.status)
                if view.application is not None
                else None
            ),
            opportunity_pk=view.opportunity_id,
        )

    @strawberry.field(description="The stack the gate uses, when it uses one.")
    async def stack(self, info: Info[Context, None]) -> StackType | None:
        if self.stack_name is None:
            return None
        row = await info.context.loaders.stack_by_gate.load(self.opportunity_pk)
        return StackType.from_row(row) if row is not None else None


@strawberry.type(name="StackProgress", description="A stack or a gate as it stands for you.")
class StackProgressType:
    name: str = strawberry.field(description="The stack's name, or the gated listing's title.")
    stack: StackType | None
    opportunity_id: relay.GlobalID | None = strawberry.field(description="Set for a gate.")
    met: bool
    held: list[BadgeRefType]
    missing_levels: list[LevelNeedType]
    completed_at: datetime | None = strawberry.field(description="When you completed the stack.")
    all_missing: strawberry.Private[list[MissingBadgeType]]
    opportunity_pk: strawberry.Private[int | None]

    @strawberry.field(description="Badges that would move it on (any one of an any_of helps).")
    def missing(self, first: int = 10) -> list[MissingBadgeType]:
        return _first(self.all_missing, first)

    @strawberry.field(description="The gated listing, while it is published.")
    async def opportunity(self, info: Info[Context, None]) -> Opportunity | None:
        if self.opportunity_pk is None:
            return None
        return await _opportunity(info, self.opportunity_pk)

    @classmethod
    def from_progress(cls, found: progress.Progress) -> StackProgressType:
        target = found.target
        return cls(
            name=found.name,
            stack=StackType.from_row(target.stack) if target.stack is not None else None,
            opportunity_id=(
                gid("Opportunity", target.opportunity.id) if target.opportunity else None
            ),
            met=found.outcome.met,
            held=[BadgeRefType.from_ref(r) for r in found.held],
            missing_levels=[
                LevelNeedType(competency=name, level=BadgeLevelEnum(level))
                for name, level in found.missing_levels
            ],
            completed_at=found.completed_at,
            all_missing=[MissingBadgeType.from_earnable(e) for e in found.missing],
            opportunity_pk=target.opportunity.id if target.opportunity else None,
        )


@strawberry.type(name="MyStacks")
class MyStacksType:
    all_stacks: strawberry.Private[list[StackProgressType]]
    all_gates: strawberry.Private[list[StackProgressType]]

    @strawberry.field(description="Stacks you started (you hold a badge they name), open first.")
    def stacks(self, first: int = 10) -> list[StackProgressType]:
        return _first(self.all_stacks, first)

    @strawberry.field(description="Gated listings you started, unlocked first.")
    def gates(self, first: int = 10) -> list[StackProgressType]:
        return _first(self.all_gates, first)


@strawberry.type(name="BadgeSuggestion", description="A badge worth earning next.")
class SuggestionType:
    badge: BadgeRefType
    completes: int = strawberry.field(description="Stacks and gates it would complete.")
    advances: int = strawberry.field(description="Stacks and gates it would move on.")
    helps: list[str] = strawberry.field(description="Their names.")
    all_places: strawberry.Private[list[PlaceToEarnType]]

    @strawberry.field(description=f"Up to {MAX_PLACES} listings near you that award it.")
    def places(self, first: int = MAX_PLACES) -> list[PlaceToEarnType]:
        return _first(self.all_places, first)

    @classmethod
    def from_suggestion(cls, found: progress.Suggestion) -> SuggestionType:
        return cls(
            badge=BadgeRefType.from_ref(found.badge),
            completes=found.completes,
            advances=found.advances,
            helps=list(found.helps),
            all_places=[PlaceToEarnType.from_place(p) for p in found.places],
        )


@strawberry.type(name="Unlock", description="A door your badges opened (or that closed again).")
class UnlockType:
    opportunity_id: relay.GlobalID
    title: str
    unlocked_at: datetime
    relocked_at: datetime | None
    relock_reason: str | None
    opportunity_pk: strawberry.Private[int]

    @strawberry.field(description="The listing, while it is published.")
    async def opportunity(self, info: Info[Context, None]) -> Opportunity | None:
        return await _opportunity(info, self.opportunity_pk)


@strawberry.type(name="SharedBadge", description="A badge an applicant chose to show.")
class SharedBadgeType:
    award_id: relay.GlobalID
    badge_class_id: relay.GlobalID
    name: str
    issuer: str
    issued_on: datetime
    preferred: bool = strawberry.field(description="One of the listing's preferred badges.")

    @classmethod
    def from_shared(cls, shared: applications.SharedBadge) -> SharedBadgeType:
        return cls(
            award_id=award_gid(shared.assertion_id),
            badge_class_id=gid("BadgeClass", shared.badge_class_id),
            name=shared.name,
            issuer=shared.issuer,
            issued_on=shared.issued_on,
            preferred=shared.preferred,
        )


@strawberry.type(name="Application")
class ApplicationType:
    id: relay.GlobalID
    opportunity_id: relay.GlobalID
    title: str = strawberry.field(description="The listing's title.")
    status: ApplicationStatusEnum
    message: str | None
    shared_badges: list[SharedBadgeType] = strawberry.field(
        description="What the employer sees: the badges shared, still valid."
    )
    flagged: bool = strawberry.field(description="The rule stopped being met after applying.")
    flag_reason: str | None
    created_at: datetime
    decided_at: datetime | None
    opportunity_pk: strawberry.Private[int]

    @classmethod
    def from_row(
        cls, row: Application, title: str, shared: list[applications.SharedBadge]
    ) -> ApplicationType:
        return cls(
            id=gid("Application", row.id),
            opportunity_id=gid("Opportunity", row.opportunity_id),
            title=title,
            status=ApplicationStatusEnum(row.status),
            message=row.message,
            shared_badges=[SharedBadgeType.from_shared(s) for s in shared],
            flagged=row.flagged_at is not None,
            flag_reason=row.flag_reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
            opportunity_pk=row.opportunity_id,
        )

    @strawberry.field(description="The listing, while it is published.")
    async def opportunity(self, info: Info[Context, None]) -> Opportunity | None:
        return await _opportunity(info, self.opportunity_pk)


@strawberry.type(name="Applicant", description="One applicant, as the employer sees them.")
class ApplicantType:
    display_name: str
    shared_badges: list[SharedBadgeType]
    rule_met: bool = strawberry.field(description="False when a badge was revoked since.")
    preferred_count: int
    application: ApplicationType

    @classmethod
    def from_applicant(cls, applicant: applications.Applicant, title: str) -> ApplicantType:
        return cls(
            display_name=applicant.display_name,
            shared_badges=[SharedBadgeType.from_shared(s) for s in applicant.shared],
            rule_met=applicant.rule_met,
            preferred_count=applicant.preferred_count,
            application=ApplicationType.from_row(applicant.application, title, applicant.shared),
        )


@strawberry.type(name="BadgeEquivalence")
class EquivalenceType:
    id: relay.GlobalID
    badge_class_id: relay.GlobalID
    achievement_id: str | None
    criteria_url: str | None

    @classmethod
    def from_row(cls, row: BadgeEquivalence) -> EquivalenceType:
        return cls(
            id=gid("BadgeEquivalence", row.id),
            badge_class_id=gid("BadgeClass", row.badge_class_id),
            achievement_id=row.achievement_id,
            criteria_url=row.criteria_url,
        )


@strawberry.type
class StackPayload:
    stack: StackType | None
    errors: list[UserError]


@strawberry.type
class GatePayload:
    gate: GateType | None
    errors: list[UserError]


@strawberry.type
class GateRemovePayload:
    opportunity_id: relay.GlobalID | None
    errors: list[UserError]


@strawberry.type
class EquivalencePayload:
    equivalence: EquivalenceType | None
    errors: list[UserError]


@strawberry.type
class ApplicationPayload:
    application: ApplicationType | None
    errors: list[UserError]
