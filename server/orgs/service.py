"""Partner onboarding and staff: an organization applies, a network admin approves or
declines it, its owner invites staff by email with a role."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import links, people
from server.authz import Actor, require_admin, require_org_role, require_person
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.mail import queue_email
from server.models import Invitation, Membership, Opportunity, Organization, User
from server.models.enums import LinkPurpose, OrganizationKind, OrganizationStatus, StaffRole
from server.privacy import learners

_ZIP = re.compile(r"[0-9]{5}")


# Words that are pages under /partners/ and /organizations/, never an organization.
RESERVED_SLUGS = frozenset({"apply", "new", "admin", "search"})


def slugify(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:100] or "organization"
    return f"{slug}-org" if slug in RESERVED_SLUGS else slug


async def _unique_slug(session: AsyncSession, name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while await session.scalar(select(Organization.id).where(Organization.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def apply(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    kind: OrganizationKind,
    website: str | None,
    postal_code: str | None,
    description: str,
    is_issuer: bool,
    is_employer: bool,
) -> Organization:
    """A person applies for their organization; it waits, pending, for a network admin.
    The applicant becomes its owner."""
    user_id = require_person(actor)
    learner = await learners.find(session, user_id)
    if learner is not None and learner.is_child(datetime.now(UTC)):
        raise Forbidden("an adult applies for an organization")
    clean = " ".join((name or "").split())
    if not 2 <= len(clean) <= 300:
        raise InvalidInput("the organization's name, 2 to 300 characters", field="name")
    if postal_code and not _ZIP.fullmatch(postal_code):
        raise InvalidInput("a 5-digit ZIP code", field="postalCode")
    if website and not re.match(r"https?://[^\s]{3,}$", website):
        raise InvalidInput("a web address starting with https://", field="website")
    org = Organization(
        slug=await _unique_slug(session, clean),
        name=clean,
        kind=kind.value,
        description=(description or "").strip()[:5000],
        website=website or None,
        postal_code=postal_code or None,
        status=OrganizationStatus.PENDING.value,
        is_issuer=is_issuer,
        is_employer=is_employer,
    )
    session.add(org)
    await session.flush()
    session.add(Membership(organization_id=org.id, user_id=user_id, role=StaffRole.OWNER.value))
    await audit.record(
        session, "organization.applied", actor, subject_type="organization", subject_id=org.id
    )
    return org


async def get(session: AsyncSession, organization_id: int, *, lock: bool = False) -> Organization:
    org = await session.get(Organization, organization_id, with_for_update=lock or None)
    if org is None:
        raise NotFound("no such organization", field="organizationId")
    return org


async def _owners(session: AsyncSession, organization_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization_id,
            Membership.role == StaffRole.OWNER.value,
        )
    )
    return list(rows)


async def approve(
    session: AsyncSession, actor: Actor, organization_id: int, *, public_url: str
) -> Organization:
    require_admin(actor)
    org = await get(session, organization_id, lock=True)
    if org.status == OrganizationStatus.APPROVED.value:
        return org
    org.status = OrganizationStatus.APPROVED.value
    org.status_reason = None
    await _touch_listings(session, org.id)
    await audit.record(
        session, "organization.approved", actor, subject_type="organization", subject_id=org.id
    )
    for owner in await _owners(session, org.id):
        await queue_email(
            session,
            to=owner.email,
            template="organization_approved",
            lang=owner.locale,
            context={"org_name": org.name, "link": f"{public_url}/partners/{org.slug}"},
        )
    return org


async def _touch_listings(session: AsyncSession, organization_id: int) -> None:
    """Whether an organization's listings are shown changed: rewriting them bumps their
    RPDE `modified` (a trigger), so feed readers hear about it."""
    await session.execute(
        update(Opportunity)
        .where(Opportunity.organization_id == organization_id)
        .values(updated_at=func.now())
    )


async def decline(
    session: AsyncSession, actor: Actor, organization_id: int, *, reason: str
) -> Organization:
    require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("tell the applicant why", field="reason")
    org = await get(session, organization_id, lock=True)
    if org.status != OrganizationStatus.PENDING.value:
        raise Conflict("only a pending application can be declined", field="organizationId")
    org.status = OrganizationStatus.DECLINED.value
    org.status_reason = reason[:2000]
    await _touch_listings(session, org.id)
    await audit.record(
        session, "organization.declined", actor, subject_type="organization", subject_id=org.id
    )
    for owner in await _owners(session, org.id):
        await queue_email(
            session,
            to=owner.email,
            template="organization_declined",
            lang=owner.locale,
            context={"org_name": org.name, "reason": org.status_reason},
        )
    return org


async def invite(
    session: AsyncSession,
    actor: Actor,
    organization_id: int,
    *,
    email: str,
    role: StaffRole,
    now: datetime,
    public_url: str,
) -> Invitation:
    require_org_role(actor, organization_id, StaffRole.OWNER)
    org = await get(session, organization_id)
    address = people.normalize_email(email)
    member = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id, User.email == address)
    )
    if member is not None:
        raise Conflict("this person is already on the staff", field="email")
    # A new invitation replaces an open one to the same address.
    for open_invitation in await session.scalars(
        select(Invitation).where(
            Invitation.organization_id == org.id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        open_invitation.revoked_at = now
    await session.flush()
    invitation = Invitation(
        organization_id=org.id, email=address, role=role.value, invited_by_id=actor.user_id
    )
    session.add(invitation)
    await session.flush()
    secret = await links.create(
        session,
        LinkPurpose.STAFF_INVITATION,
        email=address,
        now=now,
        data={"invitation_id": invitation.id},
    )
    await queue_email(
        session,
        to=address,
        template="staff_invitation",
        lang="en",
        context={
            "org_name": org.name,
            "role": role.value,
            "inviter_name": actor.display_name or "A colleague",
            "link": links.url(public_url, LinkPurpose.STAFF_INVITATION, secret),
        },
    )
    await audit.record(
        session,
        "staff.invited",
        actor,
        subject_type="organization",
        subject_id=org.id,
        role=role.value,
    )
    return invitation


async def accept_invitation(
    session: AsyncSession, actor: Actor, secret: str, *, now: datetime
) -> Membership:
    """The signed-in person joins; the invitation's address must be theirs."""
    user_id = require_person(actor)
    user = await session.get(User, user_id)
    link = await links.peek(session, secret, LinkPurpose.STAFF_INVITATION, now=now)
    if user is None or user.email != link.email:
        raise Forbidden(f"sign in as {link.email} to accept", code="WRONG_ACCOUNT")
    await links.consume(session, secret, LinkPurpose.STAFF_INVITATION, now=now)
    invitation = await session.get(Invitation, int(link.data.get("invitation_id", 0)))
    if invitation is None or invitation.revoked_at or invitation.accepted_at:
        raise InvalidInput("this invitation is not open any more", code="LINK_INVALID")
    invitation.accepted_at = now
    membership = await session.scalar(
        select(Membership).where(
            Membership.organization_id == invitation.organization_id,
            Membership.user_id == user_id,
        )
    )
    if membership is None:
        membership = Membership(
            organization_id=invitation.organization_id, user_id=user_id, role=invitation.role
        )
        session.add(membership)
    else:
        membership.role = invitation.role
    user.email_verified_at = user.email_verified_at or now
    await session.flush()
    await audit.record(
        session,
        "staff.joined",
        actor,
        subject_type="organization",
        subject_id=invitation.organization_id,
        role=invitation.role,
    )
    return membership


