"""Issuers' signing keys: made on first use, one per algorithm, kept in issuer_keys.

One RSA key (RS256) signs both OB 2.0 assertions and OB 3.0 credentials: the IMS OB 2.0
validator knows RSA only, and the 1EdTech OB 3.0 validator accepts RS256 and ES256 but
not EdDSA. Its public half is published twice: as an OB 2.0 CryptographicKey (PEM) and as
an OB 3.0 JWK; each URL is the `kid` of what it verifies, so a signature names its key.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.badges.signing import Alg, SigningKey, load_key, new_key
from server.badges.urls import BadgeUrls
from server.models import IssuerKey, Organization

ALG: Alg = "RS256"


def as_signing_key(row: IssuerKey, kid: str) -> SigningKey:
    alg: Alg = "RS256" if row.alg == "RS256" else "EdDSA"
    return load_key(kid, alg, row.private_pem)


def published_jwk(row: IssuerKey, urls: BadgeUrls) -> dict[str, str]:
    """The JWK as verifiers see it: its kid is the URL it is published at."""
    return {**row.public_jwk, "kid": urls.jwk(row.kid)}


async def _current(session: AsyncSession, organization_id: int, alg: Alg) -> IssuerKey | None:
    row: IssuerKey | None = await session.scalar(
        select(IssuerKey)
        .where(
            IssuerKey.organization_id == organization_id,
            IssuerKey.alg == alg,
            IssuerKey.retired_at.is_(None),
        )
        .order_by(IssuerKey.created_at.desc(), IssuerKey.id.desc())
        .limit(1)
    )
    return row


async def current(session: AsyncSession, organization_id: int, alg: Alg = ALG) -> IssuerKey:
    """The organization's key for `alg`, made now if it has none."""
    row = await _current(session, organization_id, alg)
    if row is None:
        # Two first signatures at once would make two keys: the organization row's lock
        # lets one make it and the other find it.
        await session.execute(
            select(Organization.id).where(Organization.id == organization_id).with_for_update()
        )
        row = await _current(session, organization_id, alg)
    if row is None:
        kid = secrets.token_hex(8)
        made = new_key(alg, kid)
        row = IssuerKey(
            organization_id=organization_id,
            kid=kid,
            alg=alg,
            private_pem=made.private_pem,
            public_pem=made.public_pem.decode(),
            public_jwk=made.public_jwk,
        )
        session.add(row)
        await session.flush()
    return row


async def published(
    session: AsyncSession, organization_id: int, alg: Alg | None = None
) -> list[IssuerKey]:
    """Every key the organization has signed with, retired ones included (what they signed
    must keep verifying)."""
    stmt = select(IssuerKey).where(IssuerKey.organization_id == organization_id)
    if alg is not None:
        stmt = stmt.where(IssuerKey.alg == alg)
    return list(await session.scalars(stmt.order_by(IssuerKey.created_at, IssuerKey.id)))


async def by_kid(session: AsyncSession, kid: str) -> IssuerKey | None:
    row: IssuerKey | None = await session.scalar(select(IssuerKey).where(IssuerKey.kid == kid))
    return row
