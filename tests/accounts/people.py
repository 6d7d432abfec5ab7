"""Builders for people, staff and credentials, through the app's own services and models.

`Caller` carries what a client sends: a session cookie with its CSRF header, or an API
token, or nothing; `call()` posts a GraphQL operation as that caller.
"""

from __future__ import annotations

import itertools
import secrets as random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import csrf, passwords, web_sessions
from server.authz import Actor
from server.models import ApiToken, Guardianship, LearnerProfile, Membership, Organization, User
from server.models.enums import ApiScope, ConsentPurpose, StaffRole
from server.orgs import api_tokens
from server.privacy import consent
from server.settings import Settings
from tests import builders

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}-{random.token_hex(3)}"


def years_ago(years: int, today: date | None = None) -> date:
    today = today or datetime.now(UTC).date()
    return date(today.year - years, today.month, min(today.day, 28))


async def person(session: AsyncSession, name: str = "Pat", *, admin: bool = False) -> User:
    user = User(
        email=f"{unique(name.lower())}@example.org",
        password_hash=passwords.hash_password(PASSWORD),
        display_name=name,
        is_network_admin=admin,
        email_verified_at=datetime.now(UTC),
    )
    session.add(user)
    await session.flush()
    return user


async def learner(
    session: AsyncSession, name: str = "Lee", *, age: int = 15, consented: bool = True
) -> User:
    user = await person(session, name)
    session.add(
        LearnerProfile(user_id=user.id, birth_date=years_ago(age), handle=random.token_hex(8))
    )
    await session.flush()
    if consented and age >= 13:
        await consent.grant(
            session,
            user.id,
            ConsentPurpose.PARTICIPATION,
            granted_by=Actor(user_id=user.id),
            method="self",
        )
    return user


async def child_with_guardian(
    session: AsyncSession, *, age: int = 10, consented: bool = True
) -> tuple[User, User]:
    child = await learner(session, "Kit", age=age, consented=False)
    guardian = await person(session, "Gale")
    session.add(Guardianship(guardian_id=guardian.id, learner_id=child.id))
    await session.flush()
    if consented:
        await consent.grant(
            session,
            child.id,
            ConsentPurpose.PARTICIPATION,
            granted_by=Actor(user_id=guardian.id, wards=frozenset({child.id})),
            method="guardian_email",
        )
    return child, guardian


async def organization(session: AsyncSession, *, status: str = "approved") -> Organization:
    return await builders.create_organization(session, unique("org"), status=status)


async def staff(
    session: AsyncSession, org: Organization, role: StaffRole, name: str = "Sam"
) -> User:
    user = await person(session, name)
    session.add(Membership(organization_id=org.id, user_id=user.id, role=role.value))
    await session.flush()
    return user


async def token(
    session: AsyncSession, org: Organization, *scopes: ApiScope
) -> tuple[ApiToken, str]:
    manager = await staff(session, org, StaffRole.MANAGER, "Tokenmaker")
    made = await api_tokens.create(
        session,
        Actor(user_id=manager.id, roles={org.id: StaffRole.MANAGER}),
        org.id,
        name="Partner CMS",
        scopes=set(scopes),
        now=datetime.now(UTC),
    )
    return made.token, made.secret


@dataclass
class Caller:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    async def call(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        client.cookies.clear()
        for key, value in self.cookies.items():
            client.cookies.set(key, value)
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        client.cookies.clear()
        assert response.status_code == 200, (self.name, response.status_code, response.text)
        body: dict[str, Any] = response.json()
        return body


ANONYMOUS = Caller("anonymous")


async def signed_in(session: AsyncSession, user: User, settings: Settings) -> Caller:
    """A browser session for `user`, as the sign-in page would start it."""
    secret = await web_sessions.start(session, user, now=datetime.now(UTC))
    nonce = csrf.new_nonce()
    return Caller(
        user.display_name,
        headers={csrf.CSRF_HEADER: csrf.token_for(settings.secret_key, nonce)},
        cookies={csrf.SESSION_COOKIE: secret, csrf.CSRF_COOKIE: nonce},
    )


def bearer(secret: str, name: str = "token") -> Caller:
    return Caller(name, headers={"authorization": f"Bearer {secret}"})
