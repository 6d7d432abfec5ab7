"""How callers identify themselves to /graphql: API tokens (scoped, shown once, stored
hashed, revocable, last-used time) and browser sessions (only with the CSRF header)."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import csrf
from server.accounts.secrets import digest
from server.db import session_scope
from server.models import ApiToken, Invitation
from server.models.enums import ApiScope, StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.accounts.people import ANONYMOUS, Caller
from tests.accounts.test_authorization_matrix import gid

ME = """{ me { account { displayName learner { age isChild visibility consents }
              memberships { role organization { slug status } } children { displayName } }
           token { scopes organization { slug } } } }"""


async def test_me_says_who_is_calling(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        teen = await people.signed_in(s, await people.learner(s, "Ira", age=14), settings)
        owner = await people.signed_in(s, await people.staff(s, org, StaffRole.OWNER), settings)
        _, guardian = await people.child_with_guardian(s)
        parent = await people.signed_in(s, guardian, settings)
        _, secret = await people.token(s, org, ApiScope.ORG_READ)
        slug = org.slug
    assert (await ANONYMOUS.call(client, ME))["data"]["me"] == {"account": None, "token": None}
    me = (await teen.call(client, ME))["data"]["me"]["account"]
    assert me["learner"] == {
        "age": 14,
        "isChild": False,
        "visibility": "PRIVATE",
        "consents": ["PARTICIPATION"],
    }
    me = (await owner.call(client, ME))["data"]["me"]["account"]
    assert me["learner"] is None
    assert me["memberships"] == [
        {"role": "OWNER", "organization": {"slug": slug, "status": "APPROVED"}}
    ]
    me = (await parent.call(client, ME))["data"]["me"]["account"]
    assert me["children"] == [{"displayName": "Kit"}]
    token = (await people.bearer(secret).call(client, ME))["data"]["me"]
    assert token == {
        "account": None,
        "token": {"scopes": ["ORG_READ"], "organization": {"slug": slug}},
    }


async def test_a_session_cookie_without_the_csrf_header_is_anonymous(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        caller = await people.signed_in(s, await people.learner(s), settings)
    forged = Caller("cross-site", cookies=caller.cookies)  # the browser sends cookies anyway
    assert (await forged.call(client, ME))["data"]["me"]["account"] is None
    wrong = Caller("wrong token", headers={csrf.CSRF_HEADER: "0" * 64}, cookies=caller.cookies)
    assert (await wrong.call(client, ME))["data"]["me"]["account"] is None
    mutation = (
        'mutation { organizationApply(input: {name: "Forged Org", kind: MUSEUM}) '
        "{ errors { code } } }"
    )
    body = await forged.call(client, mutation)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await caller.call(client, ME))["data"]["me"]["account"] is not None


CREATE = """mutation($org: ID!) { apiTokenCreate(organizationId: $org, name: "Events CMS",
  scopes: [LISTINGS_WRITE, ORG_READ]) {
    secret apiToken { id prefix scopes lastUsedAt } errors { code } } }"""
TOKENS = """query($org: ID!) { organizationAdmin(organizationId: $org) {
  apiTokens { id prefix lastUsedAt revokedAt } } }"""


async def test_a_token_is_shown_once_stored_hashed_used_and_revoked(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        manager = await people.signed_in(s, await people.staff(s, org, StaffRole.MANAGER), settings)
        org_id = org.id
    variables = {"org": gid("Organization", org_id)}
    created = (await manager.call(client, CREATE, variables))["data"]["apiTokenCreate"]
    secret = created["secret"]
    assert secret.startswith("cl_") and created["errors"] == []
    assert secret.startswith(created["apiToken"]["prefix"])
    async with sessionmaker() as s:
        row = await s.scalar(select(ApiToken).where(ApiToken.organization_id == org_id))
    assert row is not None and row.token_hash == digest(secret) and secret not in repr(row.__dict__)
    # Never shown again: the list has no secret field at all.
    listed = (await manager.call(client, TOKENS, variables))["data"]["organizationAdmin"]
    assert listed["apiTokens"][0]["lastUsedAt"] is None
    partner = people.bearer(secret)
    assert (await partner.call(client, ME))["data"]["me"]["token"]["scopes"] == [
        "LISTINGS_WRITE",
        "ORG_READ",
    ]
    listed = (await manager.call(client, TOKENS, variables))["data"]["organizationAdmin"]
    assert listed["apiTokens"][0]["lastUsedAt"] is not None
    revoke = (
        "mutation($id: ID!) { apiTokenRevoke(id: $id) { apiToken { revokedAt } errors { code } } }"
    )
    body = await manager.call(client, revoke, {"id": created["apiToken"]["id"]})
    assert body["data"]["apiTokenRevoke"]["apiToken"]["revokedAt"]
    # A revoked token is refused outright, not served as anonymous.
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401 and "revoked" in response.text
    garbage = await client.post(
        "/graphql", json={"query": ME}, headers={"authorization": "Bearer cl_not-a-token"}
    )
    assert garbage.status_code == 401
    basic = await client.post("/graphql", json={"query": ME}, headers={"authorization": "Basic x"})
    assert basic.status_code == 401


async def test_staff_see_what_their_role_allows(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        callers = {
            role: await people.signed_in(s, await people.staff(s, org, role), settings)
            for role in StaffRole
        }
        s.add(Invitation(organization_id=org.id, email="new@example.org", role="issuer"))
        org_id = org.id
    query = """query($org: ID!) { organizationAdmin(organizationId: $org) {
        staff { role } invitations { email } apiTokens { id } } }"""
    seen = {
        role: (await caller.call(client, query, {"org": gid("Organization", org_id)}))["data"][
            "organizationAdmin"
        ]
        for role, caller in callers.items()
    }
    assert seen[StaffRole.OWNER]["invitations"] == [{"email": "new@example.org"}]
    assert seen[StaffRole.MANAGER]["invitations"] is None
    assert seen[StaffRole.MANAGER]["apiTokens"] == []
    assert seen[StaffRole.ISSUER]["apiTokens"] is None
    assert len(seen[StaffRole.ISSUER]["staff"]) == 3


async def test_mistakes_come_back_as_data_and_change_nothing(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        owner = await people.signed_in(s, await people.staff(s, org, StaffRole.OWNER), settings)
        org_id = org.id
    invite = """mutation($org: ID!, $email: String!) { staffInvite(organizationId: $org,
        email: $email, role: MANAGER) { invitation { id } errors { field message code } } }"""
    body = await owner.call(client, invite, {"org": gid("Organization", org_id), "email": "nope"})
    assert "errors" not in body
    payload = body["data"]["staffInvite"]
    assert payload["invitation"] is None
    assert payload["errors"] == [
        {
            "field": "email",
            "message": "enter an email address like name@example.org",
            "code": "BAD_USER_INPUT",
        }
    ]
    async with sessionmaker() as s:
        assert (
            await s.scalars(select(Invitation).where(Invitation.organization_id == org_id))
        ).all() == []
    # The last owner cannot step down.
    me = await owner.call(
        client,
        "query($org: ID!) { organizationAdmin(organizationId: $org) { staff { id } } }",
        {"org": gid("Organization", org_id)},
    )
    member = me["data"]["organizationAdmin"]["staff"][0]["id"]
    change = """mutation($id: ID!) { staffRoleChange(membershipId: $id, role: ISSUER) {
        staffMember { role } errors { code } } }"""
    body = await owner.call(client, change, {"id": member})
    assert body["data"]["staffRoleChange"] == {
        "staffMember": None,
        "errors": [{"code": "LAST_OWNER"}],
    }
    # A malformed id is a readable error too, never a 500.
    body = await owner.call(client, change, {"id": "not-an-id"})
    assert "cannot represent a GlobalID" in body["errors"][0]["message"]
