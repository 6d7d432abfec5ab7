"""/partners/{slug}/tokens: API tokens for the organization's systems (managers and owners).

A new token's secret is shown once, in the answer to the POST that made it: only its hash
is stored, so it cannot be shown again, and that answer is marked no-store. (The one POST
here that is not redirected: a redirect would need the secret kept somewhere to show it.)
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.errors import DomainError, NotFound
from server.models import ApiToken, Organization
from server.models.enums import ApiScope, StaffRole
from server.orgs import api_tokens
from web.kit import Form, notice, parse_id, person_page, read_form, see_other, write
from web.pages import PageContext, render
from web.partner_pages import staff_organization
from web.session import checked_form

SCOPES = tuple(ApiScope)


async def _page(ctx: PageContext, org: Organization, form: Form, status: int = 200) -> Response:
    async with ctx.sessionmaker() as session:
        tokens = await api_tokens.of_organization(session, org.id)
    return render(
        ctx,
        "partners/tokens.html",
        status_code=status,
        org=org,
        tokens=tokens,
        form=form,
        scopes=SCOPES,
        notice=notice(ctx),
    )


@person_page
async def tokens(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.MANAGER)
    if request.method == "GET":
        return await _page(ctx, org, Form())
    data = await checked_form(request)
    form = read_form(data, ("name",), lists=("scopes",))
    scopes = {s for s in ApiScope if s.value in form.lists.get("scopes", [])}
    try:
        async with write(request) as session:
            made = await api_tokens.create(
                session, actor, org.id, name=form.value("name"), scopes=scopes, now=ctx.now
            )
            token: ApiToken = made.token
    except DomainError as exc:
        form.fail(exc, ctx.t, fields=("name", "scopes"))
        return await _page(ctx, org, form, status=400)
    response = render(ctx, "partners/token_created.html", org=org, token=token, secret=made.secret)
    response.headers["Cache-Control"] = "no-store"
    return response


@person_page
async def revoke(request: Request, ctx: PageContext, actor: Actor) -> Response:
    org = await staff_organization(request, ctx, actor, StaffRole.MANAGER)
    await checked_form(request)
    token_id = parse_id(request.path_params.get("token_id"))
    if token_id is None:
        raise NotFound("no such token")
    async with write(request) as session:
        if await api_tokens.organization_of(session, token_id) != org.id:
            raise NotFound("no such token")
        await api_tokens.revoke(session, actor, token_id, now=ctx.now)
    return see_other(request, f"/partners/{org.slug}/tokens?notice=revoked")
