"""Stacks, badge-gated listings and applications: mutations and queries.

| mutation | who may call it |
| --- | --- |
| stackCreate | managers of the (approved) organization, or network admins |
| stackUpdate, stackArchive | managers of the stack's organization, or network admins |
| gateSet, gateRemove | the listing's managers, its tokens with gated:write, network admins |
| badgeEquivalenceAdd | network admins, or managers of an active stack naming the badge class |
| applicationSubmit | a signed-in learner, once the badges they hold meet the gate |
| applicationWithdraw | the learner who applied |
| applicationDecide | managers of the listing's organization, signed in (never a token) |

| query | who |
| --- | --- |
| myStacks, myUnlocks, nextBestBadges, myApplications | a signed-in person: their own |
| gateApplicants | managers of the listing's organization, signed in (never a token) |
| Opportunity.gate | anyone: what it takes; `locked` and the rest for the viewer |

The services (server/stacks/) hold the rules and check the caller again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from schema.badge_types import award_pk
from schema.context import Context
from schema.errors import domain_errors
from schema.inputs import GeoInput
from schema.payloads import perform
from schema.permissions import (
    OrganizationRule,
    OrganizationRuleOrAdmin,
    Rule,
    SignedInPerson,
    pk,
)
from schema.stack_types import (
    ApplicantType,
    ApplicationPayload,
    ApplicationType,
    DecisionEnum,
    EquivalencePayload,
    EquivalenceType,
    GatePayload,
    GateRemovePayload,
    GateType,
    MyStacksType,
    StackPayload,
    StackProgressType,
    StackType,
    SuggestionType,
    UnlockType,
)
from server.authz import has_org_role, require_person
from server.catalog import service as catalog
from server.errors import Forbidden, InvalidInput
from server.geo.geocoder import GeoPoint, default_geocoder
from server.models import (
    Application,
    Assertion,
    BadgeClass,
    LearnerProfile,
    Opportunity,
    OpportunityGate,
    Organization,
    RuleTerm,
    Stack,
    User,
)
from server.models.enums import ApiScope, ApplicationStatus, StackStatus, StaffRole
from server.search.query import NearInput
from server.search.validation import resolve_point
from server.stacks import applications, definitions, progress

MAX_SUGGESTIONS = 20
MAX_RULE_TEXT = 20_000
RULE_HELP = (
    'The rule as JSON text, e.g. {"all_of": [{"badge": 12}, {"at_least": 2, "of": [...]}]}: '
    'badge, all_of, any_of, at_least with of, or level ("skill") with competency; badge class '
    "and competency database ids."
)


# --- who may call ------------------------------------------------------------------------


class StackDesigner(OrganizationRuleOrAdmin):
    """Managers of the organization, or network admins."""

    role = StaffRole.MANAGER


class StackDesignerOfStack(StackDesigner):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        stack_id = pk(arguments["stack_id"], "Stack", field="stackId")
        async with context.db.use() as session:
            return await session.scalar(select(Stack.organization_id).where(Stack.id == stack_id))


class GateEditor(OrganizationRuleOrAdmin):
    """Managers of the listing's organization, its tokens with gated:write, network admins."""

    role = StaffRole.MANAGER
    scope = ApiScope.GATED_WRITE

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        opportunity_id = pk(arguments["opportunity_id"], "Opportunity", field="opportunityId")
        async with context.db.use() as session:
            return await catalog.organization_of_listing(session, opportunity_id)


class BadgeMapper(Rule):
    """Network admins, or managers of an organization whose active stack names the badge."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        actor = context.actor
        require_person(actor)
        if actor.is_admin:
            return
        badge_class_id = pk(arguments["badge_class_id"], "BadgeClass", field="badgeClassId")
        async with context.db.use() as session:
            owners = set(
                await session.scalars(
                    select(Stack.organization_id)
                    .join(RuleTerm, RuleTerm.stack_id == Stack.id)
                    .where(
                        RuleTerm.badge_class_id == badge_class_id,
                        Stack.status == StackStatus.ACTIVE.value,
                    )
                )
            )
        if not any(has_org_role(actor, org, StaffRole.MANAGER) for org in owners):
            raise Forbidden(
                "network admins, or managers of a stack that names this badge, map badges"
            )


class SignedInLearner(Rule):
    """A signed-in person with a learner account."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        user_id = require_person(context.actor)
        async with context.db.use() as session:
            profile = await session.get(LearnerProfile, user_id)
        if profile is None:
            raise Forbidden("only learner accounts apply")


