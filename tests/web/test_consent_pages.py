"""A parent's or guardian's consent, end to end: a child signs up, the consent email goes
through the real SMTP sink, its link opens the consent page, the guardian's account is
made and linked, and the child's account is no longer limited. Then the guardian's
children page: withdrawal, export, deletion."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models import Consent, Guardianship, User
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink
from tests.web.conftest import ClientFactory
from tests.web.site import (
    account_step,
    alerts,
    csrf_in,
    deliver,
    field_errors,
    hidden_birth_date,
    link_in,
    post,
    sign_in,
    text_of,
)

Sessions = async_sessionmaker[AsyncSession]
PASSWORD = people.PASSWORD


async def child_signs_up(client: httpx.AsyncClient, guardian_email: str, name: str = "Nina") -> str:
    html = await account_step(client, 12)
    email = f"{people.unique(name.lower())}@example.org"
    await post(
        client,
        "/account/signup",
        {
            "step": "account",
            "birth_date": hidden_birth_date(html),
            "display_name": name,
            "email": email,
            "password": PASSWORD,
            "guardian_email": guardian_email,
            "locale": "en",
        },
        page="/account/signup",
    )
    return email


async def consent_link(
    sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink, guardian_email: str
) -> str:
    text = await deliver(
        sessionmaker, mail_settings, smtp_sink, guardian_email, containing="/consent/"
    )
    return link_in(text, mail_settings, "/consent/")


async def test_guardian_consent_end_to_end(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    guardian_email = f"{people.unique('parent')}@example.org"
    child_browser = new_client()
    child_email = await child_signs_up(child_browser, guardian_email)
    assert "Waiting for your parent or guardian" in (await child_browser.get("/account")).text

    path = await consent_link(sessionmaker, mail_settings, smtp_sink, guardian_email)
    # Nothing went to the child but what the guardian must answer.
    assert not smtp_sink.to(child_email)

    parent = new_client()
    page = await parent.get(path)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Nina would like a CityLearn account" in text
    assert "A first name, an email address, the date of birth, and at most a ZIP code." in text
    assert "Never a street address or a precise location." in text
    for name in ("participation", "share_with_employers", "public_profile", "display_name"):
        assert f'name="{name}"' in page.text
    assert " checked" not in page.text  # nothing ticked for the guardian
    token = csrf_in(page.text)

    # Taking part is required.
    refused = await parent.post(
        path,
        data={"csrf_token": token, "display_name": "Marta", "password": PASSWORD, "locale": "es"},
    )
    assert refused.status_code == 400
    assert "f-participation-error" in field_errors(refused.text)
    assert 'aria-describedby="f-participation-hint f-participation-error"' in refused.text

    done = await parent.post(
        path,
        data={
            "csrf_token": token,
            "participation": "1",
            "share_with_employers": "1",
            "display_name": "Marta",
            "password": PASSWORD,
            "locale": "es",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/account/children?notice=consent-given"
    children = await parent.get(done.headers["location"])
    assert children.status_code == 200
    assert "Thank you. Your consent is saved." in children.text
    assert "Nina" in children.text and child_email in children.text

    async with sessionmaker() as session:
        guardian = await session.scalar(select(User).where(User.email == guardian_email))
        child = await session.scalar(select(User).where(User.email == child_email))
        assert guardian is not None and child is not None
        assert guardian.locale == "es" and guardian.email_verified_at is not None
        linked = await session.scalar(
            select(func.count()).where(
                Guardianship.guardian_id == guardian.id, Guardianship.learner_id == child.id
            )
        )
        assert linked == 1
        standing = await session.scalars(
            select(Consent.purpose).where(
                Consent.learner_id == child.id, Consent.withdrawn_at.is_(None)
            )
        )
        assert set(standing) == {"participation", "share_with_employers"}

    # The child's account is no longer limited (the page asks on every request).
    account = await child_browser.get("/account")
    assert 'id="limited"' not in account.text
    assert "Marta" in account.text  # their guardian

    # The confirmation reached the guardian, in the language they chose.
    confirmation = await deliver(
        sessionmaker, mail_settings, smtp_sink, guardian_email, containing="/account"
    )
    assert confirmation

    # The link is used up.
    assert (await new_client().get(path)).status_code == 400

    # Withdrawing participation limits the child's account at once.
    await post(
        parent,
        f"/account/children/{child.id}/consent",
        {"purpose": "participation", "action": "withdraw"},
        page="/account/children",
    )
    assert "Waiting for your parent or guardian" in (await child_browser.get("/account")).text
    children = await parent.get("/account/children")
    assert "account is limited" in children.text
    await post(
        parent,
        f"/account/children/{child.id}/consent",
        {"purpose": "participation", "action": "grant"},
        page="/account/children",
    )
    assert 'id="limited"' not in (await child_browser.get("/account")).text

    # The guardian exports the child's data, and sets the profile's visibility.
    export = await parent.get(f"/account/children/{child.id}/export.json")
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment;")
    document = json.loads(export.text)
    assert document["account"]["email"] == child_email
    assert document["guardians"] == [{"displayName": "Marta", "email": guardian_email}]
    await post(
        parent,
        f"/account/children/{child.id}/visibility",
        {"visibility": "network"},
        page="/account/children",
    )
    assert 'value="network" checked' in (await parent.get("/account/children")).text


async def test_existing_guardian_signs_in_then_answers(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        guardian = await people.person(session, "Olga")
    child_email = await child_signs_up(new_client(), guardian.email, "Pablo")
    path = await consent_link(sessionmaker, mail_settings, smtp_sink, guardian.email)
    browser = new_client()
    page = await browser.get(path)
    assert f"Sign in as {guardian.email}" in text_of(page.text)
    assert 'name="participation"' not in page.text
    # The sign-in link comes back here.
    start = page.text.index('href="/account/signin?')
    signin_url = page.text[start + 6 : page.text.index('"', start + 6)].replace("&amp;", "&")
    signin_page = await browser.get(signin_url)
    assert f'name="next" value="{path}"' in signin_page.text
    assert f'value="{guardian.email}"' in signin_page.text
    response = await post(
        browser,
        "/account/signin",
        {"email": guardian.email, "password": PASSWORD, "next": path},
    )
    assert response.headers["location"] == path
    page = await browser.get(path)
    assert 'name="participation"' in page.text and 'name="display_name"' not in page.text
    done = await browser.post(path, data={"csrf_token": csrf_in(page.text), "participation": "1"})
    assert done.status_code == 303
    children = await browser.get("/account/children")
    assert "Pablo" in children.text and child_email in children.text


async def test_child_signed_in_on_the_same_device_is_asked_to_sign_out(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    guardian_email = f"{people.unique('samedevice')}@example.org"
    browser = new_client()
    await child_signs_up(browser, guardian_email, "Quique")
    path = await consent_link(sessionmaker, mail_settings, smtp_sink, guardian_email)
    page = await browser.get(path)
    assert "You are signed in as Quique" in text_of(page.text)
    assert 'name="participation"' not in page.text
    # Posting anyway is refused by the rule, with a message, not a 500.
    refused = await browser.post(
        path,
        data={
            "csrf_token": csrf_in(page.text),
            "participation": "1",
            "display_name": "Me",
            "password": PASSWORD,
        },
    )
    assert refused.status_code == 400 and alerts(refused.text)
    # Sign out (the button comes back here), then the guardian answers.
    out = await post(browser, "/account/signout", {"next": path}, page=path)
    assert out.headers["location"] == path
    page = await browser.get(path)
    assert 'name="display_name"' in page.text


async def test_bad_consent_links_are_friendly(client: httpx.AsyncClient) -> None:
    for token in ("nope", "x" * 500, "%00", "..%2F..%2Fetc"):
        response = await client.get(f"/consent/{token}")
        assert response.status_code in (400, 404), token
        if response.status_code == 400:
            assert "This link does not work" in response.text


async def test_children_page_refuses_other_peoples_children(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        child, _ = await people.child_with_guardian(session)
        stranger = await people.person(session, "Stranger")
    browser = new_client()
    await sign_in(browser, stranger.email, PASSWORD)
    assert (await browser.get(f"/account/children/{child.id}/export.json")).status_code == 404
    assert (await browser.get(f"/account/children/{child.id}/delete")).status_code == 404
    await post(
        browser,
        f"/account/children/{child.id}/consent",
        {"purpose": "participation", "action": "withdraw"},
        page="/account",
        expect=404,
    )
    async with sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).where(
                    Consent.learner_id == child.id, Consent.withdrawn_at.is_(None)
                )
            )
            == 1
        )
    none = text_of((await browser.get("/account/children")).text)
    assert "No child's account is linked to yours." in none


async def test_guardian_deletes_a_childs_account(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        child, guardian = await people.child_with_guardian(session)
    child_id = child.id
    browser = new_client()
    await sign_in(browser, guardian.email, PASSWORD)
    confirm = await browser.get(f"/account/children/{child_id}/delete")
    assert confirm.status_code == 200 and f"Delete {child.display_name}" in confirm.text
    done = await post(browser, f"/account/children/{child_id}/delete", {}, page="/account/children")
    assert done.headers["location"] == "/account/children?notice=child-deleted"
    async with sessionmaker() as session:
        assert await session.get(User, child_id) is None
    # The guardian stays signed in.
    assert (await browser.get("/account/children")).status_code == 200
