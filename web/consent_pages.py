"""/consent/{token}: a parent or guardian answers a child's sign-up (server/privacy/guardians.py).

The page says what the account can do and what we store, and asks for consent per
purpose. A guardian without an account creates one right there (the link proved the
email address); one with an account signs in first and comes back here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.accounts import web_sessions
from server.authz import Actor
from server.errors import DomainError
from server.models import User
from server.models.enums import ConsentPurpose
from server.privacy import guardians
from web.kit import (
    Form,
    message_of,
    nudge,
    page,
    password_of,
    problem,
    read_form,
    see_other,
    with_query,
    write,
)
from web.pages import PageContext, render
from web.session import checked_form, current_actor, start_session

MAX_TOKEN = 200
FIELDS = ("display_name", "locale", *(p.value for p in ConsentPurpose))


def _token(request: Request) -> str:
    return str(request.path_params.get("token", ""))[:MAX_TOKEN]


async def _signed_in_email(session: AsyncSession, actor: Actor) -> str | None:
    if actor.user_id is None:
        return None
    return await session.scalar(select(User.email).where(User.id == actor.user_id))


async def _show(
    request: Request, ctx: PageContext, actor: Actor, token: str, form: Form, status: int = 200
) -> Response:
    try:
        async with ctx.sessionmaker() as session:
            asked = await guardians.look_up(session, token, now=ctx.now)
            email = await _signed_in_email(session, actor)
    except DomainError as exc:
        return problem(ctx, "link", 400, message_of(exc, ctx.t))
    here = f"/consent/{token}"
    if asked.guardian_exists:
        # Signed in as the guardian: the form. Otherwise: sign in (or switch) first.
        mode = "answer" if email == asked.guardian_email else "sign_in"
    else:
        mode = "child" if actor.user_id == asked.child.id else "create"
    return render(
        ctx,
        "consent.html",
        status_code=status,
        form=form,
        asked=asked,
        child_name=asked.child.display_name,
        mode=mode,
        signed_in_other=actor.user_id is not None and mode in ("sign_in", "child"),
        token=token,
        signin_url=with_query("/account/signin", next=here, email=asked.guardian_email),
        here=here,
        purposes=tuple(ConsentPurpose),
        locales=[("en", "English"), ("es", "Español")],
    )


@page
async def consent_page(request: Request, ctx: PageContext) -> Response:
    token = _token(request)
    # The CSRF check comes before anything else a forged post could set off.
    data = await checked_form(request) if request.method == "POST" else None
    actor = await current_actor(request, now=ctx.now)
    if data is None:
        # Nothing ticked in advance: consent is what the guardian ticks.
        form = Form(values={"locale": ctx.lang})
        return await _show(request, ctx, actor, token, form)
    form = read_form(data, FIELDS)
    purposes = {p for p in ConsentPurpose if form.value(p.value) == "1"}
    password = password_of(data)
    new_guardian = None
    if "display_name" in data or "password" in data:
        new_guardian = guardians.NewGuardian(
            display_name=form.value("display_name"),
            password=password,
            locale=form.value("locale") or ctx.lang,
        )
    try:
        async with write(request) as session:
            guardian = await guardians.give_consent(
                session,
                token,
                purposes=purposes,
                signed_in=actor,
                new_guardian=new_guardian,
                now=ctx.now,
                public_url=ctx.settings.public_url,
            )
            secret = None
            if guardian.id != actor.user_id:  # a new account: sign its owner in
                secret = await web_sessions.start(
                    session, guardian, now=ctx.now, user_agent=request.headers.get("user-agent")
                )
    except DomainError as exc:
        if exc.field == "token":
            return problem(ctx, "link", 400, message_of(exc, ctx.t))
        form.fail(exc, ctx.t, fields=("display_name", "password", "participation"))
        return await _show(request, ctx, actor, token, form, status=400)
    await nudge(request)
    if secret is not None:
        start_session(request, secret)
    return see_other(request, "/account/children?notice=consent-given")