class OwnApplication(Rule):
    """The learner who applied (the same answer for someone else's and for no application)."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        user_id = require_person(context.actor)
        application_id = pk(arguments["application_id"], "Application", field="applicationId")
        async with context.db.use() as session:
            learner = await session.scalar(
                select(Application.learner_id).where(Application.id == application_id)
            )
        if learner != user_id:
            raise Forbidden("only the learner who applied can withdraw an application")


class EmployerOfListing(OrganizationRule):
    """Managers of the listing's organization, signed in: applicants are people's data."""

    role = StaffRole.MANAGER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        opportunity_id = pk(arguments["opportunity_id"], "Opportunity", field="opportunityId")
        async with context.db.use() as session:
            return await catalog.organization_of_listing(session, opportunity_id)


class EmployerOfApplication(EmployerOfListing):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        application_id = pk(arguments["application_id"], "Application", field="applicationId")
        async with context.db.use() as session:
            return await session.scalar(
                select(Opportunity.organization_id)
                .join(Application, Application.opportunity_id == Opportunity.id)
                .where(Application.id == application_id)
            )


# --- inputs ------------------------------------------------------------------------------


def rule_from_text(text: str) -> Any:
    """A rule's JSON form from the JSON text a client sends (checked by the service)."""
    if len(text) > MAX_RULE_TEXT:
        raise InvalidInput(f"rule: at most {MAX_RULE_TEXT:,} characters", field="rule")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"rule: not JSON ({error})", field="rule") from None


@strawberry.input
class StackInput:
    name: str
    rule: str = strawberry.field(description=RULE_HELP)
    description: str = ""
    award_badge_class_id: relay.GlobalID | None = strawberry.field(
        default=None, description="One of the organization's badge classes, awarded on completion."
    )

    def to_service(self) -> definitions.StackInput:
        return definitions.StackInput(
            name=self.name,
            rule=rule_from_text(self.rule),
            description=self.description,
            award_badge_class_id=(
                pk(self.award_badge_class_id, "BadgeClass", field="awardBadgeClassId")
                if self.award_badge_class_id is not None
                else None
            ),
        )


@strawberry.input(description="Exactly one of stackId and rule.")
class GateInput:
    stack_id: relay.GlobalID | None = None
    rule: str | None = strawberry.field(default=None, description=RULE_HELP)
    preferred_badge_class_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    apply_by: datetime | None = strawberry.field(
        default=None, description="No applications after it; with its time zone."
    )

    def to_service(self) -> definitions.GateInput:
        return definitions.GateInput(
            stack_id=pk(self.stack_id, "Stack", field="stackId") if self.stack_id else None,
            rule=rule_from_text(self.rule) if self.rule is not None else None,
            preferred_badge_class_ids=[
                pk(b, "BadgeClass", field="preferredBadgeClassIds")
                for b in self.preferred_badge_class_ids
            ],
            apply_by=self.apply_by,
        )


# --- reads the types need ----------------------------------------------------------------


async def _gate(session: AsyncSession, context: Context, opportunity_id: int) -> GateType:
    views = await progress.gate_views(
        session, [opportunity_id], viewer_id=context.actor.user_id, now=context.now
    )
    return GateType.from_view(views[opportunity_id])


