"""Importing badges from elsewhere into a learner's backpack: a foreign signed badge awarded
to the learner is kept as verified; revoked, tampered and someone else's are kept as not
verified with the failed check; something that is not a badge is refused and nothing is
stored."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.badges import imports
from server.badges.signing import new_key, sign_jws
from server.db import session_scope
from server.errors import InvalidInput
from server.models import ImportedBadge, User
from tests.accounts import people
from tests.badges.helpers import as_person, now
from tests.badges.test_verify import LIMITS, OB2, Site, _assertion, _foreign, _serve

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    made = Site()
    server = _serve(made)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield made
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _signed_badges(site: Site) -> tuple[Any, Any]:
    prefix = f"/{uuid.uuid4().hex[:8]}"
    key = new_key("RS256", site.url(f"{prefix}/key"))
    foreign = _foreign(site, publicKey=key.kid)
    site.put(
        f"{prefix}/key",
        {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": key.kid,
            "owner": foreign.issuer["id"],
            "publicKeyPem": key.public_pem.decode(),
        },
    )
    return foreign, key


def _token(foreign: Any, key: Any, email: str, assertion_id: uuid.UUID) -> str:
    document = _assertion(
        foreign, f"urn:uuid:{assertion_id}", {"type": "email", "hashed": False, "identity": email}
    )
    document["verification"] = {"type": "SignedBadge", "creator": key.kid}
    return sign_jws(document, key)


async def _import(sessionmaker: Sessions, learner: User, source: str) -> ImportedBadge:
    async with session_scope(sessionmaker) as s:
        row, _ = await imports.add(s, as_person(learner), source, limits=LIMITS, now=now())
        return row


async def test_foreign_badges_are_kept_with_what_verifying_found(
    sessionmaker: Sessions, site: Site
) -> None:
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Marina")
    foreign, key = _signed_badges(site)
    good = await _import(sessionmaker, learner, _token(foreign, key, learner.email, uuid.uuid4()))
    assert good.valid and good.spec == "ob2" and good.badge_name == "Knot Tying"
    assert good.issuer_name == "Harbor Science Club"

    revoked_id = uuid.uuid4()
    site.put(
        f"{foreign.prefix}/revocations",
        {"type": "RevocationList", "revokedAssertions": [{"uid": str(revoked_id)}]},
    )
    revoked = await _import(sessionmaker, learner, _token(foreign, key, learner.email, revoked_id))
    assert not revoked.valid
    assert [c["name"] for c in revoked.checks if not c["passed"]] == ["revocation"]

    head, body, signature = _token(foreign, key, learner.email, uuid.uuid4()).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    tampered = await _import(sessionmaker, learner, f"{head}.{body}.{flipped}")
    assert not tampered.valid
    assert "signature" in [c["name"] for c in tampered.checks if not c["passed"]]

    theirs = await _import(
        sessionmaker, learner, _token(foreign, key, "someone@harbor.example", uuid.uuid4())
    )
    assert not theirs.valid
    assert [c["name"] for c in theirs.checks if not c["passed"]] == ["recipient"]

    with pytest.raises(InvalidInput):
        await _import(sessionmaker, learner, "this is not a badge")
    async with sessionmaker() as s:
        stored = await s.scalar(select(func.count()).where(ImportedBadge.learner_id == learner.id))
    assert stored == 4
