"""Who is acting, and the one place that says what each kind of actor may do.

Every service that changes something takes an `Actor` and calls one of the `require_*`
functions below; GraphQL permission classes (schema/permissions.py) call the same
functions before a resolver runs, and the web pages go through the services. So the
API, the pages and the workers cannot disagree about who may do what.

Actors:
- anonymous: nobody signed in;
- a person (web session cookie): a learner, a guardian, staff of organizations (with a
  role in each, see StaffRole), a network admin; one person can be several of these;
- a partner system (API token): acts for one organization within the token's scopes.
  A token never acts as a person: no learner data, no staff management.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Forbidden, Unauthenticated
from server.models import Guardianship, Membership, Organization, User
from server.models.enums import ROLE_RANK, ApiScope, OrganizationStatus, StaffRole


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    display_name: str | None = None
    is_admin: bool = False
    # Organization id -> the person's role there (approved and pending organizations).
    roles: Mapping[int, StaffRole] = field(default_factory=dict)
    # Children whose guardian this person is.
    wards: frozenset[int] = frozenset()
    # Set when a partner system calls with an API token.
    token_id: int | None = None
    token_organization_id: int | None = None
    scopes: frozenset[ApiScope] = frozenset()
    ip: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.token_id is None

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Actor()


async def load_person(session: AsyncSession, user: User, *, ip: str | None = None) -> Actor:
    """The actor for a signed-in person: their roles and wards in two small reads."""
    memberships = await session.execute(
        select(Membership.organization_id, Membership.role).where(Membership.user_id == user.id)
    )
    wards = await session.scalars(
        select(Guardianship.learner_id).where(Guardianship.guardian_id == user.id)
    )
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        is_admin=user.is_network_admin,
        roles={org_id: StaffRole(role) for org_id, role in memberships},
        wards=frozenset(wards),
        ip=ip,
    )


def require_person(actor: Actor) -> int:
    """A signed-in person (not a token); returns their user id."""
    if actor.user_id is None:
        if actor.token_id is not None:
            raise Forbidden("an API token cannot do this; sign in as a person")
        raise Unauthenticated("sign in first")
    return actor.user_id


def require_admin(actor: Actor) -> int:
    user_id = require_person(actor)
    if not actor.is_admin:
        raise Forbidden("only network admins can do this")
    return user_id


def has_org_role(actor: Actor, organization_id: int, role: StaffRole) -> bool:
    held = actor.roles.get(organization_id)
    return held is not None and ROLE_RANK[held] >= ROLE_RANK[role]


def require_org_role(
    actor: Actor, organization_id: int, role: StaffRole, *, scope: ApiScope | None = None
) -> None:
    """Staff of the organization with at least `role`; or, when `scope` is given, an API
    token of that organization carrying the scope."""
    if actor.token_id is not None:
        if scope is None:
            raise Forbidden("an API token cannot do this; sign in as a person")
        if actor.token_organization_id != organization_id or scope not in actor.scopes:
            raise Forbidden(f"this token lacks the {scope.value} scope for that organization")
        return
    require_person(actor)
    if not has_org_role(actor, organization_id, role):
        raise Forbidden(f"this needs the {role.value} role in that organization")


def require_active_organization(organization: Organization) -> None:
    """Staff of a pending, declined or suspended organization cannot act for it yet."""
    if organization.status != OrganizationStatus.APPROVED.value:
        raise Forbidden("the organization is not approved", code="ORGANIZATION_NOT_APPROVED")


def require_learner_authority(actor: Actor, learner_id: int, *, is_child: bool) -> int:
    """Decisions about a learner's own data: while the learner is under 13 only a guardian
    decides; from 13 the learner does. Returns the acting user's id."""
    user_id = require_person(actor)
    if is_child and learner_id in actor.wards:
        return user_id
    if not is_child and user_id == learner_id:
        return user_id
    if is_child and user_id == learner_id:
        raise Forbidden("a parent or guardian decides this for learners under 13")
    raise Forbidden("only the learner, or a guardian while they are under 13, can do this")


def can_see_learner_data(actor: Actor, learner_id: int, *, is_child: bool) -> bool:
    """Seeing and exporting a learner's data: the learner, and their guardians while the
    learner is under 13."""
    return actor.user_id is not None and (
        actor.user_id == learner_id or (is_child and learner_id in actor.wards)
    )
