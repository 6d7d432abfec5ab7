"""The verify page and "add a badge from elsewhere": anyone checks a badge by image, URL
or token and sees each check; a learner adds a foreign badge to the backpack, kept with
its result; bad input is a clear message, and a visitor's checks are budgeted."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy import select

from server.badges import awards, published
from server.badges.urls import BadgeUrls
from server.db import session_scope
from server.models import ImportedBadge
from server.models.enums import AwardMethod
from tests.accounts import people
from tests.badges.conftest import BadgeServer, badge_server  # noqa: F401  (the fixture)
from tests.badges.helpers import badge_class, issuer, now
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, browser_for
from tests.web.site import check_page, csrf_in, field_errors, post, text_of


async def _award(sessionmaker: Sessions, email: str) -> uuid.UUID:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        bc = await badge_class(s, made, name="Soil Tester")
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc.id, email)],
            method=AwardMethod.API,
            now=now(),
        )
    assert done[0].assertion_id is not None
    return done[0].assertion_id


async def test_anyone_checks_a_badge_by_url_or_baked_image(
    new_client: ClientFactory,
    sessionmaker: Sessions,
    badge_server: BadgeServer,  # noqa: F811
) -> None:
    email = f"{people.unique('soil')}@example.org"
    assertion_id = await _award(sessionmaker, email)
    visitor = new_client()
    url = f"{badge_server.url}/ob/v2/assertions/{assertion_id}"
    form = await visitor.get(f"/badges/verify?url={url}")
    check_page(form)
    assert url in form.text  # the link on a badge's page fills the form in
    checked = await post(
        visitor,
        "/badges/verify",
        {"source": url, "email": email},
        page="/badges/verify",
        expect=200,
    )
    check_page(checked)
    text = text_of(checked.text)
    assert "This badge checks out" in text and "Soil Tester" in text
    assert "It was awarded to that email." in text
    wrong = await post(
        visitor,
        "/badges/verify",
        {"source": url, "email": "else@example.org"},
        page="/badges/verify",
        expect=200,
    )
    assert "could not be verified" in text_of(wrong.text)
    assert "It was not awarded to that email." in text_of(wrong.text)
    async with sessionmaker() as s:
        record = await published.award(s, assertion_id)
    assert record is not None
    png = published.baked_png_v2(record, BadgeUrls(badge_server.url))
    token = await visitor.get("/badges/verify")
    uploaded = await visitor.post(
        "/badges/verify",
        data={"csrf_token": csrf_in(token.text), "email": email},
        files={"file": ("badge.png", png, "image/png")},
    )
    assert uploaded.status_code == 200, (field_errors(uploaded.text), text_of(uploaded.text)[:300])
    assert "This badge checks out" in text_of(uploaded.text)
    nothing = await post(visitor, "/badges/verify", {}, page="/badges/verify", expect=400)
    assert "f-source-error" in field_errors(nothing.text)
    garbage = await post(
        visitor,
        "/badges/verify",
        {"source": "certainly not a badge"},
        page="/badges/verify",
        expect=200,
    )
    assert "could not be verified" in text_of(garbage.text)


async def test_a_learner_adds_a_badge_from_elsewhere(
    new_client: ClientFactory,
    sessionmaker: Sessions,
    badge_server: BadgeServer,  # noqa: F811
) -> None:
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Ines")
    mine = await _award(sessionmaker, learner.email)
    theirs = await _award(sessionmaker, "someone.else@example.org")
    phone = await browser_for(new_client, learner)
    page = await phone.get("/backpack/add")
    check_page(page)
    added = await post(
        phone,
        "/backpack/add",
        {"source": f"{badge_server.url}/ob/v2/assertions/{mine}"},
        page="/backpack/add",
    )
    assert added.headers["location"] == "/backpack?saved=1"
    backpack = await phone.get("/backpack")
    assert "Badges from elsewhere" in backpack.text and "Verified" in backpack.text
    # Not theirs: kept, marked as not verified, with the reason shown.
    kept = await post(
        phone,
        "/backpack/add",
        {"source": f"{badge_server.url}/ob/v2/assertions/{theirs}"},
        page="/backpack/add",
        expect=200,
    )
    text = text_of(kept.text)
    assert "marked as not verified" in text and "✗ Awarded to" in text
    refused = await post(
        phone,
        "/backpack/add",
        {"source": "not a badge at all"},
        page="/backpack/add",
        expect=400,
    )
    assert "f-source-error" in field_errors(refused.text)
    async with sessionmaker() as s:
        rows = list(
            await s.scalars(select(ImportedBadge).where(ImportedBadge.learner_id == learner.id))
        )
    assert sorted(r.valid for r in rows) == [False, True]
    assert {r.badge_name for r in rows} == {"Soil Tester"}
    assert (await new_client().get("/backpack/add")).status_code == 303


async def test_each_visitor_has_a_budget_of_checks(
    new_client: ClientFactory, sessionmaker: Sessions, redis: Redis
) -> None:
    # Every test client calls from one address: start from a full budget.
    async for key in redis.scan_iter("badge-verify:*"):
        await redis.delete(key)
    visitor = new_client()
    codes = []
    for _ in range(12):
        response = await post(
            visitor,
            "/badges/verify",
            {"source": "not a badge"},
            page="/badges/verify",
            expect=None,
        )
        codes.append(response.status_code)
    assert codes[:10] == [200] * 10 and codes[-1] == 429
