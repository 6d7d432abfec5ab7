"""/partners/{slug}/staff: everyone on the staff sees who else is; owners invite people by
email with a role, change roles and remove people (server/orgs/service.py decides)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor, has_org_role
from server.errors import DomainError, NotFound
from server.models import Organization
from server.models.enums import StaffRole
from server.orgs import service as orgs
from web.kit import Form, notice, nudge, parse_id, person_page, problem, read_form, see_other, write
from web.pages import PageContext, render
from web.partner_pages import staff_organization
from web.session import checked_form

ROLES = tuple(StaffRole)


async def _page(
    ctx: PageContext, actor: Actor, org: Organization, form: Form, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        members = await orgs.staff(session, org.id)
    return render(
        ctx,
        "partners/staff.html",
        status_code=status,
        org=org,
        members=members,
        is_owner=has_org_role(actor, org.id, StaffRole.OWNER),
        me=actor.user_id,
        form=form,
        roles=[(r.value, ctx.t("role." + r.value)) for r in ROLES],
        notice=notice(ctx),
    )


@person_page
async def staff(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.ISSUER)
    return await _page(ctx, actor, org, Form(values={"role": StaffRole.ISSUER.value}))


def _role(raw: object) -> StaffRole | None:
    return next((r for r in StaffRole if r.value == raw), None)


@person_page
async def invite(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.OWNER)
    data = await checked_form(request)
    form = read_form(data, ("email", "role"))
    role = _role(form.value("role"))
    if role is None:
        form.add("role", ctx.t("err.choice"))
    if not form.value("email"):
        form.add("email", ctx.t("err.email_missing"))
    if not form.ok or role is None:
        return await _page(ctx, actor, org, form, status=400)
    try:
        async with write(request) as session:
            await orgs.invite(
                session,
                actor,
                org.id,
                email=form.value("email"),
                role=role,
                now=ctx.now,
                public_url=ctx.settings.public_url,
            )
    except DomainError as exc:
        form.fail(exc, ctx.t, fields=("email", "role"))
        return await _page(ctx, actor, org, form, status=400)
    await nudge(request)
    return see_other(request, f"/partners/{org.slug}/staff?notice=invited")


async def _member(request: Request, ctx: PageContext, org: Organization) -> int:
    """The membership of the URL, when it belongs to this organization."""
    membership_id = parse_id(request.path_params.get("membership_id"))
    if membership_id is None:
        raise NotFound("no such staff member")
    async with ctx.sessionmaker() as session:
        if await orgs.organization_of_membership(session, membership_id) != org.id:
            raise NotFound("no such staff member")
    return membership_id


@person_page
async def change_role(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.OWNER)
    data = await checked_form(request)
    membership_id = await _member(request, ctx, org)
    role = _role(data.get("role"))
    if role is None:
        return problem(ctx, "bad_request", 400, ctx.t("err.choice"))
    try:
        async with write(request) as session:
            await orgs.change_role(session, actor, membership_id, role)
    except DomainError as exc:
        form = Form()
        form.fail(exc, ctx.t, fields=())
        return await _page(ctx, actor, org, form, status=409)
    return see_other(request, f"/partners/{org.slug}/staff?notice=role-changed")


@person_page
async def remove(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.OWNER)
    await checked_form(request)
    membership_id = await _member(request, ctx, org)
    try:
        async with write(request) as session:
            await orgs.remove_member(session, actor, membership_id)
    except DomainError as exc:
        form = Form()
        form.fail(exc, ctx.t, fields=())
        return await _page(ctx, actor, org, form, status=409)
    return see_other(request, f"/partners/{org.slug}/staff?notice=removed")
