"""What the network publishes about badges, assembled from the database: the OB 2.0
hosted documents, signed assertions, OB 3.0 credentials (VC-JWT), revocation lists, keys
and baked images. The web routes serve these; the tests hand them to outside verifiers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.badges import baking, hosted, images, keys, ob3
from server.badges.signing import sign_jws
from server.badges.urls import BadgeUrls
from server.models import Assertion, BadgeClass, Competency, IssuerKey, Organization


@dataclass(frozen=True)
class AwardRecord:
    assertion: Assertion
    badge_class: BadgeClass
    organization: Organization


async def award(session: AsyncSession, assertion_id: uuid.UUID) -> AwardRecord | None:
    found = (
        await session.execute(
            select(Assertion, BadgeClass, Organization)
            .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
            .join(Organization, Organization.id == Assertion.organization_id)
            .where(Assertion.id == assertion_id)
        )
    ).first()
    return AwardRecord(*found) if found else None


async def issuer_v2(
    session: AsyncSession, organization: Organization, urls: BadgeUrls, *, mail_from: str
) -> dict[str, Any]:
    """`mail_from` (settings): the network's address, for an issuer that gave none."""
    published = await keys.published(session, organization.id, "RS256")
    return hosted.issuer_document(
        organization,
        urls,
        contact=parseaddr(mail_from)[1],
        key_ids=[row.kid for row in published],
    )


async def competencies_of(session: AsyncSession, badge_class: BadgeClass) -> list[Competency]:
    if not badge_class.competency_ids:
        return []
    return list(
        await session.scalars(
            select(Competency)
            .where(Competency.id.in_(badge_class.competency_ids))
            .order_by(Competency.name)
        )
    )


async def badge_class_v2(
    session: AsyncSession, badge_class: BadgeClass, urls: BadgeUrls
) -> dict[str, Any]:
    return hosted.badge_class_document(
        badge_class, await competencies_of(session, badge_class), urls
    )


def public_evidence(record: AwardRecord) -> bool:
    """Evidence the learner wrote goes out only on an award they made public."""
    return record.assertion.visibility == "public"


def assertion_v2(
    record: AwardRecord, urls: BadgeUrls, *, signed_with: str | None = None
) -> dict[str, Any]:
    document = hosted.assertion_document(record.assertion, urls, signed_with=signed_with)
    if not public_evidence(record):
        document.pop("evidence", None)
    return document


async def signed_assertion(session: AsyncSession, record: AwardRecord, urls: BadgeUrls) -> str:
    """The award as an OB 2.0 signed badge: a compact JWS (RS256) of the assertion."""
    row = await keys.current(session, record.organization.id)
    key = keys.as_signing_key(row, urls.key(row.kid))
    return sign_jws(assertion_v2(record, urls, signed_with=row.kid), key)


async def revocations_v2(
    session: AsyncSession, organization_id: int, urls: BadgeUrls
) -> dict[str, Any]:
    revoked = list(
        await session.scalars(
            select(Assertion)
            .where(Assertion.organization_id == organization_id, Assertion.revoked_at.is_not(None))
            .order_by(Assertion.revoked_at, Assertion.id)
        )
    )
    return hosted.revocation_list(organization_id, revoked, urls)


# --- Open Badges 3.0 -------------------------------------------------------------------------


def issuer_info(organization: Organization, urls: BadgeUrls) -> ob3.IssuerInfo:
    return ob3.IssuerInfo(
        id=urls.profile(organization.id),
        name=organization.name,
        url=organization.website or f"{urls.base}/organizations/{organization.slug}",
        description=organization.description or None,
    )


async def profile_v3(organization: Organization, urls: BadgeUrls) -> dict[str, Any]:
    return ob3.issuer_profile(issuer_info(organization, urls), urls.jwks(organization.id))


async def jwks_v3(
    session: AsyncSession, urls: BadgeUrls, organization_id: int | None = None
) -> dict[str, Any]:
    """Every published key (of one organization, or all), each naming its issuer."""
    stmt = select(IssuerKey).where(IssuerKey.alg == "RS256")
    if organization_id is not None:
        stmt = stmt.where(IssuerKey.organization_id == organization_id)
    rows = await session.scalars(stmt.order_by(IssuerKey.id))
    return {
        "keys": [
            {**keys.published_jwk(row, urls), "iss": urls.profile(row.organization_id)}
            for row in rows
        ]
    }


