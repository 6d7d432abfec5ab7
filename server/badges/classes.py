"""Badge classes: designed by an issuing organization's managers, endorsed by others, linked
to the opportunities that award them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from geoalchemy2 import Geography
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.authz import Actor, require_active_organization, require_org_role
from server.badges import images, keys
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.geo.geocoder import GeoPoint
from server.models import (
    BadgeClass,
    Competency,
    Endorsement,
    Opportunity,
    OpportunityBadgeClass,
    Organization,
    Place,
    RuleTerm,
)
from server.models.enums import (
    EARNING_METHODS,
    BadgeClassStatus,
    BadgeLevel,
    OpportunityStatus,
    StaffRole,
)

MAX_TAGS = 20
MAX_EXPIRY_DAYS = 3650


@dataclass
class BadgeClassInput:
    name: str
    description: str
    level: str
    earning: list[str]
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    competency_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    expires_after_days: int | None = None
    image: bytes | None = None  # None keeps the current image (or the generated one)
    image_type: str | None = None
    remove_image: bool = False
    opportunity_ids: list[int] | None = None  # None leaves the links as they are


def http_url(value: str | None, field_name: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000:
        raise InvalidInput("a web address starting with https:// or http://", field=field_name)
    return value


def _text(value: str, field_name: str, limit: int) -> str:
    value = " ".join(value.split()) if limit <= 200 else value.strip()
    if not value:
        raise InvalidInput("fill this in", field=field_name)
    if len(value) > limit:
        raise InvalidInput(f"too long: at most {limit} characters", field=field_name)
    return value


async def _checked(
    session: AsyncSession, organization_id: int, data: BadgeClassInput
) -> dict[str, object]:
    values: dict[str, object] = {
        "name": _text(data.name, "name", 200),
        "description": _text(data.description, "description", 5000),
    }
    if data.level not in {level.value for level in BadgeLevel}:
        raise InvalidInput("not a badge level", field="level")
    values["level"] = data.level
    allowed = {method.value for method in EARNING_METHODS}
    earning = sorted(set(data.earning))
    if not earning:
        raise InvalidInput("choose at least one way to earn it", field="earning")
    if not set(earning) <= allowed:
        raise InvalidInput(
            f"choose among the ways to earn it: {', '.join(sorted(allowed))}", field="earning"
        )
    values["earning"] = earning
    narrative = (data.criteria_narrative or "").strip() or None
    criteria_url = http_url(data.criteria_url, "criteriaUrl")
    if narrative is None and criteria_url is None:
        raise InvalidInput("say how it is earned, or link to a page that does", field="criteria")
    if narrative is not None and len(narrative) > 5000:
        raise InvalidInput("too long: at most 5000 characters", field="criteriaNarrative")
    values["criteria_narrative"], values["criteria_url"] = narrative, criteria_url
    competencies = sorted(set(data.competency_ids))
    if competencies:
        known = set(
            await session.scalars(select(Competency.id).where(Competency.id.in_(competencies)))
        )
        if unknown := [c for c in competencies if c not in known]:
            raise InvalidInput(f"unknown competencies: {unknown}", field="competencyIds")
    values["competency_ids"] = competencies
    tags = sorted({" ".join(tag.split()).lower() for tag in data.tags if tag.strip()})
    if len(tags) > MAX_TAGS or any(len(tag) > 50 for tag in tags):
        raise InvalidInput(
            f"too many or too long tags: at most {MAX_TAGS} of 50 characters", field="tags"
        )
    values["tags"] = tags
    days = data.expires_after_days
    if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(
            f"the number of days must be between 1 and {MAX_EXPIRY_DAYS}", field="expiresAfterDays"
        )
    values["expires_after_days"] = days
    if data.image is not None:
        try:
            values["image_type"], values["image"] = images.check_upload(data.image, data.image_type)
        except images.ImageError as exc:
            raise InvalidInput(f"the image cannot be used: {exc}", field="image") from None
    elif data.remove_image:
        values["image_type"], values["image"] = None, None
    if data.opportunity_ids:
        owned = set(
            await session.scalars(
                select(Opportunity.id).where(
                    Opportunity.id.in_(data.opportunity_ids),
                    Opportunity.organization_id == organization_id,
                )
            )
        )
        if missing := sorted(set(data.opportunity_ids) - owned):
            raise InvalidInput(
                f"not listings of this organization: {missing}", field="opportunityIds"
            )
    return values


async def issuer(session: AsyncSession, organization_id: int) -> Organization:
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("no such organization", field="organizationId")
    return organization


def require_issuing(organization: Organization) -> None:
    require_active_organization(organization)
    if not organization.is_issuer:
        raise Forbidden("this organization does not issue badges", code="NOT_AN_ISSUER")


async def _link_opportunities(
    session: AsyncSession, badge_class_id: int, opportunity_ids: list[int] | None
) -> None:
    if opportunity_ids is None:
        return
    await session.execute(
        delete(OpportunityBadgeClass).where(OpportunityBadgeClass.badge_class_id == badge_class_id)
    )
    if opportunity_ids:
        await session.execute(
            insert(OpportunityBadgeClass),
            [
                {"opportunity_id": opp, "badge_class_id": badge_class_id}
                for opp in sorted(set(opportunity_ids))
            ],
        )


async def create(
    session: AsyncSession, actor: Actor, organization_id: int, data: BadgeClassInput
) -> BadgeClass:
    """Managers of an approved issuing organization design its badge classes."""
    require_org_role(actor, organization_id, StaffRole.MANAGER)
    require_issuing(await issuer(session, organization_id))
    values = await _checked(session, organization_id, data)
    badge_class = BadgeClass(organization_id=organization_id, created_by=actor.user_id, **values)
    session.add(badge_class)
    await session.flush()
    await _link_opportunities(session, badge_class.id, data.opportunity_ids)
    await keys.current(session, organization_id)  # its signing key, published from now on
    await audit.record(
        session, "badge_class.created", actor, subject_type="badge_class", subject_id=badge_class.id
    )
    return badge_class


async def get(session: AsyncSession, badge_class_id: int, *, lock: bool = False) -> BadgeClass:
    stmt = select(BadgeClass).where(BadgeClass.id == badge_class_id)
    if lock:
        stmt = stmt.with_for_update()
    badge_class = (await session.scalars(stmt)).first()
    if badge_class is None:
        raise NotFound("no such badge class", field="badgeClassId")
    return badge_class


async def update(
    session: AsyncSession, actor: Actor, badge_class_id: int, data: BadgeClassInput
) -> BadgeClass:
    badge_class = await get(session, badge_class_id, lock=True)
    require_org_role(actor, badge_class.organization_id, StaffRole.MANAGER)
    require_issuing(await issuer(session, badge_class.organization_id))
    before = (badge_class.level, sorted(badge_class.competency_ids))
    for key, value in (await _checked(session, badge_class.organization_id, data)).items():
        setattr(badge_class, key, value)
    if (badge_class.level, sorted(badge_class.competency_ids)) != before:
        await _reevaluate_level_rules(session, {*before[1], *badge_class.competency_ids})
    await _link_opportunities(session, badge_class.id, data.opportunity_ids)
    await audit.record(
        session, "badge_class.changed", actor, subject_type="badge_class", subject_id=badge_class.id
    )
    await session.flush()
    return badge_class


async def _reevaluate_level_rules(session: AsyncSession, competency_ids: set[int]) -> None:
    """A badge class's level or alignments changed: the stacks and gates whose level rules
    name those competencies are evaluated again for the learners who could meet them (the
    stacks engine's backfill, in the background)."""
    if not competency_ids:
        return
    owners = await session.execute(
        select(RuleTerm.stack_id, RuleTerm.opportunity_id)
        .where(RuleTerm.competency_id.in_(sorted(competency_ids)))
        .distinct()
    )
    for stack_id, opportunity_id in owners.all():
        payload = {"stack": stack_id} if stack_id is not None else {"opportunity": opportunity_id}
        await outbox.emit(session, "stacks.backfill", payload)


async def set_status(
    session: AsyncSession, actor: Actor, badge_class_id: int, status: BadgeClassStatus
) -> BadgeClass:
    """Archiving stops new awards; what was awarded stays valid."""
    badge_class = await get(session, badge_class_id, lock=True)
    require_org_role(actor, badge_class.organization_id, StaffRole.MANAGER)
    badge_class.status = status.value
    await audit.record(
        session,
        "badge_class.changed",
        actor,
        subject_type="badge_class",
        subject_id=badge_class.id,
        status=status.value,
    )
    await session.flush()
    return badge_class


async def endorse(
    session: AsyncSession, actor: Actor, badge_class_id: int, endorser_id: int, comment: str
) -> Endorsement:
    """A manager of another approved organization vouches for a badge class."""
    require_org_role(actor, endorser_id, StaffRole.MANAGER)
    require_active_organization(await issuer(session, endorser_id))
    badge_class = await get(session, badge_class_id)
    if badge_class.organization_id == endorser_id:
        raise InvalidInput("an organization cannot endorse its own badge", field="endorserId")
    text = _text(comment, "comment", 2000)
    endorsement = Endorsement(
        badge_class_id=badge_class_id,
        endorser_id=endorser_id,
        comment=text,
        endorsed_by=actor.user_id,
    )
    try:
        async with session.begin_nested():  # two managers endorsing at once: one wins
            session.add(endorsement)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "this organization already endorses that badge", field="badgeClassId"
        ) from None
    await audit.record(
        session,
        "badge_class.endorsed",
        actor,
        subject_type="badge_class",
        subject_id=badge_class_id,
        endorser_id=endorser_id,
    )
    return endorsement


