"""Applying for a gated opportunity, and the employer's side: applicants ranked, decided.

Rules, in one place:
- a learner applies while the gate's rule is met by what they hold now, before its
  deadline, at or above the listing's minimum age, once (a withdrawn application may be
  sent again); a child's account needs its guardian's agreement to take part;
- the learner chooses which of their own valid badges the employer sees. Sharing needs
  the share-with-employers consent: under 13 only a guardian gives it (until then they
  may apply without sharing); from 13, choosing to share is the learner's consent;
- managers of the listing's organization see the applicants (only what each shared, and
  only while the consent to share stands: withdrawing it hides the badges again), and
  accept, waitlist or decline; accepted applications never exceed the listing's capacity;
- ranking: the rule still met first (a badge revoked after applying flags the
  application), then the number of preferred badges shared, then the newest shared
  badge, then who applied first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts.age import age_on, needs_guardian
from server.authz import Actor, require_org_role, require_person
from server.badges.claims import require_participation
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.mail.service import queue_email
from server.models import (
    Application,
    Assertion,
    BadgeClass,
    LearnerProfile,
    Opportunity,
    OpportunityGate,
    Organization,
    User,
)
from server.models.enums import ApplicationStatus, ConsentPurpose, OpportunityStatus, StaffRole
from server.privacy import consent
from server.stacks import definitions, engine, holdings, rules

MAX_MESSAGE = 2000
MAX_SHARED = 50
DECISIONS = (ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED, ApplicationStatus.DECLINED)


@dataclass(frozen=True)
class Gated:
    """A gated listing with its rule, as applying needs it."""

    opportunity: Opportunity
    gate: OpportunityGate
    rule: rules.Rule


async def gated(session: AsyncSession, opportunity_id: int) -> Gated:
    gate = await session.get(OpportunityGate, opportunity_id)
    opportunity = await session.get(Opportunity, opportunity_id)
    if gate is None or opportunity is None:
        raise NotFound("no such gated opportunity", field="opportunityId")
    return Gated(opportunity, gate, await definitions.gate_rule(session, gate))


async def _employers_listing(
    session: AsyncSession, actor: Actor, opportunity_id: int, *, lock: bool = False
) -> tuple[Opportunity, OpportunityGate | None]:
    """The listing applications were made to, gated or not any more (removing a gate keeps
    its applications for the employer to decide)."""
    # Locked while deciding: decisions on one listing go one at a time, so capacity holds.
    opportunity = await session.get(Opportunity, opportunity_id, with_for_update=lock)
    if opportunity is None:
        raise NotFound("no such listing", field="opportunityId")
    require_employer(actor, opportunity)
    return opportunity, await session.get(OpportunityGate, opportunity_id)


async def _learner(session: AsyncSession, user_id: int) -> tuple[User, LearnerProfile]:
    user = await session.get(User, user_id)
    profile = await session.get(LearnerProfile, user_id)
    if user is None or profile is None:
        raise Forbidden("only learner accounts apply", code="NOT_A_LEARNER")
    return user, profile


async def _shareable(
    session: AsyncSession, learner_id: int, assertion_ids: Sequence[uuid.UUID], now: datetime
) -> list[uuid.UUID]:
    """The learner's own, valid awards among those chosen; anything else is refused."""
    wanted = list(dict.fromkeys(assertion_ids))
    if len(wanted) > MAX_SHARED:
        raise InvalidInput(f"share at most {MAX_SHARED} badges", field="sharedAssertionIds")
    if not wanted:
        return []
    own = set(
        await session.scalars(
            select(Assertion.id).where(
                Assertion.id.in_(wanted),
                Assertion.recipient_user_id == learner_id,
                Assertion.revoked_at.is_(None),
                or_(Assertion.expires_at.is_(None), Assertion.expires_at > now),
            )
        )
    )
    if len(own) != len(wanted):
        raise InvalidInput(
            "you can only share your own badges that are still valid", field="sharedAssertionIds"
        )
    return wanted


async def _may_share(
    session: AsyncSession, actor: Actor, learner_id: int, profile: LearnerProfile, now: datetime
) -> None:
    if await consent.holds(session, learner_id, ConsentPurpose.SHARE_WITH_EMPLOYERS):
        return
    if needs_guardian(profile.birth_date, now.date()):
        raise Forbidden(
            "a parent or guardian needs to agree before your badges are shown to employers",
            field="sharedAssertionIds",
            code="SHARING_NEEDS_CONSENT",
        )
    await consent.grant(
        session, learner_id, ConsentPurpose.SHARE_WITH_EMPLOYERS, granted_by=actor, method="self"
    )


