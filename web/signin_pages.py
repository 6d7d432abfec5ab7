"""Signing in and out, confirming an email address, and resetting a forgotten password.

Emailed links (verify, reset) open a page with a button: the change happens on the POST,
so a mail scanner that follows links changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.accounts import links, web_sessions
from server.accounts import service as accounts
from server.accounts.csrf import SESSION_COOKIE
from server.errors import DomainError, InvalidInput, Throttled
from server.models.enums import LinkPurpose
from web.kit import (
    Form,
    message_of,
    notice,
    nudge,
    page,
    password_of,
    problem,
    read_form,
    safe_next,
    see_other,
    with_query,
    write,
)
from web.pages import PageContext, render
from web.session import checked_form, client_ip, current_actor, end_session, start_session

MAX_TOKEN = 200


def _token(request: Request) -> str:
    return str(request.path_params.get("token", ""))[:MAX_TOKEN]


def _signin_page(ctx: PageContext, form: Form, next_url: str | None, status: int = 200) -> Response:
    return render(
        ctx,
        "account/signin.html",
        status_code=status,
        form=form,
        next_url=next_url,
        notice=notice(ctx),
    )


@page
async def signin(request: Request, ctx: PageContext) -> Response:
    if request.method == "GET":
        next_url = safe_next(request.query_params.get("next"))
        email = request.query_params.get("email", "")[:320]
        return _signin_page(ctx, Form(values={"email": email}), next_url)
    data = await checked_form(request)
    form = read_form(data, ("email", "next"))
    next_url = safe_next(form.value("next"))
    password = password_of(data)
    if not form.value("email"):
        form.add("email", ctx.t("err.email_missing"))
    if not password:
        form.add("password", ctx.t("err.password_missing"))
    if not form.ok:
        return _signin_page(ctx, form, next_url, status=400)
    old_secret = request.cookies.get(SESSION_COOKIE)
    error: DomainError | None = None
    # The failed attempt's audit entry is committed too: the block ends normally.
    async with write(request) as session:
        try:
            signed = await accounts.sign_in(
                session,
                request.app.state.redis,
                email=form.value("email"),
                password=password,
                now=ctx.now,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
            if old_secret:  # whoever was signed in on this browser before
                await web_sessions.end(session, old_secret)
        except (InvalidInput, Throttled) as exc:
            error = exc
    if error is not None:
        # Both messages belong to the whole form: neither says which field was wrong.
        form.add("form", message_of(error, ctx.t))
        status = 429 if isinstance(error, Throttled) else 400
        return _signin_page(ctx, form, next_url, status=status)
    start_session(request, signed.session_secret)
    return see_other(request, next_url or "/account")


@page
async def signout(request: Request, ctx: PageContext) -> Response:
    if request.method == "GET":
        next_url = safe_next(request.query_params.get("next"))
        return render(ctx, "account/signout.html", next_url=next_url)
    data = await checked_form(request)
    next_url = safe_next(data.get("next"))
    actor = await current_actor(request, now=ctx.now)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        async with write(request) as session:
            await accounts.sign_out(session, secret[:MAX_TOKEN], actor)
    end_session(request)
    return see_other(request, next_url or "/account/signin?notice=signed-out")


@page
async def verify(request: Request, ctx: PageContext) -> Response:
    token = _token(request)
    if request.method == "GET":
        try:
            async with ctx.sessionmaker() as session:
                await links.peek(session, token, LinkPurpose.VERIFY_EMAIL, now=ctx.now)
        except DomainError as exc:
            return problem(ctx, "link", 400, message_of(exc, ctx.t))
        return render(ctx, "account/verify.html", token=token)
    await checked_form(request)
    try:
        async with write(request) as session:
            await accounts.verify_email(session, token, now=ctx.now)
    except DomainError as exc:
        return problem(ctx, "link", 400, message_of(exc, ctx.t))
    actor = await current_actor(request, now=ctx.now)
    target = "/account" if actor.user_id is not None else "/account/signin"
    return see_other(request, with_query(target, notice="email-verified"))


@page
async def forgot(request: Request, ctx: PageContext) -> Response:
    if request.method == "GET":
        sent = request.query_params.get("sent") == "1"
        return render(ctx, "account/forgot.html", form=Form(), sent=sent)
    data = await checked_form(request)
    form = read_form(data, ("email",))
    if not form.value("email"):
        form.add("email", ctx.t("err.email_missing"))
        return render(ctx, "account/forgot.html", status_code=400, form=form, sent=False)
    async with write(request) as session:
        await accounts.request_password_reset(
            session,
            form.value("email"),
            now=ctx.now,
            public_url=ctx.settings.public_url,
            ip=client_ip(request),
        )
    await nudge(request)
    # The same answer whether or not the address has an account.
    return see_other(request, "/account/forgot?sent=1")


@page
async def reset(request: Request, ctx: PageContext) -> Response:
    token = _token(request)
    if request.method == "GET":
        try:
            async with ctx.sessionmaker() as session:
                await links.peek(session, token, LinkPurpose.RESET_PASSWORD, now=ctx.now)
        except DomainError as exc:
            return problem(ctx, "link", 400, message_of(exc, ctx.t))
        return render(ctx, "account/reset.html", form=Form(), token=token)
    data = await checked_form(request)
    form = Form()
    password = password_of(data)
    if not password:
        form.add("password", ctx.t("err.password_missing"))
        return render(ctx, "account/reset.html", status_code=400, form=form, token=token)
    try:
        async with write(request) as session:
            await accounts.reset_password(
                session, token, password, now=ctx.now, ip=client_ip(request)
            )
    except DomainError as exc:
        if exc.field == "token":
            return problem(ctx, "link", 400, message_of(exc, ctx.t))
        form.fail(exc, ctx.t)
        return render(ctx, "account/reset.html", status_code=400, form=form, token=token)
    # Every device was signed out, this one included.
    end_session(request)
    return see_other(request, "/account/signin?notice=password-reset")