async def endorsements(
    session: AsyncSession, badge_class_id: int
) -> list[tuple[Endorsement, Organization]]:
    rows = await session.execute(
        select(Endorsement, Organization)
        .join(Organization, Organization.id == Endorsement.endorser_id)
        .where(Endorsement.badge_class_id == badge_class_id)
        .order_by(Endorsement.created_at)
    )
    return [(e, o) for e, o in rows.all()]


async def of_organization(
    session: AsyncSession, organization_id: int, *, include_archived: bool = False
) -> list[BadgeClass]:
    stmt = select(BadgeClass).where(BadgeClass.organization_id == organization_id)
    if not include_archived:
        stmt = stmt.where(BadgeClass.status == BadgeClassStatus.ACTIVE.value)
    return list(await session.scalars(stmt.order_by(BadgeClass.name, BadgeClass.id)))


async def awarded_by(session: AsyncSession, opportunity_id: int) -> list[BadgeClass]:
    """The badge classes an opportunity lists as awarded there."""
    return list(
        await session.scalars(
            select(BadgeClass)
            .join(OpportunityBadgeClass, OpportunityBadgeClass.badge_class_id == BadgeClass.id)
            .where(OpportunityBadgeClass.opportunity_id == opportunity_id)
            .order_by(BadgeClass.name)
        )
    )


