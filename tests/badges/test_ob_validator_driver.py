"""Self-test of the external Open Badges judge (tests/badges/ob_validator.py): it must pass a
hand-written valid OB 2.0 badge and fail broken ones, hosted, signed and baked, over plain http on
loopback. No database: the badges are served by a throwaway http.server in this module."""

from __future__ import annotations

import base64
import copy
import hashlib
import http.server
import json
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.badges.ob_validator import ensure_validator, validate

OB_V2 = "https://w3id.org/openbadges/v2"
EMAIL = "learner@example.org"
SALT = "pepper-7f3a"
ISSUED_ON = "2024-05-01T12:00:00Z"


def identity_hash(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(baked: str | None = None) -> bytes:
    """A 1x1 grey PNG; with `baked`, an uncompressed iTXt chunk keyword "openbadges" holding it."""
    chunks = [png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))]
    if baked is not None:
        # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translation NUL
        chunks.append(png_chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + baked.encode()))
    chunks.append(png_chunk(b"IDAT", zlib.compress(b"\x00\x80")))
    chunks.append(png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


class BadgeSite:
    """Loopback http server answering GETs from `routes`: path -> (status, content type, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, content_type, body = site.routes.get(
                    self.path, (404, "text/plain", b"not found")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def json(self, path: str, document: dict[str, Any], status: int = 200) -> str:
        self.routes[path] = (status, "application/ld+json", json.dumps(document).encode())
        return self.url(path)

    def raw(self, path: str, content_type: str, body: bytes) -> str:
        self.routes[path] = (200, content_type, body)
        return self.url(path)


@pytest.fixture(scope="module")
def validator() -> Path:
    return ensure_validator()


@pytest.fixture
def site(validator: Path) -> Iterator[BadgeSite]:
    s = BadgeSite()
    s.thread.start()
    try:
        yield s
    finally:
        s.server.shutdown()
        s.server.server_close()
        s.thread.join(5)


def issuer_doc(site: BadgeSite, **extra: Any) -> dict[str, Any]:
    return {
        "@context": OB_V2,
        "type": "Issuer",
        "id": site.url("/issuer"),
        "name": "CityLearn Test Issuer",
        "url": site.url("/"),
        "email": "badges@citylearn.example",
        **extra,
    }


def badge_doc(site: BadgeSite) -> dict[str, Any]:
    return {
        "@context": OB_V2,
        "type": "BadgeClass",
        "id": site.url("/badge"),
        "name": "Bike Repair Basics",
        "description": "Fixed a flat and adjusted brakes.",
        "image": site.url("/badge.png"),
        "criteria": {"narrative": "Complete the bike repair workshop."},
        "issuer": site.url("/issuer"),
    }


def assertion_doc(site: BadgeSite, **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": OB_V2,
        "type": "Assertion",
        "id": site.url("/assertion"),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": SALT,
            "identity": identity_hash(EMAIL, SALT),
        },
        "badge": site.url("/badge"),
        "verification": {"type": "HostedBadge"},
        "issuedOn": ISSUED_ON,
    }
    doc.update(overrides)
    return doc


def publish(
    site: BadgeSite,
    assertion: dict[str, Any] | None = None,
    issuer: dict[str, Any] | None = None,
    badge: dict[str, Any] | None = None,
) -> str:
    """Serve issuer, badge class, image and assertion; return the assertion URL."""
    site.json("/issuer", issuer if issuer is not None else issuer_doc(site))
    site.json("/badge", badge if badge is not None else badge_doc(site))
    site.raw("/badge.png", "image/png", tiny_png())
    return site.json("/assertion", assertion if assertion is not None else assertion_doc(site))


def assert_valid(result: dict[str, Any]) -> None:
    assert result["valid"] is True, json.dumps(result["errors"], indent=2)
    assert result["errors"] == []


def assert_rejected(result: dict[str, Any], *needles: str) -> None:
    assert result["valid"] is False, "judge accepted it:\n" + json.dumps(result["report"])[:3000]
    text = "\n".join(result["errors"])
    for needle in needles:
        assert needle in text, text


# --- hosted ---------------------------------------------------------------------------------


def test_valid_hosted_assertion_with_its_recipient(site: BadgeSite) -> None:
    result = validate(url=publish(site), recipient=EMAIL)
    assert_valid(result)
    report = result["report"]["report"]
    assert report["openBadgesVersion"] == "2.0"
    assert report["validationSubject"] == site.url("/assertion")
    assert report["recipientProfile"] == {"email": EMAIL}
    # Offline: the context came from the validator's bundled copy; only loopback was fetched.
    assert result["driver"]["documents"][OB_V2]["source"] == "local"
    assert all(f["url"].startswith(site.base) for f in result["driver"]["fetched"])


def test_assertion_json_input_is_followed_to_its_hosted_id(site: BadgeSite) -> None:
    publish(site)
    result = validate(json_text=json.dumps(assertion_doc(site)), recipient=EMAIL)
    assert_valid(result)
    assert result["report"]["report"]["validationSubject"] == site.url("/assertion")


def test_wrong_recipient_is_rejected(site: BadgeSite) -> None:
    result = validate(url=publish(site), recipient="someone.else@example.org")
    assert_rejected(result, "did not match assertion")
    assert result["validator_valid"] is False


def test_recipient_hash_with_other_salt_is_rejected(site: BadgeSite) -> None:
    recipient = {
        "type": "email",
        "hashed": True,
        "salt": "other",
        "identity": identity_hash(EMAIL, SALT),
    }
    result = validate(url=publish(site, assertion_doc(site, recipient=recipient)), recipient=EMAIL)
    assert_rejected(result, "did not match assertion")


def test_revoked_true_is_rejected(site: BadgeSite) -> None:
    doc = assertion_doc(site, revoked=True, revocationReason="Issued in error")
    result = validate(url=publish(site, doc), recipient=EMAIL)
    assert_rejected(result, "is revoked (revoked: true)", "Issued in error")
    # openbadges 1.1.2 itself ignores `revoked` on hosted assertions; validate.py adds the check.
    assert result["validator_valid"] is True


def test_410_gone_is_rejected(site: BadgeSite) -> None:
    publish(site)
    gone = {"@context": OB_V2, "id": site.url("/assertion"), "revoked": True}
    url = site.json("/assertion", gone, status=410)
    assert_rejected(validate(url=url, recipient=EMAIL), "HTTP 410 Gone")


def test_404_is_rejected(site: BadgeSite) -> None:
    assert_rejected(validate(url=site.url("/nothing-here")))


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        ("assertion", "issuedOn", "Required property issuedOn not present"),
        ("assertion", "verification", "Required property verification not present"),
        ("badge", "criteria", "Required property criteria not present"),
        ("issuer", "email", "Required property email not present"),
    ],
)
def test_missing_required_field_is_rejected(
    site: BadgeSite, document: str, field: str, message: str
) -> None:
    docs = {"assertion": assertion_doc(site), "badge": badge_doc(site), "issuer": issuer_doc(site)}
    del docs[document][field]
    url = publish(site, docs["assertion"], docs["issuer"], docs["badge"])
    result = validate(url=url, recipient=EMAIL)
    assert_rejected(result, message)
    assert result["validator_valid"] is False


def test_assertion_outside_the_issuers_allowed_origins_is_rejected(site: BadgeSite) -> None:
    policy = {"type": "VerificationObject", "allowedOrigins": "badges.citylearn.example"}
    url = publish(site, issuer=issuer_doc(site, verification=policy))
    assert_rejected(validate(url=url, recipient=EMAIL), "not hosted in allowed origins")


def test_nothing_leaves_loopback(site: BadgeSite) -> None:
    badge = badge_doc(site)
    badge["issuer"] = "https://issuer.example.com/profile"
    result = validate(url=publish(site, badge=badge), recipient=EMAIL)
    assert_rejected(result, "offline: refusing to fetch https://issuer.example.com/profile")
    assert {"url": "https://issuer.example.com/profile", "refused": True} in result["driver"][
        "fetched"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verification": {"type": "Bogus"}}, "type value Bogus not valid"),
        (
            {"recipient": {"type": "pigeon", "hashed": False, "identity": "coo"}},
            "type value pigeon not valid",
        ),
    ],
)
def test_type_rules_upstream_never_queues_are_enforced(
    site: BadgeSite, change: dict[str, Any], message: str
) -> None:
    """openbadges 1.1.2 never runs its own `type` rules; validate.py makes it (no recipient
    given here, so only the type rules can object)."""
    url = publish(site, assertion_doc(site, **change))
    assert_rejected(validate(url=url), message)
    assert validate(url=url, upstream=True)["valid"] is True


def test_issuer_without_email_passes_only_upstream(site: BadgeSite) -> None:
    issuer = issuer_doc(site)
    del issuer["email"]
    url = publish(site, issuer=issuer)
    assert validate(url=url, upstream=True)["valid"] is True
    assert_rejected(validate(url=url), "Required property email not present")


def test_hosted_assertion_claiming_signed_verification_is_rejected(site: BadgeSite) -> None:
    doc = assertion_doc(site, verification={"type": "SignedBadge", "creator": site.url("/key")})
    site.json("/key", {"@context": OB_V2, "type": "CryptographicKey", "id": site.url("/key")})
    result = validate(url=publish(site, doc), recipient=EMAIL)
    assert_rejected(result, "declares SignedBadge verification but was not given as a JWS")
    assert result["validator_valid"] is True  # upstream checks neither signature nor origin


# --- signed ---------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact_jws(payload: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(payload).encode())
    signing_input = f"{header}.{body}".encode()
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{b64url(signature)}"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def publish_signed(site: BadgeSite, key: rsa.RSAPrivateKey, **issuer_extra: Any) -> dict[str, Any]:
    """Serve the issuer (with publicKey), its CryptographicKey, badge class and image; return
    the signed assertion's payload (not hosted: a signed assertion has a urn:uuid id)."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_url = site.json(
        "/key",
        {
            "@context": OB_V2,
            "type": "CryptographicKey",
            "id": site.url("/key"),
            "owner": site.url("/issuer"),
            "publicKeyPem": pem.decode(),
        },
    )
    publish(site, issuer=issuer_doc(site, publicKey=key_url, **issuer_extra))
    return assertion_doc(
        site,
        id=f"urn:uuid:{uuid.uuid4()}",
        verification={"type": "SignedBadge", "creator": key_url},
    )


