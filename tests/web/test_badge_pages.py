"""The badge pages over HTTP: a manager designs a badge; an issuer opens a claim code and
shows its screen; a learner claims it (signed in, or by email at 13 and over); the
backpack shows it, shares it, exports it; a roster is previewed then awarded; work sent
in is approved or returned; an award is revoked; the public pages show what they may;
and staff of other organizations, learners and strangers are refused."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from server.badges import awards
from server.db import session_scope
from server.errors import InvalidInput
from server.models import Assertion, BadgeClass, ClaimCode, EvidenceSubmission
from server.models.enums import AwardMethod, StaffRole
from tests.accounts import people
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, Staff, browser_for, staff
from tests.web.site import check_page, field_errors, post, text_of


async def _issuing(sessionmaker: Sessions) -> Staff:
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as s:
        org = await s.get(type(team.org), team.org.id)
        assert org is not None
        org.is_issuer = True
    team.org.is_issuer = True
    return team


def _design(name: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "name": name,
        "description": "Fixed a flat and adjusted brakes on a real bike.",
        "level": "skill",
        "criteria_narrative": "Fix a flat tire with a mentor watching.",
        "criteria_url": "",
        "earning": ["claim_code", "roster", "review"],
        "tags": "bikes, repair",
        "expires_after_days": "",
    }
    fields.update(changes)
    return fields


async def _new_badge(browser: httpx.AsyncClient, team: Staff, name: str) -> int:
    done = await post(
        browser, f"{team.base}/badges/new", _design(name), page=f"{team.base}/badges/new"
    )
    found = re.search(r"/badges/(\d+)\?notice=created", done.headers["location"])
    assert found, done.headers["location"]
    return int(found.group(1))


async def test_a_manager_designs_a_badge_with_errors_next_to_their_fields(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    browser = await browser_for(new_client, team.manager)
    page = await browser.get(f"{team.base}/badges/new")
    assert page.status_code == 200
    check_page(page)
    bad = await post(
        browser,
        f"{team.base}/badges/new",
        _design(" ", earning=[], criteria_narrative="", expires_after_days="soon"),
        page=f"{team.base}/badges/new",
        expect=400,
    )
    errors = field_errors(bad.text)
    assert "f-expires_after_days-error" in errors  # checked by the page before the service
    bad = await post(
        browser, f"{team.base}/badges/new", _design(" "), page=f"{team.base}/badges/new", expect=400
    )
    assert "f-name-error" in field_errors(bad.text)
    badge_id = await _new_badge(browser, team, "Bike Mechanic")
    detail = await browser.get(f"{team.base}/badges/{badge_id}?notice=created")
    check_page(detail)
    assert "Badge created." in detail.text and "Bike Mechanic" in detail.text
    edit = await browser.get(f"{team.base}/badges/{badge_id}/edit")
    check_page(edit)
    assert 'value="Bike Mechanic"' in edit.text
    await post(
        browser,
        f"{team.base}/badges/{badge_id}/edit",
        _design("Bike Mechanic II", expires_after_days="365"),
        page=f"{team.base}/badges/{badge_id}/edit",
    )
    async with sessionmaker() as s:
        stored = await s.get(BadgeClass, badge_id)
    assert stored is not None and stored.name == "Bike Mechanic II"
    assert stored.expires_after_days == 365 and stored.tags == ["bikes", "repair"]
    # Issuers award but do not design; other organizations' staff see nothing.
    issuer = await browser_for(new_client, team.issuer)
    assert (await issuer.get(f"{team.base}/badges/new")).status_code == 403
    listing = await issuer.get(f"{team.base}/badges")
    check_page(listing)
    assert "Bike Mechanic II" in listing.text and "New badge" not in listing.text
    stranger = await browser_for(new_client, team.stranger)
    for path in ("/badges", f"/badges/{badge_id}", f"/badges/{badge_id}/roster", "/reviews"):
        assert (await stranger.get(team.base + path)).status_code == 403, path


async def test_a_claim_code_on_the_screen_is_claimed_on_a_phone_and_lands_in_the_backpack(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    badge_id = await _new_badge(manager, team, "Night Sky Watcher")
    issuer = await browser_for(new_client, team.issuer)
    opened = await post(
        issuer,
        f"{team.base}/badges/{badge_id}/claim-codes",
        {"hours": "2", "max_uses": "2"},
        page=f"{team.base}/badges/{badge_id}",
    )
    screen = await issuer.get(opened.headers["location"])
    check_page(screen)
    async with sessionmaker() as s:
        code = (
            await s.scalars(select(ClaimCode).where(ClaimCode.badge_class_id == badge_id))
        ).one()
    shown = f"{code.code[:4]}-{code.code[4:]}"
    assert shown in screen.text and "<svg" in screen.text and "0 of 2 claimed" in screen.text
    assert screen.headers["refresh"] == "15"

    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Luz")
    phone = await browser_for(new_client, learner)
    typed = await phone.get(f"/claim?code={shown.lower().replace('-', ' ')}")
    assert typed.status_code == 303 and typed.headers["location"] == f"/claim/{code.code}"
    page = await phone.get(f"/claim/{code.code}")
    check_page(page)
    assert "Night Sky Watcher" in page.text and "Claim my badge" in page.text
    done = await post(phone, f"/claim/{code.code}", {}, page=f"/claim/{code.code}")
    claimed = await phone.get(done.headers["location"])
    check_page(claimed)
    assert "in your backpack" in claimed.text
    again = await post(phone, f"/claim/{code.code}", {}, page=f"/claim/{code.code}")
    assert again.status_code == 303  # a double tap is the same award
    backpack = await phone.get("/backpack")
    check_page(backpack)
    assert "Night Sky Watcher" in backpack.text and "Only me" in backpack.text
    async with sessionmaker() as s:
        assert (await s.scalar(select(func.count()).where(Assertion.claim_code_id == code.id))) == 1
    assert "1 of 2 claimed" in (await issuer.get(opened.headers["location"])).text

    # Signed out: an email and "13 or older"; without the box ticked, nothing is stored.
    visitor = new_client()
    page = await visitor.get(f"/claim/{code.code}")
    check_page(page)
    refused = await post(
        visitor,
        f"/claim/{code.code}",
        {"email": "walkup@example.org"},
        page=f"/claim/{code.code}",
        expect=400,
    )
    assert "f-over_13-error" in field_errors(refused.text)
    ok = await post(
        visitor,
        f"/claim/{code.code}",
        {"email": "walkup@example.org", "over_13": "1"},
        page=f"/claim/{code.code}",
    )
    assert "We emailed you" in (await visitor.get(ok.headers["location"])).text
    # The code is used up now; the next person is told so, in Spanish too.
    late = new_client()
    full = await late.get(f"/claim/{code.code}?lang=es")
    check_page(full)
    assert "ya se usó todas las veces" in full.text
    # Closing it (the screen offers it while the code is open; this one is used up).
    assert "Close this code" not in (await issuer.get(opened.headers["location"])).text
    await post(
        issuer,
        f"{team.base}/claim-codes/{code.id}/close",
        {},
        page=f"{team.base}/badges/{badge_id}",
    )
    assert "closed" in text_of((await issuer.get(opened.headers["location"])).text)
    unknown = await late.get("/claim/ZZZZZZZZ")
    assert unknown.status_code == 200 and "No hay ninguna insignia con este código" in unknown.text


async def test_the_backpack_shares_exports_and_downloads(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    badge_id = await _new_badge(manager, team, "Community Gardener")
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Gia")
    issuer = await browser_for(new_client, team.issuer)
    await post(
        issuer,
        f"{team.base}/badges/{badge_id}/roster",
        {"emails": learner.email, "step": "award"},
        page=f"{team.base}/badges/{badge_id}/roster",
        expect=200,
    )
    async with sessionmaker() as s:
        assertion = (
            await s.scalars(select(Assertion).where(Assertion.badge_class_id == badge_id))
        ).one()
    phone = await browser_for(new_client, learner)
    stranger = new_client()
    page = f"/ob/v2/assertions/{assertion.id}"
    html = {"accept": "text/html"}
    assert "Gia" not in (await stranger.get(page, headers=html)).text  # private by default
    await post(
        phone,
        "/backpack/visibility",
        {"award": str(assertion.id), "visibility": "public"},
        page="/backpack",
    )
    public = await stranger.get(page, headers=html)
    check_page(public)
    assert "Gia" in public.text and "Community Gardener" in public.text
    backpack = await phone.get("/backpack")
    assert "linkedin.com/profile/add" in backpack.text
    exported = await phone.get("/backpack/export.json")
    body = orjson.loads(exported.content)
    assert exported.headers["content-disposition"].startswith("attachment")
    assert [b["assertion"]["badge"]["name"] for b in body["badges"]] == ["Community Gardener"]
    assert body["badges"][0]["assertion"]["badge"]["issuer"]["type"] == "Issuer"
    png = await phone.get(f"/ob/v2/assertions/{assertion.id}/baked.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    # Someone else cannot change who sees it.
    other = await browser_for(new_client, team.stranger)
    refused = await post(
        other,
        "/backpack/visibility",
        {"award": str(assertion.id), "visibility": "private"},
        page="/account",
        expect=403,
    )
    assert refused.status_code == 403
    bogus = await post(
        phone,
        "/backpack/visibility",
        {"award": "nope", "visibility": "public"},
        page="/backpack",
        expect=404,
    )
    assert bogus.status_code == 404
    assert (await new_client().get("/backpack")).status_code == 303  # sign in first


async def test_a_roster_is_previewed_before_anything_is_stored(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    badge_id = await _new_badge(manager, team, "Junior Chef")
    issuer = await browser_for(new_client, team.issuer)
    roster = f"{team.base}/badges/{badge_id}/roster"
    emails = "a.chef@example.org\nb.chef@example.org, Bea\nnot-an-email\na.chef@example.org"
    preview = await post(
        issuer, roster, {"emails": emails, "step": "preview"}, page=roster, expect=200
    )
    check_page(preview)
    text = text_of(preview.text)
    assert "Award 2 badges" in text and "Skipped: listed twice" in text
    assert "Skipped: not an email address" in text
    async with sessionmaker() as s:
        assert not await s.scalar(select(func.count()).where(Assertion.badge_class_id == badge_id))
    done = await post(issuer, roster, {"emails": emails, "step": "award"}, page=roster, expect=200)
    assert "2 badges awarded." in text_of(done.text)
    again = await post(
        issuer, roster, {"emails": emails, "step": "preview"}, page=roster, expect=200
    )
    assert "Skipped: already has it" in text_of(again.text)
    async with sessionmaker() as s:
        assert (
            await s.scalar(select(func.count()).where(Assertion.badge_class_id == badge_id))
        ) == 2


async def test_work_sent_in_is_approved_or_returned_and_awards_can_be_revoked(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    badge_id = await _new_badge(manager, team, "Zine Maker")
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Ren")
    phone = await browser_for(new_client, learner)
    form = await phone.get(f"/badges/{badge_id}/submit")
    check_page(form)
    empty = await post(
        phone, f"/badges/{badge_id}/submit", {}, page=f"/badges/{badge_id}/submit", expect=400
    )
    assert "f-narrative-error" in field_errors(empty.text)
    await post(
        phone,
        f"/badges/{badge_id}/submit",
        {"narrative": "I made a 12-page zine about my block."},
        page=f"/badges/{badge_id}/submit",
    )
    issuer = await browser_for(new_client, team.issuer)
    queue = await issuer.get(f"{team.base}/reviews")
    check_page(queue)
    assert "12-page zine" in queue.text and "Ren" in queue.text
    async with sessionmaker() as s:
        submission = (
            await s.scalars(
                select(EvidenceSubmission).where(EvidenceSubmission.badge_class_id == badge_id)
            )
        ).one()
    returned = await post(
        issuer,
        f"{team.base}/reviews/{submission.id}",
        {"decision": "return", "feedback": "Add a cover."},
        page=f"{team.base}/reviews",
    )
    assert returned.headers["location"].endswith("notice=returned")
    backpack = await phone.get("/backpack")
    assert "sent back with feedback" in backpack.text and "Add a cover." in backpack.text
    await post(
        phone,
        f"/badges/{badge_id}/submit",
        {"narrative": "Now with a cover."},
        page=f"/badges/{badge_id}/submit",
    )
    async with sessionmaker() as s:
        second = (
            await s.scalars(
                select(EvidenceSubmission).where(
                    EvidenceSubmission.badge_class_id == badge_id,
                    EvidenceSubmission.status == "pending",
                )
            )
        ).one()
    learner_tries = await post(
        phone,
        f"{team.base}/reviews/{second.id}",
        {"decision": "approve"},
        page="/account",
        expect=403,
    )
    assert learner_tries.status_code == 403
    approved = await post(
        issuer,
        f"{team.base}/reviews/{second.id}",
        {"decision": "approve"},
        page=f"{team.base}/reviews",
    )
    assert approved.headers["location"].endswith("notice=approved")
    async with sessionmaker() as s:
        assertion = (
            await s.scalars(select(Assertion).where(Assertion.badge_class_id == badge_id))
        ).one()
    assert assertion.recipient_user_id == learner.id and assertion.method == "review"
    assert assertion.evidence[0]["narrative"] == "Now with a cover."
    # Revoke it from the badge's page, with a reason the learner sees.
    detail = f"{team.base}/badges/{badge_id}"
    revoked = await post(
        issuer,
        f"{team.base}/awards/{assertion.id}/revoke",
        {"reason": "Copied from a book"},
        page=detail,
    )
    assert revoked.headers["location"].endswith("notice=revoked")
    backpack = await phone.get("/backpack")
    assert "Taken back" in backpack.text
    stranger = await browser_for(new_client, team.stranger)
    refused = await post(
        stranger,
        f"{team.base}/awards/{uuid.uuid4()}/revoke",
        {"reason": "x"},
        page="/account",
        expect=403,
    )
    assert refused.status_code == 403


async def test_public_issuer_and_badge_pages(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    team = await _issuing(sessionmaker)
    manager = await browser_for(new_client, team.manager)
    badge_id = await _new_badge(manager, team, "River Scientist")
    visitor = new_client()
    html = {"accept": "text/html"}
    for lang, words in (("en", "How to earn it"), ("es", "Cómo ganarla")):
        page = await visitor.get(f"/ob/v2/badges/{badge_id}?lang={lang}", headers=html)
        check_page(page)
        assert "River Scientist" in page.text and words in page.text
    issuer_page = await visitor.get(f"/ob/v2/issuers/{team.org.id}", headers=html)
    check_page(issuer_page)
    assert "River Scientist" in issuer_page.text
    assert (await visitor.get("/ob/v2/badges/999999999", headers=html)).status_code == 404


async def test_where_to_earn_nearest_first_listing_pages_and_endorsements(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    from tests import builders
    from tests.badges.helpers import badge_class as make_badge_class
    from tests.badges.helpers import issuer as make_issuer

    async with session_scope(sessionmaker) as s:
        team = await make_issuer(s)
        org = team.organization
        # Hyde Park (60637) and Rogers Park (60626): one near, one far from 60615.
        near = builders.GeoPoint(41.7943, -87.5907)
        far = builders.GeoPoint(42.0106, -87.6696)
        listings = []
        for title, point in (("Far Pond Walk", far), ("Near Pond Walk", near)):
            place = await builders.create_place(s, org, point, name=title + " Place")
            listings.append(
                await builders.create_opportunity(
                    s, org, place, point, title=title, status="published"
                )
            )
        bc = await make_badge_class(
            s, team, name="Pond Keeper", opportunity_ids=[o.id for o in listings]
        )
        employer = await people.organization(s)
        hiring = await people.staff(s, employer, StaffRole.MANAGER, "Hiring Manager")
    visitor = new_client()
    html = {"accept": "text/html"}
    page = await visitor.get(f"/ob/v2/badges/{bc.id}?near=60615", headers=html)
    check_page(page)
    text = text_of(page.text)
    assert text.index("Near Pond Walk") < text.index("Far Pond Walk")
    by_title = await visitor.get(f"/ob/v2/badges/{bc.id}", headers=html)
    text = text_of(by_title.text)
    assert text.index("Far Pond Walk") < text.index("Near Pond Walk")
    listing = await visitor.get(f"/opportunities/{listings[0].id}")
    check_page(listing)
    assert "Badges you can earn here" in listing.text and "Pond Keeper" in listing.text
    # An employer's manager endorses it from the badge's page.
    manager = await browser_for(new_client, hiring)
    form = await manager.get(f"/ob/v2/badges/{bc.id}", headers=html)
    check_page(form)
    assert "Endorse this badge" in form.text
    await post(
        manager,
        f"/badges/{bc.id}/endorse",
        {"endorser": str(employer.id), "comment": "We hire pond keepers."},
        page="/account",  # the badge's URL answers JSON to a client that does not ask
    )
    shown = await visitor.get(f"/ob/v2/badges/{bc.id}", headers=html)
    assert employer.name in shown.text and "We hire pond keepers." in shown.text
    again = await manager.get(f"/ob/v2/badges/{bc.id}", headers=html)
    assert "Endorse this badge" not in again.text  # once per organization


async def test_a_guardian_decides_who_sees_a_childs_badge(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    from tests.badges.helpers import badge_class as make_badge_class
    from tests.badges.helpers import issuer as make_issuer

    async with session_scope(sessionmaker) as s:
        team = await make_issuer(s)
        bc = await make_badge_class(s, team, name="Little Astronomer")
        child, guardian = await people.child_with_guardian(s, age=10)
        done = await awards.award_many(
            s,
            team.staff_actor,
            team.organization.id,
            [awards.AwardRequest(bc.id, child.email)],
            method=AwardMethod.ROSTER,
            now=datetime.now(UTC),
        )
    award_id = done[0].assertion_id
    kid = await browser_for(new_client, child)
    backpack = await kid.get("/backpack")
    check_page(backpack)
    assert "Little Astronomer" in backpack.text and "parent or guardian decides" in backpack.text
    assert 'name="visibility"' not in backpack.text
    refused = await post(
        kid,
        "/backpack/visibility",
        {"award": str(award_id), "visibility": "public"},
        page="/account",
        expect=403,
    )
    assert refused.status_code == 403
    parent = await browser_for(new_client, guardian)
    page = await parent.get("/account/children")
    check_page(page)
    assert "Little Astronomer" in page.text
    saved = await post(
        parent,
        "/backpack/visibility",
        {"award": str(award_id), "visibility": "public", "back": "children"},
        page="/account/children",
    )
    assert saved.headers["location"] == "/account/children?notice=saved"
    shown = await new_client().get(f"/ob/v2/assertions/{award_id}", headers={"accept": "text/html"})
    assert child.display_name in shown.text


async def test_a_roster_is_picked_from_the_people_who_checked_in_at_an_event(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    from datetime import timedelta

    from server.badges import claims
    from tests import builders
    from tests.badges.helpers import as_person
    from tests.badges.helpers import badge_class as make_badge_class
    from tests.badges.helpers import issuer as make_issuer

    start = datetime.now(UTC)
    async with session_scope(sessionmaker) as s:
        team = await make_issuer(s)
        event = await builders.create_opportunity(
            s, team.organization, None, None, title="Spring Bioblitz", status="published"
        )
        check_in = await make_badge_class(s, team, name="Bioblitz Participant")
        follow_up = await make_badge_class(s, team, name="Bioblitz Naturalist")
        code = await claims.open_code(
            s,
            team.staff_actor,
            check_in.id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            max_uses=50,
            opportunity_id=event.id,
        )
        attendees = [await people.learner(s, name) for name in ("Ada", "Bea")]
        other = await people.organization(s)
        foreign = await builders.create_opportunity(s, other, None, None, title="Elsewhere")
        with pytest.raises(InvalidInput):  # only the organization's own listings
            await claims.open_code(
                s,
                team.staff_actor,
                check_in.id,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                max_uses=5,
                opportunity_id=foreign.id,
            )
    for learner in attendees:
        async with session_scope(sessionmaker) as s:
            await claims.claim(s, as_person(learner), code.code, now=datetime.now(UTC))
    base = f"/partners/{team.organization.slug}"
    issuer_browser = await browser_for(new_client, team.staff)
    detail = await issuer_browser.get(f"{base}/badges/{check_in.id}")
    assert "Spring Bioblitz" in detail.text  # the claim code form offers the event
    roster = f"{base}/badges/{follow_up.id}/roster"
    page = await issuer_browser.get(roster)
    check_page(page)
    assert "Spring Bioblitz (2 checked in)" in page.text
    picked = await post(
        issuer_browser,
        roster,
        {"step": "participants", "event": str(event.id), "emails": ""},
        page=roster,
        expect=200,
    )
    check_page(picked)
    text = text_of(picked.text)
    assert "Award 2 badges" in text
    assert all(learner.email in picked.text for learner in attendees)
