"""Our badges judged by others: the IMS Global validator (PyPI `openbadges`) checks our
hosted assertions, signed assertions and baked PNGs (valid) and revoked, tampered and
wrong-recipient ones (rejected); PyJWT, with the key it fetches from where we publish it,
checks our OB 3.0 credentials. Plus content negotiation, 410 for revoked, revocation
lists and who may download a baked badge."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import httpx
import jwt
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.badges import awards, baking
from server.db import session_scope
from server.models import Assertion
from server.models.enums import AwardMethod
from tests.accounts import people
from tests.badges.conftest import BadgeServer
from tests.badges.helpers import Issuer, badge_class, issuer, now
from tests.badges.ob_validator import validate

Sessions = async_sessionmaker[AsyncSession]
JSON = {"accept": "application/ld+json"}


async def _award(sessionmaker: Sessions, email: str, **fields: object) -> tuple[Issuer, uuid.UUID]:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s, website="https://bikes.example.org")
        bc = await badge_class(s, made, **fields)
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [
                awards.AwardRequest(
                    bc.id,
                    email,
                    narrative="Rebuilt a donated bike",
                    evidence=(
                        awards.Evidence(
                            narrative="Photos at the shop", url="https://example.org/x"
                        ),
                    ),
                )
            ],
            method=AwardMethod.API,
            now=now(),
        )
    assert done[0].assertion_id is not None
    return made, done[0].assertion_id


async def _revoke(sessionmaker: Sessions, made: Issuer, assertion_id: uuid.UUID) -> None:
    async with session_scope(sessionmaker) as s:
        await awards.revoke(s, made.staff_actor, assertion_id, "Awarded by mistake", now=now())


async def test_hosted_assertions_pass_the_ims_validator_and_revoked_ones_fail(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    email = f"{people.unique('rider')}@example.org"
    made, assertion_id = await _award(sessionmaker, email)
    url = f"{badge_server.url}/ob/v2/assertions/{assertion_id}"
    good = validate(url=url, recipient=email)
    assert good["valid"], good["errors"]
    wrong = validate(url=url, recipient="someone.else@example.org")
    assert not wrong["valid"]
    await _revoke(sessionmaker, made, assertion_id)
    revoked = validate(url=url, recipient=email)
    assert not revoked["valid"]
    assert any("410" in e or "revoked" in e.lower() for e in revoked["errors"]), revoked["errors"]


async def test_signed_assertions_pass_and_tampered_or_revoked_ones_fail(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    email = f"{people.unique('signed')}@example.org"
    made, assertion_id = await _award(sessionmaker, email)
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        token = (await client.get(f"/ob/v2/assertions/{assertion_id}/signed")).text
        issuer_doc = (
            await client.get(f"/ob/v2/issuers/{made.organization.id}", headers=JSON)
        ).json()
    assert token.count(".") == 2 and issuer_doc["publicKey"].startswith(badge_server.url)
    good = validate(jws=token, recipient=email)
    assert good["valid"], good["errors"]
    assert not validate(jws=token, recipient="not.them@example.org")["valid"]
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["badge"] = claims["badge"].replace(str(claims["badge"]).rsplit("/", 1)[1], "1")
    forged = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    tampered = validate(jws=f"{header}.{forged}.{signature}", recipient=email)
    assert not tampered["valid"]
    await _revoke(sessionmaker, made, assertion_id)
    revoked = validate(jws=token, recipient=email)
    assert not revoked["valid"], "a revoked signed badge is found in the revocation list"


async def test_baked_pngs_pass_the_validator(
    sessionmaker: Sessions, badge_server: BadgeServer, tmp_path: Path
) -> None:
    email = f"{people.unique('baked')}@example.org"
    _, assertion_id = await _award(sessionmaker, email)
    while await outbox.relay(sessionmaker, badge_server.settings, limit=200):
        pass  # the worker bakes it
    async with sessionmaker() as s:
        assertion = await s.get(Assertion, assertion_id)
        assert assertion is not None and assertion.baked_png is not None
        png = assertion.baked_png
    assert baking.unbake_png(png) == f"{badge_server.url}/ob/v2/assertions/{assertion_id}"
    path = tmp_path / "badge.png"
    path.write_bytes(png)
    good = validate(file=path, recipient=email)
    assert good["valid"], good["errors"]
    assert not validate(file=path, recipient="other@example.org")["valid"]


async def test_content_negotiation_gives_people_pages_and_machines_json(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    email = f"{people.unique('nego')}@example.org"
    made, assertion_id = await _award(sessionmaker, email)
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        path = f"/ob/v2/assertions/{assertion_id}"
        machine = await client.get(path, headers=JSON)
        person = await client.get(path, headers={"accept": "text/html,application/xhtml+xml"})
        plain = await client.get(path)
        assert machine.headers["content-type"].startswith("application/ld+json")
        assert plain.headers["content-type"].startswith("application/ld+json")
        document = machine.json()
        assert document["type"] == "Assertion" and document["recipient"]["hashed"] is True
        assert email not in machine.text and "evidence" not in document  # private by default
        assert person.headers["content-type"].startswith("text/html")
        assert "Bike Mechanic" in person.text and email not in person.text
        badge = (await client.get(document["badge"], headers=JSON)).json()
        assert badge["type"] == "BadgeClass" and badge["issuer"].endswith(
            f"/ob/v2/issuers/{made.organization.id}"
        )
        image = await client.get(badge["image"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"
        await _revoke(sessionmaker, made, assertion_id)
        gone = await client.get(path, headers=JSON)
        assert gone.status_code == 410 and gone.json()["revoked"] is True
        gone_page = await client.get(path, headers={"accept": "text/html"})
        assert gone_page.status_code == 410 and "Awarded by mistake" in gone_page.text
        listed = (await client.get(f"/ob/v2/issuers/{made.organization.id}/revocations")).json()
        assert {e["id"] for e in listed["revokedAssertions"]} >= {
            f"{badge_server.url}{path}",
            f"urn:uuid:{assertion_id}",
        }
        for missing in (
            "/ob/v2/assertions/not-a-uuid",
            f"/ob/v2/assertions/{uuid.uuid4()}",
            "/ob/v2/badges/999999999",
            "/ob/v2/issuers/abc",
            "/ob/v2/keys/zz",
        ):
            assert (await client.get(missing, headers=JSON)).status_code == 404, missing


async def test_ob3_credentials_verify_with_an_independent_library(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    email = f"{people.unique('ob3')}@example.org"
    made, assertion_id = await _award(sessionmaker, email, expires_after_days=365)
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        token = (await client.get(f"/ob/v3/credentials/{assertion_id}/jwt")).text
        header = jwt.get_unverified_header(token)
        # Where a verifier looks: the kid is the URL of the JWK; the JWK set lists it too.
        published = (await client.get(header["kid"])).json()
        jwks = (await client.get(f"/ob/v3/issuers/{made.organization.id}/jwks")).json()
        well_known = (await client.get("/.well-known/jwks.json")).json()
        profile = (await client.get(f"/ob/v3/issuers/{made.organization.id}")).json()
        status = (await client.get(f"/ob/v3/issuers/{made.organization.id}/revocations")).json()
    assert header["alg"] == "RS256" and header["kid"].startswith(badge_server.url)
    assert published in jwks["keys"] and published in well_known["keys"]
    key = jwt.PyJWK(published)
    claims = jwt.decode(
        token,
        key=key,
        algorithms=["RS256"],
        options={"require": ["iss", "jti", "nbf", "exp"], "verify_aud": False},
        issuer=profile["id"],
    )
    assert claims["jti"] == f"{badge_server.url}/ob/v3/credentials/{assertion_id}"
    assert "OpenBadgeCredential" in claims["type"]
    subject = claims["credentialSubject"]
    assert subject["identifier"][0]["hashed"] is True and email not in token
    assert subject["achievement"]["name"] == "Bike Mechanic"
    assert claims["credentialStatus"]["id"] == status["id"]
    assert status["revokedCredential"] == []
    # A tampered copy: another badge name under the same signature.
    head, body, signature = token.split(".")
    payload = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["credentialSubject"]["achievement"]["name"] = "Brain Surgeon"
    forged = base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            f"{head}.{forged}.{signature}",
            key=key,
            algorithms=["RS256"],
            options={"verify_aud": False},
        )
    # Revoked: the status list the credential names now lists it.
    await _revoke(sessionmaker, made, assertion_id)
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        status = (await client.get(claims["credentialStatus"]["id"])).json()
    assert [e["id"] for e in status["revokedCredential"]] == [claims["jti"]]


async def test_only_the_recipient_downloads_a_private_baked_badge(
    sessionmaker: Sessions, badge_server: BadgeServer
) -> None:
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Dee")
        recipient = await people.signed_in(s, learner, badge_server.settings)
        stranger = await people.signed_in(s, await people.learner(s, "Sy"), badge_server.settings)
    _, assertion_id = await _award(sessionmaker, learner.email)
    paths = (
        f"/ob/v2/assertions/{assertion_id}/baked.png",
        f"/ob/v2/assertions/{assertion_id}/baked.svg",
        f"/ob/v3/credentials/{assertion_id}/baked.png",
    )
    async with httpx.AsyncClient(base_url=badge_server.url) as client:
        for path in paths:
            assert (await client.get(path)).status_code == 404
            client.cookies.update(stranger.cookies)
            assert (await client.get(path)).status_code == 404
            client.cookies.clear()
            client.cookies.update(recipient.cookies)
            mine = await client.get(path)
            client.cookies.clear()
            assert mine.status_code == 200, path
            if path.endswith("baked.svg"):
                assert baking.unbake_svg(mine.text) == (
                    f"{badge_server.url}/ob/v2/assertions/{assertion_id}"
                )
            elif "/ob/v3/" in path:
                assert (
                    baking.unbake_png(mine.content, keyword="openbadgecredential").count(".") == 2
                )
            else:
                assert baking.unbake_png(mine.content) is not None