def test_signed_assertion_is_valid(site: BadgeSite, signing_key: rsa.RSAPrivateKey) -> None:
    payload = publish_signed(site, signing_key)
    result = validate(jws=compact_jws(payload, signing_key), recipient=EMAIL)
    assert_valid(result)
    assert result["report"]["report"]["validationSubject"] == payload["id"]
    assert result["report"]["report"]["recipientProfile"] == {"email": EMAIL}


def test_signed_assertion_from_a_file_is_valid(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    path = tmp_path / "assertion.jws"
    path.write_text(compact_jws(publish_signed(site, signing_key), signing_key) + "\n")
    assert_valid(validate(file=path, recipient=EMAIL))


def test_tampered_signed_payload_is_rejected(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey
) -> None:
    payload = publish_signed(site, signing_key)
    header, _, signature = compact_jws(payload, signing_key).split(".")
    forged = copy.deepcopy(payload)
    forged["recipient"]["identity"] = identity_hash("mallory@example.org", SALT)
    token = f"{header}.{b64url(json.dumps(forged).encode())}.{signature}"
    result = validate(jws=token, recipient="mallory@example.org")
    assert_rejected(result, "failed verification")


def test_signature_by_a_key_the_issuer_does_not_list_is_rejected(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey
) -> None:
    payload = publish_signed(site, signing_key)
    site.json("/issuer", issuer_doc(site))  # no publicKey
    result = validate(jws=compact_jws(payload, signing_key), recipient=EMAIL)
    assert_rejected(result, "other than those authorized by issuer profile")


def test_signed_assertion_without_any_key_is_rejected(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey
) -> None:
    """No verification.creator and no issuer publicKey: upstream never runs VERIFY_JWS."""
    payload = publish_signed(site, signing_key)
    payload["verification"] = {"type": "SignedBadge"}
    site.json("/issuer", issuer_doc(site))  # no publicKey
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    result = validate(jws=compact_jws(payload, stranger), recipient=EMAIL)
    assert_rejected(result, "VERIFY_JWS", "never ran")
    assert result["validator_valid"] is True  # upstream silently skips the signature check


def revocation_list(site: BadgeSite, *revoked: Any) -> str:
    return site.json(
        "/revocations",
        {
            "@context": OB_V2,
            "type": "RevocationList",
            "id": site.url("/revocations"),
            "issuer": site.url("/issuer"),
            "revokedAssertions": list(revoked),
        },
    )


@pytest.mark.parametrize("others", [0, 1])
def test_signed_assertion_in_revocation_list_is_rejected(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey, others: int
) -> None:
    payload = publish_signed(site, signing_key, revocationList=site.url("/revocations"))
    entries: list[Any] = [f"urn:uuid:{uuid.uuid4()}" for _ in range(others)]
    entries.append({"id": payload["id"], "revocationReason": "Awarded by mistake"})
    revocation_list(site, *entries)
    token = compact_jws(payload, signing_key)
    assert_rejected(validate(jws=token, recipient=EMAIL), "has been revoked in RevocationList")
    if others == 0:  # upstream misreads a one-entry list (see fix_revocation_list_arrays)
        assert validate(jws=token, recipient=EMAIL, upstream=True)["valid"] is True


def test_signed_assertion_not_in_revocation_list_is_valid(
    site: BadgeSite, signing_key: rsa.RSAPrivateKey
) -> None:
    payload = publish_signed(site, signing_key, revocationList=site.url("/revocations"))
    revocation_list(site, f"urn:uuid:{uuid.uuid4()}", {"id": f"urn:uuid:{uuid.uuid4()}"})
    assert_valid(validate(jws=compact_jws(payload, signing_key), recipient=EMAIL))


# --- baked ----------------------------------------------------------------------------------


def test_baked_png_with_assertion_url_is_valid(site: BadgeSite, tmp_path: Path) -> None:
    path = tmp_path / "baked.png"
    path.write_bytes(tiny_png(baked=publish(site)))
    result = validate(file=path, recipient=EMAIL)
    assert_valid(result)
    assert result["driver"]["baked"] == site.url("/assertion")


def test_png_without_badge_is_rejected(tmp_path: Path, validator: Path) -> None:
    path = tmp_path / "plain.png"
    path.write_bytes(tiny_png())
    assert_rejected(validate(file=path), "Could not find Open Badges metadata")