async def _shared(
    session: AsyncSession, rows: list[Application]
) -> dict[int, list[applications.SharedBadge]]:
    """What each application shows the employer: its badges still valid, preferred ones
    marked (two reads for any number of applications)."""
    wanted = {a for row in rows for a in row.shared_assertion_ids}
    found: dict[int, list[applications.SharedBadge]] = {row.id: [] for row in rows}
    if not wanted:
        return found
    badges = {
        assertion.id: (assertion, badge_class, issuer)
        for assertion, badge_class, issuer in (
            await session.execute(
                select(Assertion, BadgeClass, Organization.name)
                .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
                .join(Organization, Organization.id == Assertion.organization_id)
                .where(Assertion.id.in_(sorted(wanted)))
            )
        ).all()
    }
    preferred = dict(
        (
            await session.execute(
                select(
                    OpportunityGate.opportunity_id, OpportunityGate.preferred_badge_class_ids
                ).where(OpportunityGate.opportunity_id.in_({r.opportunity_id for r in rows}))
            )
        ).all()
    )
    for row in rows:
        for assertion_id in row.shared_assertion_ids:
            if assertion_id not in badges:
                continue
            assertion, badge_class, issuer = badges[assertion_id]
            if assertion.revoked_at is not None or assertion.recipient_user_id != row.learner_id:
                continue
            found[row.id].append(
                applications.SharedBadge(
                    assertion.id,
                    badge_class.id,
                    badge_class.name,
                    issuer,
                    assertion.issued_on,
                    badge_class.id in preferred.get(row.opportunity_id, []),
                )
            )
    return found


async def _application(session: AsyncSession, row: Application) -> ApplicationType:
    opportunity = await session.get(Opportunity, row.opportunity_id)
    assert opportunity is not None
    shared = await _shared(session, [row])
    return ApplicationType.from_row(row, opportunity.title, shared[row.id])


async def _whereabouts(
    session: AsyncSession, user_id: int, near: GeoInput | None
) -> tuple[GeoPoint | None, str]:
    """Where "nearby" is (the point asked for, else the learner's ZIP code) and the
    person's language."""
    user = await session.get(User, user_id)
    lang = user.locale if user is not None else "en"
    if near is not None:
        return resolve_point(NearInput(near.latitude, near.longitude, near.postal_code)), lang
    profile = await session.get(LearnerProfile, user_id)
    if profile is None or not profile.postal_code:
        return None, lang
    found = default_geocoder().geocode(profile.postal_code)
    return (found.point if found is not None else None), lang


# --- mutations ---------------------------------------------------------------------------