async def _membership(session: AsyncSession, membership_id: int) -> Membership:
    membership = await session.get(Membership, membership_id, with_for_update=True)
    if membership is None:
        raise NotFound("no such staff member", field="membershipId")
    return membership


async def organization_of_membership(session: AsyncSession, membership_id: int) -> int | None:
    return await session.scalar(
        select(Membership.organization_id).where(Membership.id == membership_id)
    )


async def _last_owner(session: AsyncSession, membership: Membership) -> bool:
    owners = await session.scalar(
        select(func.count()).where(
            Membership.organization_id == membership.organization_id,
            Membership.role == StaffRole.OWNER.value,
        )
    )
    return membership.role == StaffRole.OWNER.value and owners == 1


async def change_role(
    session: AsyncSession, actor: Actor, membership_id: int, role: StaffRole
) -> Membership:
    membership = await _membership(session, membership_id)
    require_org_role(actor, membership.organization_id, StaffRole.OWNER)
    if role is not StaffRole.OWNER and await _last_owner(session, membership):
        raise Conflict("an organization keeps at least one owner", code="LAST_OWNER")
    if membership.role != role.value:
        membership.role = role.value
        await audit.record(
            session,
            "staff.role_changed",
            actor,
            subject_type="organization",
            subject_id=membership.organization_id,
            member=membership.user_id,
            role=role.value,
        )
    return membership


async def remove_member(session: AsyncSession, actor: Actor, membership_id: int) -> None:
    membership = await _membership(session, membership_id)
    require_org_role(actor, membership.organization_id, StaffRole.OWNER)
    if await _last_owner(session, membership):
        raise Conflict("an organization keeps at least one owner", code="LAST_OWNER")
    await session.delete(membership)
    await audit.record(
        session,
        "staff.removed",
        actor,
        subject_type="organization",
        subject_id=membership.organization_id,
        member=membership.user_id,
    )


async def staff(session: AsyncSession, organization_id: int) -> list[tuple[Membership, User]]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization_id)
        .order_by(User.display_name)
    )
    return [(m, u) for m, u in rows]


async def pending(session: AsyncSession, actor: Actor) -> list[Organization]:
    require_admin(actor)
    rows = await session.scalars(
        select(Organization)
        .where(Organization.status == OrganizationStatus.PENDING.value)
        .order_by(Organization.created_at)
    )
    return list(rows)
