"""The under-13 sign-up and a guardian's consent in a real headless Chromium on a phone:
the child signs up, the consent email arrives in the SMTP sink, the guardian opens its
link and says yes, and the child, signing in afresh, has a full account.

Screenshots: artifacts/screenshots/signup-age.png (and -error), signup-child.png,
consent.png, account.png, and the partner pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import session_scope
from server.models.enums import StaffRole
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink
from tests.web.browser import PHONE, SCREENSHOTS, Watch, needs_chromium, no_horizontal_scroll
from tests.web.site import deliver, link_in

pytestmark = needs_chromium


async def test_child_signs_up_and_guardian_consents_on_a_phone(
    chromium: Any,
    live_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    born = people.years_ago(12)
    child_email = f"{people.unique('ana')}@example.org"
    guardian_email = f"{people.unique('rosa')}@example.org"

    # 1. The child, on their phone.
    child = await chromium.new_context(**PHONE)
    page = await child.new_page()
    watch = Watch(page)
    await page.goto(live_server + "/account/signup")
    assert await page.get_by_role("link", name="Sign in", exact=True).first.is_visible()
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "signup-age.png"), full_page=True)
    # Sending nothing: the error summary is announced and takes the focus.
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_selector("#form-errors")
    assert await page.evaluate("document.activeElement.id") == "form-errors"
    assert "Enter your date of birth." in await page.get_by_role("alert").inner_text()
    watch.errors.clear()  # Chromium logs the (intended) 400 as a failed load
    await page.get_by_label("Month").select_option(str(born.month))
    await page.get_by_label("Day", exact=True).fill(str(born.day))
    await page.get_by_label("Year").fill(str(born.year))
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "signup-age-error.png"), full_page=True)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Continue").click()

    await page.get_by_label("First name").fill("Ana")
    await page.get_by_label("Email address").fill(child_email)
    await page.get_by_label("Password").fill(people.PASSWORD)
    await page.get_by_label("ZIP code (optional)").fill("60614")
    await page.get_by_label("Your parent's or guardian's email").fill(guardian_email)
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "signup-child.png"), full_page=True)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Create account").click()
    assert page.url.endswith("/account?notice=guardian-asked")
    assert "We emailed your parent or guardian" in await page.locator("main").inner_text()
    assert await page.locator("#limited").is_visible()
    assert await page.get_by_role("link", name="Account", exact=True).is_visible()
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "account-limited.png"), full_page=True)
    await child.close()

    # 2. The consent email, through the real SMTP sink.
    text = await deliver(
        sessionmaker, mail_settings, smtp_sink, guardian_email, containing="/consent/"
    )
    assert "Ana" in text
    path = link_in(text, mail_settings, "/consent/")

    # 3. The guardian opens the link on their own phone, creates an account and says yes.
    guardian = await chromium.new_context(**PHONE)
    page = await guardian.new_page()
    guardian_watch = Watch(page)
    await page.goto(live_server + path)
    assert await page.locator("h1").inner_text() == "Ana would like a CityLearn account"
    main = await page.locator("main").inner_text()
    assert "Never a street address or a precise location." in main
    await page.get_by_label("Yes, Ana may take part").check()
    await page.get_by_label("Your name").fill("Rosa")
    await page.get_by_label("Password").fill("rosa's own password")
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "consent.png"), full_page=True)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Save my answer").click()
    assert "/account/children" in page.url
    children = await page.locator("main").inner_text()
    assert "Ana" in children and "Thank you. Your consent is saved." in children
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "children.png"), full_page=True)
    await guardian.close()

    # 4. A fresh browser: the child signs in and has a full account.
    fresh = await chromium.new_context(**PHONE)
    page = await fresh.new_page()
    fresh_watch = Watch(page)
    await page.goto(live_server + "/account/signin")
    await page.get_by_label("Email address").fill(child_email)
    await page.get_by_label("Password").fill(people.PASSWORD)
    async with page.expect_navigation():
        await page.get_by_label("Password").press("Enter")
    assert page.url.endswith("/account")
    assert not await page.locator("#limited").count()
    main = await page.locator("main").inner_text()
    assert "Hello, Ana" in main and "Rosa" in main and "60614" in main
    assert "Your parent or guardian manages this." in main
    await no_horizontal_scroll(page)
    await page.screenshot(path=str(SCREENSHOTS / "account.png"), full_page=True)
    await fresh.close()

    assert not watch.errors and not guardian_watch.errors and not fresh_watch.errors, (
        watch.errors + guardian_watch.errors + fresh_watch.errors
    )


async def test_signup_works_without_javascript(chromium: Any, live_server: str) -> None:
    context = await chromium.new_context(**PHONE, java_script_enabled=False)
    page = await context.new_page()
    try:
        born = people.years_ago(14)
        await page.goto(live_server + "/account/signup?lang=es")
        await page.get_by_label("Día").fill(str(born.day))
        await page.get_by_label("Mes").select_option(str(born.month))
        await page.get_by_label("Año").fill(str(born.year))
        async with page.expect_navigation():
            await page.get_by_role("button", name="Continuar").click()
        assert not await page.get_by_label("Correo de tu madre, padre o tutor").count()
        await page.get_by_label("Nombre").fill("Leo")
        await page.get_by_label("Correo electrónico").fill(f"{people.unique('leo')}@example.org")
        await page.get_by_label("Contraseña").fill(people.PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Crear la cuenta").click()
        assert page.url.endswith("/account?notice=signed-up")
        assert "Hola, Leo" in await page.locator("h1").inner_text()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "account-es-nojs.png"), full_page=True)
    finally:
        await context.close()


async def test_partner_pages_on_a_phone(
    chromium: Any, live_server: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as session:
        org = await people.organization(session)
        owner = await people.staff(session, org, StaffRole.OWNER, "Dana Owner")
        await people.staff(session, org, StaffRole.ISSUER, "Ivan Issuer")
        await people.organization(session, status="pending")
        admin = await people.person(session, "Ada Admin", admin=True)
    context = await chromium.new_context(**PHONE)
    page = await context.new_page()
    watch = Watch(page)
    try:
        await page.goto(live_server + f"/partners/{org.slug}/staff")
        assert "/account/signin?next=" in page.url  # and back after signing in
        await page.get_by_label("Email address").fill(owner.email)
        await page.get_by_label("Password").fill(people.PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        assert page.url.endswith(f"/partners/{org.slug}/staff")
        assert await page.get_by_label("Role of Ivan Issuer").is_visible()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "partner-staff.png"), full_page=True)

        await page.goto(live_server + f"/partners/{org.slug}/tokens")
        await page.get_by_label("Name").fill("Website calendar")
        await page.get_by_label("listings:write").check()
        async with page.expect_navigation():
            await page.get_by_role("button", name="Create token").click()
        secret = await page.locator("#token-secret").input_value()
        assert secret.startswith("cl_")
        # 127.0.0.1 is a secure context: the Copy button shows up.
        assert await page.get_by_role("button", name="Copy").is_visible()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "partner-token-created.png"), full_page=True)
        await page.get_by_role("link", name="I have copied it").click()
        await page.wait_for_url(f"**/partners/{org.slug}/tokens")
        assert secret not in await page.content()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "partner-tokens.png"), full_page=True)

        # The network admin's page.
        await page.goto(live_server + "/account/signout")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign out").click()
        await page.goto(live_server + "/account/signin?next=/admin/organizations")
        await page.get_by_label("Email address").fill(admin.email)
        await page.get_by_label("Password").fill(people.PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        assert page.url.endswith("/admin/organizations")
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "admin-organizations.png"))
        assert not watch.errors, watch.errors
    finally:
        await context.close()
