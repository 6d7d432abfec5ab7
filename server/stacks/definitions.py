"""Stacks and gates as partners define them: checked, stored, indexed by the badge classes
and competencies their rules mention, and evaluated for the learners who could already
meet them in the background (a `stacks.backfill` event per saved rule).

Who may define what:
- a stack: managers of its (approved) organization, or network admins for any;
- a gate on a listing: managers of the listing's organization (or its API tokens with
  the gated:write scope), or network admins;
- an equivalence for a badge from elsewhere: network admins, or managers of an
  organization whose active stack names the badge class it maps to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.authz import Actor, has_org_role, require_active_organization, require_org_role
from server.badges.classes import http_url
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.models import (
    BadgeClass,
    BadgeEquivalence,
    Competency,
    Opportunity,
    OpportunityGate,
    Organization,
    RuleTerm,
    Stack,
)
from server.models.enums import ApiScope, BadgeClassStatus, StackStatus, StaffRole
from server.stacks import rules

MAX_PREFERRED = 20


@dataclass
class StackInput:
    name: str
    rule: Any
    description: str = ""
    award_badge_class_id: int | None = None


@dataclass
class GateInput:
    """Exactly one of `stack_id` and `rule`."""

    stack_id: int | None = None
    rule: Any = None
    preferred_badge_class_ids: list[int] = field(default_factory=list)
    apply_by: datetime | None = None


def _require_admin_or_manager(actor: Actor, organization_id: int) -> None:
    if actor.is_admin and actor.token_id is None:
        return
    require_org_role(actor, organization_id, StaffRole.MANAGER)


async def _organization(session: AsyncSession, organization_id: int) -> Organization:
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organization", field="organizationId")
    require_active_organization(organization)
    return organization


async def checked_rule(session: AsyncSession, raw: Any) -> rules.Rule:
    """A rule whose badge classes and competencies all exist (any issuer's)."""
    rule = rules.parse(raw)
    named = rules.badge_classes(rule)
    if named:
        found = set(await session.scalars(select(BadgeClass.id).where(BadgeClass.id.in_(named))))
        if unknown := sorted(named - found):
            raise InvalidInput(
                f"rule: no such badge class: {', '.join(map(str, unknown))}", field="rule"
            )
    wanted = rules.competencies(rule)
    if wanted:
        found = set(await session.scalars(select(Competency.id).where(Competency.id.in_(wanted))))
        if unknown := sorted(wanted - found):
            raise InvalidInput(
                f"rule: no such competency: {', '.join(map(str, unknown))}", field="rule"
            )
    return rule


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise InvalidInput("give the stack a name", field="name")
    if len(name) > 200:
        raise InvalidInput("too long: at most 200 characters", field="name")
    return name


async def _award_class(
    session: AsyncSession, organization: Organization, badge_class_id: int | None
) -> int | None:
    """A stack awards a badge of its own organization, which must issue badges."""
    if badge_class_id is None:
        return None
    badge_class = await session.get(BadgeClass, badge_class_id)
    if badge_class is None or badge_class.organization_id != organization.id:
        raise InvalidInput(
            "the badge a stack awards must be one of its organization's",
            field="awardBadgeClassId",
        )
    if not organization.is_issuer or badge_class.status != BadgeClassStatus.ACTIVE.value:
        raise InvalidInput(
            "that badge class cannot be awarded now (archived, or not an issuer)",
            field="awardBadgeClassId",
        )
    return badge_class_id


async def reindex(
    session: AsyncSession,
    rule: rules.Rule,
    *,
    stack_id: int | None = None,
    opportunity_id: int | None = None,
) -> None:
    """Replace the index entries of one stack or gate with what `rule` mentions."""
    owner = (
        RuleTerm.stack_id == stack_id
        if stack_id is not None
        else RuleTerm.opportunity_id == opportunity_id
    )
    await session.execute(delete(RuleTerm).where(owner))
    terms: list[dict[str, Any]] = [
        {"badge_class_id": b, "competency_id": None} for b in sorted(rules.badge_classes(rule))
    ] + [{"badge_class_id": None, "competency_id": c} for c in sorted(rules.competencies(rule))]
    for term in terms:
        term.update(stack_id=stack_id, opportunity_id=opportunity_id)
    if terms:
        await session.execute(insert(RuleTerm), terms)


async def _backfill(
    session: AsyncSession, *, stack_id: int | None, opportunity_id: int | None
) -> None:
    payload = {"stack": stack_id} if stack_id is not None else {"opportunity": opportunity_id}
    await outbox.emit(session, "stacks.backfill", payload)


async def create_stack(
    session: AsyncSession, actor: Actor, organization_id: int, data: StackInput
) -> Stack:
    _require_admin_or_manager(actor, organization_id)
    organization = await _organization(session, organization_id)
    rule = await checked_rule(session, data.rule)
    stack = Stack(
        organization_id=organization_id,
        name=_name(data.name),
        description=(data.description or "").strip()[:5000],
        rule=rules.to_json(rule),
        award_badge_class_id=await _award_class(session, organization, data.award_badge_class_id),
        created_by=actor.user_id,
    )
    session.add(stack)
    await session.flush()
    await reindex(session, rule, stack_id=stack.id)
    await _backfill(session, stack_id=stack.id, opportunity_id=None)
    await audit.record(session, "stack.saved", actor, subject_type="stack", subject_id=stack.id)
    return stack


async def get_stack(session: AsyncSession, stack_id: int, *, lock: bool = False) -> Stack:
    stmt = select(Stack).where(Stack.id == stack_id)
    if lock:
        stmt = stmt.with_for_update()
    stack = (await session.scalars(stmt)).first()
    if stack is None:
        raise NotFound("no such stack", field="stackId")
    return stack


async def update_stack(
    session: AsyncSession, actor: Actor, stack_id: int, data: StackInput
) -> Stack:
    """A changed rule is re-indexed and re-evaluated (for the stack and every gate that
    uses it): learners who now meet it complete it, gates that no longer hold re-lock."""
    stack = await get_stack(session, stack_id, lock=True)
    _require_admin_or_manager(actor, stack.organization_id)
    organization = await _organization(session, stack.organization_id)
    rule = await checked_rule(session, data.rule)
    stack.name = _name(data.name)
    stack.description = (data.description or "").strip()[:5000]
    stack.award_badge_class_id = await _award_class(
        session, organization, data.award_badge_class_id
    )
    changed = stack.rule != rules.to_json(rule)
    stack.rule = rules.to_json(rule)
    if changed:
        await reindex(session, rule, stack_id=stack.id)
        await _backfill(session, stack_id=stack.id, opportunity_id=None)
        gates = await session.scalars(
            select(OpportunityGate.opportunity_id).where(OpportunityGate.stack_id == stack.id)
        )
        for opportunity_id in gates:
            await reindex(session, rule, opportunity_id=opportunity_id)
            await _backfill(session, stack_id=None, opportunity_id=opportunity_id)
    await audit.record(session, "stack.saved", actor, subject_type="stack", subject_id=stack.id)
    await session.flush()
    return stack


async def archive_stack(session: AsyncSession, actor: Actor, stack_id: int) -> Stack:
    """An archived stack is evaluated no more; completions and awarded badges stay. Gates
    built on it must move to another rule first."""
    stack = await get_stack(session, stack_id, lock=True)
    _require_admin_or_manager(actor, stack.organization_id)
    used = await session.scalar(
        select(OpportunityGate.opportunity_id).where(OpportunityGate.stack_id == stack.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            "listings are gated by this stack: give them another rule first",
            field="stackId",
            code="STACK_IN_USE",
        )
    stack.status = StackStatus.ARCHIVED.value
    await session.execute(delete(RuleTerm).where(RuleTerm.stack_id == stack.id))
    await audit.record(session, "stack.archived", actor, subject_type="stack", subject_id=stack.id)
    await session.flush()
    return stack


async def stacks_of(session: AsyncSession, organization_id: int) -> list[Stack]:
    return list(
        await session.scalars(
            select(Stack)
            .where(Stack.organization_id == organization_id)
            .order_by(Stack.status, Stack.name, Stack.id)
        )
    )


async def active_stacks(session: AsyncSession) -> list[Stack]:
    """Stacks any partner may build a gate on."""
    return list(
        await session.scalars(
            select(Stack).where(Stack.status == StackStatus.ACTIVE.value).order_by(Stack.name)
        )
    )


async def _opportunity(session: AsyncSession, opportunity_id: int) -> Opportunity:
    opportunity = await session.get(Opportunity, opportunity_id)
    if opportunity is None:
        raise NotFound("no such listing", field="opportunityId")
    return opportunity


def require_gate_editor(actor: Actor, opportunity: Opportunity) -> None:
    if actor.is_admin and actor.token_id is None:
        return
    require_org_role(
        actor, opportunity.organization_id, StaffRole.MANAGER, scope=ApiScope.GATED_WRITE
    )


async def _gate_rule(session: AsyncSession, data: GateInput) -> tuple[rules.Rule, int | None]:
    if (data.stack_id is None) == (data.rule is None):
        raise InvalidInput("choose a stack, or write a rule (one of the two)", field="rule")
    if data.stack_id is not None:
        stack = await get_stack(session, data.stack_id)
        if stack.status != StackStatus.ACTIVE.value:
            raise InvalidInput("that stack is archived", field="stackId")
        return rules.parse(stack.rule), stack.id
    return await checked_rule(session, data.rule), None


async def _preferred(session: AsyncSession, ids: list[int]) -> list[int]:
    wanted = sorted(set(ids))
    if len(wanted) > MAX_PREFERRED:
        raise InvalidInput(
            f"at most {MAX_PREFERRED} preferred badges", field="preferredBadgeClassIds"
        )
    if wanted:
        found = set(await session.scalars(select(BadgeClass.id).where(BadgeClass.id.in_(wanted))))
        if unknown := [i for i in wanted if i not in found]:
            raise InvalidInput(
                f"no such badge class: {', '.join(map(str, unknown))}",
                field="preferredBadgeClassIds",
            )
    return wanted


async def set_gate(
    session: AsyncSession, actor: Actor, opportunity_id: int, data: GateInput
) -> OpportunityGate:
    """Gate a listing (or change its gate). Capacity, minimum age and place or online
    are the listing's own fields; the gate adds the rule, preferred badges and the
    application deadline."""
    opportunity = await _opportunity(session, opportunity_id)
    require_gate_editor(actor, opportunity)
    await _organization(session, opportunity.organization_id)
    rule, stack_id = await _gate_rule(session, data)
    preferred = await _preferred(session, data.preferred_badge_class_ids)
    if data.apply_by is not None and data.apply_by.tzinfo is None:
        raise InvalidInput("give the deadline with its time zone", field="applyBy")
    gate = await session.get(OpportunityGate, opportunity_id, with_for_update=True)
    before = None
    if gate is None:
        gate = OpportunityGate(opportunity_id=opportunity_id, created_by=actor.user_id)
        session.add(gate)
    else:
        before = (gate.stack_id, gate.rule)
    gate.stack_id = stack_id
    gate.rule = None if stack_id is not None else rules.to_json(rule)
    gate.preferred_badge_class_ids = preferred
    gate.apply_by = data.apply_by
    try:
        async with session.begin_nested():  # two editors gating one listing at once
            await session.flush()
    except IntegrityError:
        raise Conflict("this listing was gated at the same moment; reload") from None
    if before != (gate.stack_id, gate.rule):
        await reindex(session, rule, opportunity_id=opportunity_id)
        await _backfill(session, stack_id=None, opportunity_id=opportunity_id)
    await audit.record(
        session, "gate.saved", actor, subject_type="opportunity", subject_id=opportunity_id
    )
    return gate


async def remove_gate(session: AsyncSession, actor: Actor, opportunity_id: int) -> None:
    """The listing opens to everyone; its unlocks and applications stay as they were."""
    opportunity = await _opportunity(session, opportunity_id)
    require_gate_editor(actor, opportunity)
    gate = await session.get(OpportunityGate, opportunity_id, with_for_update=True)
    if gate is None:
        raise NotFound("this listing has no gate", field="opportunityId")
    await session.delete(gate)
    await audit.record(
        session, "gate.removed", actor, subject_type="opportunity", subject_id=opportunity_id
    )
    await session.flush()


async def gate_rule(session: AsyncSession, gate: OpportunityGate) -> rules.Rule:
    if gate.stack_id is not None:
        stack = await session.get(Stack, gate.stack_id)
        assert stack is not None
        return rules.parse(stack.rule)
    assert gate.rule is not None
    return rules.parse(gate.rule)


async def add_equivalence(
    session: AsyncSession,
    actor: Actor,
    badge_class_id: int,
    *,
    achievement_id: str | None = None,
    criteria_url: str | None = None,
) -> BadgeEquivalence:
    """Badges from elsewhere with this achievement id (or criteria URL) count as
    `badge_class_id` in every rule; learners who imported one are re-evaluated."""
    badge_class = await session.get(BadgeClass, badge_class_id)
    if badge_class is None:
        raise NotFound("no such badge class", field="badgeClassId")
    if not (actor.is_admin and actor.token_id is None):
        owners = set(
            await session.scalars(
                select(Stack.organization_id)
                .join(RuleTerm, RuleTerm.stack_id == Stack.id)
                .where(RuleTerm.badge_class_id == badge_class_id)
            )
        )
        if actor.token_id is not None or not any(
            has_org_role(actor, org, StaffRole.MANAGER) for org in owners
        ):
            raise Forbidden(
                "network admins, or managers of a stack that names this badge, map badges"
            )
    # An achievement id is a URL or a URN (OB 3.0 allows urn:uuid:...).
    achievement = (achievement_id or "").strip() or None
    if achievement is not None and (len(achievement) > 2000 or " " in achievement):
        raise InvalidInput("not an achievement id", field="achievementId")
    criteria = http_url(criteria_url, "criteriaUrl")
    if (achievement is None) == (criteria is None):
        raise InvalidInput("give the achievement id or the criteria URL", field="achievementId")
    row = BadgeEquivalence(
        badge_class_id=badge_class_id,
        achievement_id=achievement,
        criteria_url=criteria,
        mapped_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise Conflict("this badge is already mapped to that badge class") from None
    await outbox.emit(session, "stacks.rescan", {"badge_class": badge_class_id})
    await audit.record(
        session,
        "badge_equivalence.added",
        actor,
        subject_type="badge_class",
        subject_id=badge_class_id,
        achievement_id=achievement,
        criteria_url=criteria,
    )
    return row
