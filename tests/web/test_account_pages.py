"""Sign-up with the neutral age gate, signing in and out, sessions and cookies, throttling,
password reset, the account page, export and deletion, over HTTP against the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import csrf, web_sessions
from server.accounts.secrets import digest
from server.db import session_scope
from server.models import (
    AuditEvent,
    Consent,
    EmailLink,
    LearnerProfile,
    OutboxEvent,
    User,
    WebSession,
)
from server.models.enums import StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink
from tests.web.conftest import ClientFactory
from tests.web.site import (
    account_step,
    alerts,
    birth_fields,
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


async def user_by_email(sessionmaker: Sessions, email: str) -> User | None:
    async with sessionmaker() as session:
        found: User | None = await session.scalar(select(User).where(User.email == email))
        return found


# -- the age gate ---------------------------------------------------------------------------


async def test_age_step_asks_only_the_birth_date_and_is_neutral(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/account/signup")
    assert response.status_code == 200
    html = response.text
    form = html[html.index("<form") : html.index("</form>")]
    names = {n for n in ("birth_year", "birth_month", "birth_day") if f'name="{n}"' in form}
    assert names == {"birth_year", "birth_month", "birth_day"}
    for other in ("email", "password", "display_name", "guardian_email", "postal_code"):
        assert f'name="{other}"' not in form
    # Nothing hints at which age matters, and nothing is filled in for the visitor.
    page = text_of(html)
    for hint in ("13", "thirteen", "parent", "guardian", "COPPA", "under", "older"):
        assert hint not in page, hint
    assert " selected" not in form
    assert "<legend>Date of birth</legend>" in html


async def test_under_13_must_give_a_guardian_email(
    client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    html = await account_step(client, 12)
    assert 'name="guardian_email"' in html
    assert "account stays limited" in html
    born = hidden_birth_date(html)
    email = f"{people.unique('kid')}@example.org"
    data: dict[str, str | list[str]] = {
        "step": "account",
        "birth_date": born,
        "display_name": "Ana",
        "email": email,
        "password": PASSWORD,
        "locale": "en",
    }
    response = await post(client, "/account/signup", data, page="/account/signup", expect=400)
    assert "f-guardian_email-error" in field_errors(response.text)
    assert 'aria-describedby="f-guardian_email-hint f-guardian_email-error"' in response.text
    assert alerts(response.text)
    assert await user_by_email(sessionmaker, email) is None
    # Their own address is refused too.
    data["guardian_email"] = email
    response = await post(client, "/account/signup", data, page="/account/signup", expect=400)
    assert "not yours" in field_errors(response.text)["f-guardian_email-error"]

    data["guardian_email"] = f"{people.unique('parent')}@example.org"
    response = await post(client, "/account/signup", data, page="/account/signup")
    assert response.headers["location"] == "/account?notice=guardian-asked"
    account = await client.get(response.headers["location"])
    assert account.status_code == 200
    assert "We emailed your parent or guardian" in account.text
    assert "Waiting for your parent or guardian" in account.text
    # A child's settings are read-only for the child.
    assert "Your parent or guardian manages this." in account.text
    assert 'action="/account/consent"' not in account.text
    assert 'action="/account/visibility"' not in account.text
    user = await user_by_email(sessionmaker, email)
    assert user is not None and user.display_name == "Ana"


async def test_13_and_over_need_no_guardian_and_are_signed_in(
    client: httpx.AsyncClient, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    html = await account_step(client, 13)
    assert 'name="guardian_email"' not in html
    email = f"{people.unique('teen')}@example.org"
    data: dict[str, str | list[str]] = {
        "step": "account",
        "birth_date": hidden_birth_date(html),
        "display_name": "  Marisol  ",
        "email": email.upper(),
        "password": PASSWORD,
        "postal_code": "60614",
        "locale": "es",
    }
    response = await post(client, "/account/signup", data, page="/account/signup")
    assert response.headers["location"] == "/account?notice=signed-up"
    account = await client.get(response.headers["location"])
    assert "We sent you an email" in account.text and "check your email" in account.text
    assert "Waiting for your parent" not in account.text and 'id="limited"' not in account.text
    assert "60614" in account.text
    user = await user_by_email(sessionmaker, email)
    assert user is not None and user.locale == "es" and user.display_name == "Marisol"
    # The verification email (in Spanish, as chosen) works through its button.
    text = await deliver(sessionmaker, mail_settings, smtp_sink, email)
    path = link_in(text, mail_settings, "/account/verify/")
    page = await client.get(path)
    assert page.status_code == 200
    confirmed = await client.post(path, data={"csrf_token": csrf_in(page.text)})
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/account?notice=email-verified"
    user = await user_by_email(sessionmaker, email)
    assert user is not None and user.email_verified_at is not None
    again = await client.get(path)
    assert again.status_code == 400 and "not valid any more" in again.text


async def test_birth_date_is_checked_again_on_the_account_step(
    client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    email = f"{people.unique('tamper')}@example.org"
    for forged in ("", "2999-01-01", "not-a-date", "1800-01-01", str(people.years_ago(2))):
        response = await post(
            client,
            "/account/signup",
            {
                "step": "account",
                "birth_date": forged,
                "display_name": "X",
                "email": email,
                "password": PASSWORD,
            },
            page="/account/signup",
            expect=400,
        )
        # Back to the date step, with the message by the date.
        assert 'name="birth_year"' in response.text
        assert "f-birth_date-error" in field_errors(response.text)
    # A 12-year-old's date with no guardian email is refused, whatever step 1 said.
    response = await post(
        client,
        "/account/signup",
        {
            "step": "account",
            "birth_date": people.years_ago(12).isoformat(),
            "display_name": "X",
            "email": email,
            "password": PASSWORD,
        },
        page="/account/signup",
        expect=400,
    )
    assert "f-guardian_email-error" in field_errors(response.text)
    assert await user_by_email(sessionmaker, email) is None


async def test_age_step_errors(client: httpx.AsyncClient) -> None:
    for fields, expected in (
        ({}, "Enter your date of birth."),
        ({"birth_year": "2010", "birth_month": "2", "birth_day": "31"}, "real date"),
        ({"birth_year": "abc", "birth_month": "x", "birth_day": "1"}, "real date"),
        ({"birth_year": "1850", "birth_month": "1", "birth_day": "1"}, "real date"),
    ):
        response = await post(
            client, "/account/signup", {"step": "age", **fields}, page="/account/signup", expect=400
        )
        assert expected in field_errors(response.text)["f-birth_date-error"]
        assert alerts(response.text)
        assert 'href="#f-birth_month"' in response.text


async def test_signup_field_errors_sit_next_to_their_fields(client: httpx.AsyncClient) -> None:
    html = await account_step(client, 15)
    response = await post(
        client,
        "/account/signup",
        {
            "step": "account",
            "birth_date": hidden_birth_date(html),
            "display_name": "Kai",
            "email": "not-an-email",
            "password": PASSWORD,
            "postal_code": "12 Main St",
        },
        page="/account/signup",
        expect=400,
    )
    errors = field_errors(response.text)
    assert "f-email-error" in errors
    response = await post(
        client,
        "/account/signup",
        {
            "step": "account",
            "birth_date": hidden_birth_date(html),
            "display_name": "Kai",
            "email": f"{people.unique('kai')}@example.org",
            "password": "short",
            "postal_code": "60614",
        },
        page="/account/signup",
        expect=400,
    )
    assert "at least 8" in field_errors(response.text)["f-password-error"]
    # What was typed comes back (except the password).
    assert 'value="Kai"' in response.text and 'value="short"' not in response.text


async def test_taken_email_is_a_message_not_a_500(
    client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        existing = await people.person(session, "Taken")
    html = await account_step(client, 16)
    response = await post(
        client,
        "/account/signup",
        {
            "step": "account",
            "birth_date": hidden_birth_date(html),
            "display_name": "Kai",
            "email": existing.email,
            "password": PASSWORD,
        },
        page="/account/signup",
        expect=400,
    )
    assert "already an account" in field_errors(response.text)["f-email-error"]


# -- sign-in, sessions, cookies ----------------------------------------------------------------


async def test_sign_in_and_out_ends_the_session_on_the_server(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Rosa")
    client = new_client()
    await sign_in(client, user.email, PASSWORD)
    cookie = client.cookies[csrf.SESSION_COOKIE]
    account = await client.get("/account")
    assert account.status_code == 200 and "Hello, Rosa" in account.text
    # Pages about a person are never kept by a shared cache.
    assert account.headers["cache-control"] == "no-store"
    assert '<a href="/account">Account</a>' in account.text
    response = await post(client, "/account/signout", {}, page="/account")
    assert response.headers["location"] == "/account/signin?notice=signed-out"
    async with sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).where(WebSession.token_hash == digest(cookie))
            )
            == 0
        )
    # The old cookie, sent again by hand, signs no one in.
    other = new_client()
    other.cookies.set(csrf.SESSION_COOKIE, cookie)
    again = await other.get("/account")
    assert again.status_code == 303
    assert again.headers["location"] == "/account/signin?next=%2Faccount"
    signed_out = await client.get("/account/signin?notice=signed-out")
    assert "You are signed out." in signed_out.text
    assert '<a href="/account/signin">Sign in</a>' in signed_out.text


async def test_signout_is_post_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/signout")
    assert response.status_code == 200
    assert 'method="post" action="/account/signout"' in response.text


async def test_planted_session_cookie_is_not_the_session_after_sign_in(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Fixed")
    attacker_value = "planted-by-an-attacker-0123456789abcdef"
    client = new_client()
    # Planted for the site's own host (say by a script on a sibling subdomain).
    client.cookies.set(csrf.SESSION_COOKIE, attacker_value, domain="testserver.local")
    planted = await client.get("/account")  # a planted value signs no one in
    assert planted.status_code == 303
    client.cookies.set(csrf.SESSION_COOKIE, attacker_value, domain="testserver.local")
    planted_nonce = client.cookies.get(csrf.CSRF_COOKIE)
    await sign_in(client, user.email, PASSWORD)
    assert client.cookies[csrf.SESSION_COOKIE] != attacker_value
    assert client.cookies[csrf.CSRF_COOKIE] != planted_nonce
    async with sessionmaker() as session:
        assert await web_sessions.resolve(session, attacker_value, now=datetime.now(UTC)) is None
    attacker = new_client()
    attacker.cookies.set(csrf.SESSION_COOKIE, attacker_value)
    response = await attacker.get("/account")
    assert response.status_code == 303 and "/account/signin" in response.headers["location"]


async def test_signing_in_again_ends_the_previous_session(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        first = await people.person(session, "First")
        second = await people.person(session, "Second")
    client = new_client()
    await sign_in(client, first.email, PASSWORD)
    old = client.cookies[csrf.SESSION_COOKIE]
    await sign_in(client, second.email, PASSWORD)
    async with sessionmaker() as session:
        assert await web_sessions.resolve(session, old, now=datetime.now(UTC)) is None
    assert "Hello, Second" in (await client.get("/account")).text


def cookie_headers(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_cookie_flags(client: httpx.AsyncClient, sessionmaker: Sessions) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Flags")
    response = await sign_in(client, user.email, PASSWORD)
    cookies = cookie_headers(response)
    for name in (csrf.SESSION_COOKIE, csrf.CSRF_COOKIE):
        flags = cookies[name].lower()
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
        # Development serves plain http: no Secure flag there.
        assert "secure" not in flags
    assert response.headers["cache-control"] == "no-store"


async def test_cookies_are_secure_with_production_settings(
    secure_client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Secure")
    page = await secure_client.get("/account/signin?lang=es")
    assert "; secure" in cookie_headers(page)[csrf.CSRF_COOKIE].lower()
    assert "; secure" in cookie_headers(page)["lang"].lower()
    response = await secure_client.post(
        "/account/signin",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_in(page.text)},
    )
    assert response.status_code == 303
    cookies = cookie_headers(response)
    for name in (csrf.SESSION_COOKIE, csrf.CSRF_COOKIE):
        flags = cookies[name].lower()
        assert "; secure" in flags and "httponly" in flags and "samesite=lax" in flags
    assert (await secure_client.get("/account")).status_code == 200


async def test_sixth_wrong_password_is_throttled_even_when_right(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Throttle")
    client = new_client()
    for _ in range(5):
        response = await post(
            client,
            "/account/signin",
            {"email": user.email, "password": "wrong password!"},
            expect=400,
        )
        assert "do not match" in " ".join(alerts(response.text))
    response = await post(
        client, "/account/signin", {"email": user.email, "password": PASSWORD}, expect=429
    )
    message = " ".join(alerts(response.text))
    assert "Too many tries. Try again in 15 minutes." in message
    assert csrf.SESSION_COOKIE not in client.cookies
    # Another browser and address is throttled for this email too (the lock is per email).
    response = await post(
        new_client(), "/account/signin", {"email": user.email, "password": PASSWORD}, expect=429
    )
    # Failed attempts are in the audit log, though the page said no.
    async with sessionmaker() as session:
        failures = await session.scalar(
            select(func.count()).where(
                AuditEvent.action == "account.sign_in_failed", AuditEvent.subject_id == user.id
            )
        )
    assert failures == 5


async def test_throttled_message_in_spanish(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Lento")
    client = new_client()
    client.cookies.set("lang", "es")
    for _ in range(5):
        await post(
            client, "/account/signin", {"email": user.email, "password": "nope nope"}, expect=400
        )
    response = await post(
        client, "/account/signin", {"email": user.email, "password": PASSWORD}, expect=429
    )
    assert "Demasiados intentos. Vuelve a intentarlo en 15 minutos." in response.text


async def test_unknown_email_and_wrong_password_read_the_same(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Same")
    client = new_client()
    wrong = await post(
        client, "/account/signin", {"email": user.email, "password": "bad password"}, expect=400
    )
    unknown = await post(
        client,
        "/account/signin",
        {"email": "nobody-here@example.org", "password": "bad password"},
        expect=400,
    )
    assert alerts(wrong.text) == alerts(unknown.text)


async def test_next_only_goes_to_local_paths(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Next")
    for target, expected in (
        ("/account/children", "/account/children"),
        ("https://evil.example/", "/account"),
        ("//evil.example/x", "/account"),
        ("/\\evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
        ("/account\r\nSet-Cookie: x=1", "/account"),
    ):
        client = new_client()
        response = await post(
            client,
            "/account/signin",
            {"email": user.email, "password": PASSWORD, "next": target},
        )
        assert response.headers["location"] == expected, target


async def test_pages_for_people_send_visitors_to_sign_in_and_back(
    client: httpx.AsyncClient,
) -> None:
    for path in (
        "/account",
        "/account/children",
        "/account/delete",
        "/account/export.json",
        "/partners/apply",
        "/partners/some-org",
        "/partners/some-org/staff",
        "/partners/some-org/tokens",
        "/admin/organizations",
    ):
        response = await client.get(path)
        assert response.status_code == 303, path
        location = response.headers["location"]
        assert location.startswith("/account/signin?next="), location
    page = await client.get("/account/signin?next=/partners/apply")
    assert 'name="next" value="/partners/apply"' in page.text


# -- password reset ---------------------------------------------------------------------------


async def test_forgot_password_says_the_same_either_way_and_the_link_works(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await people.person(session, "Forgetful")
    client = new_client()
    known = await post(client, "/account/forgot", {"email": user.email}, page="/account/forgot")
    unknown = await post(
        client, "/account/forgot", {"email": "no-account@example.org"}, page="/account/forgot"
    )
    assert known.headers["location"] == unknown.headers["location"] == "/account/forgot?sent=1"
    sent = await client.get("/account/forgot?sent=1")
    assert "If there is an account for that email address" in sent.text

    # Signed in elsewhere: the reset signs every device out.
    elsewhere = new_client()
    await sign_in(elsewhere, user.email, PASSWORD)
    text = await deliver(sessionmaker, mail_settings, smtp_sink, user.email)
    path = link_in(text, mail_settings, "/account/reset/")
    page = await client.get(path)
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    weak = await client.post(path, data={"csrf_token": csrf_in(page.text), "password": "aaaaaaaa"})
    assert weak.status_code == 400 and "f-password-error" in field_errors(weak.text)
    done = await client.post(
        path, data={"csrf_token": csrf_in(page.text), "password": "a brand new secret"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/account/signin?notice=password-reset"
    assert (await elsewhere.get("/account")).status_code == 303
    await sign_in(new_client(), user.email, "a brand new secret")
    # Used once.
    assert (await client.get(path)).status_code == 400
    assert (await client.get("/account/reset/forged-token")).status_code == 400


# -- the account page, settings, export, deletion ---------------------------------------------


async def test_teen_changes_visibility_and_consents(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        teen = await people.learner(session, "Teo", age=15)
    client = new_client()
    await sign_in(client, teen.email, PASSWORD)
    page = await client.get("/account")
    for v in ("private", "network", "public"):
        assert f'name="visibility" value="{v}"' in page.text
    assert "Anyone with the link to your profile." in page.text

    response = await post(client, "/account/visibility", {"visibility": "public"}, page="/account")
    assert response.headers["location"] == f"/account?notice=saved#privacy-{teen.id}"
    async with sessionmaker() as session:
        profile = await session.get(LearnerProfile, teen.id)
        assert profile is not None and profile.visibility == "public"

    # Withdrawing the public profile makes it private again; withdrawing participation
    # limits the account at once.
    await post(
        client,
        "/account/consent",
        {"purpose": "public_profile", "action": "withdraw"},
        page="/account",
    )
    await post(
        client,
        "/account/consent",
        {"purpose": "participation", "action": "withdraw"},
        page="/account",
    )
    page = await client.get("/account")
    assert 'id="limited"' in page.text and "Your account is limited" in page.text
    async with sessionmaker() as session:
        profile = await session.get(LearnerProfile, teen.id)
        assert profile is not None and profile.visibility == "private"
    await post(
        client, "/account/consent", {"purpose": "participation", "action": "grant"}, page="/account"
    )
    assert 'id="limited"' not in (await client.get("/account")).text

    bad = await post(
        client, "/account/visibility", {"visibility": "everyone"}, page="/account", expect=400
    )
    assert "Pick a value from the list." in bad.text


async def test_child_cannot_change_their_own_settings(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        child, _ = await people.child_with_guardian(session, age=11)
    client = new_client()
    await sign_in(client, child.email, PASSWORD)
    response = await post(
        client, "/account/visibility", {"visibility": "public"}, page="/account", expect=403
    )
    assert "You cannot open this page" in response.text
    await post(
        client,
        "/account/consent",
        {"purpose": "participation", "action": "withdraw"},
        page="/account",
        expect=403,
    )
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Consent).where(Consent.learner_id == child.id, Consent.withdrawn_at.is_(None))
        )
        assert [c.purpose for c in rows] == ["participation"]


async def test_export_is_a_json_download_of_the_data(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        teen = await people.learner(session, "Exporter", age=14)
        profile = await session.get(LearnerProfile, teen.id)
        assert profile is not None
        profile.postal_code = "60622"
    client = new_client()
    await sign_in(client, teen.email, PASSWORD)
    response = await client.get("/account/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".json" in disposition
    assert response.headers["cache-control"] == "no-store"
    document = json.loads(response.text)
    assert document["format"] == "citylearn-export/1"
    assert document["account"]["email"] == teen.email
    assert document["learnerProfile"]["postalCode"] == "60622"
    assert {c["purpose"] for c in document["consents"]} == {"participation"}
    assert document["sessions"]


async def test_deleting_the_account(
    new_client: ClientFactory, sessionmaker: Sessions, mail_settings: Settings, smtp_sink: SmtpSink
) -> None:
    async with session_scope(sessionmaker) as session:
        teen = await people.learner(session, "Leaving", age=16)
    user_id, email = teen.id, teen.email
    client = new_client()
    await sign_in(client, email, PASSWORD)
    await post(client, "/account/forgot", {"email": email}, page="/account/forgot")
    confirm = await client.get("/account/delete")
    assert confirm.status_code == 200
    for removed in ("password", "date of birth", "Consents", "emailed links"):
        assert removed in confirm.text, removed
    assert "security log" in confirm.text
    response = await post(client, "/account/delete", {}, page="/account/delete")
    assert response.headers["location"] == "/account/deleted"
    assert "The account is deleted" in (await client.get("/account/deleted")).text
    assert (await client.get("/account")).status_code == 303
    # Sign-in fails after, and the rows are gone: what the README promises.
    failed = await post(
        new_client(), "/account/signin", {"email": email, "password": PASSWORD}, expect=400
    )
    assert "do not match" in " ".join(alerts(failed.text))
    async with sessionmaker() as session:
        for model, column in (
            (User, User.id),
            (LearnerProfile, LearnerProfile.user_id),
            (Consent, Consent.learner_id),
            (WebSession, WebSession.user_id),
        ):
            count = await session.scalar(
                select(func.count()).select_from(model).where(column == user_id)
            )
            assert count == 0, model
        links = await session.scalar(
            select(func.count()).select_from(EmailLink).where(EmailLink.email == email)
        )
        assert links == 0
        # Only the goodbye email is left for the address.
        queued = await session.scalars(
            select(OutboxEvent.payload["template"].astext).where(
                OutboxEvent.payload["to"].astext == email
            )
        )
        assert list(queued) == ["account_deleted"]
        # The audit log keeps the facts, without details or addresses.
        events = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_type == "user", AuditEvent.subject_id == user_id
                )
            )
        )
        assert "account.deleted" in {e.action for e in events}
        assert all(e.ip is None for e in events if e.action != "account.deleted")
    goodbye = await deliver(sessionmaker, mail_settings, smtp_sink, email)
    assert goodbye


async def test_only_owner_cannot_delete_and_is_told_why(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Solo")
    client = new_client()
    await sign_in(client, owner.email, PASSWORD)
    response = await post(client, "/account/delete", {}, page="/account/delete", expect=409)
    assert "only owner of an organization" in " ".join(alerts(response.text))
    assert (await client.get("/account")).status_code == 200


# -- languages ------------------------------------------------------------------------------


async def test_account_pages_in_spanish(client: httpx.AsyncClient, sessionmaker: Sessions) -> None:
    signup = await client.get("/account/signup?lang=es")
    assert "Fecha de nacimiento" in signup.text and "Crea tu cuenta" in signup.text
    # Day, month, year in Spanish order.
    html = signup.text
    assert html.index('name="birth_day"') < html.index('name="birth_month"')
    signin = await client.get("/account/signin")
    assert '<html lang="es">' in signin.text and "¿Olvidaste tu contraseña?" in signin.text
    step = await post(
        client, "/account/signup", birth_fields(11), page="/account/signup", expect=200
    )
    assert "Correo de tu madre, padre o tutor" in step.text
    error = await post(
        client, "/account/signup", {"step": "age"}, page="/account/signup", expect=400
    )
    assert "Escribe tu fecha de nacimiento." in error.text
    assert "Revisa el formulario" in error.text
    async with session_scope(sessionmaker) as session:
        teen = await people.learner(session, "Lucía", age=14)
    await sign_in(client, teen.email, PASSWORD)
    account = await client.get("/account")
    assert "Hola, Lucía" in account.text and "Quién ve tu perfil" in account.text
    assert "Descargar mis datos (JSON)" in account.text
