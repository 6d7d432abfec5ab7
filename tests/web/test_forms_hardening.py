"""Every form of the account and partner pages: a post without the right CSRF token is a
friendly 403 that changes nothing in the database, and odd input is never a 500."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.routing import Route

from server.accounts import csrf, links
from server.authz import Actor
from server.badges import awards, claims, classes, review
from server.catalog.imports import ImportSummary, record_run
from server.db import session_scope
from server.models import Application, Feed, Guardianship, LearnerProfile, Membership
from server.models.enums import ApiScope, AwardMethod, LinkPurpose, StaffRole
from server.orgs import api_tokens
from server.orgs import service as orgs
from server.settings import Settings
from server.stacks import definitions
from tests import builders
from tests.accounts import people
from tests.web.conftest import ClientFactory
from tests.web.site import csrf_in, sign_in, token_for
from web.routes import account_routes

Sessions = async_sessionmaker[AsyncSession]
PASSWORD = people.PASSWORD
TABLES = (
    "users",
    "learner_profiles",
    "guardianships",
    "memberships",
    "invitations",
    "organizations",
    "consents",
    "web_sessions",
    "email_links",
    "api_tokens",
    "outbox_events",
    "audit_events",
    "opportunities",
    "places",
    "feeds",
    "import_runs",
    "badge_classes",
    "claim_codes",
    "assertions",
    "evidence_submissions",
    "endorsements",
    "imported_badges",
    # Stacks, gates and applications (the partner's pages).
    "stacks",
    "opportunity_gates",
    "applications",
    "badge_equivalences",
    "rule_terms",
    # The learner's stacks pages (applying opens nothing by itself).
    "unlocks",
)


@dataclass
class World:
    """One person who may post every form: a 15-year-old learner who is also a network
    admin, the owner of an organization and a guardian (the rules allow all of it)."""

    email: str
    child_id: int
    slug: str
    membership_id: int
    token_id: int
    pending_id: int
    verify: str
    reset: str
    consent: str
    invitation: str
    listing_id: int
    feed_id: int
    run_id: int
    org_id: int
    badge_id: int
    foreign_badge_id: int
    code: str
    code_id: int
    award_id: str
    submission_id: int
    # The partner's stacks pages: a stack, a gated listing, an application to it.
    stack_id: int
    gated_id: int
    application_id: int


@pytest.fixture
async def world(sessionmaker: Sessions, settings: Settings) -> World:
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as session:
        person = await people.learner(session, "Everyone", age=15)
        person.is_network_admin = True
        child, _ = await people.child_with_guardian(session, age=9)
        session.add(Guardianship(guardian_id=person.id, learner_id=child.id))
        org = await people.organization(session)
        session.add(Membership(organization_id=org.id, user_id=person.id, role="owner"))
        other = await people.staff(session, org, StaffRole.ISSUER, "Other")
        await session.flush()
        membership_id = await session.scalar(
            text("SELECT id FROM memberships WHERE user_id = :u"), {"u": other.id}
        )
        owner = Actor(user_id=person.id, roles={org.id: StaffRole.OWNER})
        made = await api_tokens.create(
            session, owner, org.id, name="CMS", scopes={ApiScope.ORG_READ}, now=now
        )
        pending = await people.organization(session, status="pending")
        second_child = await people.learner(session, "Unasked", age=10, consented=False)
        # Another organization invites this person.
        inviting = await people.organization(session)
        inviter = await people.staff(session, inviting, StaffRole.OWNER, "Inviter")
        await orgs.invite(
            session,
            Actor(user_id=inviter.id, roles={inviting.id: StaffRole.OWNER}),
            inviting.id,
            email=person.email,
            role=StaffRole.ISSUER,
            now=now,
            public_url=settings.public_url,
        )
        # The dashboard's listings, feeds and imports: one of each, and a held run.
        listing = await builders.create_opportunity(
            session, org, None, None, title="Hardening", delivery="online", external_id="H-1"
        )
        feed = Feed(organization_id=org.id, format="ical", url="https://e.org/hardening.ics")
        session.add(feed)
        await session.flush()
        run = await record_run(
            session,
            organization_id=org.id,
            source="csv",
            summary=ImportSummary(held_removals=["H-1"]),
            started_at=now,
            now=now,
        )
        # Badges: the organization issues one; another organization issues one more.
        org.is_issuer = True
        design = classes.BadgeClassInput(
            name="Hardening Badge",
            description="d",
            level="skill",
            earning=["claim_code", "roster", "review", "api"],
            criteria_narrative="c",
        )
        badge = await classes.create(session, owner, org.id, design)
        foreign_org = await people.organization(session)
        foreign_org.is_issuer = True
        foreign_owner = await people.staff(session, foreign_org, StaffRole.OWNER, "Foreign")
        foreign = await classes.create(
            session,
            Actor(user_id=foreign_owner.id, roles={foreign_org.id: StaffRole.OWNER}),
            foreign_org.id,
            design,
        )
        code = await claims.open_code(
            session, owner, badge.id, starts_at=now, ends_at=now + timedelta(hours=1), max_uses=9
        )
        award = await awards.award_many(
            session,
            owner,
            org.id,
            [awards.AwardRequest(badge.id, person.email)],
            method=AwardMethod.API,
            now=now,
        )
        submission = await review.submit(
            session, Actor(user_id=other.id), badge.id, now=now, narrative="My work"
        )
        # Stacks: one of the organization's, a listing gated by a rule, one application.
        stack = await definitions.create_stack(
            session,
            owner,
            org.id,
            definitions.StackInput(name="Hardening stack", rule={"badge": badge.id}),
        )
        gated = await builders.create_opportunity(
            session, org, None, None, title="Hardening gated", delivery="online", capacity=1
        )
        await definitions.set_gate(
            session, owner, gated.id, definitions.GateInput(rule={"badge": badge.id})
        )
        application = Application(opportunity_id=gated.id, learner_id=person.id)
        session.add(application)
        await session.flush()
        invitation = await links.create(
            session,
            LinkPurpose.STAFF_INVITATION,
            email=person.email,
            now=now,
            data={
                "invitation_id": await session.scalar(
                    text("SELECT max(id) FROM invitations WHERE organization_id = :o"),
                    {"o": inviting.id},
                )
            },
        )
        return World(
            email=person.email,
            child_id=child.id,
            slug=org.slug,
            membership_id=int(membership_id or 0),
            token_id=made.token.id,
            pending_id=pending.id,
            verify=await links.create(
                session, LinkPurpose.VERIFY_EMAIL, email=person.email, user_id=person.id, now=now
            ),
            reset=await links.create(
                session,
                LinkPurpose.RESET_PASSWORD,
                email=person.email,
                user_id=person.id,
                now=now,
            ),
            consent=await links.create(
                session,
                LinkPurpose.GUARDIAN_CONSENT,
                email=f"{people.unique('g')}@example.org",
                now=now,
                data={"learner_id": second_child.id},
            ),
            invitation=invitation,
            listing_id=listing.id,
            feed_id=feed.id,
            run_id=run.id,
            org_id=org.id,
            badge_id=badge.id,
            foreign_badge_id=foreign.id,
            code=code.code,
            code_id=code.id,
            award_id=str(award[0].assertion_id),
            submission_id=submission.id,
            stack_id=stack.id,
            gated_id=gated.id,
            application_id=application.id,
        )


def post_forms(w: World) -> dict[str, tuple[str, dict[str, str | list[str]]]]:
    """Route path -> (a concrete URL, form fields that would succeed with a good token)."""
    born = people.years_ago(15)
    return {
        "/account/signup": (
            "/account/signup",
            {
                "step": "account",
                "birth_date": born.isoformat(),
                "display_name": "Forged",
                "email": f"{people.unique('forged')}@example.org",
                "password": PASSWORD,
            },
        ),
        "/account/signin": ("/account/signin", {"email": w.email, "password": PASSWORD}),
        "/account/signout": ("/account/signout", {}),
        "/account/verify/{token}": (f"/account/verify/{w.verify}", {}),
        "/account/forgot": ("/account/forgot", {"email": w.email}),
        "/account/reset/{token}": (f"/account/reset/{w.reset}", {"password": "forged password"}),
        "/account/visibility": ("/account/visibility", {"visibility": "public"}),
        "/account/consent": (
            "/account/consent",
            {"purpose": "participation", "action": "withdraw"},
        ),
        "/account/delete": ("/account/delete", {}),
        "/account/children/{child_id}/visibility": (
            f"/account/children/{w.child_id}/visibility",
            {"visibility": "public"},
        ),
        "/account/children/{child_id}/consent": (
            f"/account/children/{w.child_id}/consent",
            {"purpose": "participation", "action": "withdraw"},
        ),
        "/account/children/{child_id}/delete": (f"/account/children/{w.child_id}/delete", {}),
        "/consent/{token}": (
            f"/consent/{w.consent}",
            {"participation": "1", "display_name": "Forger", "password": PASSWORD},
        ),
        "/invitations/{token}": (f"/invitations/{w.invitation}", {}),
        "/partners/apply": ("/partners/apply", {"name": "Forged Org", "kind": "museum"}),
        "/partners/{slug}/staff/invite": (
            f"/partners/{w.slug}/staff/invite",
            {"email": "forged@example.org", "role": "owner"},
        ),
        "/partners/{slug}/staff/{membership_id}/role": (
            f"/partners/{w.slug}/staff/{w.membership_id}/role",
            {"role": "owner"},
        ),
        "/partners/{slug}/staff/{membership_id}/remove": (
            f"/partners/{w.slug}/staff/{w.membership_id}/remove",
            {},
        ),
        "/partners/{slug}/tokens": (
            f"/partners/{w.slug}/tokens",
            {"name": "Forged", "scopes": ["org:read"]},
        ),
        "/partners/{slug}/tokens/{token_id}/revoke": (
            f"/partners/{w.slug}/tokens/{w.token_id}/revoke",
            {},
        ),
        "/partners/{slug}/listings/new": (
            f"/partners/{w.slug}/listings/new",
            {"title": "Forged", "delivery": "online"},
        ),
        "/partners/{slug}/listings/{listing_id}/edit": (
            f"/partners/{w.slug}/listings/{w.listing_id}/edit",
            {"title": "Forged", "delivery": "online"},
        ),
        "/partners/{slug}/listings/{listing_id}/status": (
            f"/partners/{w.slug}/listings/{w.listing_id}/status",
            {"status": "archived"},
        ),
        "/partners/{slug}/feeds": (
            f"/partners/{w.slug}/feeds",
            {"format": "ical", "url": "https://forged.example.org/x.ics", "interval": "360"},
        ),
        "/partners/{slug}/feeds/{feed_id}/harvest": (
            f"/partners/{w.slug}/feeds/{w.feed_id}/harvest",
            {},
        ),
        "/partners/{slug}/feeds/{feed_id}/enable": (
            f"/partners/{w.slug}/feeds/{w.feed_id}/enable",
            {},
        ),
        "/partners/{slug}/feeds/{feed_id}/remove": (
            f"/partners/{w.slug}/feeds/{w.feed_id}/remove",
            {"confirm": "1"},
        ),
        "/partners/{slug}/import": (
            f"/partners/{w.slug}/import",
            {"step": "apply", "text": "external_id,title,delivery\r\nF-1,Forged,online\r\n"},
        ),
        "/partners/{slug}/imports/{run_id}/confirm": (
            f"/partners/{w.slug}/imports/{w.run_id}/confirm",
            {},
        ),
        "/claim/{code}": (f"/claim/{w.code}", {}),
        "/badges/verify": ("/badges/verify", {"source": "not a badge"}),
        "/backpack/add": ("/backpack/add", {"source": "not a badge"}),
        "/backpack/visibility": (
            "/backpack/visibility",
            {"award": w.award_id, "visibility": "public"},
        ),
        "/badges/{id}/submit": (f"/badges/{w.badge_id}/submit", {"narrative": "Forged work"}),
        "/badges/{id}/endorse": (
            f"/badges/{w.foreign_badge_id}/endorse",
            {"endorser": str(w.org_id), "comment": "Forged"},
        ),
        "/partners/{slug}/badges/new": (
            f"/partners/{w.slug}/badges/new",
            {
                "name": "Forged",
                "description": "d",
                "level": "skill",
                "earning": ["api"],
                "criteria_narrative": "c",
            },
        ),
        "/partners/{slug}/badges/{badge_id}/edit": (
            f"/partners/{w.slug}/badges/{w.badge_id}/edit",
            {
                "name": "Forged",
                "description": "d",
                "level": "skill",
                "earning": ["api"],
                "criteria_narrative": "c",
            },
        ),
        "/partners/{slug}/badges/{badge_id}/archive": (
            f"/partners/{w.slug}/badges/{w.badge_id}/archive",
            {},
        ),
        "/partners/{slug}/badges/{badge_id}/claim-codes": (
            f"/partners/{w.slug}/badges/{w.badge_id}/claim-codes",
            {"hours": "2", "max_uses": "5"},
        ),
        "/partners/{slug}/badges/{badge_id}/roster": (
            f"/partners/{w.slug}/badges/{w.badge_id}/roster",
            {"emails": "forged@example.org", "step": "award"},
        ),
        "/partners/{slug}/claim-codes/{code_id}/close": (
            f"/partners/{w.slug}/claim-codes/{w.code_id}/close",
            {},
        ),
        "/partners/{slug}/awards/{award_id}/revoke": (
            f"/partners/{w.slug}/awards/{w.award_id}/revoke",
            {"reason": "forged"},
        ),
        "/partners/{slug}/reviews/{submission_id}": (
            f"/partners/{w.slug}/reviews/{w.submission_id}",
            {"decision": "approve"},
        ),
        "/partners/{slug}/stacks/new": (
            f"/partners/{w.slug}/stacks/new",
            {"name": "Forged", "badges": [str(w.badge_id)], "mode": "all_of"},
        ),
        "/partners/{slug}/stacks/{stack_id}/edit": (
            f"/partners/{w.slug}/stacks/{w.stack_id}/edit",
            {"name": "Forged", "badges": [str(w.badge_id)], "mode": "any_of"},
        ),
        "/partners/{slug}/stacks/{stack_id}/archive": (
            f"/partners/{w.slug}/stacks/{w.stack_id}/archive",
            {"confirm": "1"},
        ),
        "/partners/{slug}/stacks/{stack_id}/equivalences": (
            f"/partners/{w.slug}/stacks/{w.stack_id}/equivalences",
            {"eq_badge": str(w.badge_id), "eq_achievement_id": "urn:uuid:forged"},
        ),
        "/partners/{slug}/listings/{listing_id}/gate": (
            f"/partners/{w.slug}/listings/{w.gated_id}/gate",
            {"source": "rule", "rule_json": '{"any_of": [{"badge": 1}]}'},
        ),
        "/partners/{slug}/listings/{listing_id}/gate/remove": (
            f"/partners/{w.slug}/listings/{w.gated_id}/gate/remove",
            {},
        ),
        "/partners/{slug}/applications/{application_id}/decide": (
            f"/partners/{w.slug}/applications/{w.application_id}/decide",
            {"status": "accepted"},
        ),
        # The learner's stacks pages: applying (the person meets the gate), withdrawing.
        "/opportunities/{opportunity_id}/apply": (
            f"/opportunities/{w.gated_id}/apply",
            {"share": [w.award_id], "message": "Forged"},
        ),
        "/account/applications/{application_id}/withdraw": (
            f"/account/applications/{w.application_id}/withdraw",
            {"back": "listing"},
        ),
        "/admin/organizations/{organization_id}/approve": (
            f"/admin/organizations/{w.pending_id}/approve",
            {},
        ),
        "/admin/organizations/{organization_id}/decline": (
            f"/admin/organizations/{w.pending_id}/decline",
            {"reason": "forged"},
        ),
    }


def post_routes() -> set[str]:
    return {
        route.path
        for route in account_routes
        if isinstance(route, Route) and route.methods and "POST" in route.methods
    }


async def snapshot(sessionmaker: Sessions) -> dict[str, str]:
    async with sessionmaker() as session:
        found = {}
        for table in TABLES:
            found[table] = str(
                await session.scalar(
                    text(
                        "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                        f" FROM {table} t"
                    )
                )
            )
        return found


async def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(
    new_client: ClientFactory, sessionmaker: Sessions, settings: Settings, world: World
) -> None:
    forms = post_forms(world)
    assert set(forms) == post_routes(), "a POST route without a CSRF test"
    browser = new_client()
    await sign_in(browser, world.email, PASSWORD)
    good = await token_for(browser, "/account")
    # A token made for another visitor's nonce is as useless as none.
    wrong = csrf.token_for(settings.secret_key, csrf.new_nonce())
    before = await snapshot(sessionmaker)
    for path, (url, data) in forms.items():
        for token in (None, wrong, good[:-1] + ("0" if good[-1] != "0" else "1"), ""):
            fields = dict(data)
            if token is not None:
                fields["csrf_token"] = token
            response = await browser.post(url, data=fields)
            assert response.status_code == 403, (path, token, response.status_code)
            assert "Please try again" in response.text, path
            assert "Reload the page" in response.text or "reload the page" in response.text
    # Without the nonce cookie a good-looking token fails too (another site's form).
    stranger = new_client()
    for url, data in forms.values():
        response = await stranger.post(url, data={**data, "csrf_token": good})
        assert response.status_code == 403, url
    assert await snapshot(sessionmaker) == before
    # Still signed in (the forged sign-out did nothing).
    assert (await browser.get("/account")).status_code == 200


ODD_VALUES = (
    "",
    "   ",
    "\x00",
    "a\x00b@example.org",
    "x" * 3000,
    "😀" * 60,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "%00%0d%0a",
    "\u202egnp.exe",
    "2024-02-30",
    "javascript:alert(1)",
)
FIELDS = (
    "step",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_date",
    "display_name",
    "email",
    "password",
    "guardian_email",
    "postal_code",
    "locale",
    "next",
    "visibility",
    "purpose",
    "action",
    "participation",
    "name",
    "kind",
    "website",
    "description",
    "is_issuer",
    "role",
    "scopes",
    "reason",
    # The partner's stacks pages.
    "mode",
    "at_least",
    "rule_json",
    "badges",
    "award",
    "source",
    "stack",
    "preferred",
    "apply_date",
    "apply_time",
    "status",
    "confirm",
    "eq_badge",
    "eq_achievement_id",
    "eq_criteria_url",
    # The learner's stacks pages.
    "share",
    "message",
    "back",
    "near",
)
# Posting these succeeds with any input (they take none): their odd input is the URL.
NO_INPUT = {
    "/account/signout",
    "/account/delete",
    "/account/verify/{token}",
    "/account/children/{child_id}/delete",
    "/invitations/{token}",
    "/partners/{slug}/staff/{membership_id}/remove",
    "/partners/{slug}/tokens/{token_id}/revoke",
    "/admin/organizations/{organization_id}/approve",
    "/partners/{slug}/listings/{listing_id}/gate/remove",
}


async def test_odd_input_to_every_form_is_never_a_500(
    new_client: ClientFactory, world: World
) -> None:
    browser = new_client()
    await sign_in(browser, world.email, PASSWORD)
    token = await token_for(browser, "/account")
    forms = post_forms(world)
    # A password reset with a usable password signs every device out: it goes last.
    last = "/account/reset/{token}"
    for path in sorted(forms, key=lambda p: p == last):
        url = forms[path][0]
        if path in NO_INPUT:
            continue
        if path == last:
            assert (await browser.get("/account")).status_code == 200
        for value in ODD_VALUES:
            fields: dict[str, str | list[str]] = {name: value for name in FIELDS}
            fields["scopes"] = [value, value]
            fields["csrf_token"] = token
            response = await browser.post(url, data=fields)
            assert response.status_code < 500, (path, value[:20], response.status_code)
        for step in ("age", "account"):
            response = await browser.post(
                url, data={"csrf_token": token, "step": step, "birth_date": "x"}
            )
            assert response.status_code < 500, (path, step)
        # A file where text is expected, and a JSON body.
        response = await browser.post(
            url, data={"csrf_token": token}, files={"email": ("a.txt", b"hello")}
        )
        assert response.status_code < 500, (path, "file")
        response = await browser.post(url, json={"csrf_token": token, "email": 1})
        assert response.status_code < 500, (path, "json")


BAD_IDS = ("abc", "0", "-1", "1.5", "99999999999999999999999", "%00", "9" * 400)


async def test_odd_urls_are_never_a_500(new_client: ClientFactory, world: World) -> None:
    browser = new_client()
    await sign_in(browser, world.email, PASSWORD)
    token = await token_for(browser, "/account")
    urls: list[tuple[str, str]] = []
    for bad in BAD_IDS:
        urls += [
            ("GET", f"/account/children/{bad}/export.json"),
            ("GET", f"/account/children/{bad}/delete"),
            ("POST", f"/account/children/{bad}/delete"),
            ("POST", f"/account/children/{bad}/consent"),
            ("GET", f"/partners/{bad}"),
            ("GET", f"/partners/{bad}/staff"),
            ("GET", f"/partners/{bad}/tokens"),
            ("POST", f"/partners/{world.slug}/staff/{bad}/role"),
            ("POST", f"/partners/{world.slug}/staff/{bad}/remove"),
            ("POST", f"/partners/{world.slug}/tokens/{bad}/revoke"),
            ("POST", f"/admin/organizations/{bad}/approve"),
            ("POST", f"/admin/organizations/{bad}/decline"),
            ("GET", f"/consent/{bad}"),
            ("POST", f"/consent/{bad}"),
            ("GET", f"/invitations/{bad}"),
            ("POST", f"/invitations/{bad}"),
            ("GET", f"/account/verify/{bad}"),
            ("POST", f"/account/verify/{bad}"),
            ("GET", f"/account/reset/{bad}"),
            ("POST", f"/account/reset/{bad}"),
            ("GET", f"/organizations/{bad}"),
            ("GET", f"/account/signin?next={bad}&email={bad}&notice={bad}"),
            ("GET", f"/account/signup?next={bad}"),
            ("GET", f"/account?notice={bad}"),
            ("GET", f"/partners/{bad}/listings"),
            ("GET", f"/partners/{world.slug}/listings?page={bad}&status={bad}&notice={bad}"),
            ("GET", f"/partners/{world.slug}/listings/{bad}/edit"),
            ("POST", f"/partners/{world.slug}/listings/{bad}/edit"),
            ("POST", f"/partners/{world.slug}/listings/{bad}/status"),
            ("GET", f"/partners/{bad}/feeds"),
            ("GET", f"/partners/{world.slug}/feeds/{bad}"),
            ("POST", f"/partners/{world.slug}/feeds/{bad}/harvest"),
            ("POST", f"/partners/{world.slug}/feeds/{bad}/enable"),
            ("POST", f"/partners/{world.slug}/feeds/{bad}/remove"),
            ("GET", f"/partners/{bad}/import"),
            ("GET", f"/partners/{bad}/import/template.csv"),
            ("GET", f"/partners/{world.slug}/imports/{bad}"),
            ("POST", f"/partners/{world.slug}/imports/{bad}/confirm"),
            ("GET", f"/partners/{bad}/stacks"),
            ("GET", f"/partners/{world.slug}/stacks?notice={bad}"),
            ("GET", f"/partners/{world.slug}/stacks/{bad}/edit"),
            ("POST", f"/partners/{world.slug}/stacks/{bad}/edit"),
            ("POST", f"/partners/{world.slug}/stacks/{bad}/archive"),
            ("POST", f"/partners/{world.slug}/stacks/{bad}/equivalences"),
            ("GET", f"/partners/{world.slug}/listings/{bad}/gate"),
            ("POST", f"/partners/{world.slug}/listings/{bad}/gate"),
            ("POST", f"/partners/{world.slug}/listings/{bad}/gate/remove"),
            ("GET", f"/partners/{world.slug}/listings/{bad}/applicants"),
            ("POST", f"/partners/{world.slug}/applications/{bad}/decide"),
            ("GET", f"/account/stacks?near={bad}&withdrawn={bad}"),
            ("POST", f"/account/applications/{bad}/withdraw"),
            ("POST", f"/opportunities/{bad}/apply"),
            ("GET", f"/opportunities/{world.gated_id}?applied={bad}&withdrawn={bad}"),
        ]
    for method, url in urls:
        if method == "GET":
            response = await browser.get(url)
        else:
            response = await browser.post(url, data={"csrf_token": token, "role": "owner"})
        assert response.status_code < 500, (method, url[:80], response.status_code)
    # Methods a route does not take are refused, not crashed on.
    for url in ("/account/visibility", "/account/consent", "/admin/organizations/1/approve"):
        assert (await browser.get(url)).status_code == 405
    assert (await browser.get("/account")).status_code == 200


async def test_garbage_sign_in_never_signs_anyone_in(new_client: ClientFactory) -> None:
    browser = new_client()
    token = await token_for(browser)
    for email, password in itertools.product(("", "%", "\x00", "a" * 400), ("", "\x00", "x")):
        response = await browser.post(
            "/account/signin", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code in (400, 429)
        assert csrf.SESSION_COOKIE not in browser.cookies


async def test_forms_reject_oversized_posts_politely(client: httpx.AsyncClient) -> None:
    page = await client.get("/account/signin")
    response = await client.post(
        "/account/signin",
        data={"csrf_token": csrf_in(page.text), "email": "a" * 70_000, "password": "x"},
    )
    assert response.status_code == 403 and "Please try again" in response.text


def test_learner_profile_never_has_a_street_address_column() -> None:
    columns = set(LearnerProfile.__table__.columns.keys())
    assert not columns & {"address", "street", "latitude", "longitude", "location"}