async def apply(
    session: AsyncSession,
    actor: Actor,
    opportunity_id: int,
    *,
    shared: Sequence[uuid.UUID],
    message: str | None,
    now: datetime,
) -> Application:
    learner_id = require_person(actor)
    user, profile = await _learner(session, learner_id)
    await require_participation(session, user, now)
    found = await gated(session, opportunity_id)
    opportunity, gate = found.opportunity, found.gate
    if opportunity.status != OpportunityStatus.PUBLISHED.value:
        raise InvalidInput("this opportunity is not open", field="opportunityId", code="CLOSED")
    if gate.apply_by is not None and now > gate.apply_by:
        raise InvalidInput(
            "applications for this opportunity are closed", field="opportunityId", code="CLOSED"
        )
    if age_on(profile.birth_date, now.date()) < opportunity.min_age:
        raise Forbidden(
            f"this opportunity is for ages {opportunity.min_age} and up",
            field="opportunityId",
            code="TOO_YOUNG",
        )
    outcome = rules.evaluate(found.rule, await holdings.of_learner(session, learner_id, now=now))
    if not outcome.met:
        raise Forbidden(
            "earn the badges it takes first: this opportunity is still locked",
            field="opportunityId",
            code="LOCKED",
        )
    chosen = await _shareable(session, learner_id, shared, now)
    if chosen:
        await _may_share(session, actor, learner_id, profile, now)
    text = (message or "").strip() or None
    if text is not None and len(text) > MAX_MESSAGE:
        raise InvalidInput(f"at most {MAX_MESSAGE} characters", field="message")
    upsert = insert(Application).values(
        opportunity_id=opportunity_id,
        learner_id=learner_id,
        shared_assertion_ids=chosen,
        message=text,
        status=ApplicationStatus.SUBMITTED.value,
    )
    # A withdrawn application may be sent again; any other is already there.
    statement = upsert.on_conflict_do_update(
        index_elements=[Application.opportunity_id, Application.learner_id],
        set_={
            "shared_assertion_ids": upsert.excluded.shared_assertion_ids,
            "message": upsert.excluded.message,
            "status": ApplicationStatus.SUBMITTED.value,
            "flagged_at": None,
            "flag_reason": None,
            "flag_lost": None,
            "decided_at": None,
            "decided_by": None,
            "created_at": func.now(),
        },
        where=Application.status == ApplicationStatus.WITHDRAWN.value,
    ).returning(Application.id)
    application_id = await session.scalar(statement)
    if application_id is None:
        raise Conflict(
            "you already applied for this", field="opportunityId", code="ALREADY_APPLIED"
        )
    await engine.open_for_applicant(session, opportunity, learner_id, outcome, now=now)
    await audit.record(
        session,
        "application.submitted",
        actor,
        subject_type="opportunity",
        subject_id=opportunity_id,
        shared=len(chosen),
    )
    application = await session.get(Application, application_id, populate_existing=True)
    assert application is not None
    return application


async def _application(
    session: AsyncSession, application_id: int, *, lock: bool = False
) -> Application:
    application = await session.get(Application, application_id, with_for_update=lock)
    if application is None:
        raise NotFound("no such application", field="applicationId")
    return application


async def withdraw(session: AsyncSession, actor: Actor, application_id: int) -> Application:
    """The learner withdraws their own application (their shared badges go with it)."""
    user_id = require_person(actor)
    application = await _application(session, application_id, lock=True)
    if application.learner_id != user_id:
        raise NotFound("no such application", field="applicationId")
    application.status = ApplicationStatus.WITHDRAWN.value
    application.shared_assertion_ids = []
    await audit.record(
        session,
        "application.withdrawn",
        actor,
        subject_type="opportunity",
        subject_id=application.opportunity_id,
    )
    await session.flush()
    return application


def require_employer(actor: Actor, opportunity: Opportunity) -> None:
    """Applicants are people's data: managers of the listing's organization, signed in
    (an API token never sees them)."""
    require_person(actor)
    require_org_role(actor, opportunity.organization_id, StaffRole.MANAGER)


async def decide(
    session: AsyncSession,
    actor: Actor,
    application_id: int,
    status: ApplicationStatus,
    *,
    now: datetime,
    public_url: str,
) -> Application:
    if status not in DECISIONS:
        raise InvalidInput("accept, waitlist or decline", field="status")
    application = await _application(session, application_id)
    opportunity, _ = await _employers_listing(session, actor, application.opportunity_id, lock=True)
    application = await _application(session, application_id, lock=True)
    if application.status == ApplicationStatus.WITHDRAWN.value:
        raise Conflict("the learner withdrew this application", code="WITHDRAWN")
    if status is ApplicationStatus.ACCEPTED and application.status != status.value:
        capacity = opportunity.capacity
        accepted = await accepted_count(session, application.opportunity_id)
        if capacity is not None and accepted >= capacity:
            raise Conflict(
                f"all {capacity} places are taken: waitlist this applicant instead",
                field="status",
                code="FULL",
            )
    if application.status != status.value:
        application.status = status.value
        application.decided_at, application.decided_by = now, actor.user_id
        await _tell(session, application, opportunity, status, public_url)
        await audit.record(
            session,
            "application.decided",
            actor,
            subject_type="opportunity",
            subject_id=application.opportunity_id,
            status=status.value,
        )
    await session.flush()
    return application


