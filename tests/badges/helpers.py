"""Builders for badge tests: an issuing organization with staff, badge classes, learners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.authz import Actor
from server.badges import classes
from server.models import BadgeClass, Organization, User
from server.models.enums import ApiScope, StaffRole
from tests.accounts import people


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Issuer:
    organization: Organization
    manager: User
    staff: User
    token_id: int

    @property
    def manager_actor(self) -> Actor:
        return Actor(user_id=self.manager.id, roles={self.organization.id: StaffRole.MANAGER})

    @property
    def staff_actor(self) -> Actor:
        return Actor(user_id=self.staff.id, roles={self.organization.id: StaffRole.ISSUER})

    def token_actor(self, *scopes: ApiScope) -> Actor:
        """The organization's API token, carrying `scopes`."""
        return Actor(
            token_id=self.token_id,
            token_organization_id=self.organization.id,
            scopes=frozenset(scopes),
        )


async def issuer(session: AsyncSession, *, website: str | None = None) -> Issuer:
    organization = await people.organization(session)
    organization.is_issuer = True
    organization.website = website
    manager = await people.staff(session, organization, StaffRole.MANAGER, "Morgan")
    staff = await people.staff(session, organization, StaffRole.ISSUER, "Izzy")
    token, _ = await people.token(session, organization, ApiScope.BADGES_ISSUE)
    return Issuer(organization, manager, staff, token.id)


def design(**fields: object) -> classes.BadgeClassInput:
    values: dict[str, object] = {
        "name": "Bike Mechanic",
        "description": "Fixed a flat and adjusted brakes on a real bike.",
        "level": "skill",
        "earning": ["claim_code", "roster", "review", "api"],
        "criteria_narrative": "Fix a flat tire and adjust the brakes with a mentor watching.",
    }
    values.update(fields)
    return classes.BadgeClassInput(**values)  # type: ignore[arg-type]


async def badge_class(session: AsyncSession, issuer: Issuer, **fields: object) -> BadgeClass:
    return await classes.create(
        session, issuer.manager_actor, issuer.organization.id, design(**fields)
    )


def as_person(user: User) -> Actor:
    return Actor(user_id=user.id)
