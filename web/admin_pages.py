"""/admin/organizations: network admins approve or decline partner applications."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.errors import DomainError, Forbidden, NotFound
from server.models import Organization
from server.orgs import service as orgs
from web.kit import Form, notice, nudge, parse_id, person_page, read_form, see_other, write
from web.pages import PageContext, render
from web.session import checked_form


async def _page(
    ctx: PageContext, actor: Actor, forms: dict[int, Form] | None = None, status: int = 200
) -> Response:
    async with ctx.sessionmaker() as session:
        pending: list[Organization] = await orgs.pending(session, actor)
    return render(
        ctx,
        "admin/organizations.html",
        status_code=status,
        pending=pending,
        forms=forms or {},
        empty=Form(),
        notice=notice(ctx),
    )


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only network admins can do this")


@person_page
async def organizations(request: Request, ctx: PageContext, actor: Actor) -> Response:
    _require_admin(actor)
    return await _page(ctx, actor)


def _organization_id(request: Request) -> int:
    organization_id = parse_id(request.path_params.get("organization_id"))
    if organization_id is None:
        raise NotFound("no such organization")
    return organization_id


@person_page
async def approve(request: Request, ctx: PageContext, actor: Actor) -> Response:
    _require_admin(actor)
    await checked_form(request)
    organization_id = _organization_id(request)
    async with write(request) as session:
        await orgs.approve(session, actor, organization_id, public_url=ctx.settings.public_url)
    await nudge(request)
    return see_other(request, "/admin/organizations?notice=approved")


@person_page
async def decline(request: Request, ctx: PageContext, actor: Actor) -> Response:
    _require_admin(actor)
    data = await checked_form(request)
    organization_id = _organization_id(request)
    form = read_form(data, ("reason",), long=("reason",))
    try:
        async with write(request) as session:
            await orgs.decline(session, actor, organization_id, reason=form.value("reason"))
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.fail(exc, ctx.t, fields=("reason",))
        return await _page(ctx, actor, {organization_id: form}, status=400)
    await nudge(request)
    return see_other(request, "/admin/organizations?notice=declined")
