"""Open Badges 3.0 ``OpenBadgeCredential`` documents and their VC-JWT proofs (pure).

Shapes follow the 1EdTech Open Badges Specification 3.0 (OB 3.0.3 context, W3C
Verifiable Credentials Data Model 2.0). Section names cited below are the spec's:

* §"AchievementCredential" / "AchievementSubject" / "Achievement" / "IdentityObject"
  (data model), §"Proofs (Signatures)" → "JSON Web Token Proof Format" (VC-JWT),
  §"Verification and Validation", and the Implementation Guide's "Key provenance".

Publishing keys (Implementation Guide, "Key provenance" → "External proof"): the
JOSE ``kid`` is an HTTPS URL that dereferences to the public JWK itself (that is
what the 1EdTech validator fetches), and the issuer also serves every key in a
JWK Set at ``https://{authority of issuer.id}/.well-known/jwks.json``
(``jwks_url_for_issuer``); each JWK carries an ``iss`` member naming the issuer so a
verifier can tie the key to the issuer. ``issuer_profile`` repeats that JWKS URL as
an extension member (OB 3.0 defines no key property on Profile).

Revocation uses the 1EdTech Revocation List Status Method (VCRL 1.0):
``credentialStatus = {"id": <list URL>, "type": "1EdTechRevocationList"}`` and the
list document built by ``revocation_list``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import orjson

from server.badges.signing import (
    SUPPORTED_ALGORITHMS,
    SignatureError,
    SigningKey,
    b64url_decode,
    jwk_to_public,
    jws_header,
    sign_jws,
    verify_jws,
)

__all__ = [
    "CREDENTIAL_TYPES",
    "DEFAULT_LEEWAY",
    "OB_V3_CONTEXT",
    "OB_V3_EXTENSIONS_CONTEXT",
    "REVOCATION_LIST_TYPE",
    "VC_V2_CONTEXT",
    "AchievementInfo",
    "CredentialError",
    "IssuerInfo",
    "RecipientInfo",
    "build_credential",
    "identity_hash",
    "issuer_profile",
    "jwk_set",
    "jwks_url_for_issuer",
    "revocation_list",
    "sign_vc_jwt",
    "unverified_issuer",
    "verify_vc_jwt",
]

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the 1EdTech extension terms (1EdTechRevocationList, ...) that the 3.0.3
# context does not; the spec's complete example lists it third.
OB_V3_EXTENSIONS_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_TYPES: Final = ("VerifiableCredential", "OpenBadgeCredential")
REVOCATION_LIST_TYPE: Final = "1EdTechRevocationList"
# Tolerated clock skew between us and the issuer when checking nbf/exp.
DEFAULT_LEEWAY: Final = timedelta(seconds=60)

_VC_V1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
_OB_CONTEXT_RE: Final = re.compile(
    r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json"
)
_URI_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_IDENTITY_HASH_RE: Final = re.compile(r"sha256\$[0-9a-fA-F]{64}")
_JWT_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_ALIGNMENT_REQUIRED: Final = ("targetName", "targetUrl")
_ALIGNMENT_OPTIONAL: Final = ("targetDescription", "targetFramework", "targetCode", "targetType")
_OB_CREDENTIAL_TYPES: Final = frozenset({"OpenBadgeCredential", "AchievementCredential"})


class CredentialError(ValueError):
    """A VC-JWT was rejected. ``code`` is a stable machine-readable reason.

    Codes: ``malformed``, ``unknown_key``, ``bad_signature``, ``not_open_badge``,
    ``invalid_credential``, ``claim_mismatch``, ``not_yet_valid``, ``expired``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class IssuerInfo:
    id: str
    name: str
    url: str | None = None
    email: str | None = None
    image: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AchievementInfo:
    id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_url: str | None = None
    image: str | None = None
    # OB 3.0 AchievementType vocabulary ("Badge", "Certificate", ...; "ext:..." to extend).
    achievement_type: str | None = None
    tags: list[str] = field(default_factory=list)
    # Each: {targetName, targetUrl, targetDescription?, targetFramework?, targetCode?, targetType?}
    alignments: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RecipientInfo:
    """Recipient identified by a salted e-mail hash (OB 2.0-style) and optionally a DID/URL."""

    identity_hash: str  # "sha256$<hex>" of e-mail + salt, see identity_hash()
    salt: str
    subject_id: str | None = None


# --- helpers ---------------------------------------------------------------------------