@strawberry.type
class StackMutation:
    @strawberry.mutation(
        description="Define a stack: managers of the organization, or network admins. Its "
        "rule is checked (errors say where, e.g. rule.all_of[1]) and learners who already "
        "meet it complete it in the background.",
        permission_classes=[StackDesigner],
    )
    async def stack_create(
        self, info: Info[Context, None], organization_id: relay.GlobalID, input: StackInput
    ) -> StackPayload:
        context = info.context
        org = pk(organization_id, "Organization", field="organizationId")

        async def work(session: AsyncSession) -> StackType:
            row = await definitions.create_stack(session, context.actor, org, input.to_service())
            return StackType.from_row(row)

        done, errors = await perform(context, work)
        return StackPayload(stack=done, errors=errors)

    @strawberry.mutation(
        description="Change a stack: managers of its organization, or network admins. A "
        "changed rule is evaluated again for the stack and every gate that uses it.",
        permission_classes=[StackDesignerOfStack],
    )
    async def stack_update(
        self, info: Info[Context, None], stack_id: relay.GlobalID, input: StackInput
    ) -> StackPayload:
        context = info.context

        async def work(session: AsyncSession) -> StackType:
            row = await definitions.update_stack(
                session, context.actor, pk(stack_id, "Stack", field="stackId"), input.to_service()
            )
            return StackType.from_row(row)

        done, errors = await perform(context, work)
        return StackPayload(stack=done, errors=errors)

    @strawberry.mutation(
        description="Archive a stack: managers of its organization, or network admins. "
        "Completions and awarded badges stay; gates built on it must move first.",
        permission_classes=[StackDesignerOfStack],
    )
    async def stack_archive(
        self, info: Info[Context, None], stack_id: relay.GlobalID
    ) -> StackPayload:
        context = info.context

        async def work(session: AsyncSession) -> StackType:
            row = await definitions.archive_stack(
                session, context.actor, pk(stack_id, "Stack", field="stackId")
            )
            return StackType.from_row(row)

        done, errors = await perform(context, work)
        return StackPayload(stack=done, errors=errors)

    @strawberry.mutation(
        description="Gate a listing with a stack or a rule of its own (or change its gate): "
        "managers of the listing's organization, its tokens with gated:write, or network "
        "admins.",
        permission_classes=[GateEditor],
    )
    async def gate_set(
        self, info: Info[Context, None], opportunity_id: relay.GlobalID, input: GateInput
    ) -> GatePayload:
        context = info.context
        listing = pk(opportunity_id, "Opportunity", field="opportunityId")

        async def work(session: AsyncSession) -> GateType:
            await definitions.set_gate(session, context.actor, listing, input.to_service())
            return await _gate(session, context, listing)

        done, errors = await perform(context, work)
        return GatePayload(gate=done, errors=errors)

    @strawberry.mutation(
        description="Open a listing to everyone again (its unlocks and applications stay): "
        "managers of the listing's organization, its tokens with gated:write, or network "
        "admins.",
        permission_classes=[GateEditor],
    )
    async def gate_remove(
        self, info: Info[Context, None], opportunity_id: relay.GlobalID
    ) -> GateRemovePayload:
        context = info.context
        listing = pk(opportunity_id, "Opportunity", field="opportunityId")

        async def work(session: AsyncSession) -> relay.GlobalID:
            await definitions.remove_gate(session, context.actor, listing)
            return opportunity_id

        done, errors = await perform(context, work)
        return GateRemovePayload(opportunity_id=done, errors=errors)

    @strawberry.mutation(
        description="Count badges from elsewhere (by achievement id or criteria URL; one of "
        "the two) as this badge class in every rule: network admins, or managers of an "
        "organization whose active stack names the badge class.",
        permission_classes=[BadgeMapper],
    )
    async def badge_equivalence_add(
        self,
        info: Info[Context, None],
        badge_class_id: relay.GlobalID,
        achievement_id: str | None = None,
        criteria_url: str | None = None,
    ) -> EquivalencePayload:
        context = info.context

        async def work(session: AsyncSession) -> EquivalenceType:
            row = await definitions.add_equivalence(
                session,
                context.actor,
                pk(badge_class_id, "BadgeClass", field="badgeClassId"),
                achievement_id=achievement_id,
                criteria_url=criteria_url,
            )
            return EquivalenceType.from_row(row)

        done, errors = await perform(context, work)
        return EquivalencePayload(equivalence=done, errors=errors)

    @strawberry.mutation(
        description="Apply for a gated listing: a signed-in learner whose badges meet its "
        "gate (LOCKED until then), before its deadline. The employer sees only the badges "
        "you share.",
        permission_classes=[SignedInLearner],
    )
    async def application_submit(
        self,
        info: Info[Context, None],
        opportunity_id: relay.GlobalID,
        shared_assertion_ids: list[relay.GlobalID] | None = None,
        message: str | None = None,
    ) -> ApplicationPayload:
        context = info.context

        async def work(session: AsyncSession) -> ApplicationType:
            row = await applications.apply(
                session,
                context.actor,
                pk(opportunity_id, "Opportunity", field="opportunityId"),
                shared=[
                    award_pk(a, field="sharedAssertionIds") for a in shared_assertion_ids or []
                ],
                message=message,
                now=context.now,
            )
            return await _application(session, row)

        done, errors = await perform(context, work)
        return ApplicationPayload(application=done, errors=errors)

    @strawberry.mutation(
        description="Withdraw an application (the badges shared go with it): the learner "
        "who applied.",
        permission_classes=[OwnApplication],
    )
    async def application_withdraw(
        self, info: Info[Context, None], application_id: relay.GlobalID
    ) -> ApplicationPayload:
        context = info.context

        async def work(session: AsyncSession) -> ApplicationType:
            row = await applications.withdraw(
                session,
                context.actor,
                pk(application_id, "Application", field="applicationId"),
            )
            return await _application(session, row)

        done, errors = await perform(context, work)
        return ApplicationPayload(application=done, errors=errors)

    @strawberry.mutation(
        description="Accept, waitlist or decline an applicant: managers of the listing's "
        "organization, signed in. Accepting beyond the listing's capacity is refused (FULL).",
        permission_classes=[EmployerOfApplication],
    )
    async def application_decide(
        self, info: Info[Context, None], application_id: relay.GlobalID, status: DecisionEnum
    ) -> ApplicationPayload:
        context = info.context

        async def work(session: AsyncSession) -> ApplicationType:
            row = await applications.decide(
                session,
                context.actor,
                pk(application_id, "Application", field="applicationId"),
                ApplicationStatus(status.value),
                now=context.now,
                public_url=context.settings.public_url,
            )
            return await _application(session, row)

        done, errors = await perform(context, work)
        return ApplicationPayload(application=done, errors=errors)


