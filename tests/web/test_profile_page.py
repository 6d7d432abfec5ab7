"""A learner's profile page shows only to whom its visibility allows; private by default."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.authz import load_person
from server.db import session_scope
from server.models import LearnerProfile
from server.models.enums import StaffRole, Visibility
from server.privacy import learners
from server.settings import Settings
from tests.accounts import people
from tests.accounts.people import Caller


async def _get(client: httpx.AsyncClient, caller: Caller | None, path: str) -> httpx.Response:
    client.cookies.clear()
    for key, value in (caller.cookies if caller else {}).items():
        client.cookies.set(key, value)
    try:
        return await client.get(path)
    finally:
        client.cookies.clear()


async def test_profile_visibility_private_network_public(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        teen = await people.learner(s, "Noor", age=15)
        profile = await s.get(LearnerProfile, teen.id)
        assert profile is not None
        path = f"/learners/{profile.handle}"
        me = await people.signed_in(s, teen, settings)
        stranger = await people.signed_in(s, await people.learner(s, "Otto"), settings)
        org = await people.organization(s)
        partner = await people.signed_in(s, await people.staff(s, org, StaffRole.ISSUER), settings)
        teen_actor = await load_person(s, teen)
    missing = await _get(client, None, "/learners/0123456789abcdef")
    assert missing.status_code == 404

    def shown(response: httpx.Response) -> bool:
        return response.status_code == 200 and "Noor" in response.text

    # Private by default: the learner only; everyone else sees the not-found page.
    assert shown(await _get(client, me, path))
    for other in (None, stranger, partner):
        response = await _get(client, other, path)
        assert response.status_code == 404 and "Noor" not in response.text
    for visibility, anonymous, staff in (
        (Visibility.NETWORK, False, True),
        (Visibility.PUBLIC, True, True),
        (Visibility.PRIVATE, False, False),
    ):
        async with session_scope(sessionmaker) as s:
            await learners.set_visibility(s, teen_actor, teen.id, visibility, now=datetime.now(UTC))
        assert shown(await _get(client, None, path)) is anonymous, visibility
        assert shown(await _get(client, partner, path)) is staff, visibility
        assert shown(await _get(client, stranger, path)) is anonymous, visibility
    response = await _get(client, me, path)
    assert "no-store" in response.headers["cache-control"]
