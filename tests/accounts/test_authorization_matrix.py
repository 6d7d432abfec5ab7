"""Every mutation and every non-public query, called as every kind of caller: only the
callers the operation names succeed; the others get a top-level UNAUTHENTICATED or
FORBIDDEN error and change nothing.

The callers: anonymous; a learner; a guardian (of another child); staff of another
organization (its owner); staff of the right organization with too small a role; the
right role. Partner-system tokens are tried where an organization is involved.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry import relay

from schema.app import build_schema
from server.authz import Actor
from server.badges import awards, claims, classes, review
from server.db import session_scope
from server.models import AuditEvent, BadgeClass, Feed, ImportRun, Membership, User
from server.models.enums import ApiScope, AwardMethod, StaffRole
from server.settings import Settings
from server.stacks import applications, definitions
from tests import builders
from tests.accounts import people
from tests.accounts.people import ANONYMOUS, Caller


def gid(type_name: str, value: int) -> str:
    return str(relay.GlobalID(type_name, str(value)))


@dataclass
class World:
    settings: Settings
    ids: dict[str, int] = field(default_factory=dict)
    callers: dict[str, Caller] = field(default_factory=lambda: {"anonymous": ANONYMOUS})


@pytest.fixture(scope="module")
async def world(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    w = World(settings)
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        other = await people.organization(s)
        w.ids.update(org=org.id, other_org=other.id)
        roles = {
            "owner": StaffRole.OWNER,
            "manager": StaffRole.MANAGER,
            "issuer": StaffRole.ISSUER,
        }
        for key, role in roles.items():
            w.callers[key] = await people.signed_in(s, await people.staff(s, org, role), settings)
        w.callers["other_staff"] = await people.signed_in(
            s, await people.staff(s, other, StaffRole.OWNER), settings
        )
        w.callers["admin"] = await people.signed_in(
            s, await people.person(s, "Ada", admin=True), settings
        )
        learner = await people.learner(s)
        w.ids["learner"] = learner.id
        w.callers["learner"] = await people.signed_in(s, learner, settings)
        _, other_guardian = await people.child_with_guardian(s)
        w.callers["guardian"] = await people.signed_in(s, other_guardian, settings)
        subject = await people.learner(s, "Sol", age=15)
        w.ids["subject"] = subject.id
        w.callers["subject"] = await people.signed_in(s, subject, settings)
        child, guardian = await people.child_with_guardian(s)
        w.ids["child"] = child.id
        w.callers["child"] = await people.signed_in(s, child, settings)
        w.callers["child_guardian"] = await people.signed_in(s, guardian, settings)
        place = await builders.create_place(s, org, builders.OTHER_POINT)
        listing = await builders.create_opportunity(
            s, org, place, builders.OTHER_POINT, title="Matrix Listing", status="draft"
        )
        w.ids["listing"] = listing.id
        _, secret = await people.token(s, org, ApiScope.LISTINGS_WRITE, ApiScope.ORG_READ)
        w.callers["token"] = people.bearer(secret, "token of the organization")
        _, secret = await people.token(s, org, ApiScope.ORG_READ)
        w.callers["read_token"] = people.bearer(secret, "read-only token")
        _, secret = await people.token(s, other, ApiScope.LISTINGS_WRITE, ApiScope.ORG_READ)
        w.callers["other_token"] = people.bearer(secret, "token of another organization")
        # Badges: the organization issues; its badge token awards; a class to work on.
        org.is_issuer = True
        _, secret = await people.token(s, org, ApiScope.BADGES_ISSUE)
        w.callers["badge_token"] = people.bearer(secret, "badge token of the organization")
        designer = await people.staff(s, org, StaffRole.MANAGER, "Designer")
        w.ids["designer"] = designer.id
        w.ids["badge_class"] = (await _new_badge_class(s, w)).id
        # Stacks and gates: the organization's gating token, another's; the learner holds
        # the badge class, so a gate on it is open for them; a gated listing to read.
        _, secret = await people.token(s, org, ApiScope.GATED_WRITE)
        w.callers["gated_token"] = people.bearer(secret, "gating token of the organization")
        _, secret = await people.token(s, other, ApiScope.GATED_WRITE)
        w.callers["other_gated_token"] = people.bearer(secret, "gating token of another")
        await _award_to(s, w, learner.email)
        w.ids["gated"] = await _new_gated_listing(s, w)
    return w


async def _new_badge_class(s: AsyncSession, w: World) -> BadgeClass:
    designer = Actor(user_id=w.ids["designer"], roles={w.ids["org"]: StaffRole.MANAGER})
    return await classes.create(
        s,
        designer,
        w.ids["org"],
        classes.BadgeClassInput(
            name=people.unique("Matrix Badge"),
            description="For the matrix.",
            level="participation",
            earning=["claim_code", "roster", "review", "api"],
            criteria_narrative="Be there.",
        ),
    )


def _designer(w: World) -> Actor:
    return Actor(user_id=w.ids["designer"], roles={w.ids["org"]: StaffRole.MANAGER})


async def _new_listing(s: AsyncSession, w: World) -> int:
    org = await s.get(builders.Organization, w.ids["org"])
    assert org is not None
    place = await builders.create_place(s, org, builders.OTHER_POINT)
    listing = await builders.create_opportunity(
        s, org, place, builders.OTHER_POINT, title="Matrix Internship", min_age=14, max_age=24
    )
    return listing.id


async def _new_gated_listing(s: AsyncSession, w: World) -> int:
    listing = await _new_listing(s, w)
    await definitions.set_gate(
        s, _designer(w), listing, definitions.GateInput(rule={"badge": w.ids["badge_class"]})
    )
    return listing


Variables = Callable[[AsyncSession, World], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    variables: Variables
    allowed: tuple[str, ...]
    denied: tuple[str, ...]
    # The payload field whose `errors` must be empty on success (None for queries).
    payload: str | None = None


PEOPLE = ("anonymous", "learner", "guardian", "other_staff")
TOKENS = ("token", "other_token", "read_token")


async def _org(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"org": gid("Organization", w.ids["org"])}


async def _pending(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("Organization", (await people.organization(s, status="pending")).id)}


async def _invite(s: AsyncSession, w: World) -> dict[str, Any]:
    return {**await _org(s, w), "email": f"{people.unique('invitee')}@example.org"}


async def _member(s: AsyncSession, w: World) -> dict[str, Any]:
    org = await s.get(builders.Organization, w.ids["org"])
    assert org is not None
    user = await people.staff(s, org, StaffRole.ISSUER, "Temp")
    membership = await s.scalar(select(Membership.id).where(Membership.user_id == user.id))
    assert membership is not None
    return {"id": gid("StaffMember", membership)}


async def _token(s: AsyncSession, w: World) -> dict[str, Any]:
    org = await s.get(builders.Organization, w.ids["org"])
    assert org is not None
    made, _ = await people.token(s, org, ApiScope.ORG_READ)
    return {"id": gid("ApiToken", made.id)}


async def _listing(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("Opportunity", w.ids["listing"])}


async def _feed_url(s: AsyncSession, w: World) -> dict[str, Any]:
    return {**await _org(s, w), "url": f"https://example.org/{people.unique('cal')}.ics"}


async def _feed(s: AsyncSession, w: World) -> dict[str, Any]:
    feed = Feed(
        organization_id=w.ids["org"],
        format="ical",
        url=f"https://example.org/{people.unique('f')}.ics",
    )
    s.add(feed)
    await s.flush()
    return {"id": gid("Feed", feed.id)}


async def _held_run(s: AsyncSession, w: World) -> dict[str, Any]:
    run = ImportRun(
        organization_id=w.ids["org"], source="csv", outcome="held", held_removals=["gone-1"]
    )
    s.add(run)
    await s.flush()
    return {"id": gid("ImportRun", run.id)}


def _learner(key: str) -> Variables:
    async def variables(s: AsyncSession, w: World) -> dict[str, Any]:
        return {"id": gid("Account", w.ids[key])}

    return variables


async def _doomed_teen(s: AsyncSession, w: World) -> dict[str, Any]:
    teen = await people.learner(s, "Doomed", age=16)
    w.callers["doomed"] = await people.signed_in(s, teen, w.settings)
    return {"id": gid("Account", teen.id)}


async def _doomed_child(s: AsyncSession, w: World) -> dict[str, Any]:
    child, guardian = await people.child_with_guardian(s)
    w.callers["doomed_guardian"] = await people.signed_in(s, guardian, w.settings)
    return {"id": gid("Account", child.id)}


SETTINGS_FIELDS = "learnerId visibility consents errors { code }"

OPERATIONS = [
    Operation(
        "organizationApply",
        'mutation { organizationApply(input: {name: "Matrix Makers", kind: LIBRARY}) '
        "{ organization { id } errors { code } } }",
        lambda s, w: _none(),
        allowed=("learner", "guardian", "owner"),
        denied=("anonymous", "token"),
        payload="organizationApply",
    ),
    Operation(
        "organizationApprove",
        "mutation($id: ID!) { organizationApprove(id: $id) "
        "{ organization { id } errors { code } } }",
        _pending,
        allowed=("admin",),
        denied=(*PEOPLE, "owner", "token"),
        payload="organizationApprove",
    ),
    Operation(
        "organizationDecline",
        'mutation($id: ID!) { organizationDecline(id: $id, reason: "Outside the city") '
        "{ organization { id } errors { code } } }",
        _pending,
        allowed=("admin",),
        denied=(*PEOPLE, "owner", "token"),
        payload="organizationDecline",
    ),
    Operation(
        "staffInvite",
        "mutation($org: ID!, $email: String!) { staffInvite(organizationId: $org, "
        "email: $email, role: ISSUER) { invitation { id } errors { code } } }",
        _invite,
        allowed=("owner",),
        denied=(*PEOPLE, "manager", "token"),
        payload="staffInvite",
    ),
    Operation(
        "staffRoleChange",
        "mutation($id: ID!) { staffRoleChange(membershipId: $id, role: MANAGER) "
        "{ staffMember { role } errors { code } } }",
        _member,
        allowed=("owner",),
        denied=(*PEOPLE, "manager", "token"),
        payload="staffRoleChange",
    ),
    Operation(
        "staffRemove",
        "mutation($id: ID!) { staffRemove(membershipId: $id) { deletedId errors { code } } }",
        _member,
        allowed=("owner",),
        denied=(*PEOPLE, "manager", "token"),
        payload="staffRemove",
    ),
    Operation(
        "apiTokenCreate",
        'mutation($org: ID!) { apiTokenCreate(organizationId: $org, name: "Feed bot", '
        "scopes: [LISTINGS_WRITE]) { secret apiToken { id } errors { code } } }",
        _org,
        allowed=("manager", "owner"),
        denied=(*PEOPLE, "issuer", *TOKENS),
        payload="apiTokenCreate",
    ),
    Operation(
        "apiTokenRevoke",
        "mutation($id: ID!) { apiTokenRevoke(id: $id) { apiToken { revokedAt } errors { code } } }",
        _token,
        allowed=("manager",),
        denied=(*PEOPLE, "issuer", *TOKENS),
        payload="apiTokenRevoke",
    ),
    Operation(
        "opportunitySetStatus",
        "mutation($id: ID!) { opportunitySetStatus(id: $id, status: DRAFT) "
        "{ status errors { code } } }",
        _listing,
        allowed=("manager", "token"),
        denied=(*PEOPLE, "issuer", "other_token", "read_token"),
        payload="opportunitySetStatus",
    ),
    Operation(
        "opportunitiesUpsert",
        "mutation($org: ID!) { opportunitiesUpsert(organizationId: $org, listings: "
        '[{externalId: "matrix-push", title: "Matrix Online Club", delivery: ONLINE}]) '
        "{ created unchanged errors { code } } }",
        _org,
        allowed=("manager", "token"),
        denied=(*PEOPLE, "issuer", "other_token", "read_token"),
        payload="opportunitiesUpsert",
    ),
    Operation(
        "opportunitiesImportCsv",
        "mutation($org: ID!) { opportunitiesImportCsv(organizationId: $org, "
        'csv: "external_id,title\\n", dryRun: true) { created errors { code } } }',
        _org,
        allowed=("manager", "token"),
        denied=(*PEOPLE, "issuer", "other_token", "read_token"),
        payload="opportunitiesImportCsv",
    ),
    Operation(
        "feedRegister",
        "mutation($org: ID!, $url: String!) { feedRegister(organizationId: $org, format: ICAL, "
        "url: $url) { feed { id } errors { code } } }",
        _feed_url,
        allowed=("manager", "token"),
        denied=(*PEOPLE, "issuer", "other_token", "read_token"),
        payload="feedRegister",
    ),
    *(
        Operation(
            name,
            f"mutation($id: ID!) {{ {name}(id: $id) {{ errors {{ code }} }} }}",
            _feed,
            allowed=("manager", "token"),
            denied=(*PEOPLE, "issuer", "other_token", "read_token"),
            payload=name,
        )
        for name in ("feedHarvestNow", "feedEnable", "feedRemove")
    ),
    Operation(
        "importConfirmRemovals",
        "mutation($id: ID!) { importConfirmRemovals(runId: $id) { removed errors { code } } }",
        _held_run,
        allowed=("manager", "token"),
        denied=(*PEOPLE, "issuer", "other_token", "read_token"),
        payload="importConfirmRemovals",
    ),
    Operation(
        "learnerVisibilitySet (13 and over)",
        "mutation($id: ID!) { learnerVisibilitySet(learnerId: $id, visibility: NETWORK) "
        f"{{ {SETTINGS_FIELDS} }} }}",
        _learner("subject"),
        allowed=("subject",),
        denied=(*PEOPLE, "owner", "token"),
        payload="learnerVisibilitySet",
    ),
    Operation(
        "learnerVisibilitySet (under 13)",
        "mutation($id: ID!) { learnerVisibilitySet(learnerId: $id, visibility: PRIVATE) "
        f"{{ {SETTINGS_FIELDS} }} }}",
        _learner("child"),
        allowed=("child_guardian",),
        denied=(*PEOPLE, "child", "token"),
        payload="learnerVisibilitySet",
    ),
    Operation(
        "consentGrant",
        "mutation($id: ID!) { consentGrant(learnerId: $id, purpose: SHARE_WITH_EMPLOYERS) "
        f"{{ {SETTINGS_FIELDS} }} }}",
        _learner("child"),
        allowed=("child_guardian",),
        denied=(*PEOPLE, "child", "token"),
        payload="consentGrant",
    ),
    Operation(
        "consentWithdraw",
        "mutation($id: ID!) { consentWithdraw(learnerId: $id, purpose: SHARE_WITH_EMPLOYERS) "
        f"{{ {SETTINGS_FIELDS} }} }}",
        _learner("subject"),
        allowed=("subject",),
        denied=(*PEOPLE, "owner", "token"),
        payload="consentWithdraw",
    ),
    Operation(
        "accountDelete (own)",
        "mutation($id: ID!) { accountDelete(userId: $id) { deletedId errors { code } } }",
        _doomed_teen,
        allowed=("doomed",),
        denied=(*PEOPLE, "owner", "token"),
        payload="accountDelete",
    ),
    Operation(
        "accountDelete (a child, by the guardian)",
        "mutation($id: ID!) { accountDelete(userId: $id) { deletedId errors { code } } }",
        _doomed_child,
        allowed=("doomed_guardian",),
        denied=(*PEOPLE, "child_guardian", "token"),
        payload="accountDelete",
    ),
    Operation(
        "organizationAdmin",
        "query($org: ID!) { organizationAdmin(organizationId: $org) "
        "{ organization { slug } staff { role } } }",
        _org,
        allowed=("issuer", "owner", "read_token"),
        denied=(*PEOPLE, "other_token"),
    ),
    Operation(
        "pendingOrganizations",
        "{ pendingOrganizations { id } }",
        lambda s, w: _none(),
        allowed=("admin",),
        denied=(*PEOPLE, "owner", "token"),
    ),
    Operation(
        "accountExport",
        "query($id: ID!) { accountExport(userId: $id) }",
        _learner("child"),
        allowed=("child_guardian", "child"),
        denied=(*PEOPLE, "owner", "token"),
    ),
]


# --- badges ------------------------------------------------------------------------------
BADGE_CLASS_INPUT = (
    'input: {name: "Matrix", description: "d", level: SKILL, earning: [API], '
    'criteriaNarrative: "c"}'
)


async def _badge_class(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("BadgeClass", w.ids["badge_class"])}


async def _fresh_badge_class(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("BadgeClass", (await _new_badge_class(s, w)).id)}


async def _endorse(s: AsyncSession, w: World) -> dict[str, Any]:
    return {**await _fresh_badge_class(s, w), "endorser": gid("Organization", w.ids["other_org"])}


async def _award_to(s: AsyncSession, w: World, email: str) -> str:
    staff = Actor(user_id=w.ids["designer"], roles={w.ids["org"]: StaffRole.MANAGER})
    done = await awards.award_many(
        s,
        staff,
        w.ids["org"],
        [awards.AwardRequest(w.ids["badge_class"], email)],
        method=AwardMethod.API,
        now=_now(),
    )
    assert done[0].assertion_id is not None
    return str(relay.GlobalID("Award", str(done[0].assertion_id)))


async def _fresh_award(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": await _award_to(s, w, f"{people.unique('matrix')}@example.org")}


def _award_of(key: str) -> Variables:
    async def variables(s: AsyncSession, w: World) -> dict[str, Any]:
        user = await s.get(User, w.ids[key])
        assert user is not None
        return {"id": await _award_to(s, w, user.email)}

    return variables


async def _fresh_code(s: AsyncSession, w: World) -> dict[str, Any]:
    staff = Actor(user_id=w.ids["designer"], roles={w.ids["org"]: StaffRole.MANAGER})
    start = _now()
    code = await claims.open_code(
        s,
        staff,
        w.ids["badge_class"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        max_uses=100,
    )
    return {"id": gid("ClaimCode", code.id), "code": code.code, "email": "walkup@example.org"}


async def _fresh_submission(s: AsyncSession, w: World) -> dict[str, Any]:
    learner = await people.learner(s, "Submitter")
    submission = await review.submit(
        s, Actor(user_id=learner.id), w.ids["badge_class"], now=_now(), narrative="My work"
    )
    return {"id": gid("EvidenceSubmission", submission.id)}


def _now() -> datetime:
    return datetime.now(UTC)


BADGE_OPERATIONS = [
    Operation(
        "badgeClassCreate",
        f"mutation($org: ID!) {{ badgeClassCreate(organizationId: $org, {BADGE_CLASS_INPUT}) "
        "{ badgeClass { id } errors { code } } }",
        _org,
        allowed=("manager", "owner"),
        denied=(*PEOPLE, "issuer", "token", "badge_token", "other_token"),
    ),
    Operation(
        "badgeClassUpdate",
        f"mutation($id: ID!) {{ badgeClassUpdate(id: $id, {BADGE_CLASS_INPUT}) "
        "{ badgeClass { id } errors { code } } }",
        _fresh_badge_class,
        allowed=("manager", "owner"),
        denied=(*PEOPLE, "issuer", "badge_token"),
    ),
    Operation(
        "badgeClassArchive",
        "mutation($id: ID!) { badgeClassArchive(id: $id) { badgeClass { archived } "
        "errors { code } } }",
        _fresh_badge_class,
        allowed=("manager",),
        denied=(*PEOPLE, "issuer", "badge_token"),
    ),
    Operation(
        "badgeClassEndorse",
        "mutation($id: ID!, $endorser: ID!) { badgeClassEndorse(id: $id, endorserId: $endorser, "
        'comment: "We hire for this.") { endorsed errors { code } } }',
        _endorse,
        allowed=("other_staff",),
        denied=("anonymous", "learner", "guardian", "owner", "issuer", "token", "other_token"),
    ),
    Operation(
        "badgesAward",
        "mutation($org: ID!, $awards: [AwardInput!]!) { badgesAward(organizationId: $org, "
        "awards: $awards) { results { created errors { code } } errors { code } } }",
        lambda s, w: _awards_variables(w),
        allowed=("issuer", "manager", "owner", "badge_token"),
        denied=(*PEOPLE, "token", "other_token", "read_token"),
    ),
    Operation(
        "badgeRevoke",
        'mutation($id: ID!) { badgeRevoke(id: $id, reason: "Matrix") { award { revoked } '
        "errors { code } } }",
        _fresh_award,
        allowed=("issuer", "badge_token"),
        denied=(*PEOPLE, "token", "other_token"),
    ),
    Operation(
        "claimCodeOpen",
        'mutation($id: ID!) { claimCodeOpen(badgeClassId: $id, startsAt: "2026-01-01T10:00:00Z", '
        'endsAt: "2026-01-01T12:00:00Z", maxUses: 30) { claimCode { code } errors { code } } }',
        _badge_class,
        allowed=("issuer", "owner"),
        denied=(*PEOPLE, "token", "badge_token"),
    ),
    Operation(
        "claimCodeClose",
        "mutation($id: ID!) { claimCodeClose(id: $id) { claimCode { closed } errors { code } } }",
        _fresh_code,
        allowed=("issuer",),
        denied=(*PEOPLE, "badge_token"),
    ),
    Operation(
        "badgeClaim",
        "mutation($code: String!, $email: String) { badgeClaim(code: $code, email: $email) "
        "{ created errors { code } } }",
        _fresh_code,
        allowed=("anonymous", "learner", "subject"),
        denied=("token", "badge_token", "other_token"),
    ),
    Operation(
        "rosterAward",
        'mutation($id: ID!) { rosterAward(badgeClassId: $id, emails: "a@example.org") '
        "{ lines { outcome } errors { code } } }",
        _badge_class,
        allowed=("issuer", "manager"),
        denied=(*PEOPLE, "token", "badge_token"),
    ),
    Operation(
        "evidenceSubmit",
        'mutation($id: ID!) { evidenceSubmit(badgeClassId: $id, narrative: "My poster") '
        "{ submission { status } errors { code } } }",
        _fresh_badge_class,
        allowed=("learner", "subject", "child"),
        denied=("anonymous", "token", "badge_token"),
    ),
    Operation(
        "evidenceApprove",
        "mutation($id: ID!) { evidenceApprove(id: $id) { submission { status } errors { code } } }",
        _fresh_submission,
        allowed=("issuer", "owner"),
        denied=(*PEOPLE, "badge_token", "token"),
    ),
    Operation(
        "evidenceReturn",
        'mutation($id: ID!) { evidenceReturn(id: $id, feedback: "Add a photo") '
        "{ submission { status } errors { code } } }",
        _fresh_submission,
        allowed=("issuer",),
        denied=(*PEOPLE, "badge_token"),
    ),
    Operation(
        "badgeVisibilitySet (13 and over)",
        "mutation($id: ID!) { badgeVisibilitySet(id: $id, visibility: PUBLIC) "
        "{ award { visibility } errors { code } } }",
        _award_of("subject"),
        allowed=("subject",),
        denied=(*PEOPLE, "owner", "issuer", "badge_token"),
        payload="badgeVisibilitySet",
    ),
    Operation(
        "badgeVisibilitySet (under 13)",
        "mutation($id: ID!) { badgeVisibilitySet(id: $id, visibility: NETWORK) "
        "{ award { visibility } errors { code } } }",
        _award_of("child"),
        allowed=("child_guardian",),
        denied=(*PEOPLE, "child", "issuer", "badge_token"),
        payload="badgeVisibilitySet",
    ),
    Operation(
        "myBadges",
        "{ myBadges { id } }",
        lambda s, w: _none(),
        allowed=("learner", "child"),
        denied=("anonymous", "token", "badge_token"),
    ),
]


# --- stacks, gates, applications ---------------------------------------------------------
STACK_INPUT = 'input: {name: "Matrix Stack", rule: $rule}'


async def _stack_org(s: AsyncSession, w: World) -> dict[str, Any]:
    return {**await _org(s, w), "rule": json.dumps({"all_of": [{"badge": w.ids["badge_class"]}]})}


async def _new_stack(s: AsyncSession, w: World, badge_class_id: int) -> int:
    stack = await definitions.create_stack(
        s,
        _designer(w),
        w.ids["org"],
        definitions.StackInput(name=people.unique("Stack"), rule={"badge": badge_class_id}),
    )
    return stack.id


async def _fresh_stack(s: AsyncSession, w: World) -> dict[str, Any]:
    stack = await _new_stack(s, w, w.ids["badge_class"])
    return {"id": gid("Stack", stack), "rule": json.dumps({"badge": w.ids["badge_class"]})}


async def _fresh_stack_id(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("Stack", await _new_stack(s, w, w.ids["badge_class"]))}


async def _fresh_listing(s: AsyncSession, w: World) -> dict[str, Any]:
    return {
        "id": gid("Opportunity", await _new_listing(s, w)),
        "rule": json.dumps({"badge": w.ids["badge_class"]}),
    }


async def _fresh_gated(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("Opportunity", await _new_gated_listing(s, w))}


async def _gated(s: AsyncSession, w: World) -> dict[str, Any]:
    return {"id": gid("Opportunity", w.ids["gated"])}


async def _mapped_class(s: AsyncSession, w: World) -> dict[str, Any]:
    # A badge class one of the organization's stacks names, and a badge from elsewhere.
    badge_class = await _new_badge_class(s, w)
    await _new_stack(s, w, badge_class.id)
    return {
        "id": gid("BadgeClass", badge_class.id),
        "achievement": f"https://elsewhere.example.org/achievements/{people.unique('a')}",
    }


async def _fresh_application(s: AsyncSession, w: World) -> dict[str, Any]:
    listing = await _new_gated_listing(s, w)
    application = await applications.apply(
        s, Actor(user_id=w.ids["learner"]), listing, shared=[], message=None, now=_now()
    )
    return {"id": gid("Application", application.id)}


STACK_OPERATIONS = [
    Operation(
        "stackCreate",
        f"mutation($org: ID!, $rule: String!) {{ stackCreate(organizationId: $org, {STACK_INPUT}) "
        "{ stack { id } errors { code } } }",
        _stack_org,
        allowed=("manager", "owner", "admin"),
        denied=(*PEOPLE, "issuer", "token", "gated_token", "other_token"),
        payload="stackCreate",
    ),
    Operation(
        "stackUpdate",
        f"mutation($id: ID!, $rule: String!) {{ stackUpdate(stackId: $id, {STACK_INPUT}) "
        "{ stack { id } errors { code } } }",
        _fresh_stack,
        allowed=("manager", "admin"),
        denied=(*PEOPLE, "issuer", "gated_token"),
        payload="stackUpdate",
    ),
    Operation(
        "stackArchive",
        "mutation($id: ID!) { stackArchive(stackId: $id) { stack { status } errors { code } } }",
        _fresh_stack_id,
        allowed=("manager", "admin"),
        denied=(*PEOPLE, "issuer", "gated_token"),
        payload="stackArchive",
    ),
    Operation(
        "gateSet",
        "mutation($id: ID!, $rule: String!) { gateSet(opportunityId: $id, input: {rule: $rule}) "
        "{ gate { locked } errors { code } } }",
        _fresh_listing,
        allowed=("manager", "gated_token", "admin"),
        denied=(*PEOPLE, "issuer", "token", "other_gated_token"),
        payload="gateSet",
    ),
    Operation(
        "gateRemove",
        "mutation($id: ID!) { gateRemove(opportunityId: $id) { opportunityId errors { code } } }",
        _fresh_gated,
        allowed=("manager", "gated_token", "admin"),
        denied=(*PEOPLE, "issuer", "token", "other_gated_token"),
        payload="gateRemove",
    ),
    Operation(
        "badgeEquivalenceAdd",
        "mutation($id: ID!, $achievement: String) { badgeEquivalenceAdd(badgeClassId: $id, "
        "achievementId: $achievement) { equivalence { id } errors { code } } }",
        _mapped_class,
        allowed=("manager", "owner", "admin"),
        denied=(*PEOPLE, "issuer", "token", "gated_token"),
        payload="badgeEquivalenceAdd",
    ),
    Operation(
        "applicationSubmit",
        "mutation($id: ID!) { applicationSubmit(opportunityId: $id) "
        "{ application { status } errors { code } } }",
        _fresh_gated,
        allowed=("learner",),
        denied=("anonymous", "guardian", "other_staff", "owner", "token", "gated_token"),
        payload="applicationSubmit",
    ),
    Operation(
        "applicationWithdraw",
        "mutation($id: ID!) { applicationWithdraw(applicationId: $id) "
        "{ application { status } errors { code } } }",
        _fresh_application,
        allowed=("learner",),
        denied=("anonymous", "guardian", "other_staff", "subject", "manager", "gated_token"),
        payload="applicationWithdraw",
    ),
    Operation(
        "applicationDecide",
        "mutation($id: ID!) { applicationDecide(applicationId: $id, status: WAITLISTED) "
        "{ application { status } errors { code } } }",
        _fresh_application,
        allowed=("manager", "owner"),
        denied=(*PEOPLE, "issuer", "admin", "token", "gated_token"),
        payload="applicationDecide",
    ),
    *(
        Operation(
            name,
            document,
            lambda s, w: _none(),
            allowed=("learner", "child"),
            denied=("anonymous", "token", "gated_token"),
        )
        for name, document in (
            ("myStacks", "{ myStacks { stacks { name } gates { name } } }"),
            ("myUnlocks", "{ myUnlocks { title } }"),
            ("nextBestBadges", "{ nextBestBadges { badge { name } } }"),
            ("myApplications", "{ myApplications { status } }"),
        )
    ),
    Operation(
        "gateApplicants",
        "query($id: ID!) { gateApplicants(opportunityId: $id) { displayName ruleMet } }",
        _gated,
        allowed=("manager", "owner"),
        denied=(*PEOPLE, "issuer", "admin", "token", "gated_token"),
    ),
]


async def _awards_variables(w: World) -> dict[str, Any]:
    return {
        "org": gid("Organization", w.ids["org"]),
        "awards": [
            {
                "badgeClassId": gid("BadgeClass", w.ids["badge_class"]),
                "recipientEmail": f"{people.unique('bulk')}@example.org",
            }
        ],
    }


async def _none() -> dict[str, Any]:
    return {}


def _field(op: Operation) -> str:
    return op.payload or op.document.split("{", 2)[1].split("(")[0].split("{")[0].strip()


async def _audit_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as s:
        return len((await s.scalars(select(AuditEvent.id))).all())


# Each badge mutation's success must also come back without errors in its payload.
OPERATIONS += [
    op if op.payload or op.document.startswith("{") else dataclasses.replace(op, payload=_field(op))
    for op in BADGE_OPERATIONS
]
OPERATIONS += STACK_OPERATIONS


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
async def test_only_the_named_callers_succeed(
    op: Operation,
    world: World,
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    name = _field(op)
    for key in op.denied:
        async with session_scope(sessionmaker) as s:
            variables = await op.variables(s, world)
        before = await _audit_count(sessionmaker)
        body = await world.callers[key].call(client, op.document, variables)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes and set(codes) <= {"UNAUTHENTICATED", "FORBIDDEN"}, (key, body)
        assert (body.get("data") or {}).get(name) is None, (key, body)
        assert await _audit_count(sessionmaker) == before, (key, "a refused call wrote")
    for key in op.allowed:
        async with session_scope(sessionmaker) as s:
            variables = await op.variables(s, world)
        body = await world.callers[key].call(client, op.document, variables)
        assert "errors" not in body, (key, body)
        result = body["data"][name]
        assert result is not None, (key, body)
        if op.payload:
            assert result["errors"] == [], (key, body)


PUBLIC_QUERIES = {
    "node",
    "opportunity",
    "opportunities",
    "organization",
    "organizations",
    "topics",
    "mapClusters",
    "me",
    "badgeClasses",
}


def test_every_mutation_and_private_query_is_in_the_matrix(settings: Settings) -> None:
    graphql = build_schema(settings)._schema
    assert graphql.mutation_type is not None
    covered = {_field(op) for op in OPERATIONS}
    assert set(graphql.mutation_type.fields) <= covered
    assert set(graphql.query_type.fields) - PUBLIC_QUERIES <= covered


def test_every_mutation_names_a_permission_class(settings: Settings) -> None:
    mutation = build_schema(settings).get_type_by_name("Mutation")
    assert mutation is not None
    for strawberry_field in mutation.fields:  # type: ignore[union-attr]
        assert strawberry_field.permission_classes, f"{strawberry_field.name} names no rule"


async def test_refusals_happen_before_any_lookup(world: World, client: httpx.AsyncClient) -> None:
    # An anonymous caller probing ids learns nothing: the same error for any id.
    document = "mutation($id: ID!) { apiTokenRevoke(id: $id) { errors { code } } }"
    real = await ANONYMOUS.call(client, document, {"id": gid("ApiToken", 1)})
    fake = await ANONYMOUS.call(client, document, {"id": gid("ApiToken", 999_999)})
    assert real["errors"][0]["message"] == fake["errors"][0]["message"] == "sign in first"


async def test_a_child_cannot_apply_for_an_organization(
    world: World, client: httpx.AsyncClient
) -> None:
    document = (
        'mutation { organizationApply(input: {name: "Kid Co", kind: NONPROFIT}) '
        "{ organization { id } errors { code } } }"
    )
    body = await world.callers["child"].call(client, document)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (body.get("data") or {}).get("organizationApply") is None


def test_reserved_words_never_become_slugs() -> None:
    from server.orgs.service import slugify

    assert slugify("Apply") == "apply-org"
    assert slugify("Hyde Park Art Center") == "hyde-park-art-center"
