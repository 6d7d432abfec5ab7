"""Partner pages: applying, an admin's approval, staff invitations through the real SMTP
sink, roles, API tokens shown once, and the 403s that reveal nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import ApiToken, Membership, Organization, User
from server.models.enums import StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink
from tests.web.conftest import ClientFactory
from tests.web.site import alerts, csrf_in, deliver, field_errors, link_in, post, sign_in, text_of

Sessions = async_sessionmaker[AsyncSession]
PASSWORD = people.PASSWORD


async def test_apply_then_an_admin_approves(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        applicant = await people.person(session, "Applicant")
        admin = await people.person(session, "Admin", admin=True)
    browser = new_client()
    await sign_in(browser, applicant.email, PASSWORD)
    form = await browser.get("/partners/apply")
    assert form.status_code == 200 and 'name="is_issuer"' in form.text
    bad = await post(
        browser,
        "/partners/apply",
        {
            "name": "X",
            "kind": "library",
            "website": "ftp://nope",
            "postal_code": "ABCDE",
        },
        page="/partners/apply",
        expect=400,
    )
    assert "f-name-error" in field_errors(bad.text)
    bad = await post(
        browser,
        "/partners/apply",
        {"name": "Good Name", "kind": "library", "website": "ftp://nope"},
        page="/partners/apply",
        expect=400,
    )
    assert "https://" in field_errors(bad.text)["f-website-error"]
    bad = await post(
        browser,
        "/partners/apply",
        {"name": "Good Name", "kind": "castle"},
        page="/partners/apply",
        expect=400,
    )
    assert "f-kind-error" in field_errors(bad.text)

    name = f"Lakeview Makers {people.unique('lm')}"
    done = await post(
        browser,
        "/partners/apply",
        {
            "name": name,
            "kind": "community_group",
            "website": "https://lakeview.example.org",
            "postal_code": "60657",
            "description": "Robots and soldering for teens.",
            "is_issuer": "1",
        },
        page="/partners/apply",
    )
    location = done.headers["location"]
    match = re.fullmatch(r"/partners/([a-z0-9-]+)\?notice=applied", location)
    assert match
    slug = match.group(1)
    dashboard = await browser.get(location)
    assert dashboard.status_code == 200
    assert "Waiting for approval" in dashboard.text and "Owner" in dashboard.text
    assert "Thank you for applying" in dashboard.text

    # Not an admin: 403.
    assert (await browser.get("/admin/organizations")).status_code == 403

    admin_browser = new_client()
    await sign_in(admin_browser, admin.email, PASSWORD)
    listing = await admin_browser.get("/admin/organizations")
    assert listing.status_code == 200 and name in listing.text
    async with sessionmaker() as session:
        org = await session.scalar(select(Organization).where(Organization.slug == slug))
        assert org is not None and org.status == "pending"
    response = await post(
        admin_browser,
        f"/admin/organizations/{org.id}/approve",
        {},
        page="/admin/organizations",
    )
    assert response.headers["location"] == "/admin/organizations?notice=approved"
    after = await admin_browser.get(response.headers["location"])
    assert name not in after.text
    async with sessionmaker() as session:
        org = await session.scalar(select(Organization).where(Organization.slug == slug))
        assert org is not None and org.status == "approved"
    mail = await deliver(sessionmaker, mail_settings, smtp_sink, applicant.email)
    assert f"/partners/{slug}" in mail
    dashboard = await browser.get(f"/partners/{slug}")
    assert "Approved" in dashboard.text and f'href="/organizations/{slug}"' in dashboard.text


async def test_admin_declines_with_a_reason(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session, status="pending")
        owner = await people.staff(session, org, StaffRole.OWNER, "Hopeful")
        admin = await people.person(session, "Admin", admin=True)
    admin_browser = new_client()
    await sign_in(admin_browser, admin.email, PASSWORD)
    empty = await post(
        admin_browser,
        f"/admin/organizations/{org.id}/decline",
        {"reason": "   "},
        page="/admin/organizations",
        expect=400,
    )
    assert "Tell the applicant why." in " ".join(alerts(empty.text))
    assert f'id="reason-{org.id}-error"' in empty.text
    await post(
        admin_browser,
        f"/admin/organizations/{org.id}/decline",
        {"reason": "We could not find the organization's website."},
        page="/admin/organizations",
    )
    twice = await post(
        admin_browser,
        f"/admin/organizations/{org.id}/decline",
        {"reason": "again"},
        page="/account",
        expect=400,
    )
    assert "still waiting" in " ".join(alerts(twice.text))
    owner_browser = new_client()
    await sign_in(owner_browser, owner.email, PASSWORD)
    dashboard = await owner_browser.get(f"/partners/{org.slug}")
    assert "Declined" in dashboard.text
    assert "could not find the organization" in text_of(dashboard.text)


async def test_owner_invites_and_the_invitee_accepts(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Owner")
        invitee = await people.person(session, "Invitee")
    owner_browser = new_client()
    await sign_in(owner_browser, owner.email, PASSWORD)
    staff = await owner_browser.get(f"/partners/{org.slug}/staff")
    assert staff.status_code == 200 and owner.email in staff.text
    bad = await post(
        owner_browser,
        f"/partners/{org.slug}/staff/invite",
        {"email": "not an email", "role": "manager"},
        page=f"/partners/{org.slug}/staff",
        expect=400,
    )
    assert "f-email-error" in field_errors(bad.text)
    await post(
        owner_browser,
        f"/partners/{org.slug}/staff/invite",
        {"email": invitee.email, "role": "manager"},
        page=f"/partners/{org.slug}/staff",
    )
    text = await deliver(sessionmaker, mail_settings, smtp_sink, invitee.email)
    path = link_in(text, mail_settings, "/invitations/")

    invitee_browser = new_client()
    page = await invitee_browser.get(path)
    assert page.status_code == 200
    assert f"Sign in as {invitee.email}" in text_of(page.text)
    await post(
        invitee_browser,
        "/account/signin",
        {"email": invitee.email, "password": PASSWORD, "next": path},
    )
    page = await invitee_browser.get(path)
    assert "Accept the invitation" in page.text
    accepted = await invitee_browser.post(path, data={"csrf_token": csrf_in(page.text)})
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/partners/{org.slug}?notice=joined"
    dashboard = await invitee_browser.get(accepted.headers["location"])
    assert "Manager" in dashboard.text and "API tokens" in dashboard.text
    async with sessionmaker() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.organization_id == org.id, Membership.user_id == invitee.id
            )
        )
        assert role == "manager"
    # Someone else signed in cannot use the link (it is used up anyway).
    assert (await invitee_browser.get(path)).status_code == 400


async def test_a_new_person_accepts_by_creating_an_account(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Owner")
    newcomer = f"{people.unique('newcomer')}@example.org"
    owner_browser = new_client()
    await sign_in(owner_browser, owner.email, PASSWORD)
    await post(
        owner_browser,
        f"/partners/{org.slug}/staff/invite",
        {"email": newcomer, "role": "issuer"},
        page=f"/partners/{org.slug}/staff",
    )
    path = link_in(
        await deliver(sessionmaker, mail_settings, smtp_sink, newcomer),
        mail_settings,
        "/invitations/",
    )
    browser = new_client()
    page = await browser.get(path)
    assert 'name="display_name"' in page.text and newcomer in page.text
    weak = await browser.post(
        path, data={"csrf_token": csrf_in(page.text), "display_name": "Nia", "password": "x"}
    )
    assert weak.status_code == 400 and "f-password-error" in field_errors(weak.text)
    done = await browser.post(
        path, data={"csrf_token": csrf_in(page.text), "display_name": "Nia", "password": PASSWORD}
    )
    assert done.status_code == 303
    dashboard = await browser.get(done.headers["location"])
    assert "Issuer" in dashboard.text and "API tokens" not in dashboard.text
    async with sessionmaker() as session:
        user = await session.scalar(select(User).where(User.email == newcomer))
        assert user is not None and user.email_verified_at is not None


async def test_roles_decide_what_staff_see(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Owner")
        issuer = await people.staff(session, org, StaffRole.ISSUER, "Issuer")
        stranger = await people.person(session, "Stranger")
        issuer_membership = await session.scalar(
            select(Membership.id).where(Membership.user_id == issuer.id)
        )
    issuer_browser = new_client()
    await sign_in(issuer_browser, issuer.email, PASSWORD)
    staff = await issuer_browser.get(f"/partners/{org.slug}/staff")
    assert staff.status_code == 200 and owner.email in staff.text
    assert "Invite someone" not in staff.text and "/role" not in staff.text
    tokens = await issuer_browser.get(f"/partners/{org.slug}/tokens")
    assert tokens.status_code == 403 and "You cannot open this page" in tokens.text
    await post(
        issuer_browser,
        f"/partners/{org.slug}/staff/invite",
        {"email": "x@example.org", "role": "owner"},
        page="/account",
        expect=403,
    )

    # A stranger gets the same page for a real organization and a made-up one.
    stranger_browser = new_client()
    await sign_in(stranger_browser, stranger.email, PASSWORD)
    real = await stranger_browser.get(f"/partners/{org.slug}/staff")
    made_up = await stranger_browser.get("/partners/no-such-organization-here/staff")
    assert real.status_code == made_up.status_code == 403
    assert text_of(real.text) == text_of(made_up.text)
    assert owner.email not in real.text

    # The owner changes the issuer's role, cannot demote the last owner, and removes.
    owner_browser = new_client()
    await sign_in(owner_browser, owner.email, PASSWORD)
    await post(
        owner_browser,
        f"/partners/{org.slug}/staff/{issuer_membership}/role",
        {"role": "manager"},
        page=f"/partners/{org.slug}/staff",
    )
    async with sessionmaker() as session:
        owner_membership = await session.scalar(
            select(Membership.id).where(Membership.user_id == owner.id)
        )
        assert (
            await session.scalar(select(Membership.role).where(Membership.id == issuer_membership))
            == "manager"
        )
    last = await post(
        owner_browser,
        f"/partners/{org.slug}/staff/{owner_membership}/role",
        {"role": "issuer"},
        page=f"/partners/{org.slug}/staff",
        expect=409,
    )
    assert "at least one owner" in " ".join(alerts(last.text))
    await post(
        owner_browser,
        f"/partners/{org.slug}/staff/{issuer_membership}/remove",
        {},
        page=f"/partners/{org.slug}/staff",
    )
    async with sessionmaker() as session:
        assert await session.get(Membership, issuer_membership) is None


async def test_manager_creates_a_token_shown_once(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        manager = await people.staff(session, org, StaffRole.MANAGER, "Manager")
    browser = new_client()
    await sign_in(browser, manager.email, PASSWORD)
    page = await browser.get(f"/partners/{org.slug}/tokens")
    assert page.status_code == 200 and "No tokens yet." in page.text
    none = await post(
        browser,
        f"/partners/{org.slug}/tokens",
        {"name": "Website calendar"},
        page=f"/partners/{org.slug}/tokens",
        expect=400,
    )
    assert "Choose at least one scope." in field_errors(none.text)["f-scopes-error"]
    made = await post(
        browser,
        f"/partners/{org.slug}/tokens",
        {"name": "Website calendar", "scopes": ["listings:write", "org:read"]},
        page=f"/partners/{org.slug}/tokens",
        expect=200,
    )
    assert made.headers["cache-control"] == "no-store"
    secret_match = re.search(r'id="token-secret"[^>]*value="(cl_[A-Za-z0-9_-]+)"', made.text)
    assert secret_match, made.text
    secret = secret_match.group(1)
    assert "We show it only this once" in made.text
    # The list shows the prefix, scopes and dates, never the token.
    listing = await browser.get(f"/partners/{org.slug}/tokens")
    assert secret not in listing.text
    assert secret[:10] in listing.text and "listings:write, org:read" in listing.text
    assert "Never" in listing.text
    # The token works on the API.
    api = await browser.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 200
    async with sessionmaker() as session:
        token = await session.scalar(select(ApiToken).where(ApiToken.organization_id == org.id))
        assert token is not None and secret not in (token.token_hash, token.prefix)
    await post(
        browser,
        f"/partners/{org.slug}/tokens/{token.id}/revoke",
        {},
        page=f"/partners/{org.slug}/tokens",
    )
    revoked = await browser.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {secret}"},
    )
    assert revoked.status_code == 401
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(
                ApiToken.organization_id == org.id, ApiToken.revoked_at.is_(None)
            )
        )
        assert count == 0


async def test_pending_organization_cannot_make_tokens(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session, status="pending")
        owner = await people.staff(session, org, StaffRole.OWNER, "Early")
    browser = new_client()
    await sign_in(browser, owner.email, PASSWORD)
    response = await post(
        browser,
        f"/partners/{org.slug}/tokens",
        {"name": "Too soon", "scopes": ["org:read"]},
        page=f"/partners/{org.slug}/tokens",
        expect=400,
    )
    assert "once the organization is approved" in " ".join(alerts(response.text))


async def test_partner_pages_in_spanish(new_client: ClientFactory, sessionmaker: Sessions) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Dueña")
    browser = new_client()
    browser.cookies.set("lang", "es")
    await sign_in(browser, owner.email, PASSWORD)
    staff = await browser.get(f"/partners/{org.slug}/staff")
    assert "Invitar a alguien" in staff.text and "Propietario" in staff.text
    tokens = await browser.get(f"/partners/{org.slug}/tokens")
    assert "Tokens de la API" in tokens.text and "Aún no hay tokens." in tokens.text
    apply = await browser.get("/partners/apply")
    assert "Únete a CityLearn como organización socia" in apply.text
