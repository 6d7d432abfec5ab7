"""Badge mutations and queries.

| mutation | who may call it |
| --- | --- |
| badgeClassCreate | managers of the (approved, issuing) organization |
| badgeClassUpdate, badgeClassArchive | managers of the badge class's organization |
| badgeClassEndorse | managers of the endorsing organization (not the issuer) |
| badgesAward | issuer staff (issuer role and up), or its tokens with badges:issue |
| badgeRevoke | the same, for the award's organization |
| claimCodeOpen | issuer staff of the badge class's organization |
| claimCodeClose | issuer staff of the claim code's organization |
| badgeClaim | anyone but an API token: a signed-in learner, or an email (13 and over) |
| rosterAward | issuer staff of the badge class's organization |
| evidenceSubmit | a signed-in person (a child once a guardian consented) |
| evidenceApprove, evidenceReturn | issuer staff of the submission's badge class |
| badgeVisibilitySet | the recipient from 13, a guardian before |

| query | who |
| --- | --- |
| myBadges | a signed-in person: their own awards |
| badgeClasses | anyone: an organization's active badge classes |
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from schema.badge_types import (
    AwardPayload,
    AwardResult,
    AwardsPayload,
    AwardType,
    BadgeClassPayload,
    BadgeClassType,
    BadgeLevelEnum,
    ClaimCodePayload,
    ClaimCodeType,
    EarningEnum,
    EndorsementPayload,
    RosterLineType,
    RosterPayload,
    SubmissionPayload,
    SubmissionType,
    VisibilityEnum,
    award_pk,
)
from schema.context import Context
from schema.errors import to_graphql_error
from schema.payloads import UserError, perform
from schema.permissions import OrganizationRule, Rule, SignedInPerson, pk
from server.authz import require_person
from server.badges import awards as award_service
from server.badges import backpack, claims, classes, review, roster
from server.badges.urls import BadgeUrls
from server.errors import DomainError, Forbidden
from server.models import Assertion, ClaimCode, EvidenceSubmission
from server.models.enums import ApiScope, AwardMethod, BadgeClassStatus, StaffRole, Visibility


def _urls(context: Context) -> BadgeUrls:
    return BadgeUrls(context.settings.public_url)


def _user_error(error: DomainError) -> UserError:
    return UserError(field=error.field, message=error.message, code=error.code)


# --- who may call ------------------------------------------------------------------------


class BadgeDesigner(OrganizationRule):
    role = StaffRole.MANAGER


class BadgeDesignerOfClass(BadgeDesigner):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        async with context.db.use() as session:
            return (await classes.get(session, pk(arguments["id"], "BadgeClass"))).organization_id


class Endorser(BadgeDesigner):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        return pk(arguments["endorser_id"], "Organization", field="endorserId")


class BadgeIssuer(OrganizationRule):
    role = StaffRole.ISSUER
    scope = ApiScope.BADGES_ISSUE


class BadgeIssuerOfAward(BadgeIssuer):
    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        async with context.db.use() as session:
            return await session.scalar(
                select(Assertion.organization_id).where(Assertion.id == award_pk(arguments["id"]))
            )


class IssuerStaffOfClass(OrganizationRule):
    role = StaffRole.ISSUER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        badge_class_id = pk(arguments["badge_class_id"], "BadgeClass", field="badgeClassId")
        async with context.db.use() as session:
            return (await classes.get(session, badge_class_id)).organization_id


class IssuerStaffOfClaimCode(OrganizationRule):
    role = StaffRole.ISSUER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        async with context.db.use() as session:
            code = await session.get(ClaimCode, pk(arguments["id"], "ClaimCode"))
            return await claims.organization_of(session, code) if code else None


class IssuerStaffOfSubmission(OrganizationRule):
    role = StaffRole.ISSUER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        async with context.db.use() as session:
            submission = await session.get(
                EvidenceSubmission, pk(arguments["id"], "EvidenceSubmission")
            )
            if submission is None:
                return None
            return (await classes.get(session, submission.badge_class_id)).organization_id


class NotAToken(Rule):
    """Anyone, signed in or not, except a partner system's token."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        if context.actor.token_id is not None:
            raise Forbidden("an API token cannot claim badges; award them instead")


