"""Demo accounts for trying the people and partner pages on a development machine.

Made by `citylearn run` only when CITYLEARN_ENV is development (never in production, where
a known password would be an open door), and only once: existing accounts are left alone.
"""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import passwords
from server.authz import Actor
from server.models import Guardianship, LearnerProfile, Membership, Organization, User
from server.models.enums import ConsentPurpose, OrganizationStatus, StaffRole
from server.privacy import consent

PASSWORD = "citylearn-demo"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    what: str


PEOPLE = (
    DemoPerson("admin@demo.citylearn.test", "Avery Admin", "network admin: approves partners"),
    DemoPerson("owner@demo.citylearn.test", "Olivia Owner", "owner of the first organization"),
    DemoPerson("teen@demo.citylearn.test", "Theo", "a learner, 15"),
    DemoPerson("parent@demo.citylearn.test", "Paula Parent", "guardian of Kai, 11"),
    DemoPerson("kid@demo.citylearn.test", "Kai", "a learner, 11, with consent"),
)


def _years_ago(today: date, years: int) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28))


async def ensure(session: AsyncSession, *, now: datetime | None = None) -> list[DemoPerson]:
    """Creates the demo people that do not exist yet; returns all of them."""
    now = now or datetime.now(UTC)
    existing = set(
        await session.scalars(select(User.email).where(User.email.in_([p.email for p in PEOPLE])))
    )
    if len(existing) == len(PEOPLE):
        return list(PEOPLE)
    password_hash = passwords.hash_password(PASSWORD)
    users: dict[str, User] = {}
    for person in PEOPLE:
        if person.email in existing:
            continue
        user = User(
            email=person.email,
            password_hash=password_hash,
            display_name=person.name,
            email_verified_at=now,
            is_network_admin=person.email.startswith("admin@"),
        )
        session.add(user)
        users[person.email] = user
    await session.flush()
    if owner := users.get("owner@demo.citylearn.test"):
        org_id = await session.scalar(
            select(Organization.id)
            .where(Organization.status == OrganizationStatus.APPROVED.value)
            .order_by(Organization.id)
            .limit(1)
        )
        if org_id is not None:
            session.add(
                Membership(organization_id=org_id, user_id=owner.id, role=StaffRole.OWNER.value)
            )
    for email, age in (("teen@demo.citylearn.test", 15), ("kid@demo.citylearn.test", 11)):
        if learner := users.get(email):
            session.add(
                LearnerProfile(
                    user_id=learner.id,
                    birth_date=_years_ago(now.date(), age),
                    postal_code="60614",
                    handle=random.token_hex(8),
                )
            )
    await session.flush()
    teen, kid = users.get("teen@demo.citylearn.test"), users.get("kid@demo.citylearn.test")
    parent = users.get("parent@demo.citylearn.test")
    if teen is not None:
        await consent.grant(
            session,
            teen.id,
            ConsentPurpose.PARTICIPATION,
            granted_by=Actor(user_id=teen.id),
            method="self",
        )
    if kid is not None and parent is not None:
        session.add(Guardianship(guardian_id=parent.id, learner_id=kid.id))
        await session.flush()
        await consent.grant(
            session,
            kid.id,
            ConsentPurpose.PARTICIPATION,
            granted_by=Actor(user_id=parent.id, wards=frozenset({kid.id})),
            method="guardian_email",
        )
    return list(PEOPLE)