def identity_hash(identifier: str, salt: str) -> str:
    """OB IdentityHash: ``sha256$`` + hex SHA-256 of UTF-8 ``identifier + salt``.

    No normalisation happens here: a verifier hashes the plaintext it knows, so the
    caller must hash exactly the form it will tell learners (e.g. lower-cased e-mail).
    """
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def _iso_z(value: datetime) -> str:
    # Whole seconds: JWT nbf/exp are NumericDates and must round-trip to validFrom/validUntil.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require_uri(value: str | None, what: str) -> None:
    if value is not None and (not isinstance(value, str) or _URI_RE.fullmatch(value) is None):
        raise ValueError(f"{what} must be an absolute URI, got {value!r}")


def _image(url: str) -> dict[str, str]:
    return {"id": url, "type": "Image"}


def _compact_profile(issuer: IssuerInfo) -> dict[str, Any]:
    _require_uri(issuer.id, "issuer.id")
    _require_uri(issuer.url, "issuer.url")
    _require_uri(issuer.image, "issuer.image")
    if not issuer.name:
        raise ValueError("issuer.name is required")
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.image:
        profile["image"] = _image(issuer.image)
    return profile


def _alignment(raw: Mapping[str, str]) -> dict[str, Any]:
    unknown = set(raw) - set(_ALIGNMENT_REQUIRED) - set(_ALIGNMENT_OPTIONAL) - {"type"}
    if unknown:
        raise ValueError(f"unknown alignment members {sorted(unknown)}")
    missing = [name for name in _ALIGNMENT_REQUIRED if not raw.get(name)]
    if missing:
        raise ValueError(f"alignment is missing {missing}")
    _require_uri(raw["targetUrl"], "alignment.targetUrl")
    out: dict[str, Any] = {"type": ["Alignment"]}
    for name in (*_ALIGNMENT_REQUIRED, *_ALIGNMENT_OPTIONAL):
        if raw.get(name):
            out[name] = raw[name]
    return out


def _achievement(info: AchievementInfo) -> dict[str, Any]:
    _require_uri(info.id, "achievement.id")
    _require_uri(info.criteria_url, "achievement.criteria_url")
    _require_uri(info.image, "achievement.image")
    if not info.name or not info.description:
        raise ValueError("achievement name and description are required")
    criteria: dict[str, str] = {}
    if info.criteria_url:
        criteria["id"] = info.criteria_url
    if info.criteria_narrative:
        criteria["narrative"] = info.criteria_narrative
    if not criteria:
        # Both members are optional in the model, but an empty Criteria tells nobody anything.
        raise ValueError("achievement needs criteria_narrative and/or criteria_url")
    achievement: dict[str, Any] = {
        "id": info.id,
        "type": ["Achievement"],
        "name": info.name,
        "description": info.description,
        "criteria": criteria,
    }
    if info.achievement_type:
        achievement["achievementType"] = info.achievement_type
    if info.image:
        achievement["image"] = _image(info.image)
    if info.tags:
        achievement["tag"] = list(info.tags)
    if info.alignments:
        achievement["alignment"] = [_alignment(a) for a in info.alignments]
    return achievement


def _evidence(raw: Mapping[str, Any]) -> dict[str, Any]:
    item = dict(raw)
    _require_uri(item.get("id"), "evidence.id")
    existing = item.get("type", [])
    types = [existing] if isinstance(existing, str) else list(existing)
    if "Evidence" not in types:
        types.insert(0, "Evidence")
    item["type"] = types
    return item


# --- documents -------------------------------------------------------------------------


