"""OpenBadgeCredential building and VC-JWT signing/verification (OB 3.0), checked with PyJWT."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jwt
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.badges.ob3 import (
    OB_V3_CONTEXT,
    OB_V3_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
    AchievementInfo,
    CredentialError,
    IssuerInfo,
    RecipientInfo,
    build_credential,
    identity_hash,
    issuer_profile,
    jwk_set,
    jwks_url_for_issuer,
    revocation_list,
    sign_vc_jwt,
    unverified_issuer,
    verify_vc_jwt,
)
from server.badges.signing import SigningKey, b64url_encode, new_key, sign_jws

ISSUER_ID = "https://citylearn.example/issuers/museum"
RSA_KEY = new_key("RS256", "https://citylearn.example/issuers/museum/keys/rsa-1")
ED_KEY = new_key("EdDSA", "https://citylearn.example/issuers/museum/keys/ed-1")
KEYS = {"RS256": RSA_KEY, "EdDSA": ED_KEY}
JWKS = jwk_set([RSA_KEY, ED_KEY], issuer_id=ISSUER_ID)
SALT = "FleurDeSel"
EMAIL_HASH = identity_hash("learner@example.org", SALT)

ISSUER = IssuerInfo(
    id=ISSUER_ID,
    name="City Science Museum",
    url="https://museum.example",
    email="badges@museum.example",
    image="https://museum.example/logo.png",
    description="Hands-on science for everyone.",
)
ACHIEVEMENT = AchievementInfo(
    id="https://citylearn.example/achievements/robotics-101",
    name="Robotics 101",
    description="Built and programmed a line-following robot.",
    criteria_narrative="Complete all four workshop sessions and demo a working robot.",
    criteria_url="https://citylearn.example/achievements/robotics-101/criteria",
    image="https://citylearn.example/achievements/robotics-101.png",
    achievement_type="Badge",
    tags=["robotics", "stem"],
    alignments=[
        {
            "targetName": "Engineering Design",
            "targetUrl": "https://standards.example/ets1",
            "targetDescription": "Define and delimit engineering problems.",
            "targetFramework": "NGSS",
            "targetCode": "MS-ETS1-1",
        }
    ],
)
RECIPIENT = RecipientInfo(identity_hash=EMAIL_HASH, salt=SALT)
FAR_ISSUED = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FAR_EXPIRES = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)


def credential(
    *,
    issued_on: datetime = FAR_ISSUED,
    expires_on: datetime | None = FAR_EXPIRES,
    recipient: RecipientInfo = RECIPIENT,
    status_url: str | None = "https://citylearn.example/issuers/museum/revocations",
) -> dict[str, Any]:
    return build_credential(
        credential_id="https://citylearn.example/credentials/7f3c",
        issuer=ISSUER,
        achievement=ACHIEVEMENT,
        recipient=recipient,
        issued_on=issued_on,
        expires_on=expires_on,
        status_url=status_url,
        evidence=[
            {
                "id": "https://citylearn.example/evidence/robot-demo",
                "name": "Robot demo video",
                "narrative": "Demonstrated the robot following a figure-eight track.",
            }
        ],
    )


def current_credential(**kwargs: Any) -> dict[str, Any]:
    """Valid right now, for PyJWT, which checks nbf/exp against the real clock."""
    now = datetime.now(UTC)
    return credential(
        issued_on=now - timedelta(days=1), expires_on=now + timedelta(days=365), **kwargs
    )


def epoch(value: datetime) -> int:
    return int(value.timestamp())


@pytest.fixture(params=["RS256", "EdDSA"])
def key(request: pytest.FixtureRequest) -> SigningKey:
    return KEYS[request.param]


# --- required fields, written from the OB 3.0 data model -------------------------------

DATETIME_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
OB_CONTEXT = re.compile(r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json")
IDENTITY_HASH = re.compile(r"(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})")
IDENTIFIER_TYPES = {
    "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
}  # fmt: skip


def assert_image(image: Any) -> None:
    # Image: id URI 1, type 'Image' 1.
    assert URI.fullmatch(image["id"]) and image["type"] == "Image"


def assert_conforms(cred: dict[str, Any]) -> None:
    """Every cardinality-1 property of the classes an OpenBadgeCredential uses."""
    # AchievementCredential / VerifiableCredential
    contexts = cred["@context"]
    assert contexts[0] == VC_V2_CONTEXT and OB_CONTEXT.fullmatch(contexts[1])
    assert URI.fullmatch(cred["id"])
    assert "VerifiableCredential" in cred["type"]
    assert {"OpenBadgeCredential", "AchievementCredential"} & set(cred["type"])
    assert DATETIME_Z.fullmatch(cred["validFrom"])
    if "validUntil" in cred:
        assert DATETIME_Z.fullmatch(cred["validUntil"]) and cred["validUntil"] > cred["validFrom"]
    if "awardedDate" in cred:
        assert DATETIME_Z.fullmatch(cred["awardedDate"])
    # issuer: ProfileRef -> Profile (id URI 1, type contains 'Profile')
    issuer = cred["issuer"]
    assert URI.fullmatch(issuer["id"]) and "Profile" in issuer["type"]
    if "image" in issuer:
        assert_image(issuer["image"])
    # credentialSubject: AchievementSubject
    subject = cred["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    assert "id" in subject or subject["identifier"], "id or at least one identifier"
    for identity in subject.get("identifier", []):
        # IdentityObject: type 1, hashed 1, identityHash 1, identityType 1, salt 0..1
        assert identity["type"] == "IdentityObject"
        assert isinstance(identity["hashed"], bool)
        assert identity["identityType"] in IDENTIFIER_TYPES
        if identity["hashed"]:
            assert IDENTITY_HASH.fullmatch(identity["identityHash"])
        assert isinstance(identity.get("salt", ""), str)
    # Achievement: id 1, type contains 'Achievement', name 1, description 1, criteria 1
    achievement = subject["achievement"]
    assert URI.fullmatch(achievement["id"]) and "Achievement" in achievement["type"]
    assert achievement["name"] and achievement["description"]
    criteria = achievement["criteria"]
    assert criteria.get("id") or criteria.get("narrative")
    if "image" in achievement:
        assert_image(achievement["image"])
    for alignment in achievement.get("alignment", []):
        # Alignment: type contains 'Alignment', targetName 1, targetUrl 1
        assert "Alignment" in alignment["type"]
        assert alignment["targetName"] and URI.fullmatch(alignment["targetUrl"])
    assert all(isinstance(tag, str) for tag in achievement.get("tag", []))
    for item in cred.get("evidence", []):
        assert "Evidence" in item["type"]  # Evidence: type contains 'Evidence'
    if "credentialStatus" in cred:
        # CredentialStatus: id (the status method's URL) 1, type 1
        status = cred["credentialStatus"]
        assert URI.fullmatch(status["id"]) and isinstance(status["type"], str)


def test_credential_has_every_required_field() -> None:
    cred = credential()
    assert_conforms(cred)
    assert cred["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_V3_EXTENSIONS_CONTEXT]
    assert cred["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert cred["validFrom"] == "2030-01-01T12:00:00Z"
    assert cred["validUntil"] == "2031-01-01T12:00:00Z"
    subject = cred["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert "id" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": EMAIL_HASH,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": SALT,
        }
    ]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {
        "id": ACHIEVEMENT.criteria_url,
        "narrative": ACHIEVEMENT.criteria_narrative,
    }
    assert achievement["achievementType"] == "Badge"
    assert achievement["tag"] == ["robotics", "stem"]
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert achievement["alignment"][0]["targetCode"] == "MS-ETS1-1"
    assert cred["credentialStatus"] == {
        "id": "https://citylearn.example/issuers/museum/revocations",
        "type": "1EdTechRevocationList",
    }
    assert cred["evidence"][0]["type"] == ["Evidence"]
    assert cred["issuer"]["image"] == {"id": ISSUER.image, "type": "Image"}


def test_minimal_credential() -> None:
    cred = build_credential(
        credential_id="urn:uuid:5b6d2c1e-0c1a-4a52-9a53-0c0f7a1c9e11",
        issuer=IssuerInfo(id=ISSUER_ID, name="Museum"),
        achievement=AchievementInfo(
            id="https://citylearn.example/a/1", name="A", description="D", criteria_narrative="N"
        ),
        recipient=RecipientInfo(
            identity_hash=EMAIL_HASH, salt=SALT, subject_id="did:example:learner"
        ),
        issued_on=FAR_ISSUED,
        expires_on=None,
        status_url=None,
        evidence=[],
    )
    assert_conforms(cred)
    assert cred["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert "validUntil" not in cred and "credentialStatus" not in cred and "evidence" not in cred
    assert cred["credentialSubject"]["id"] == "did:example:learner"
    assert cred["issuer"] == {"id": ISSUER_ID, "type": ["Profile"], "name": "Museum"}


def test_dates_are_utc_z() -> None:
    eastern = timezone(timedelta(hours=-5))
    cred = credential(
        issued_on=datetime(2030, 1, 1, 7, 0, 0, 999_999, tzinfo=eastern), expires_on=None
    )
    assert cred["validFrom"] == "2030-01-01T12:00:00Z"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"issued_on": datetime(2030, 1, 1)}, "timezone-aware"),
        ({"expires_on": FAR_ISSUED}, "after issued_on"),
        ({"recipient": RecipientInfo(identity_hash="learner@example.org", salt="")}, "sha256"),
        ({"status_url": "not a url"}, "absolute URI"),
    ],
)
def test_build_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        credential(**kwargs)


def test_build_rejects_bad_achievement() -> None:
    base: dict[str, Any] = {"id": "https://x.example/a", "name": "A", "description": "D"}
    with pytest.raises(ValueError, match="criteria"):
        build_credential(
            credential_id="urn:uuid:1",
            issuer=ISSUER,
            achievement=AchievementInfo(**base),
            recipient=RECIPIENT,
            issued_on=FAR_ISSUED,
        )
    for alignment in ({"targetName": "X"}, {"targetName": "X", "targetUrl": "u", "bogus": "1"}):
        with pytest.raises(ValueError):
            build_credential(
                credential_id="urn:uuid:1",
                issuer=ISSUER,
                achievement=AchievementInfo(**base, criteria_narrative="N", alignments=[alignment]),
                recipient=RECIPIENT,
                issued_on=FAR_ISSUED,
            )


def test_identity_hash() -> None:
    expected = hashlib.sha256(b"learner@example.orgFleurDeSel").hexdigest()
    assert EMAIL_HASH == f"sha256${expected}"


def test_revocation_list_shape() -> None:
    doc = revocation_list(
        "https://citylearn.example/issuers/museum/revocations",
        [("https://citylearn.example/credentials/1", "Issued in error"),
         ("https://citylearn.example/credentials/2", None)],
        issuer_id=ISSUER_ID,
    )  # fmt: skip
    assert doc == {
        "id": "https://citylearn.example/issuers/museum/revocations",
        "issuer": ISSUER_ID,
        "revokedCredential": [
            {
                "id": "https://citylearn.example/credentials/1",
                "revoked": True,
                "revocationReason": "Issued in error",
            },
            {"id": "https://citylearn.example/credentials/2", "revoked": True},
        ],
    }
    assert revocation_list("https://x.example/r", [])["revokedCredential"] == []


def test_issuer_profile_and_jwks() -> None:
    jwks_url = jwks_url_for_issuer(ISSUER_ID)
    assert jwks_url == "https://citylearn.example/.well-known/jwks.json"
    profile = issuer_profile(ISSUER, jwks_url)
    assert profile["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert profile["id"] == ISSUER_ID and profile["type"] == ["Profile"]
    assert profile["name"] == ISSUER.name and profile["email"] == ISSUER.email
    assert profile["jwks_uri"] == jwks_url
    assert [k["kid"] for k in JWKS["keys"]] == [RSA_KEY.kid, ED_KEY.kid]
    for published in JWKS["keys"]:
        assert published["iss"] == ISSUER_ID
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(published)
        jwt.PyJWK(published)  # PyJWT accepts every published key
    with pytest.raises(ValueError):
        jwks_url_for_issuer("did:example:123")


# --- VC-JWT, verified by PyJWT ---------------------------------------------------------


def pyjwt_decode(token: str, published: dict[str, Any], alg: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        token,
        key=jwt.PyJWK(published).key,
        algorithms=[alg],
        issuer=ISSUER_ID,
        options={"require": ["iss", "jti", "sub", "nbf", "exp", "iat"]},
    )
    return decoded


def published_jwk(key: SigningKey) -> dict[str, Any]:
    return next(k for k in JWKS["keys"] if k["kid"] == key.kid)


def test_pyjwt_verifies_our_vc_jwt(key: SigningKey) -> None:
    cred = current_credential()
    token = sign_vc_jwt(cred, key)
    # §"Create the JOSE Header": exactly alg, kid, typ; kid is the key's URL.
    assert jwt.get_unverified_header(token) == {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    claims = pyjwt_decode(token, published_jwk(key), key.alg)
    assert claims["iss"] == cred["issuer"]["id"]
    assert claims["jti"] == cred["id"]
    assert claims["sub"] == EMAIL_HASH  # no credentialSubject.id: the identity hash
    assert claims["nbf"] == epoch(datetime.fromisoformat(cred["validFrom"]))
    assert claims["exp"] == epoch(datetime.fromisoformat(cred["validUntil"]))
    assert "OpenBadgeCredential" in claims["type"]
    # §"JWT Payload Format": the payload is the credential itself, no "vc" wrapper.
    assert "vc" not in claims
    assert {
        k: v for k, v in claims.items() if k not in {"iss", "jti", "sub", "nbf", "exp", "iat"}
    } == cred
    assert verify_vc_jwt(token, JWKS) == cred


def test_sub_is_subject_id_when_known(key: SigningKey) -> None:
    cred = current_credential(
        recipient=RecipientInfo(identity_hash=EMAIL_HASH, salt=SALT, subject_id="did:example:ebf")
    )
    claims = pyjwt_decode(sign_vc_jwt(cred, key), published_jwk(key), key.alg)
    assert claims["sub"] == "did:example:ebf"


def test_no_exp_without_valid_until(key: SigningKey) -> None:
    cred = current_credential()
    del cred["validUntil"]
    token = sign_vc_jwt(cred, key)
    claims = jwt.decode(token, key=jwt.PyJWK(published_jwk(key)).key, algorithms=[key.alg])
    assert "exp" not in claims
    assert verify_vc_jwt(token, JWKS) == cred


def test_sign_rejects_credentials_with_claim_members() -> None:
    with pytest.raises(ValueError, match="JWT claim"):
        sign_vc_jwt({**credential(), "iss": "x"}, ED_KEY)


def test_unverified_issuer() -> None:
    assert unverified_issuer(sign_vc_jwt(credential(), ED_KEY)) == ISSUER_ID
    with pytest.raises(CredentialError):
        unverified_issuer("nonsense")


# --- tampering: rejected by PyJWT AND by us --------------------------------------------


def both_reject(token: str, key: SigningKey, code: str) -> None:
    with pytest.raises(jwt.PyJWTError):
        pyjwt_decode(token, published_jwk(key), key.alg)
    with pytest.raises(CredentialError) as ours:
        verify_vc_jwt(token, JWKS)
    assert ours.value.code == code, ours.value


def test_tampered_payload_rejected(key: SigningKey) -> None:
    token = sign_vc_jwt(current_credential(), key)
    header, _, signature = token.split(".")
    forged = jwt.decode(token, options={"verify_signature": False})  # the same claims...
    forged["credentialSubject"]["achievement"]["name"] = "Nobel Prize"  # ...one edit
    token = f"{header}.{b64url_encode(orjson.dumps(forged))}.{signature}"
    both_reject(token, key, "bad_signature")


def test_signed_by_another_key_rejected(key: SigningKey) -> None:
    impostor = new_key(key.alg, key.kid)
    both_reject(sign_vc_jwt(current_credential(), impostor), key, "bad_signature")


def test_alg_none_and_hs256_rejected(key: SigningKey) -> None:
    body = sign_vc_jwt(current_credential(), key).split(".")[1]
    none_header = b64url_encode(orjson.dumps({"alg": "none", "kid": key.kid, "typ": "JWT"}))
    both_reject(f"{none_header}.{body}.", key, "bad_signature")
    hs_header = b64url_encode(orjson.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}))
    mac = hmac.new(key.public_pem, f"{hs_header}.{body}".encode(), hashlib.sha256).digest()
    both_reject(f"{hs_header}.{body}.{b64url_encode(mac)}", key, "bad_signature")


# --- PyJWT tokens verified by us -------------------------------------------------------


def test_we_accept_pyjwt_vc_jwt(key: SigningKey) -> None:
    cred = current_credential()
    claims = {
        "iss": ISSUER_ID,
        "jti": cred["id"],
        "sub": EMAIL_HASH,
        "nbf": epoch(datetime.fromisoformat(cred["validFrom"])),
        "exp": epoch(datetime.fromisoformat(cred["validUntil"])),
    }
    token = jwt.encode(
        {**cred, **claims}, key.private_pem, algorithm=key.alg, headers={"kid": key.kid}
    )
    assert verify_vc_jwt(token, JWKS) == cred
    # VCDM 1.1-style tokens carry the credential in "vc" (§"Verify a Credential" note).
    wrapped = jwt.encode(
        {"vc": cred, **claims}, key.private_pem, algorithm=key.alg, headers={"kid": key.kid}
    )
    assert verify_vc_jwt(wrapped, JWKS) == cred
    # A jwk header instead of kid is fine if the issuer's JWKS has that key.
    embedded = {k: v for k, v in key.public_jwk.items() if k != "kid"}
    by_jwk = jwt.encode(
        {**cred, **claims}, key.private_pem, algorithm=key.alg, headers={"jwk": embedded}
    )
    assert verify_vc_jwt(by_jwk, JWKS) == cred
    stranger = {k: v for k, v in new_key(key.alg, "x").public_jwk.items() if k != "kid"}
    by_stranger = jwt.encode(
        {**cred, **claims}, key.private_pem, algorithm=key.alg, headers={"jwk": stranger}
    )
    with pytest.raises(CredentialError, match="unknown_key"):
        verify_vc_jwt(by_stranger, JWKS)


# --- our verifier's reasons ------------------------------------------------------------

FAR_TOKEN = sign_vc_jwt(credential(), ED_KEY, now=FAR_ISSUED)


def reason(token: str, jwks: Any = JWKS, now: datetime = FAR_ISSUED + timedelta(days=30)) -> str:
    with pytest.raises(CredentialError) as caught:
        verify_vc_jwt(token, jwks, now=now)
    return caught.value.code


def test_validity_window() -> None:
    assert verify_vc_jwt(FAR_TOKEN, JWKS, now=FAR_ISSUED + timedelta(days=30)) == credential()
    assert verify_vc_jwt(FAR_TOKEN, JWKS, now=FAR_ISSUED - timedelta(seconds=30))  # leeway
    assert reason(FAR_TOKEN, now=FAR_ISSUED - timedelta(hours=1)) == "not_yet_valid"
    assert reason(FAR_TOKEN, now=FAR_EXPIRES + timedelta(hours=1)) == "expired"
    with pytest.raises(CredentialError, match="expired"):
        verify_vc_jwt(FAR_TOKEN, JWKS, now=FAR_EXPIRES, leeway=timedelta(0))
    with pytest.raises(ValueError, match="timezone"):
        verify_vc_jwt(FAR_TOKEN, JWKS, now=datetime(2030, 6, 1))


def test_unknown_or_unusable_keys() -> None:
    assert reason(FAR_TOKEN, jwks=jwk_set([RSA_KEY])) == "unknown_key"
    assert reason(FAR_TOKEN, jwks={}) == "unknown_key"
    assert reason(FAR_TOKEN, jwks={"keys": "nope"}) == "unknown_key"
    assert reason(FAR_TOKEN, jwks=jwk_set([ED_KEY, ED_KEY])) == "unknown_key"  # ambiguous
    assert (
        reason(FAR_TOKEN, jwks=jwk_set([ED_KEY], issuer_id="https://other.example"))
        == "unknown_key"
    )
    leaked = {"keys": [{**ED_KEY.public_jwk, "d": b64url_encode(b"\x00" * 32)}]}
    assert reason(FAR_TOKEN, jwks=leaked) == "unknown_key"
    # A JWKS that maps the kid to a different key: the signature fails.
    swapped = {"keys": [{**new_key("EdDSA", "x").public_jwk, "kid": ED_KEY.kid}]}
    assert reason(FAR_TOKEN, jwks=swapped) == "bad_signature"


def signed(claims: dict[str, Any], key: SigningKey = ED_KEY) -> str:
    return sign_jws(claims, key, typ="JWT")


def far_claims(**overrides: Any) -> dict[str, Any]:
    payload = orjson.loads(jwt.utils.base64url_decode(FAR_TOKEN.split(".")[1]))
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def test_not_an_open_badge() -> None:
    assert reason(signed(far_claims(type=["VerifiableCredential"]))) == "not_open_badge"
    assert reason(signed(far_claims(type="OpenBadgeCredential"))) == "not_open_badge"
    assert reason(signed(far_claims(**{"@context": [VC_V2_CONTEXT]}))) == "not_open_badge"
    # AchievementCredential is the spec's alias and must be accepted.
    alias = far_claims(type=["VerifiableCredential", "AchievementCredential"])
    assert verify_vc_jwt(signed(alias), JWKS, now=FAR_ISSUED)


def test_claims_must_mirror_the_credential() -> None:
    nbf = epoch(FAR_ISSUED)
    assert reason(signed(far_claims(iss="https://evil.example"))) == "claim_mismatch"
    assert reason(signed(far_claims(jti="urn:uuid:other"))) == "claim_mismatch"
    assert reason(signed(far_claims(nbf=nbf - 3600))) == "claim_mismatch"
    assert reason(signed(far_claims(exp=epoch(FAR_EXPIRES) + 3600))) == "claim_mismatch"
    no_nbf = far_claims()
    del no_nbf["nbf"]
    assert reason(signed(no_nbf)) == "claim_mismatch"
    assert reason(signed(far_claims(nbf="2030-01-01"))) == "malformed"
    assert reason(signed(far_claims(nbf=True))) == "malformed"
    subject = {**far_claims()["credentialSubject"], "id": "did:example:ebf"}
    assert (
        reason(signed(far_claims(credentialSubject=subject, sub="did:example:x")))
        == "claim_mismatch"
    )
    assert verify_vc_jwt(
        signed(far_claims(credentialSubject=subject, sub="did:example:ebf")), JWKS, now=FAR_ISSUED
    )


def test_invalid_credential_structure() -> None:
    anonymous = {"type": ["AchievementSubject"], "achievement": {"id": "https://x.example/a"}}
    assert reason(signed(far_claims(credentialSubject=anonymous))) == "invalid_credential"
    assert reason(signed(far_claims(credentialSubject="x"))) == "invalid_credential"
    assert reason(signed(far_claims(validFrom="yesterday"))) == "invalid_credential"
    assert reason(signed(far_claims(issuer=None))) == "invalid_credential"


def test_malformed_tokens() -> None:
    assert reason("not.a.jwt") == "malformed"
    assert reason("") == "malformed"
    assert reason(sign_jws(b"[1, 2]", ED_KEY)) == "malformed"
    assert reason(sign_jws(b"not json", ED_KEY)) == "malformed"


# --- fuzzing: nothing but CredentialError may escape -----------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["@context", "id", "type", "issuer", "validFrom", "validUntil", "credentialSubject",
     "iss", "jti", "sub", "nbf", "exp", "iat", "vc"]
)  # fmt: skip
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOWS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1), timezones=st.just(UTC)
)


def only_credential_error(token: Any, jwks: Any = JWKS, now: datetime | None = None) -> None:
    try:
        result = verify_vc_jwt(token, jwks, now=now)
    except CredentialError:
        return
    assert isinstance(result, dict)


@FUZZ
@given(token=st.text(max_size=300), now=NOWS)
def test_fuzz_text_tokens(token: str, now: datetime) -> None:
    only_credential_error(token, now=now)


@FUZZ
@given(payload=JSON)
def test_fuzz_signed_random_payloads(payload: Any) -> None:
    only_credential_error(sign_jws(orjson.dumps(payload), ED_KEY, typ="JWT"))


@FUZZ
@given(edits=st.dictionaries(FIELDS, JSON, min_size=1, max_size=3), now=NOWS)
def test_fuzz_signed_mutated_credentials(edits: dict[str, Any], now: datetime) -> None:
    payload = {**far_claims(), **edits}
    only_credential_error(sign_jws(payload, ED_KEY, typ="JWT"), now=now)


@FUZZ
@given(jwks=st.one_of(JSON, st.fixed_dictionaries({"keys": st.lists(JSON, max_size=3)})))
def test_fuzz_jwks(jwks: Any) -> None:
    only_credential_error(FAR_TOKEN, jwks=jwks)


@FUZZ
@given(header=JSON)
def test_fuzz_headers(header: Any) -> None:
    body = FAR_TOKEN.split(".", 2)[1]
    only_credential_error(f"{b64url_encode(orjson.dumps(header))}.{body}.{'A' * 86}")
