"""Open Badges 2.0 documents: Issuer, BadgeClass, Assertion, CryptographicKey and
RevocationList, as hosted JSON-LD (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).

Pure functions of stored rows: the web routes serve them, the signer signs them, the
baker bakes their URLs. No personal data goes out: the recipient is a salted hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from server.badges.urls import BadgeUrls
from server.models import Assertion, BadgeClass, Competency, Organization

CONTEXT = "https://w3id.org/openbadges/v2"
FRAMEWORK = "CityLearn competencies"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_document(
    organization: Organization,
    urls: BadgeUrls,
    *,
    contact: str,
    key_ids: Sequence[str] = (),
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": urls.issuer(organization.id),
        "name": organization.name,
        "url": organization.website or f"{urls.base}/organizations/{organization.slug}",
        "email": organization.contact_email or contact,
        "revocationList": urls.revocations(organization.id),
    }
    if organization.description:
        document["description"] = organization.description
    if key_ids:
        keys = [urls.key(kid) for kid in key_ids]
        document["publicKey"] = keys[0] if len(keys) == 1 else keys
    return document


def key_document(
    organization_id: int, kid: str, public_pem: str, urls: BadgeUrls
) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": urls.key(kid),
        "owner": urls.issuer(organization_id),
        "publicKeyPem": public_pem,
    }


def alignments(competencies: Sequence[Competency], urls: BadgeUrls) -> list[dict[str, Any]]:
    return [
        {
            "targetName": competency.name,
            "targetUrl": f"{urls.base}/competencies/{competency.slug}",
            "targetDescription": competency.description or competency.name,
            "targetFramework": FRAMEWORK,
            "targetCode": competency.slug,
        }
        for competency in competencies
    ]


def badge_class_document(
    badge_class: BadgeClass, competencies: Sequence[Competency], urls: BadgeUrls
) -> dict[str, Any]:
    criteria: dict[str, Any] = {}
    if badge_class.criteria_url:
        criteria["id"] = badge_class.criteria_url
    if badge_class.criteria_narrative:
        criteria["narrative"] = badge_class.criteria_narrative
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge_class(badge_class.id),
        "name": badge_class.name,
        "description": badge_class.description,
        "image": urls.badge_image(badge_class.id),
        "criteria": criteria,
        "issuer": urls.issuer(badge_class.organization_id),
        "tags": [*badge_class.tags, f"level:{badge_class.level}"],
    }
    if competencies:
        document["alignment"] = alignments(competencies, urls)
    return document


def evidence_documents(assertion: Assertion) -> list[dict[str, Any]]:
    documents = []
    for item in assertion.evidence:
        evidence: dict[str, Any] = {"type": "Evidence"}
        if item.get("url"):
            evidence["id"] = item["url"]
        if item.get("narrative"):
            evidence["narrative"] = item["narrative"]
        if item.get("name"):
            evidence["name"] = item["name"]
        documents.append(evidence)
    return documents


def assertion_document(
    assertion: Assertion, urls: BadgeUrls, *, signed_with: str | None = None
) -> dict[str, Any]:
    """The hosted assertion, or (with `signed_with`, a key id) the payload of a signed one."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(assertion.id),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.identity_hash,
        },
        "badge": urls.badge_class(assertion.badge_class_id),
        "issuedOn": iso(assertion.issued_on),
        "verification": (
            {"type": "SignedBadge", "creator": urls.key(signed_with)}
            if signed_with
            else {"type": "HostedBadge"}
        ),
    }
    if signed_with:
        # A signed badge's id is not fetched: a URN names it (OB 2.0 §SignedBadge).
        document["id"] = f"urn:uuid:{assertion.id}"
    if assertion.expires_at is not None:
        document["expires"] = iso(assertion.expires_at)
    if assertion.narrative:
        document["narrative"] = assertion.narrative
    if evidence := evidence_documents(assertion):
        document["evidence"] = evidence
    return document


def revoked_document(assertion: Assertion, urls: BadgeUrls) -> dict[str, Any]:
    """What a revoked assertion's URL answers (with status 410)."""
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(assertion.id),
        "revoked": True,
        "revocationReason": assertion.revocation_reason or "",
    }


def revocation_list(
    organization_id: int, revoked: Sequence[Assertion], urls: BadgeUrls
) -> dict[str, Any]:
    """Each revoked award twice: by its hosted URL, and by the urn:uuid id its signed form
    carries, so a verifier matching either finds it."""
    return {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": urls.revocations(organization_id),
        "issuer": urls.issuer(organization_id),
        "revokedAssertions": [
            {
                "id": urls.assertion(assertion.id),
                "uid": str(assertion.id),
                "revocationReason": assertion.revocation_reason or "",
            }
            for assertion in revoked
        ]
        + [
            {
                "id": f"urn:uuid:{assertion.id}",
                "revocationReason": assertion.revocation_reason or "",
            }
            for assertion in revoked
        ],
    }