async def _tell(
    session: AsyncSession,
    application: Application,
    opportunity: Opportunity,
    status: ApplicationStatus,
    public_url: str,
) -> None:
    user = await session.get(User, application.learner_id)
    organization = await session.get(Organization, opportunity.organization_id)
    assert user is not None and organization is not None
    await queue_email(
        session,
        to=user.email,
        template="application_decided",
        lang=user.locale,
        context={
            "name": user.display_name,
            "opportunity": opportunity.title,
            "organization": organization.name,
            "status": status.value,
            "link": f"{public_url}/opportunities/{opportunity.id}",
        },
    )


@dataclass(frozen=True)
class SharedBadge:
    assertion_id: uuid.UUID
    badge_class_id: int
    name: str
    issuer: str
    issued_on: datetime
    preferred: bool


@dataclass(frozen=True)
class Applicant:
    application: Application
    display_name: str
    shared: list[SharedBadge]
    rule_met: bool
    # The learner (or their guardian) withdrew consent to share since applying: the
    # badges they chose are hidden again.
    sharing_withdrawn: bool = False

    @property
    def preferred_count(self) -> int:
        return sum(1 for badge in self.shared if badge.preferred)

    @property
    def newest_badge(self) -> datetime | None:
        return max((badge.issued_on for badge in self.shared), default=None)


def rank_key(applicant: Applicant) -> tuple[int, int, float, float]:
    newest = applicant.newest_badge
    return (
        0 if applicant.rule_met else 1,
        -applicant.preferred_count,
        -(newest.timestamp() if newest else 0.0),
        applicant.application.created_at.timestamp(),
    )


async def applicants(
    session: AsyncSession, actor: Actor, opportunity_id: int, *, now: datetime
) -> list[Applicant]:
    """The listing's applications (withdrawn ones left out), best first."""
    _, gate = await _employers_listing(session, actor, opportunity_id)
    rows = (
        await session.execute(
            select(Application, User.display_name)
            .join(User, User.id == Application.learner_id)
            .where(
                Application.opportunity_id == opportunity_id,
                Application.status != ApplicationStatus.WITHDRAWN.value,
            )
        )
    ).all()
    shared_ids = {a for application, _ in rows for a in application.shared_assertion_ids}
    badges: dict[uuid.UUID, tuple[Assertion, BadgeClass, str]] = {}
    if shared_ids:
        for assertion, badge_class, issuer in (
            await session.execute(
                select(Assertion, BadgeClass, Organization.name)
                .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
                .join(Organization, Organization.id == Assertion.organization_id)
                .where(Assertion.id.in_(shared_ids))
            )
        ).all():
            badges[assertion.id] = (assertion, badge_class, issuer)
    preferred = set(gate.preferred_badge_class_ids) if gate is not None else set()
    sharing = await consent.holders(
        session, [a.learner_id for a, _ in rows], ConsentPurpose.SHARE_WITH_EMPLOYERS
    )
    result = []
    for application, name in rows:
        shared = []
        withdrawn = bool(application.shared_assertion_ids) and application.learner_id not in sharing
        for assertion_id in [] if withdrawn else application.shared_assertion_ids:
            if assertion_id not in badges:
                continue  # deleted with its issuer
            assertion, badge_class, issuer = badges[assertion_id]
            expired = assertion.expires_at is not None and assertion.expires_at <= now
            if (
                assertion.revoked_at is not None
                or expired
                or assertion.recipient_user_id != application.learner_id
            ):
                continue  # revoked or expired since: no longer shown as held
            shared.append(
                SharedBadge(
                    assertion.id,
                    badge_class.id,
                    badge_class.name,
                    issuer,
                    assertion.issued_on,
                    badge_class.id in preferred,
                )
            )
        result.append(
            Applicant(application, name, shared, application.flagged_at is None, withdrawn)
        )
    return sorted(result, key=rank_key)


async def of_learner(session: AsyncSession, learner_id: int) -> list[tuple[Application, str]]:
    """A learner's own applications with the listing's title, newest first."""
    rows = await session.execute(
        select(Application, Opportunity.title)
        .join(Opportunity, Opportunity.id == Application.opportunity_id)
        .where(Application.learner_id == learner_id)
        .order_by(Application.created_at.desc())
    )
    return [(a, t) for a, t in rows.all()]


async def accepted_count(session: AsyncSession, opportunity_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Application.opportunity_id == opportunity_id,
            Application.status == ApplicationStatus.ACCEPTED.value,
        )
    )
    return int(count or 0)