@dataclass(frozen=True)
class WhereToEarn:
    opportunity_id: int
    title: str
    delivery: str
    place_name: str | None
    neighborhood: str | None
    distance_km: float | None = None


async def where_to_earn(
    session: AsyncSession,
    badge_class_id: int,
    *,
    near: GeoPoint | None = None,
    limit: int = 20,
) -> list[WhereToEarn]:
    """Published listings that award the badge class, with where they happen: nearest
    first when `near` is given (online ones last), else by title."""
    distance = (
        func.ST_Distance(
            Opportunity.location,
            func.ST_SetSRID(func.ST_MakePoint(near.longitude, near.latitude), 4326).cast(Geography),
        )
        / 1000.0
        if near is not None
        else literal(None)
    )
    stmt = (
        select(
            Opportunity.id,
            Opportunity.title,
            Opportunity.delivery,
            Place.name,
            Place.neighborhood,
            distance,
        )
        .join(OpportunityBadgeClass, OpportunityBadgeClass.opportunity_id == Opportunity.id)
        .outerjoin(Place, Place.id == Opportunity.place_id)
        .where(
            OpportunityBadgeClass.badge_class_id == badge_class_id,
            Opportunity.status == OpportunityStatus.PUBLISHED.value,
        )
    )
    # A badge is awarded by a handful of listings: sorting them by distance is cheap.
    order = (distance.asc().nulls_last(),) if near is not None else ()
    rows = await session.execute(
        stmt.order_by(*order, Opportunity.title, Opportunity.id).limit(limit)
    )
    return [
        WhereToEarn(o_id, title, delivery, place, hood, float(km) if km is not None else None)
        for o_id, title, delivery, place, hood, km in rows.all()
    ]
