"""Signing up as a learner: a neutral age gate, then the account form.

Step 1 asks only for the date of birth, and says nothing about which ages matter
(COPPA's neutral age screen). Step 2 is the account form; under 13 it also asks for a
parent's or guardian's email. The birth date travels to step 2 in a hidden field and is
checked again when the account form comes back, so editing it there changes nothing the
server would not check anyway.
"""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.accounts import service as accounts
from server.accounts import web_sessions
from server.accounts.age import check_birth_date, needs_guardian
from server.errors import DomainError
from web.kit import Form, nudge, page, password_of, read_form, safe_next, see_other, write
from web.pages import PageContext, render
from web.session import checked_form, current_actor, start_session

ACCOUNT_FIELDS = ("display_name", "email", "guardian_email", "postal_code", "locale", "next")
PARTS = ("birth_year", "birth_month", "birth_day")
# Where the error summary's link for the birth date points: the first of its inputs.
FIRST_PART = {"en": "f-birth_month", "es": "f-birth_day"}


def _birth_from_parts(form: Form, ctx: PageContext) -> date | None:
    year, month, day = (form.value(p) for p in PARTS)
    if not (year or month or day):
        form.add("birth_date", ctx.t("err.birth_date_missing"))
        return None
    try:
        born = date(int(year), int(month), int(day))
    except (ValueError, OverflowError):
        form.add("birth_date", ctx.t("err.birth_date_real"))
        return None
    return _checked(form, ctx, born)


def _checked(form: Form, ctx: PageContext, born: date) -> date | None:
    try:
        check_birth_date(born, ctx.now.date())
    except DomainError as exc:
        form.fail(exc, ctx.t)
        return None
    return born


def _birth_from_hidden(form: Form, ctx: PageContext) -> date | None:
    try:
        born = date.fromisoformat(form.value("birth_date"))
    except ValueError:
        form.add("birth_date", ctx.t("err.birth_date_real"))
        return None
    return _checked(form, ctx, born)


def _age_step(ctx: PageContext, form: Form, next_url: str | None, status: int = 200) -> Response:
    months = [(str(m), ctx.t.month(m)) for m in range(1, 13)]
    return render(
        ctx,
        "account/signup_age.html",
        status_code=status,
        form=form,
        next_url=next_url,
        months=months,
        targets={"birth_date": FIRST_PART.get(ctx.lang, "f-birth_month")},
    )


def _account_step(
    ctx: PageContext, form: Form, born: date, next_url: str | None, status: int = 200
) -> Response:
    return render(
        ctx,
        "account/signup.html",
        status_code=status,
        form=form,
        birth_date=born.isoformat(),
        child=needs_guardian(born, ctx.now.date()),
        next_url=next_url,
        locales=[("en", "English"), ("es", "Español")],
    )


@page
async def signup(request: Request, ctx: PageContext) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        actor = await current_actor(request, now=ctx.now)
        if actor.user_id is not None:
            return see_other(request, next_url or "/account")
        return _age_step(ctx, Form(), next_url)
    data = await checked_form(request)
    if data.get("step") == "account":
        return await _create(request, ctx, data)
    form = read_form(data, (*PARTS, "next"))
    next_url = safe_next(form.value("next"))
    born = _birth_from_parts(form, ctx)
    if born is None:
        return _age_step(ctx, form, next_url, status=400)
    return _account_step(ctx, Form(values={"locale": ctx.lang}), born, next_url)


async def _create(request: Request, ctx: PageContext, data: FormData) -> Response:
    form = read_form(data, (*ACCOUNT_FIELDS, "birth_date"))
    next_url = safe_next(form.value("next"))
    born = _birth_from_hidden(form, ctx)
    if born is None:  # the hidden field was tampered with: start again
        return _age_step(ctx, form, next_url, status=400)
    child = needs_guardian(born, ctx.now.date())
    if child and not form.value("guardian_email"):
        form.add("guardian_email", ctx.t("err.guardian_required"))
    password = password_of(data)
    if not password:
        form.add("password", ctx.t("err.password_missing"))
    if not form.ok:
        return _account_step(ctx, form, born, next_url, status=400)
    try:
        async with write(request) as session:
            signed = await accounts.sign_up_learner(
                session,
                accounts.LearnerSignUp(
                    display_name=form.value("display_name"),
                    email=form.value("email"),
                    password=password,
                    birth_date=born,
                    guardian_email=form.value("guardian_email") if child else None,
                    postal_code=form.value("postal_code") or None,
                    locale=form.value("locale") or ctx.lang,
                ),
                now=ctx.now,
                public_url=ctx.settings.public_url,
                ip=request.client.host if request.client else None,
            )
            secret = await web_sessions.start(
                session, signed.user, now=ctx.now, user_agent=request.headers.get("user-agent")
            )
    except DomainError as exc:
        form.fail(exc, ctx.t)
        return _account_step(ctx, form, born, next_url, status=400)
    await nudge(request)
    start_session(request, secret)
    notice = "guardian-asked" if signed.needs_guardian else "signed-up"
    return see_other(request, next_url or f"/account?notice={notice}")
