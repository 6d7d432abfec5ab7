"""Partner organizations: applying, the staff dashboard, accepting a staff invitation.

A page for an organization's staff answers everyone else, and every slug that does not
exist, with the same 403: the page never tells whether an organization, or a person on
its staff, exists.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from server.accounts import links, web_sessions
from server.accounts import service as accounts
from server.authz import Actor, has_org_role
from server.catalog import reads
from server.errors import DomainError, Forbidden, InvalidInput
from server.models import Invitation, Organization, User
from server.models.enums import LinkPurpose, OrganizationKind, StaffRole
from server.orgs import service as orgs
from web.kit import (
    Form,
    message_of,
    notice,
    nudge,
    page,
    password_of,
    person_page,
    problem,
    read_form,
    see_other,
    with_query,
    write,
)
from web.pages import PageContext, render
from web.session import checked_form, client_ip, current_actor, start_session

SLUG = re.compile(r"[A-Za-z0-9_-]{1,120}")
APPLY_FIELDS = ("name", "kind", "website", "postal_code", "description", "is_issuer", "is_employer")
MAX_TOKEN = 200


async def staff_organization(
    request: Request, ctx: PageContext, actor: Actor, role: StaffRole
) -> Organization:
    """The organization of the URL's slug, when the actor has at least `role` there."""
    slug = str(request.path_params.get("slug", ""))
    if not SLUG.fullmatch(slug):
        raise Forbidden("not on the staff")
    async with ctx.sessionmaker() as session:
        view = await reads.organization_by_slug(session, slug)
        if view is None or not has_org_role(actor, view.id, role):
            raise Forbidden("not on the staff")
        return await orgs.get(session, view.id)


def _kinds(ctx: PageContext) -> list[tuple[str, str]]:
    return [(k.value, ctx.t("orgkind." + k.value)) for k in OrganizationKind]


@person_page
async def apply(request: Request, ctx: PageContext, actor: Actor) -> Response:
    if request.method == "GET":
        return render(ctx, "partners/apply.html", form=Form(), kinds=_kinds(ctx))
    data = await checked_form(request)
    form = read_form(data, APPLY_FIELDS, long=("description",))
    kind = next((k for k in OrganizationKind if k.value == form.value("kind")), None)
    if kind is None:
        form.add("kind", ctx.t("err.choice"))
        return render(ctx, "partners/apply.html", status_code=400, form=form, kinds=_kinds(ctx))
    try:
        async with write(request) as session:
            organization = await orgs.apply(
                session,
                actor,
                name=form.value("name"),
                kind=kind,
                website=form.value("website") or None,
                postal_code=form.value("postal_code") or None,
                description=form.value("description"),
                is_issuer=form.value("is_issuer") == "1",
                is_employer=form.value("is_employer") == "1",
            )
            slug = organization.slug
    except DomainError as exc:
        form.fail(exc, ctx.t, fields=APPLY_FIELDS)
        return render(ctx, "partners/apply.html", status_code=400, form=form, kinds=_kinds(ctx))
    return see_other(request, f"/partners/{slug}?notice=applied")


@person_page
async def dashboard(request: Request, ctx: PageContext, actor: Actor) -> Response:
    organization = await staff_organization(request, ctx, actor, StaffRole.ISSUER)
    role = actor.roles[organization.id]
    return render(
        ctx,
        "partners/dashboard.html",
        org=organization,
        role=role,
        is_manager=has_org_role(actor, organization.id, StaffRole.MANAGER),
        is_owner=has_org_role(actor, organization.id, StaffRole.OWNER),
        notice=notice(ctx),
    )


# -- invitations -----------------------------------------------------------------------------


async def _invitation(ctx: PageContext, token: str) -> tuple[Invitation, Organization]:
    async with ctx.sessionmaker() as session:
        link = await links.peek(session, token, LinkPurpose.STAFF_INVITATION, now=ctx.now)
        invitation = await session.get(Invitation, int(link.data.get("invitation_id", 0)))
        if invitation is None or invitation.accepted_at or invitation.revoked_at:
            raise InvalidInput(
                "this invitation is not open any more", field="token", code="LINK_INVALID"
            )
        return invitation, await orgs.get(session, invitation.organization_id)


async def _show_invitation(
    request: Request, ctx: PageContext, actor: Actor, token: str, form: Form, status: int = 200
) -> Response:
    try:
        invitation, organization = await _invitation(ctx, token)
    except DomainError as exc:
        return problem(ctx, "link", 400, message_of(exc, ctx.t))
    email = None
    has_account = False
    async with ctx.sessionmaker() as session:
        if actor.user_id is not None:
            email = await session.scalar(select(User.email).where(User.id == actor.user_id))
        has_account = bool(
            await session.scalar(select(User.id).where(User.email == invitation.email))
        )
    here = f"/invitations/{token}"
    return render(
        ctx,
        "partners/invitation.html",
        status_code=status,
        form=form,
        invitation=invitation,
        org=organization,
        token=token,
        signed_in_as=email,
        is_invitee=email == invitation.email,
        has_account=has_account,
        signin_url=with_query("/account/signin", next=here, email=invitation.email),
        here=here,
        locales=[("en", "English"), ("es", "Español")],
    )


@page
async def invitation(request: Request, ctx: PageContext) -> Response:
    token = str(request.path_params.get("token", ""))[:MAX_TOKEN]
    data = await checked_form(request) if request.method == "POST" else None
    actor = await current_actor(request, now=ctx.now)
    if data is None:
        return await _show_invitation(request, ctx, actor, token, Form(values={"locale": ctx.lang}))
    form = read_form(data, ("display_name", "locale"))
    secret: str | None = None
    acting = actor
    try:
        async with write(request) as session:
            if acting.user_id is None:
                # No account yet: make one for the invited address, then accept with it.
                invited, _ = await _invitation(ctx, token)
                user = await accounts.sign_up_person(
                    session,
                    display_name=form.value("display_name"),
                    email=invited.email,
                    password=password_of(data),
                    locale=form.value("locale") or ctx.lang,
                    now=ctx.now,
                    public_url=ctx.settings.public_url,
                    ip=client_ip(request),
                )
                acting = Actor(
                    user_id=user.id, display_name=user.display_name, ip=client_ip(request)
                )
                secret = await web_sessions.start(
                    session, user, now=ctx.now, user_agent=request.headers.get("user-agent")
                )
            membership = await orgs.accept_invitation(session, acting, token, now=ctx.now)
            organization = await orgs.get(session, membership.organization_id)
            slug = organization.slug
    except DomainError as exc:
        if exc.field == "token" or exc.code == "LINK_INVALID":
            return problem(ctx, "link", 400, message_of(exc, ctx.t))
        if actor.user_id is not None and exc.code == "WRONG_ACCOUNT":
            return await _show_invitation(request, ctx, actor, token, form, status=403)
        form.fail(exc, ctx.t, fields=("display_name", "password"))
        return await _show_invitation(request, ctx, actor, token, form, status=400)
    await nudge(request)
    if secret is not None:
        start_session(request, secret)
    return see_other(request, f"/partners/{slug}?notice=joined")