def build_credential(
    *,
    credential_id: str,
    issuer: IssuerInfo,
    achievement: AchievementInfo,
    recipient: RecipientInfo,
    issued_on: datetime,
    expires_on: datetime | None = None,
    status_url: str | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An unsigned ``OpenBadgeCredential`` (OB 3.0 §"AchievementCredential")."""
    _require_uri(credential_id, "credential_id")
    _require_uri(recipient.subject_id, "recipient.subject_id")
    _require_uri(status_url, "status_url")
    if _IDENTITY_HASH_RE.fullmatch(recipient.identity_hash) is None:
        raise ValueError("recipient.identity_hash must be 'sha256$' + 64 hex digits")
    valid_from = _iso_z(issued_on)
    valid_until = _iso_z(expires_on) if expires_on is not None else None
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("expires_on must be after issued_on")

    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient.subject_id:
        subject["id"] = recipient.subject_id
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityHash": recipient.identity_hash,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": recipient.salt,
        }
    ]
    subject["achievement"] = _achievement(achievement)

    contexts = [VC_V2_CONTEXT, OB_V3_CONTEXT]
    if status_url:
        contexts.append(OB_V3_EXTENSIONS_CONTEXT)
    credential: dict[str, Any] = {
        "@context": contexts,
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        # name: shown by wallets in credential lists (optional in the model).
        "name": achievement.name,
        "issuer": _compact_profile(issuer),
        "validFrom": valid_from,
        "awardedDate": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = subject
    if evidence:
        credential["evidence"] = [_evidence(e) for e in evidence]
    if status_url:
        # CredentialStatus.id "MUST be the URL of the issuer's credential status
        # method" (no fragment): verifiers GET it and look for this credential's id.
        credential["credentialStatus"] = {"id": status_url, "type": REVOCATION_LIST_TYPE}
    return credential


def revocation_list(
    list_id: str,
    revoked: Sequence[tuple[str, str | None]],
    *,
    issuer_id: str | None = None,
) -> dict[str, Any]:
    """The document served at a ``1EdTechRevocationList`` status URL (VCRL 1.0).

    Shape::

        {"id": "<list URL>", "issuer": "<issuer id>",
         "revokedCredential": [
             {"id": "<credential id>", "revoked": true, "revocationReason": "..."}]}

    A verifier treats a credential as revoked when its ``id`` is listed and
    ``revoked`` is true or absent. ``revokedCredential`` is singular as in the
    1EdTech model (and as the 1EdTech validator reads it).
    """
    _require_uri(list_id, "list_id")
    _require_uri(issuer_id, "issuer_id")
    entries: list[dict[str, Any]] = []
    for credential_id, reason in revoked:
        _require_uri(credential_id, "revoked credential id")
        entry: dict[str, Any] = {"id": credential_id, "revoked": True}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    document: dict[str, Any] = {"id": list_id}
    if issuer_id:
        document["issuer"] = issuer_id
    document["revokedCredential"] = entries
    return document


def jwks_url_for_issuer(issuer_id: str) -> str:
    """Where verifiers look for the issuer's JWK Set (Implementation Guide, "Key provenance")."""
    authority = urlsplit(issuer_id).netloc
    if not authority:
        raise ValueError(f"issuer id {issuer_id!r} has no authority to derive a JWKS URL from")
    return f"https://{authority}/.well-known/jwks.json"


def issuer_profile(issuer: IssuerInfo, jwks_url: str) -> dict[str, Any]:
    """The issuer ``Profile`` document served at ``issuer.id``.

    OB 3.0 has no Profile property for keys; verifiers find them through the JOSE
    ``kid`` URL and the well-known JWKS (see module docstring). ``jwks_uri`` (the
    RFC 8414 member name) repeats that location for humans and tools; pass
    ``jwks_url_for_issuer(issuer.id)`` so both agree.
    """
    _require_uri(jwks_url, "jwks_url")
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        **_compact_profile(issuer),
        "jwks_uri": jwks_url,
    }


def jwk_set(keys: Sequence[SigningKey], *, issuer_id: str | None = None) -> dict[str, Any]:
    """Public JWK Set (RFC 7517 §5); ``iss`` per key ties it to the issuer (Impl. Guide)."""
    published: list[dict[str, str]] = []
    for key in keys:
        jwk = dict(key.public_jwk)
        if issuer_id:
            jwk["iss"] = issuer_id
        published.append(jwk)
    return {"keys": published}


# --- VC-JWT ----------------------------------------------------------------------------


def _issuer_id(issuer: object) -> str | None:
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _timestamp(value: str) -> float:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no timezone")
    return parsed.timestamp()


