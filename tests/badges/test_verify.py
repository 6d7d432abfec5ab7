"""server.badges.verify, no mocks: our own badges served live by `badge_server` (hosted URL,
signed JWS, baked PNG and SVG, OB 3.0 VC-JWT and baked PNG) verify with the right email and
fail with a wrong one; revoked, tampered and expired ones fail for that reason; a foreign
issuer's hand-written OB 2.0 documents, served from throwaway loopback sites, verify (and fail
the origin and key rules when they should); garbage of every kind comes back as a failed
check, never an exception; and `citylearn badges verify` runs in a subprocess."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partners import fetch
from server.badges import awards, identity, images, ob3, published, verify
from server.badges.baking import PNG_SIGNATURE
from server.badges.signing import new_key, sign_jws
from server.badges.urls import BadgeUrls
from server.db import session_scope
from server.models.enums import AwardMethod
from tests.accounts import people
from tests.badges.conftest import BadgeServer
from tests.badges.helpers import Issuer, badge_class, issuer, now

Sessions = async_sessionmaker[AsyncSession]
LIMITS = verify.default_limits(allow_private=True, timeout_seconds=5)
OB2 = "https://w3id.org/openbadges/v2"
ROOT = Path(__file__).resolve().parents[2]

HOSTED_CHECKS = [
    "parse",
    "fetch assertion",
    "assertion",
    "badge class",
    "issuer",
    "origin",
    "recipient",
    "revocation",
    "expiry",
]
SIGNED_CHECKS = [
    "parse",
    "fetch key",
    "signature",
    "assertion",
    "badge class",
    "issuer",
    "signing key",
    "recipient",
    "revocation",
    "expiry",
]
VC_JWT_CHECKS = [
    "parse",
    "fetch key",
    "signature",
    "issuer key",
    "credential",
    "recipient",
    "revocation",
    "expiry",
]


def _names(result: verify.Verification) -> list[str]:
    return [check.name for check in result.checks]


def _failed(result: verify.Verification) -> dict[str, str]:
    return {check.name: check.detail for check in result.failures}


async def _verify(
    source: verify.Source,
    *emails: str,
    limits: fetch.Limits = LIMITS,
    when: datetime | None = None,
) -> verify.Verification:
    return await verify.verify(source, recipient_emails=emails, limits=limits, now=when or now())


# --------------------------------------------------------------------------- our badges


@dataclass
class Award:
    made: Issuer
    assertion_id: uuid.UUID
    email: str
    hosted: str = ""
    jws: str = ""
    vc_jwt: str = ""
    png: bytes = b""
    svg: str = ""
    ob3_png: bytes = b""


async def _award(sessionmaker: Sessions, server: BadgeServer, **fields: object) -> Award:
    email = f"{people.unique('verify')}@example.org"
    async with session_scope(sessionmaker) as s:
        made = await issuer(s, website="https://bikes.example.org")
        bc = await badge_class(s, made, **fields)
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc.id, email, narrative="Rebuilt a donated bike")],
            method=AwardMethod.API,
            now=now(),
        )
    assertion_id = done[0].assertion_id
    assert assertion_id is not None
    award = Award(made, assertion_id, email, hosted=f"{server.url}/ob/v2/assertions/{assertion_id}")
    async with httpx.AsyncClient(base_url=server.url) as client:
        award.jws = (await client.get(f"/ob/v2/assertions/{assertion_id}/signed")).text
        award.vc_jwt = (await client.get(f"/ob/v3/credentials/{assertion_id}/jwt")).text
    urls = BadgeUrls(server.url)
    async with session_scope(sessionmaker) as s:
        record = await published.award(s, assertion_id)
        assert record is not None
        award.png = published.baked_png_v2(record, urls)
        award.svg = published.baked_svg_v2(record, urls)
        award.ob3_png = await published.baked_png_v3(s, record, urls)
    return award


async def _revoke(sessionmaker: Sessions, award: Award) -> None:
    async with session_scope(sessionmaker) as s:
        await awards.revoke(
            s, award.made.staff_actor, award.assertion_id, "Awarded by mistake", now=now()
        )


def _sources(award: Award) -> dict[str, tuple[verify.Source, str, list[str]]]:
    """Every form of one award: (source, spec, the checks it runs)."""
    baked = ["parse", *HOSTED_CHECKS[1:]]
    return {
        "hosted url": (award.hosted, "ob2", HOSTED_CHECKS),
        "signed jws": (award.jws, "ob2", SIGNED_CHECKS),
        "baked png": (award.png, "ob2", baked),
        "baked svg (text)": (award.svg, "ob2", baked),
        "baked svg (bytes)": (award.svg.encode(), "ob2", baked),
        "vc-jwt": (award.vc_jwt, "ob3", VC_JWT_CHECKS),
        "ob3 baked png": (award.ob3_png, "ob3", VC_JWT_CHECKS),
    }


async def test_our_badge_verifies_in_every_form_for_its_recipient_only(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server)
    issuer_v2 = f"{badge_server.url}/ob/v2/issuers/{award.made.organization.id}"
    issuer_v3 = f"{badge_server.url}/ob/v3/issuers/{award.made.organization.id}"
    for form, (source, spec, checks) in _sources(award).items():
        good = await _verify(source, "someone@example.org", award.email.upper())
        assert good.valid, (form, good.failures)
        assert _names(good) == checks, form
        assert good.spec == spec and good.recipient_match is True, form
        assert not good.revoked and not good.expired, form
        assert good.badge is not None and good.badge.name == "Bike Mechanic", form
        assert good.issuer is not None and good.issuer.id == (
            issuer_v2 if spec == "ob2" else issuer_v3
        ), form
        assert good.issued_on is not None and good.expires_at is None, form
        assert good.document is not None, form
        assert award.email not in json.dumps(good.document), "the hash, never the address"

        wrong = await _verify(source, "not.them@example.org")
        assert not wrong.valid and wrong.recipient_match is False, form
        assert set(_failed(wrong)) == {"recipient"}, (form, wrong.failures)

        anyone = await _verify(source)  # the public verify page: no email to compare
        assert anyone.valid and anyone.recipient_match is None, form


async def test_url_input_also_takes_a_vc_jwt_url(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server)
    url = f"{badge_server.url}/ob/v3/credentials/{award.assertion_id}/jwt"
    result = await _verify(url, award.email)
    assert result.valid, result.failures
    assert result.kind == "url" and result.spec == "ob3"
    assert _names(result) == ["parse", "fetch", *VC_JWT_CHECKS[1:]]


async def test_revoked_badges_are_reported_revoked(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server)
    await _revoke(sessionmaker, award)
    for form, (source, _, _) in _sources(award).items():
        result = await _verify(source, award.email)
        assert not result.valid and result.revoked, form
        assert "revocation" in _failed(result), (form, result.checks)
    hosted = await _verify(award.hosted, award.email)
    assert "410" in hosted.checks[1].detail
    signed = await _verify(award.jws, award.email)
    assert (
        "revocation list lists this assertion: Awarded by mistake"
        in (_failed(signed)["revocation"])
    )
    assert set(_failed(signed)) == {"revocation"}  # everything else still checks out
    ob3 = await _verify(award.vc_jwt, award.email)
    assert set(_failed(ob3)) == {"revocation"}
    assert "revoked this credential: Awarded by mistake" in _failed(ob3)["revocation"]


def _tamper(token: str, change: Any) -> str:
    head, body, signature = token.split(".")
    payload = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    change(payload)
    forged = base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


async def test_tampered_tokens_fail_the_signature_check(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server)

    def other_recipient(payload: dict[str, Any]) -> None:
        payload["recipient"]["identity"] = identity.hash_email("thief@example.org", "x")
        payload["recipient"]["salt"] = "x"

    def brain_surgeon(payload: dict[str, Any]) -> None:
        payload["credentialSubject"]["achievement"]["name"] = "Brain Surgeon"

    for token, change in ((award.jws, other_recipient), (award.vc_jwt, brain_surgeon)):
        result = await _verify(_tamper(token, change), "thief@example.org")
        assert not result.valid
        assert result.checks[-1].name == "signature" and not result.checks[-1].passed
        assert "does not verify" in result.checks[-1].detail
        assert result.badge is None, "nothing from a forged token is reported as the badge"
    # A signature cut off, and one from another key: the same failure.
    head, body, _ = award.vc_jwt.split(".")
    stranger = new_key("RS256", "https://elsewhere.example/key")
    resigned = sign_jws(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), stranger)
    for token in (f"{head}.{body}.", f"{head}.{body}.{resigned.split('.')[2]}"):
        assert _failed(await _verify(token, award.email)).keys() == {"signature"}


async def test_expired_badges_are_reported_expired(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server, expires_after_days=1)
    later = now() + timedelta(days=2)
    for form, (source, _, _) in _sources(award).items():
        fresh = await _verify(source, award.email)
        assert fresh.valid and fresh.expires_at is not None, (form, fresh.failures)
        old = await _verify(source, award.email, when=later)
        assert not old.valid and old.expired and not old.revoked, form
        assert set(_failed(old)) == {"expiry"}, (form, old.failures)
        assert "expired" in _failed(old)["expiry"]


# --------------------------------------------------------------------------- foreign sites


@dataclass
class Site:
    """A throwaway loopback web site serving whatever documents a test puts on it."""

    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def put(self, path: str, body: Any, *, status: int = 200, kind: str = "") -> str:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.pages[path] = (status, kind or "application/ld+json", data)
        return self.url(path)


def _serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, kind, body = site.pages.get(self.path, (404, "text/plain", b"not here"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a verifier hanging up at its size limit is expected

    server = Server(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    """Two sites: two origins (the same host on different ports)."""
    made = (Site(), Site())
    servers = [_serve(site) for site in made]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield made
    for server in servers:
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/assertion"


@dataclass
class Foreign:
    site: Site
    prefix: str
    issuer: dict[str, Any]
    badge: dict[str, Any]


def _foreign(site: Site, **issuer_fields: Any) -> Foreign:
    """A hand-written OB 2.0 issuer and badge class, as another network would publish them."""
    prefix = f"/{uuid.uuid4().hex[:8]}"
    issuer_doc = {
        "@context": OB2,
        "type": "Issuer",
        "id": site.url(f"{prefix}/issuer"),
        "name": "Harbor Science Club",
        "url": "https://harbor.example",
        "email": "badges@harbor.example",
        "revocationList": site.url(f"{prefix}/revocations"),
        **issuer_fields,
    }
    badge_doc = {
        "@context": OB2,
        "type": "BadgeClass",
        "id": site.url(f"{prefix}/badges/knots"),
        "name": "Knot Tying",
        "description": "Tied a bowline, a clove hitch and a sheet bend.",
        "image": "https://harbor.example/knots.png",
        "criteria": {"narrative": "Tie three knots with your eyes closed."},
        "issuer": issuer_doc["id"],
    }
    site.put(f"{prefix}/issuer", issuer_doc)
    site.put(f"{prefix}/badges/knots", badge_doc)
    site.put(
        f"{prefix}/revocations",
        {
            "@context": OB2,
            "type": "RevocationList",
            "id": site.url(f"{prefix}/revocations"),
            "issuer": issuer_doc["id"],
            "revokedAssertions": [{"id": "urn:uuid:00000000-0000-0000-0000-000000000000"}],
        },
    )
    return Foreign(site, prefix, issuer_doc, badge_doc)


def _assertion(foreign: Foreign, assertion_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": OB2,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": recipient,
        "badge": foreign.badge["id"],
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2025-05-01T10:00:00Z",
    }


def _recipients(email: str) -> dict[str, dict[str, Any]]:
    md5 = hashlib.md5((email + "pepper").encode()).hexdigest()
    return {
        "sha256": {
            "type": "email",
            "hashed": True,
            "salt": "pepper",
            "identity": identity.hash_email(email, "pepper"),
        },
        "md5": {"type": "email", "hashed": True, "salt": "pepper", "identity": f"md5${md5}"},
        "plain": {"type": "email", "hashed": False, "identity": email},
    }


async def test_a_foreign_hosted_badge_verifies(sites: tuple[Site, Site]) -> None:
    site = sites[0]
    foreign = _foreign(site)
    for form, recipient in _recipients("sailor@harbor.example").items():
        url = site.url(f"{foreign.prefix}/assertions/{form}")
        site.put(f"{foreign.prefix}/assertions/{form}", _assertion(foreign, url, recipient))
        result = await _verify(url, "Sailor@Harbor.example")
        assert result.valid, (form, result.failures)
        assert _names(result) == HOSTED_CHECKS
        assert result.badge is not None and result.badge.name == "Knot Tying"
        assert result.issuer is not None and result.issuer.name == "Harbor Science Club"
        assert result.issued_on is not None and result.issued_on.year == 2025
        as_json = await _verify(json.dumps(_assertion(foreign, url, recipient)), "x@example.org")
        assert _names(as_json) == HOSTED_CHECKS and _failed(as_json).keys() == {"recipient"}


async def test_a_foreign_assertion_on_another_origin_fails_the_origin_check(
    sites: tuple[Site, Site],
) -> None:
    home, elsewhere = sites
    foreign = _foreign(home)
    recipient = _recipients("sailor@harbor.example")["sha256"]
    url = elsewhere.put(f"{foreign.prefix}/impostor", {})
    elsewhere.put(f"{foreign.prefix}/impostor", _assertion(foreign, url, recipient))
    result = await _verify(url, "sailor@harbor.example")
    assert not result.valid and _failed(result).keys() == {"origin"}
    assert "same origin" in _failed(result)["origin"]
    # ...unless the issuer's own verification rules allow that host.
    allowing = _foreign(home, verification={"allowedOrigins": ["127.0.0.1"]})
    url = elsewhere.put(f"{allowing.prefix}/allowed", {})
    elsewhere.put(f"{allowing.prefix}/allowed", _assertion(allowing, url, recipient))
    assert (await _verify(url, "sailor@harbor.example")).valid


async def test_a_foreign_hosted_assertion_must_live_at_its_id(sites: tuple[Site, Site]) -> None:
    site = sites[0]
    foreign = _foreign(site)
    recipient = _recipients("sailor@harbor.example")["sha256"]
    document = _assertion(foreign, site.url(f"{foreign.prefix}/real"), recipient)
    url = site.put(f"{foreign.prefix}/copy", document)
    result = await _verify(url, "sailor@harbor.example")
    assert _names(result)[-1] == "assertion" and "not the URL" in _failed(result)["assertion"]


async def test_a_foreign_signed_badge_verifies_and_its_revocation_is_found(
    sites: tuple[Site, Site],
) -> None:
    home, elsewhere = sites
    email = "diver@harbor.example"
    prefix = f"/{uuid.uuid4().hex[:8]}"
    key = new_key("RS256", home.url(f"{prefix}/key"))
    foreign = _foreign(home, publicKey=key.kid)
    home.put(
        f"{prefix}/key",
        {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": key.kid,
            "owner": foreign.issuer["id"],
            "publicKeyPem": key.public_pem.decode(),
        },
    )

    def signed(assertion_id: uuid.UUID, signer: Any = key) -> str:
        document = _assertion(foreign, f"urn:uuid:{assertion_id}", _recipients(email)["plain"])
        document["verification"] = {"type": "SignedBadge", "creator": signer.kid}
        return sign_jws(document, signer)

    good = await _verify(signed(uuid.uuid4()), email)
    assert good.valid, good.failures
    assert _names(good) == SIGNED_CHECKS and good.badge is not None

    # Revoked by uid: the list names the assertion's UUID only.
    revoked_id = uuid.uuid4()
    home.put(
        f"{foreign.prefix}/revocations",
        {"type": "RevocationList", "revokedAssertions": [{"uid": str(revoked_id)}]},
    )
    revoked = await _verify(signed(revoked_id), email)
    assert revoked.revoked and _failed(revoked).keys() == {"revocation"}

    # Someone else's key, on another site, naming this issuer: the issuer does not list it.
    impostor = new_key("RS256", elsewhere.url(f"{prefix}/key"))
    elsewhere.put(
        f"{prefix}/key",
        {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": impostor.kid,
            "publicKeyPem": impostor.public_pem.decode(),
        },
    )
    forged = await _verify(signed(uuid.uuid4(), impostor), email)
    assert not forged.valid and _names(forged)[-1] == "signing key"
    assert "does not list" in _failed(forged)["signing key"]


async def test_a_foreign_vc_jwt_needs_a_key_the_issuer_publishes(
    sites: tuple[Site, Site],
) -> None:
    home, elsewhere = sites
    prefix = f"/{uuid.uuid4().hex[:8]}"
    issuer_id = home.url(f"{prefix}/profile")
    key = new_key("RS256", elsewhere.url(f"{prefix}/jwk"))  # the key lives on another origin
    credential = ob3.build_credential(
        credential_id=home.url(f"{prefix}/credentials/1"),
        issuer=ob3.IssuerInfo(id=issuer_id, name="Harbor Science Club"),
        achievement=ob3.AchievementInfo(
            id=home.url(f"{prefix}/achievements/knots"),
            name="Knot Tying",
            description="Tied three knots.",
            criteria_narrative="Tie three knots.",
        ),
        recipient=ob3.RecipientInfo(
            identity_hash=identity.hash_email("sailor@harbor.example", "salt"), salt="salt"
        ),
        issued_on=now(),
    )
    token = ob3.sign_vc_jwt(credential, key)
    elsewhere.put(f"{prefix}/jwk", key.public_jwk, kind="application/jwk+json")
    profile = {"id": issuer_id, "type": "Profile", "jwks_uri": home.url(f"{prefix}/jwks")}
    home.put(f"{prefix}/profile", profile)
    home.put(f"{prefix}/jwks", {"keys": []})
    unlisted = await _verify(token, "sailor@harbor.example")
    assert not unlisted.valid and _names(unlisted)[-1] == "issuer key"
    assert "does not list it" in _failed(unlisted)["issuer key"]
    # Once the issuer's JWK Set (named by its profile) lists the key, the credential is theirs.
    home.put(f"{prefix}/jwks", ob3.jwk_set([key], issuer_id=issuer_id))
    listed = await _verify(token, "sailor@harbor.example")
    assert listed.valid, listed.failures
    assert _names(listed) == VC_JWT_CHECKS
    assert listed.badge is not None and listed.badge.name == "Knot Tying"
    assert "names no status list" in listed.checks[-2].detail


async def test_ob3_json_without_a_verifiable_proof_is_not_verified(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    award = await _award(sessionmaker, badge_server)
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        credential = (await client.get(f"/ob/v3/credentials/{award.assertion_id}")).json()
    bare = await _verify(json.dumps(credential), award.email)
    assert not bare.valid and bare.spec == "ob3" and bare.kind == "json"
    assert "no proof" in _failed(bare)["signature"]
    assert bare.recipient_match is True, "still reported, for information"
    proved = {
        **credential,
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"},
    }
    result = await _verify(json.dumps(proved), award.email)
    assert not result.valid and "eddsa-rdfc-2022" in _failed(result)["signature"]
    assert "NOT verified" in _failed(result)["signature"]
    # VCDM 2.0's enveloped form around our VC-JWT does verify.
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{award.vc_jwt}",
    }
    assert (await _verify(json.dumps(enveloped), award.email)).valid


# --------------------------------------------------------------------------- garbage


async def test_garbage_comes_back_as_a_failed_check(sites: tuple[Site, Site], silent: str) -> None:
    site = sites[0]
    missing = site.url("/nothing-here")
    huge = site.put("/huge", b"{" + b" " * (3 * 1024 * 1024) + b"}")
    html = site.put("/page", b"<html><body>hello</body></html>", kind="text/html")
    cases: list[tuple[verify.Source, str, str]] = [
        (os.urandom(512), "parse", "neither a PNG"),
        (b"", "parse", "empty"),
        ("not a badge", "parse", "not a badge"),
        ("{}", "parse", "neither an Open Badges 2.0"),
        ("[1, 2]", "parse", "not a badge"),
        ('{"type": "Assertion", ', "parse", "not a valid JSON"),
        ("a.b.c", "parse", "cannot be read"),
        (images.generated_png("Plain", "skill"), "parse", "no badge"),
        (PNG_SIGNATURE + b"\0\0\0\rIHDR", "parse", "PNG"),
        ('<svg xmlns="http://www.w3.org/2000/svg"/>', "parse", "no badge"),
        ("<html><p>hi", "parse", "SVG"),
        ("https://exa mple.org/x", "parse", "not a valid"),
        (missing, "fetch", "answered 404"),
        (huge, "fetch", "larger than 2 MB"),
        (html, "fetch", "not a badge"),
        (json.dumps({"type": "Assertion"}), "assertion", "http(s) id"),
        (json.dumps(_assertion(_foreign(site), missing, {})), "fetch assertion", "404"),
    ]
    for source, check, words in cases:
        result = await _verify(source, "a@example.org")
        assert not result.valid, source
        assert result.checks and not result.checks[-1].passed, source
        assert result.checks[-1].name == check, (source, result.checks)
        assert words in result.checks[-1].detail, (source, result.checks[-1])
        assert json.dumps(result.to_json())

    slow = await _verify(
        silent, limits=verify.default_limits(allow_private=True, timeout_seconds=0.5)
    )
    assert _failed(slow) == {"fetch": f"could not fetch {silent}: no complete answer within 0.5 s"}
    # Production settings refuse loopback and private addresses, redirects included.
    public_only = verify.default_limits(allow_private=False)
    refused = await _verify(missing, limits=public_only)
    assert "private or local address" in _failed(refused)["fetch"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400),
        st.binary(max_size=200).map(lambda b: PNG_SIGNATURE + b),
        st.text(max_size=200).map(lambda t: "{" + t),
        st.text(max_size=200).map(lambda t: "<svg" + t),
        st.from_regex(
            r"[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,60}\.[A-Za-z0-9_-]{0,40}", fullmatch=True
        ),
        st.dictionaries(
            st.sampled_from(["type", "id", "recipient", "badge", "@context"]), st.text()
        ).map(json.dumps),
    )
)
async def test_random_input_never_raises(source: bytes | str) -> None:
    limits = verify.default_limits(allow_private=False, timeout_seconds=1)
    result = await verify.verify(
        source, recipient_emails=["a@example.org"], limits=limits, now=now()
    )
    assert isinstance(result, verify.Verification)
    assert not result.valid and result.failures


# --------------------------------------------------------------------------- the CLI


def _cli(
    *args: str, private: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CITYLEARN_ALLOW_PRIVATE_FEEDS": "1" if private else "0"}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "badges", "verify", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


async def test_the_cli_verifies_a_baked_png_file(
    sessionmaker: Sessions, badge_server: BadgeServer, tmp_path: Path
) -> None:
    award = await _award(sessionmaker, badge_server)
    badge = tmp_path / "badge.png"
    badge.write_bytes(award.png)
    done = await asyncio.to_thread(_cli, str(badge), "--recipient", award.email)
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["valid"] is True and report["spec"] == "ob2" and report["kind"] == "png"
    assert report["recipient_match"] is True and report["badge"]["name"] == "Bike Mechanic"
    assert [c["name"] for c in report["checks"]] == ["parse", *HOSTED_CHECKS[1:]]

    wrong = await asyncio.to_thread(_cli, str(badge), "--recipient", "other@example.org")
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["recipient_match"] is False
    piped = await asyncio.to_thread(_cli, "-", stdin=award.vc_jwt.encode())
    assert piped.returncode == 0 and json.loads(piped.stdout)["spec"] == "ob3"
    literal = await asyncio.to_thread(_cli, award.jws)
    assert literal.returncode == 0, literal.stdout.decode()

    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(os.urandom(300))
    bad = await asyncio.to_thread(_cli, str(garbage))
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["checks"][0] == {
        "name": "parse",
        "passed": False,
        "detail": "not a badge: the bytes are neither a PNG image nor text "
        "(an SVG image, a URL, a JWS or JSON)",
    }
    absent = await asyncio.to_thread(_cli, str(tmp_path / "missing.png"))
    assert absent.returncode == 2 and b"no such file" in absent.stderr
    # Without the feeds' private-hosts setting, a loopback server is not fetched.
    refused = await asyncio.to_thread(_cli, str(badge), private=False)
    assert refused.returncode == 1 and b"private or local address" in refused.stdout
