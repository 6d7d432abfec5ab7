"""The signed-in person's own page (/account) and a guardian's children (/account/children):
what we hold, who sees the profile, consents, the data as JSON, and deleting the account.

Who may change what is the services' rule (server/privacy): a learner from 13 decides for
themself; under 13 a guardian decides and the learner sees the settings read-only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.badges import backpack
from server.errors import Conflict, NotFound
from server.models import Assertion, BadgeClass, Organization, User
from server.models.enums import ConsentPurpose, StaffRole, Visibility
from server.orgs import service as orgs
from server.privacy import consent, deletion, export, guardians, learners
from web.kit import (
    notice,
    nudge,
    page,
    parse_id,
    person_page,
    problem,
    see_other,
    write,
)
from web.pages import PageContext, render, secure
from web.session import apply_cookies, checked_form, end_session

PURPOSES = tuple(ConsentPurpose)
VISIBILITIES = tuple(Visibility)


@dataclass(frozen=True)
class LearnerPanel:
    """One learner's data and settings, as the account and children pages show them."""

    user: User
    learner: learners.Learner
    age: int
    child: bool
    standing: frozenset[ConsentPurpose]
    guardians: list[User]

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def limited(self) -> bool:
        return ConsentPurpose.PARTICIPATION not in self.standing

    @property
    def visibility(self) -> str:
        return self.learner.profile.visibility


async def learner_panel(session: AsyncSession, user_id: int, now: datetime) -> LearnerPanel | None:
    learner = await learners.find(session, user_id)
    if learner is None:
        return None
    return LearnerPanel(
        user=learner.user,
        learner=learner,
        age=learner.age(now),
        child=learner.is_child(now),
        standing=frozenset(await consent.standing(session, user_id)),
        guardians=await guardians.guardians_of(session, user_id),
    )


async def _organizations(
    session: AsyncSession, actor: Actor
) -> list[tuple[Organization, StaffRole]]:
    found = []
    for organization_id, role in actor.roles.items():
        try:
            found.append((await orgs.get(session, organization_id), role))
        except NotFound:  # removed since the actor was loaded
            continue
    return sorted(found, key=lambda pair: pair[0].name.lower())