def sign_vc_jwt(
    credential: Mapping[str, Any], key: SigningKey, *, now: datetime | None = None
) -> str:
    """Secure ``credential`` as a VC-JWT (OB 3.0 §"JSON Web Token Proof Format").

    Per §"Create the JOSE Header" the header is exactly {alg, kid, typ: "JWT"}
    ("Additional JOSE Headers are NOT allowed"). Per §"JWT Payload Format" the
    payload IS the credential, plus ``iss`` (issuer.id), ``jti`` (id), ``sub``
    (credentialSubject.id), ``nbf`` (validFrom) and ``exp`` (validUntil); there is
    no ``vc`` wrapper (that is the VCDM 1.1 form, and VC-JOSE-COSE forbids it).
    ``iat`` is an allowed extra registered claim. For a subject known only by a
    hashed e-mail (no ``id``) ``sub`` is the identityHash, the only stable,
    non-revealing subject handle the credential has.
    """
    issued_at = datetime.now(UTC) if now is None else now
    if issued_at.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    clash = _JWT_CLAIMS.intersection(credential)
    if clash:
        raise ValueError(f"credential already has JWT claim members {sorted(clash)}")
    issuer = _issuer_id(credential.get("issuer"))
    credential_id = credential.get("id")
    subject = credential.get("credentialSubject")
    if issuer is None or not isinstance(credential_id, str) or not isinstance(subject, Mapping):
        raise ValueError("credential needs issuer.id, id and credentialSubject")
    sub = subject.get("id")
    if not isinstance(sub, str):
        identifiers = subject.get("identifier") or []
        hashes = [i.get("identityHash") for i in identifiers if isinstance(i, Mapping)]
        sub = next((h for h in hashes if isinstance(h, str)), None)
    if sub is None:
        raise ValueError("credentialSubject needs an id or an identifier")
    if not isinstance(credential.get("validFrom"), str):
        raise ValueError("credential needs validFrom")
    claims: dict[str, Any] = {
        "iss": issuer,
        "jti": credential_id,
        "sub": sub,
        "nbf": int(_timestamp(credential["validFrom"])),
        "iat": int(issued_at.timestamp()),
    }
    if credential.get("validUntil") is not None:
        claims["exp"] = int(_timestamp(credential["validUntil"]))
    return sign_jws({**credential, **claims}, key, typ="JWT")


def unverified_issuer(token: str) -> str:
    """The issuer id a VC-JWT claims, UNVERIFIED: only to decide whose JWKS to fetch."""
    try:
        payload = orjson.loads(b64url_decode(token.split(".")[1]))
        source = payload["vc"] if isinstance(payload.get("vc"), dict) else payload
        issuer = payload.get("iss") or _issuer_id(source.get("issuer"))
    except Exception as exc:  # contract: only CredentialError escapes
        raise CredentialError("malformed", "cannot read the token payload") from exc
    if not isinstance(issuer, str):
        raise CredentialError("malformed", "token names no issuer")
    return issuer


