"""A learner's profile page, /learners/<handle>, shown only to whom its visibility allows
(server/privacy/learners.py: private to the learner and guardians by default). Everyone
else gets the same 404 as for a handle that does not exist, so a page's existence is not
revealed either. Badges join the page with the badges issue."""

from __future__ import annotations

import re

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from server.models import LearnerProfile
from server.privacy import learners
from web.kit import page
from web.pages import PageContext, not_found, render
from web.session import current_actor

_HANDLE = re.compile(r"[0-9a-f]{16}")


@page
async def profile(request: Request, ctx: PageContext) -> Response:
    handle = str(request.path_params.get("handle", ""))
    if not _HANDLE.fullmatch(handle):
        return await not_found(request)
    viewer = await current_actor(request, now=ctx.now)
    async with ctx.sessionmaker() as session:
        user_id = await session.scalar(
            select(LearnerProfile.user_id).where(LearnerProfile.handle == handle)
        )
        learner = await learners.find(session, user_id) if user_id is not None else None
    if learner is None or not learners.can_view_profile(viewer, learner, now=ctx.now):
        return await not_found(request)
    response = render(
        ctx,
        "learner_profile.html",
        name=learner.user.display_name,
        visibility=learner.profile.visibility,
        own=viewer.user_id == learner.user.id,
    )
    # Whether it shows depends on who asks: never from a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
