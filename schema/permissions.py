"""Permission classes: every mutation and every non-public query names one, and each
calls the one rule in server/authz.py. A refusal is a top-level GraphQL error with
extensions.code UNAUTHENTICATED, FORBIDDEN or NOT_FOUND; nothing else runs.

The organization a rule is about comes from the field's arguments: directly
(`organizationId`) or through the object an id names (a staff member, an API token, a
listing), read with the request's database session.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry import relay
from strawberry.permission import BasePermission
from strawberry.types import Info

from schema.context import Context
from schema.errors import domain_errors
from server.authz import (
    require_admin,
    require_learner_authority,
    require_org_role,
    require_person,
)
from server.catalog import service as catalog
from server.errors import InvalidInput, NotFound
from server.models.enums import ApiScope, StaffRole
from server.orgs import api_tokens
from server.orgs import service as orgs
from server.privacy import learners


def pk(global_id: relay.GlobalID, type_name: str, *, field: str = "id") -> int:
    """The database id inside a global id of the expected type."""
    try:
        if global_id.type_name == type_name:
            return int(global_id.node_id)
    except ValueError:
        pass
    raise InvalidInput(f"not a valid {type_name} id", field=field)


class Rule(BasePermission):
    """Runs `check`; a domain error becomes the GraphQL error the caller sees."""

    message = "not allowed"

    async def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        with domain_errors():
            await self.check(info.context, kwargs)
        return True

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        raise NotImplementedError


class SignedInPerson(Rule):
    """Any signed-in person (not an API token)."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        require_person(context.actor)


class NetworkAdmin(Rule):
    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        require_admin(context.actor)


class OrganizationRule(Rule):
    """Staff of the organization with at least `role`, or a token with `scope`."""

    role: ClassVar[StaffRole]
    scope: ClassVar[ApiScope | None] = None

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        actor = context.actor
        if self.scope is None or actor.token_id is None:
            require_person(actor)
        organization_id = await self.organization(context, arguments)
        if organization_id is None:
            raise NotFound("no such object", field="id")
        require_org_role(actor, organization_id, self.role, scope=self.scope)

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        return pk(arguments["organization_id"], "Organization", field="organizationId")


class OrganizationRuleOrAdmin(OrganizationRule):
    """As OrganizationRule, and network admins (signed in, never a token) for any
    organization; the service re-checks and says when the object does not exist."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        if context.actor.is_admin and context.actor.token_id is None:
            return
        await super().check(context, arguments)


class OwnerOfOrganization(OrganizationRule):
    role = StaffRole.OWNER


class ManagerOfOrganization(OrganizationRule):
    role = StaffRole.MANAGER


class StaffOfOrganization(OrganizationRule):
    """Any staff role, or a token that may read the organization's own data."""

    role = StaffRole.ISSUER
    scope = ApiScope.ORG_READ


class OwnerOfStaffMember(OrganizationRule):
    role = StaffRole.OWNER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        membership_id = pk(arguments["membership_id"], "StaffMember", field="membershipId")
        async with context.db.use() as session:
            return await orgs.organization_of_membership(session, membership_id)


class ManagerOfApiToken(OrganizationRule):
    role = StaffRole.MANAGER

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        token_id = pk(arguments["id"], "ApiToken")
        async with context.db.use() as session:
            return await api_tokens.organization_of(session, token_id)


class ListingWriter(OrganizationRule):
    """The listing's organization's managers, or its systems with the listings scope."""

    role = StaffRole.MANAGER
    scope = ApiScope.LISTINGS_WRITE

    async def organization(self, context: Context, arguments: dict[str, Any]) -> int | None:
        opportunity_id = pk(arguments["id"], "Opportunity")
        async with context.db.use() as session:
            return await catalog.organization_of_listing(session, opportunity_id)


class LearnerDecides(Rule):
    """The learner's own decision from 13; before that their guardian's."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        require_person(context.actor)
        learner_id = pk(arguments["learner_id"], "Account", field="learnerId")
        async with context.db.use() as session:
            learner = await learners.get(session, learner_id)
        require_learner_authority(context.actor, learner_id, is_child=learner.is_child(context.now))


class PersonOrGuardian(Rule):
    """The person themself, or a guardian while the person is a child under 13."""

    async def check(self, context: Context, arguments: dict[str, Any]) -> None:
        user_id = require_person(context.actor)
        target = pk(arguments["user_id"], "Account", field="userId")
        if target == user_id:
            return
        async with context.db.use() as session:
            learner = await learners.find(session, target)
        require_learner_authority(
            context.actor, target, is_child=learner is not None and learner.is_child(context.now)
        )