def verify_vc_jwt(
    token: str,
    jwks: Mapping[str, Any],
    *,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> dict[str, Any]:
    """Verify an OpenBadgeCredential VC-JWT against the issuer's JWK Set; return the credential.

    Follows OB 3.0 §"Verify a Credential" / §"Verify a Credential VC-JWT Signature" and
    the status-time checks of §"OpenBadgeCredential Verification". Revocation
    (credentialStatus) needs a network fetch and is left to the caller. The returned
    credential has the JWT registered claims removed. Raises ``CredentialError`` only.
    """
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        return _verify_vc_jwt(token, jwks, moment.timestamp(), leeway.total_seconds())
    except CredentialError:
        raise
    except Exception as exc:  # contract: only CredentialError escapes
        raise CredentialError("malformed", f"unreadable token ({type(exc).__name__})") from exc


def _same_public_key(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    members = ("kty", "n", "e") if a.get("kty") == "RSA" else ("kty", "crv", "x")
    return all(a.get(m) is not None and a.get(m) == b.get(m) for m in members)


def _select_jwk(header: Mapping[str, Any], jwks: Mapping[str, Any]) -> Mapping[str, Any]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise CredentialError("unknown_key", "issuer JWKS has no 'keys' list")
    candidates = [k for k in keys if isinstance(k, Mapping)]
    kid = header.get("kid")
    embedded = header.get("jwk")
    if isinstance(kid, str):
        matches = [k for k in candidates if k.get("kid") == kid]
    elif isinstance(embedded, Mapping):
        # §"Create the JOSE Header" allows a jwk instead of a kid; trust it only if
        # the issuer's set has the same key (Impl. Guide, "Key provenance").
        matches = [k for k in candidates if _same_public_key(embedded, k)]
    else:
        raise CredentialError("unknown_key", "JOSE header has neither kid nor jwk")
    if not matches:
        raise CredentialError("unknown_key", f"no key {kid!r} in the issuer's JWKS")
    if len(matches) > 1:
        raise CredentialError("unknown_key", f"key {kid!r} is ambiguous in the issuer's JWKS")
    return matches[0]


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CredentialError("malformed", f"claim {name!r} is not a NumericDate")
    return float(value)


def _credential_time(credential: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = credential.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise CredentialError("invalid_credential", f"{name} is not a date-time string")
        try:
            return _timestamp(value)
        except (ValueError, OverflowError) as exc:
            raise CredentialError("invalid_credential", f"{name} is not a valid date-time") from exc
    return None


def _types(value: object) -> list[object]:
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else []


def _verify_vc_jwt(
    token: str, jwks: Mapping[str, Any], now: float, leeway: float
) -> dict[str, Any]:
    try:
        header = jws_header(token)
    except SignatureError as exc:
        raise CredentialError("malformed", str(exc)) from exc
    jwk = _select_jwk(header, jwks)
    try:
        jwk_to_public(jwk)
    except SignatureError as exc:
        raise CredentialError("unknown_key", f"issuer key is unusable: {exc}") from exc
    try:
        _, raw = verify_jws(token, jwk, algorithms=SUPPORTED_ALGORITHMS)
    except SignatureError as exc:
        raise CredentialError("bad_signature", str(exc)) from exc

    try:
        claims = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CredentialError("malformed", "JWT payload is not JSON") from exc
    if not isinstance(claims, dict):
        raise CredentialError("malformed", "JWT payload is not a JSON object")
    # §"Verify a Credential": VCDM 1.1-era tokens carry the credential in "vc".
    vc = claims.get("vc")
    if isinstance(vc, dict):
        credential = dict(vc)
    else:
        credential = {k: v for k, v in claims.items() if k not in _JWT_CLAIMS}

    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types or not _OB_CREDENTIAL_TYPES.intersection(
        t for t in types if isinstance(t, str)
    ):
        raise CredentialError(
            "not_open_badge", "type lacks VerifiableCredential/OpenBadgeCredential"
        )
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or contexts[:1] not in ([VC_V2_CONTEXT], [_VC_V1_CONTEXT]):
        raise CredentialError("not_open_badge", "@context does not start with a VC context")
    if not any(isinstance(c, str) and _OB_CONTEXT_RE.fullmatch(c) for c in contexts):
        raise CredentialError("not_open_badge", "@context lacks the Open Badges 3.0 context")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        raise CredentialError("invalid_credential", "credentialSubject is missing")
    if "id" not in subject and not subject.get("identifier"):
        # §"OpenBadgeCredential Verification" step 1.
        raise CredentialError(
            "invalid_credential", "credentialSubject has neither id nor identifier"
        )
    if not isinstance(subject.get("achievement"), dict):
        raise CredentialError("invalid_credential", "credentialSubject.achievement is missing")
    issuer = _issuer_id(credential.get("issuer"))
    if issuer is None:
        raise CredentialError("invalid_credential", "issuer is missing")

    # §"Verify a Credential VC-JWT Signature": registered claims mirror the credential.
    if claims.get("iss") != issuer:
        raise CredentialError("claim_mismatch", "iss is missing or differs from issuer.id")
    if claims.get("jti") != credential.get("id"):
        raise CredentialError("claim_mismatch", "jti is missing or differs from the credential id")
    if "id" in subject and claims.get("sub") != subject["id"]:
        # Only comparable when the subject has an id; e-mail-only subjects have none.
        raise CredentialError("claim_mismatch", "sub differs from credentialSubject.id")
    key_issuer = jwk.get("iss")
    if key_issuer is not None and key_issuer != issuer:
        raise CredentialError("unknown_key", "the signing key belongs to another issuer")

    nbf = _numeric_date(claims, "nbf")
    exp = _numeric_date(claims, "exp")
    valid_from = _credential_time(credential, "validFrom", "issuanceDate")
    valid_until = _credential_time(credential, "validUntil", "expirationDate")
    if nbf is None:
        raise CredentialError("claim_mismatch", "nbf claim is missing")
    if valid_from is None:
        raise CredentialError("invalid_credential", "validFrom is missing")
    if abs(nbf - valid_from) >= 1:
        raise CredentialError("claim_mismatch", "nbf differs from validFrom")
    if exp is not None and valid_until is not None and abs(exp - valid_until) >= 1:
        raise CredentialError("claim_mismatch", "exp differs from validUntil")
    if now + leeway < max(nbf, valid_from):
        raise CredentialError("not_yet_valid", "the credential is not valid yet")
    ends = [t for t in (exp, valid_until) if t is not None]
    if ends and now - leeway >= min(ends):
        raise CredentialError("expired", "the credential has expired")
    return credential