async def credential_v3(
    session: AsyncSession, record: AwardRecord, urls: BadgeUrls
) -> dict[str, Any]:
    badge_class, assertion = record.badge_class, record.assertion
    competencies = await competencies_of(session, badge_class)
    achievement = ob3.AchievementInfo(
        id=urls.achievement(badge_class.id),
        name=badge_class.name,
        description=badge_class.description,
        criteria_narrative=badge_class.criteria_narrative,
        criteria_url=badge_class.criteria_url,
        image=urls.badge_image(badge_class.id),
        achievement_type="Badge",
        tags=list(badge_class.tags),
        alignments=[
            {k: v for k, v in a.items() if k != "targetCode" or v}
            for a in hosted.alignments(competencies, urls)
        ],
    )
    evidence = (
        [
            {k: v for k, v in item.items() if k in ("narrative", "url", "name")}
            for item in assertion.evidence
        ]
        if public_evidence(record)
        else []
    )
    return ob3.build_credential(
        credential_id=urls.credential(assertion.id),
        issuer=issuer_info(record.organization, urls),
        achievement=achievement,
        recipient=ob3.RecipientInfo(identity_hash=assertion.identity_hash, salt=assertion.salt),
        issued_on=assertion.issued_on,
        expires_on=assertion.expires_at,
        status_url=urls.credential_status(record.organization.id),
        evidence=evidence,
    )


async def credential_jwt(session: AsyncSession, record: AwardRecord, urls: BadgeUrls) -> str:
    row = await keys.current(session, record.organization.id)
    key = keys.as_signing_key(row, urls.jwk(row.kid))
    return ob3.sign_vc_jwt(await credential_v3(session, record, urls), key)


async def revocations_v3(
    session: AsyncSession, organization_id: int, urls: BadgeUrls
) -> dict[str, Any]:
    revoked = await session.execute(
        select(Assertion.id, Assertion.revocation_reason)
        .where(Assertion.organization_id == organization_id, Assertion.revoked_at.is_not(None))
        .order_by(Assertion.revoked_at, Assertion.id)
    )
    return ob3.revocation_list(
        urls.credential_status(organization_id),
        [(urls.credential(assertion_id), reason) for assertion_id, reason in revoked.all()],
        issuer_id=urls.profile(organization_id),
    )


# --- images ----------------------------------------------------------------------------------


def badge_image(badge_class: BadgeClass) -> tuple[str, bytes]:
    """(content type, bytes) of the badge class's image: its upload or the generated one."""
    if badge_class.image is not None and badge_class.image_type:
        return badge_class.image_type, badge_class.image
    return "image/svg+xml", images.generated_svg(badge_class.name, badge_class.level).encode()


def badge_png(badge_class: BadgeClass) -> bytes:
    if badge_class.image is not None and badge_class.image_type == "image/png":
        return badge_class.image
    return images.generated_png(badge_class.name, badge_class.level)


def baked_png_v2(record: AwardRecord, urls: BadgeUrls) -> bytes:
    """The PNG with the hosted assertion's URL baked in (the worker stores one at award)."""
    if record.assertion.baked_png is not None:
        return record.assertion.baked_png
    return baking.bake_png(badge_png(record.badge_class), urls.assertion(record.assertion.id))


def baked_svg_v2(record: AwardRecord, urls: BadgeUrls) -> str:
    content_type, data = badge_image(record.badge_class)
    svg = (
        data.decode()
        if content_type == "image/svg+xml"
        else images.generated_svg(record.badge_class.name, record.badge_class.level)
    )
    return baking.bake_svg(svg, verify=urls.assertion(record.assertion.id))


async def baked_png_v3(session: AsyncSession, record: AwardRecord, urls: BadgeUrls) -> bytes:
    token = await credential_jwt(session, record, urls)
    return baking.bake_png(badge_png(record.badge_class), token, keyword=baking.OB3_KEYWORD)