# --- queries -----------------------------------------------------------------------------


@strawberry.type
class StackQuery:
    @strawberry.field(
        description="The stacks and gated listings you started (you hold a badge they name): "
        "what you hold, what is missing and where to earn it near you (`near`, else your ZIP).",
        permission_classes=[SignedInPerson],
    )
    async def my_stacks(
        self, info: Info[Context, None], near: GeoInput | None = None
    ) -> MyStacksType:
        context = info.context
        user_id = require_person(context.actor)
        with domain_errors():
            async with context.db.use() as session:
                point, lang = await _whereabouts(session, user_id, near)
                stacks, gates = await progress.started(
                    session, user_id, now=context.now, near=point, lang=lang
                )
        return MyStacksType(
            all_stacks=[StackProgressType.from_progress(p) for p in stacks],
            all_gates=[StackProgressType.from_progress(p) for p in gates],
        )

    @strawberry.field(
        description="The listings your badges opened (and any that closed again), newest first.",
        permission_classes=[SignedInPerson],
    )
    async def my_unlocks(self, info: Info[Context, None]) -> list[UnlockType]:
        context = info.context
        async with context.db.use() as session:
            rows = await progress.unlocks_of(session, require_person(context.actor))
        return [
            UnlockType(
                opportunity_id=relay.GlobalID("Opportunity", str(o.id)),
                title=o.title,
                unlocked_at=u.unlocked_at,
                relocked_at=u.relocked_at,
                relock_reason=u.relock_reason,
                opportunity_pk=o.id,
            )
            for u, o in rows
        ]

    @strawberry.field(
        description="The badges that would complete (then move on) the most of what you "
        "started, with where to earn them near you.",
        permission_classes=[SignedInPerson],
    )
    async def next_best_badges(
        self, info: Info[Context, None], near: GeoInput | None = None, first: int = 5
    ) -> list[SuggestionType]:
        context = info.context
        user_id = require_person(context.actor)
        with domain_errors():
            if not 1 <= first <= MAX_SUGGESTIONS:
                raise InvalidInput(f"first must be between 1 and {MAX_SUGGESTIONS}", field="first")
            async with context.db.use() as session:
                point, _ = await _whereabouts(session, user_id, near)
                found = await progress.next_best(
                    session, user_id, now=context.now, near=point, limit=first
                )
        return [SuggestionType.from_suggestion(s) for s in found]

    @strawberry.field(
        description="Your applications, newest first.", permission_classes=[SignedInPerson]
    )
    async def my_applications(self, info: Info[Context, None]) -> list[ApplicationType]:
        context = info.context
        async with context.db.use() as session:
            rows = await applications.of_learner(session, require_person(context.actor))
            shared = await _shared(session, [a for a, _ in rows])
        return [ApplicationType.from_row(a, title, shared[a.id]) for a, title in rows]

    @strawberry.field(
        description="A gated listing's applicants, best first (rule still met, preferred "
        "badges shared, newest badge, who applied first), with only what each shared: "
        "managers of the listing's organization, signed in.",
        permission_classes=[EmployerOfListing],
    )
    async def gate_applicants(
        self,
        info: Info[Context, None],
        opportunity_id: relay.GlobalID,
        first: int = 20,
        offset: int = 0,
    ) -> list[ApplicantType]:
        context = info.context
        most = context.settings.max_page_size
        with domain_errors():
            if not 1 <= first <= most:
                raise InvalidInput(f"first must be between 1 and {most}", field="first")
            if offset < 0:
                raise InvalidInput("offset must be 0 or more", field="offset")
            listing = pk(opportunity_id, "Opportunity", field="opportunityId")
            async with context.db.use() as session:
                found = await applications.applicants(
                    session, context.actor, listing, now=context.now
                )
                opportunity = await session.get(Opportunity, listing)
        title = opportunity.title if opportunity is not None else ""
        return [ApplicantType.from_applicant(a, title) for a in found[offset : offset + first]]