@person_page
async def account(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    async with ctx.sessionmaker() as session:
        user = await session.get(User, actor.user_id)
        if user is None:
            raise NotFound("no such account")
        panel = await learner_panel(session, user.id, ctx.now)
        organizations = await _organizations(session, actor)
    return render(
        ctx,
        "account/home.html",
        user=user,
        panel=panel,
        organizations=organizations,
        has_children=bool(actor.wards),
        is_admin=actor.is_admin,
        notice=notice(ctx),
        purposes=PURPOSES,
        visibilities=VISIBILITIES,
    )


# -- settings: the person's own, or a child's by a guardian -------------------------------


def _ward(actor: Actor, raw: object) -> int:
    """A child of this guardian; anyone else's id is simply not found."""
    learner_id = parse_id(raw)
    if learner_id is None or learner_id not in actor.wards:
        raise NotFound("no such learner", field="learnerId")
    return learner_id


async def _set_visibility(
    request: Request, ctx: PageContext, actor: Actor, learner_id: int, back: str
) -> Response:
    data = await checked_form(request)
    raw = data.get("visibility")
    if raw not in {v.value for v in Visibility}:
        return problem(ctx, "bad_request", 400, ctx.t("err.choice"))
    async with write(request) as session:
        await learners.set_visibility(session, actor, learner_id, Visibility(str(raw)), now=ctx.now)
    return see_other(request, f"{back}?notice=saved#privacy-{learner_id}")


async def _set_consent(
    request: Request, ctx: PageContext, actor: Actor, learner_id: int, back: str
) -> Response:
    data = await checked_form(request)
    raw, action = data.get("purpose"), data.get("action")
    if raw not in {p.value for p in ConsentPurpose} or action not in ("grant", "withdraw"):
        return problem(ctx, "bad_request", 400, ctx.t("err.choice"))
    purpose = ConsentPurpose(str(raw))
    async with write(request) as session:
        if action == "grant":
            await learners.grant_consent(session, actor, learner_id, purpose, now=ctx.now)
        else:
            await learners.withdraw_consent(session, actor, learner_id, purpose, now=ctx.now)
    return see_other(request, f"{back}?notice=saved#consents-{learner_id}")


async def _export(request: Request, ctx: PageContext, actor: Actor, user_id: int) -> Response:
    # A write: the export itself goes into the audit log.
    async with write(request) as session:
        document = await export.export_person(session, actor, user_id, now=ctx.now)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(
        body.encode("utf-8"),
        media_type="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="citylearn-{user_id}-{ctx.now:%Y-%m-%d}.json"'
            ),
            "Cache-Control": "no-store",
        },
    )
    secure(response)
    apply_cookies(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


@person_page
async def visibility(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    return await _set_visibility(request, ctx, actor, actor.user_id, "/account")


@person_page
async def consents(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    return await _set_consent(request, ctx, actor, actor.user_id, "/account")


@person_page
async def export_json(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    return await _export(request, ctx, actor, actor.user_id)


# -- deleting ------------------------------------------------------------------------------


async def _delete(
    request: Request, ctx: PageContext, actor: Actor, user_id: int, *, own: bool
) -> Response:
    async with ctx.sessionmaker() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound("no such account")
        panel = await learner_panel(session, user_id, ctx.now)
    values: dict[str, Any] = {"user": user, "panel": panel, "own": own, "error": None}
    if request.method == "GET":
        return render(ctx, "account/delete.html", **values)
    await checked_form(request)
    try:
        async with write(request) as session:
            await deletion.delete_account(session, actor, user_id, now=ctx.now)
    except Conflict as exc:  # the only owner of an organization
        values["error"] = ctx.t("err.only_owner_delete") if exc.code == "LAST_OWNER" else None
        return render(ctx, "account/delete.html", status_code=409, **values)
    await nudge(request)
    if own:
        end_session(request)
        return see_other(request, "/account/deleted")
    return see_other(request, "/account/children?notice=child-deleted")


@person_page
async def delete(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    return await _delete(request, ctx, actor, actor.user_id, own=True)


@page
async def deleted(request: Request, ctx: PageContext) -> Response:
    return render(ctx, "account/deleted.html")


# -- a guardian's children -------------------------------------------------------------------


@person_page
async def children(request: Request, ctx: PageContext, actor: Actor) -> Response:
    assert actor.user_id is not None
    panels: list[LearnerPanel] = []
    badges: dict[int, list[tuple[Assertion, BadgeClass, Organization]]] = {}
    async with ctx.sessionmaker() as session:
        for ward in await guardians.wards(session, actor.user_id):
            panel = await learner_panel(session, ward.id, ctx.now)
            if panel is not None:
                panels.append(panel)
                badges[ward.id] = await backpack.mine(session, ward.id)
    return render(
        ctx,
        "account/children.html",
        panels=panels,
        badges=badges,
        notice=notice(ctx),
        purposes=PURPOSES,
        visibilities=VISIBILITIES,
    )


@person_page
async def child_visibility(request: Request, ctx: PageContext, actor: Actor) -> Response:
    child = _ward(actor, request.path_params.get("child_id"))
    return await _set_visibility(request, ctx, actor, child, "/account/children")


@person_page
async def child_consents(request: Request, ctx: PageContext, actor: Actor) -> Response:
    child = _ward(actor, request.path_params.get("child_id"))
    return await _set_consent(request, ctx, actor, child, "/account/children")


@person_page
async def child_export(request: Request, ctx: PageContext, actor: Actor) -> Response:
    child = _ward(actor, request.path_params.get("child_id"))
    return await _export(request, ctx, actor, child)


@person_page
async def child_delete(request: Request, ctx: PageContext, actor: Actor) -> Response:
    child = _ward(actor, request.path_params.get("child_id"))
    return await _delete(request, ctx, actor, child, own=False)
