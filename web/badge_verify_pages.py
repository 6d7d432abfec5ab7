"""Checking a badge from anywhere: the public verify page (/badges/verify: drop a baked
image, paste a URL, a JSON assertion or a signed token) and a learner's "add a badge from
elsewhere" (/backpack/add), which keeps it in the backpack with what the check found.

Verifying makes this server fetch other servers' addresses, so each visitor gets a small
budget of checks (a token bucket in Redis, per address), and fetches go through the same
guarded client as partner feeds (no private addresses in production, size and time caps).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.badges import imports, verify
from server.errors import DomainError, Throttled
from server.ratelimit import TokenBucket
from web.kit import Form, message_of, page, person_page, read_form, see_other, write
from web.pages import PageContext, render
from web.session import checked_upload

MAX_UPLOAD = 4 * 1024 * 1024  # a baked badge image is far smaller
FORM_ROOM = 64 * 1024
# Ten checks at once, then one every six seconds, per visitor's address.
BUDGET = 10
REFILL_PER_SECOND = 1 / 6


def _limits(request: Request) -> Any:
    return verify.default_limits(allow_private=request.app.state.settings.allow_private_feed_hosts)


async def _spend(request: Request) -> None:
    bucket = TokenBucket(request.app.state.redis, "badge-verify", BUDGET, REFILL_PER_SECOND)
    client = request.client.host if request.client else "unknown"
    spend = await bucket.spend(client, 1)
    if spend is not None and not spend.spent:
        raise Throttled("too many attempts; wait a moment", retry_after=int(spend.retry_after) + 1)


async def _source(data: FormData, form: Form) -> verify.Source | None:
    """The uploaded image if there is one, else the pasted text."""
    upload = data.get("file")
    if isinstance(upload, UploadFile):
        content = await upload.read(MAX_UPLOAD + 1)
        await data.close()
        if len(content) > MAX_UPLOAD:
            form.add("file", "too large")
            return None
        if content:
            return content
    text = form.value("source")
    return text or None


async def _verify_page(
    ctx: PageContext, form: Form, result: dict[str, Any] | None, status: int = 200
) -> Response:
    response = render(ctx, "badges/verify.html", status_code=status, form=form, result=result)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@page
async def verify_page(request: Request, ctx: PageContext) -> Response:
    if request.method != "POST":
        prefill = request.query_params.get("url", "")[:2000]
        return await _verify_page(ctx, Form(values={"source": prefill}), None)
    data = await checked_upload(request, max_bytes=MAX_UPLOAD + FORM_ROOM)
    form = read_form(data, ("source", "email"), long=("source",))
    source = await _source(data, form)
    if source is None:
        form.add("source", ctx.t("badge.verify.nothing"))
        return await _verify_page(ctx, form, None, status=400)
    try:
        await _spend(request)
    except Throttled as exc:
        form.add("form", message_of(exc, ctx.t))
        return await _verify_page(ctx, form, None, status=429)
    emails = [form.value("email")] if form.value("email") else []
    result = await verify.verify(
        source, recipient_emails=emails, limits=_limits(request), now=ctx.now
    )
    return await _verify_page(ctx, form, result.to_json())


async def _add_page(
    ctx: PageContext, form: Form, result: dict[str, Any] | None, status: int = 200
) -> Response:
    response = render(ctx, "badges/add.html", status_code=status, form=form, result=result)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@person_page
async def backpack_add(request: Request, ctx: PageContext, actor: Actor) -> Response:
    if request.method != "POST":
        return await _add_page(ctx, Form(), None)
    data = await checked_upload(request, max_bytes=MAX_UPLOAD + FORM_ROOM)
    form = read_form(data, ("source",), long=("source",))
    source = await _source(data, form)
    if source is None:
        form.add("source", ctx.t("badge.verify.nothing"))
        return await _add_page(ctx, form, None, status=400)
    try:
        await _spend(request)
        async with write(request) as session:
            _, result = await imports.add(
                session, actor, source, limits=_limits(request), now=ctx.now
            )
    except DomainError as exc:
        form.add("source", message_of(exc, ctx.t))
        return await _add_page(ctx, form, None, status=400)
    if result.valid:
        return see_other(request, "/backpack?saved=1")
    return await _add_page(ctx, Form(), result.to_json())