class AwardRecipient(Rule):
    """The award's recipient from 13, or their guardian before (the service decides which;
    here: a signed-in person who is the recipient or one of their guardians)."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        user_id = require_person(context.actor)
        async with context.db.use() as session:
            recipient = await session.scalar(
                select(Assertion.recipient_user_id).where(Assertion.id == award_pk(arguments["id"]))
            )
        if recipient is None or (recipient != user_id and recipient not in context.actor.wards):
            raise Forbidden("only the recipient, or a guardian, can share this badge")


# --- inputs ------------------------------------------------------------------------------


@strawberry.input
class BadgeClassInput:
    name: str
    description: str
    level: BadgeLevelEnum
    earning: list[EarningEnum]
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    competency_ids: list[int] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)
    expires_after_days: int | None = None
    opportunity_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="The listings that award it (None leaves them as they are)."
    )

    def to_service(self) -> classes.BadgeClassInput:
        return classes.BadgeClassInput(
            name=self.name,
            description=self.description,
            level=self.level.value,
            earning=[method.value for method in self.earning],
            criteria_narrative=self.criteria_narrative,
            criteria_url=self.criteria_url,
            competency_ids=list(self.competency_ids),
            tags=list(self.tags),
            expires_after_days=self.expires_after_days,
            opportunity_ids=(
                [pk(o, "Opportunity", field="opportunityIds") for o in self.opportunity_ids]
                if self.opportunity_ids is not None
                else None
            ),
        )


@strawberry.input
class EvidenceInput:
    narrative: str | None = None
    url: str | None = None
    name: str | None = None


@strawberry.input(description="One award: a badge class of the organization, to an email.")
class AwardInput:
    badge_class_id: relay.GlobalID
    recipient_email: str
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The client's own key for this award: a retry with the same key finds "
        "the first award instead of making another.",
    )
    narrative: str | None = None
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)


# --- mutations ---------------------------------------------------------------------------


@strawberry.type
class BadgeMutation:
    @strawberry.mutation(permission_classes=[BadgeDesigner])
    async def badge_class_create(
        self, info: Info[Context, None], organization_id: relay.GlobalID, input: BadgeClassInput
    ) -> BadgeClassPayload:
        context = info.context
        org = pk(organization_id, "Organization", field="organizationId")

        async def work(session: AsyncSession) -> BadgeClassType:
            row = await classes.create(session, context.actor, org, input.to_service())
            return BadgeClassType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return BadgeClassPayload(badge_class=done, errors=errors)

    @strawberry.mutation(permission_classes=[BadgeDesignerOfClass])
    async def badge_class_update(
        self, info: Info[Context, None], id: relay.GlobalID, input: BadgeClassInput
    ) -> BadgeClassPayload:
        context = info.context

        async def work(session: AsyncSession) -> BadgeClassType:
            row = await classes.update(
                session, context.actor, pk(id, "BadgeClass"), input.to_service()
            )
            return BadgeClassType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return BadgeClassPayload(badge_class=done, errors=errors)

    @strawberry.mutation(
        description="No new awards; what was awarded stays valid.",
        permission_classes=[BadgeDesignerOfClass],
    )
    async def badge_class_archive(
        self, info: Info[Context, None], id: relay.GlobalID
    ) -> BadgeClassPayload:
        context = info.context

        async def work(session: AsyncSession) -> BadgeClassType:
            row = await classes.set_status(
                session, context.actor, pk(id, "BadgeClass"), BadgeClassStatus.ARCHIVED
            )
            return BadgeClassType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return BadgeClassPayload(badge_class=done, errors=errors)

    @strawberry.mutation(permission_classes=[Endorser])
    async def badge_class_endorse(
        self,
        info: Info[Context, None],
        id: relay.GlobalID,
        endorser_id: relay.GlobalID,
        comment: str,
    ) -> EndorsementPayload:
        context = info.context

        async def work(session: AsyncSession) -> bool:
            await classes.endorse(
                session,
                context.actor,
                pk(id, "BadgeClass"),
                pk(endorser_id, "Organization", field="endorserId"),
                comment,
            )
            return True

        done, errors = await perform(context, work)
        return EndorsementPayload(endorsed=bool(done), errors=errors)

    @strawberry.mutation(
        description=f"Award up to {award_service.BULK_LIMIT} badges in one call; one result per "
        "award, in order. With idempotency keys a retried call awards nothing twice.",
        permission_classes=[BadgeIssuer],
    )
    async def badges_award(
        self,
        info: Info[Context, None],
        organization_id: relay.GlobalID,
        awards: list[AwardInput],
    ) -> AwardsPayload:
        context = info.context
        org = pk(organization_id, "Organization", field="organizationId")
        urls = _urls(context)

        async def work(session: AsyncSession) -> list[AwardResult]:
            requests: list[award_service.AwardRequest] = []
            bad_ids: dict[int, UserError] = {}
            for index, item in enumerate(awards):
                try:
                    badge_class_id = pk(item.badge_class_id, "BadgeClass", field="badgeClassId")
                except DomainError as error:
                    bad_ids[index], badge_class_id = _user_error(error), 0
                requests.append(
                    award_service.AwardRequest(
                        badge_class_id,
                        item.recipient_email,
                        narrative=item.narrative,
                        evidence=tuple(
                            award_service.Evidence(e.narrative, e.url, e.name)
                            for e in item.evidence
                        ),
                        idempotency_key=item.idempotency_key,
                    )
                )
            results = await award_service.award_many(
                session, context.actor, org, requests, method=AwardMethod.API, now=context.now
            )
            found = {
                a.id: a
                for a in await session.scalars(
                    select(Assertion).where(
                        Assertion.id.in_([r.assertion_id for r in results if r.assertion_id])
                    )
                )
            }
            return [
                AwardResult(
                    index=r.index,
                    award=AwardType.from_row(found[r.assertion_id], urls)
                    if r.assertion_id in found
                    else None,
                    created=r.created,
                    errors=[bad_ids[r.index]]
                    if r.index in bad_ids
                    else ([_user_error(r.error)] if r.error else []),
                )
                for r in results
            ]

        done, errors = await perform(context, work)
        return AwardsPayload(results=done or [], errors=errors)

    @strawberry.mutation(permission_classes=[BadgeIssuerOfAward])
    async def badge_revoke(
        self, info: Info[Context, None], id: relay.GlobalID, reason: str
    ) -> AwardPayload:
        context = info.context

        async def work(session: AsyncSession) -> AwardType:
            row = await award_service.revoke(
                session, context.actor, award_pk(id), reason, now=context.now
            )
            return AwardType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return AwardPayload(award=done, created=False, errors=errors)

    @strawberry.mutation(permission_classes=[IssuerStaffOfClass])
    async def claim_code_open(
        self,
        info: Info[Context, None],
        badge_class_id: relay.GlobalID,
        starts_at: datetime,
        ends_at: datetime,
        max_uses: int,
        opportunity_id: relay.GlobalID | None = None,
    ) -> ClaimCodePayload:
        context = info.context

        async def work(session: AsyncSession) -> ClaimCodeType:
            row = await claims.open_code(
                session,
                context.actor,
                pk(badge_class_id, "BadgeClass", field="badgeClassId"),
                starts_at=starts_at,
                ends_at=ends_at,
                max_uses=max_uses,
                opportunity_id=(
                    pk(opportunity_id, "Opportunity", field="opportunityId")
                    if opportunity_id is not None
                    else None
                ),
            )
            return ClaimCodeType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return ClaimCodePayload(claim_code=done, errors=errors)

    @strawberry.mutation(permission_classes=[IssuerStaffOfClaimCode])
    async def claim_code_close(
        self, info: Info[Context, None], id: relay.GlobalID
    ) -> ClaimCodePayload:
        context = info.context

        async def work(session: AsyncSession) -> ClaimCodeType:
            row = await claims.close_code(
                session, context.actor, pk(id, "ClaimCode"), now=context.now
            )
            return ClaimCodeType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return ClaimCodePayload(claim_code=done, errors=errors)

    @strawberry.mutation(
        description="Claim a badge with the code shown at an event: signed in, or by email "
        "(13 and over; the badge becomes yours when you sign up with that email).",
        permission_classes=[NotAToken],
    )
    async def badge_claim(
        self, info: Info[Context, None], code: str, email: str | None = None
    ) -> AwardPayload:
        context = info.context

        async def work(session: AsyncSession) -> tuple[AwardType, bool]:
            claimed = await claims.claim(session, context.actor, code, now=context.now, email=email)
            row = await award_service.get(session, claimed.assertion_id)
            return AwardType.from_row(row, _urls(context)), claimed.created

        done, errors = await perform(context, work)
        award, created = done if done else (None, False)
        if context.actor.user_id is None and award is not None:
            award = None  # signed out, the claimant sees that it worked, not the award's id
        return AwardPayload(award=award, created=created, errors=errors)

    @strawberry.mutation(
        description="Award a badge class to pasted emails; `preview: true` stores nothing.",
        permission_classes=[IssuerStaffOfClass],
    )
    async def roster_award(
        self,
        info: Info[Context, None],
        badge_class_id: relay.GlobalID,
        emails: str,
        preview: bool = True,
    ) -> RosterPayload:
        context = info.context
        class_id = pk(badge_class_id, "BadgeClass", field="badgeClassId")

        async def work(session: AsyncSession) -> list[roster.RosterLine]:
            if preview:
                return await roster.preview(session, context.actor, class_id, emails)
            return await roster.award(session, context.actor, class_id, emails, now=context.now)

        done, errors = await perform(context, work)
        lines = done or []
        return RosterPayload(
            lines=[
                RosterLineType(line=x.line, email=x.email, outcome=x.outcome, message=x.message)
                for x in lines
            ],
            awarded=0 if preview else sum(1 for x in lines if x.awarded),
            errors=errors,
        )

    @strawberry.mutation(permission_classes=[SignedInPerson])
    async def evidence_submit(
        self,
        info: Info[Context, None],
        badge_class_id: relay.GlobalID,
        narrative: str | None = None,
        url: str | None = None,
    ) -> SubmissionPayload:
        context = info.context

        async def work(session: AsyncSession) -> SubmissionType:
            row = await review.submit(
                session,
                context.actor,
                pk(badge_class_id, "BadgeClass", field="badgeClassId"),
                now=context.now,
                narrative=narrative,
                url=url,
            )
            return SubmissionType.from_row(row)

        done, errors = await perform(context, work)
        return SubmissionPayload(submission=done, errors=errors)

    @strawberry.mutation(permission_classes=[IssuerStaffOfSubmission])
    async def evidence_approve(
        self, info: Info[Context, None], id: relay.GlobalID, comment: str | None = None
    ) -> SubmissionPayload:
        context = info.context

        async def work(session: AsyncSession) -> SubmissionType:
            submission_id = pk(id, "EvidenceSubmission")
            await review.approve(
                session,
                context.actor,
                submission_id,
                now=context.now,
                settings=context.settings,
                comment=comment,
            )
            return SubmissionType.from_row(await review.get(session, submission_id))

        done, errors = await perform(context, work)
        return SubmissionPayload(submission=done, errors=errors)

    @strawberry.mutation(permission_classes=[IssuerStaffOfSubmission])
    async def evidence_return(
        self, info: Info[Context, None], id: relay.GlobalID, feedback: str
    ) -> SubmissionPayload:
        context = info.context

        async def work(session: AsyncSession) -> SubmissionType:
            row = await review.return_for_changes(
                session,
                context.actor,
                pk(id, "EvidenceSubmission"),
                feedback,
                now=context.now,
                settings=context.settings,
            )
            return SubmissionType.from_row(row)

        done, errors = await perform(context, work)
        return SubmissionPayload(submission=done, errors=errors)

    @strawberry.mutation(permission_classes=[AwardRecipient])
    async def badge_visibility_set(
        self, info: Info[Context, None], id: relay.GlobalID, visibility: VisibilityEnum
    ) -> AwardPayload:
        context = info.context

        async def work(session: AsyncSession) -> AwardType:
            row = await backpack.set_visibility(
                session, context.actor, award_pk(id), Visibility(visibility.value), now=context.now
            )
            return AwardType.from_row(row, _urls(context))

        done, errors = await perform(context, work)
        return AwardPayload(award=done, created=False, errors=errors)


@strawberry.type
class BadgeQuery:
    @strawberry.field(description="Your awards, newest first.", permission_classes=[SignedInPerson])
    async def my_badges(self, info: Info[Context, None]) -> list[AwardType]:
        context = info.context
        urls = _urls(context)
        async with context.db.use() as session:
            rows = await backpack.mine(session, require_person(context.actor))
        return [AwardType.from_row(a, urls) for a, _, _ in rows]

    @strawberry.field(description="An organization's active badge classes.")
    async def badge_classes(
        self, info: Info[Context, None], organization_id: relay.GlobalID
    ) -> list[BadgeClassType]:
        context = info.context
        try:
            org = pk(organization_id, "Organization", field="organizationId")
        except DomainError as error:
            raise to_graphql_error(error) from None
        urls = _urls(context)
        async with context.db.use() as session:
            rows = await classes.of_organization(session, org)
        return [BadgeClassType.from_row(row, urls) for row in rows]
