"""Property-based fuzzing of queries and mutations (hypothesis-graphql) as an anonymous
caller, a signed-in staff owner, a guardian and a partner token: no server error."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis_graphql import Mode, from_schema
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models.enums import ApiScope, StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.accounts.people import Caller
from tests.search.test_fuzz import FUZZ, SCALARS, _check, _schema

FEWER = FUZZ.__class__(parent=FUZZ, max_examples=60)


@pytest.fixture(scope="module")
async def callers(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> dict[str, Caller]:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        owner = await people.signed_in(s, await people.staff(s, org, StaffRole.OWNER), settings)
        _, guardian = await people.child_with_guardian(s)
        parent = await people.signed_in(s, guardian, settings)
        _, secret = await people.token(s, org, *ApiScope)
    return {"owner": owner, "guardian": parent, "token": people.bearer(secret)}


@pytest.mark.parametrize("who", ["anonymous", "owner", "guardian", "token"])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_fuzz_operations_as_each_caller(
    live_server: str, settings: Settings, callers: dict[str, Caller], who: str, mode: Mode
) -> None:
    caller = callers.get(who, Caller("anonymous"))
    with httpx.Client(
        base_url=live_server, timeout=30, headers=caller.headers, cookies=caller.cookies
    ) as client:
        me = client.post("/graphql", json={"query": "{ me { account { id } token { scopes } } }"})
        viewer = me.json()["data"]["me"]
        assert (viewer["account"] or viewer["token"]) is not None or who == "anonymous", viewer

        @FEWER
        @given(
            query=from_schema(_schema(settings), custom_scalars=SCALARS, allow_x00=False, mode=mode)
        )
        def run(query: str) -> None:
            _check(client, query)

        run()


async def test_a_nul_character_anywhere_in_the_input_is_a_clear_error(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # PostgreSQL text cannot hold one; it used to surface as "Unexpected error".
    async with session_scope(sessionmaker) as s:
        person = await people.signed_in(s, await people.person(s, "Nul"), settings)
    apply = (
        "mutation($n: String!) { organizationApply(input: {name: $n, kind: MUSEUM}) "
        "{ errors { code } } }"
    )
    literal = 'mutation { badgeClaim(code: "AB\\u0000CD", email: "a@example.org") { created } }'
    for body in (
        await person.call(client, apply, {"n": "Bad\u0000Name"}),
        await people.ANONYMOUS.call(client, literal),
    ):
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert "NUL" in body["errors"][0]["message"]
