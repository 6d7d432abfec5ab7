"""What the account, consent, partner and admin pages share.

- `page()` wraps a handler so nothing a visitor sends becomes a 500: a forged or stale
  form (CsrfRejected) is a friendly 403, an unreadable form a 400, Unauthenticated a
  redirect to sign in, Forbidden the 403 page, NotFound the 404 page.
- `Form` holds what was typed and the errors to show next to each field; `Form.fail`
  turns a service's DomainError into a translated message on the right field.
- `safe_next` accepts only local paths, so `?next=` cannot send anyone to another site.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server import outbox
from server.accounts import passwords
from server.authz import Actor
from server.db import session_scope
from server.errors import DomainError, Forbidden, NotFound, Throttled, Unauthenticated
from web.errors_i18n import message_key
from web.i18n import Translator
from web.pages import PageContext, not_found, page_context, render, secure
from web.session import CsrfRejected, UploadTooLarge, apply_cookies, checked_form, current_actor

MAX_ID = 2**63 - 1
MAX_TEXT = 500
_ID = re.compile(r"[0-9]{1,19}")

# A service's InvalidInput.field -> the form field it belongs to. Anything else (a link
# token, an id) is about the whole form.
SERVICE_FIELDS: Mapping[str, str] = {
    "displayName": "display_name",
    "email": "email",
    "password": "password",
    "birthDate": "birth_date",
    "guardianEmail": "guardian_email",
    "postalCode": "postal_code",
    "purposes": "participation",
    "name": "name",
    "website": "website",
    "reason": "reason",
    "scopes": "scopes",
    "kind": "kind",
    "role": "role",
    "visibility": "visibility",
}

# What may follow `?notice=` after a redirect: a fixed list, so a link cannot make the
# page say something of its author's choosing.
NOTICES: Mapping[str, str] = {
    "signed-up": "notice.signed_up",
    "guardian-asked": "notice.guardian_asked",
    "signed-out": "notice.signed_out",
    "email-verified": "notice.email_verified",
    "password-reset": "notice.password_reset",
    "saved": "notice.saved",
    "consent-given": "notice.consent_given",
    "child-deleted": "notice.child_deleted",
    "applied": "notice.applied",
    "invited": "notice.invited",
    "role-changed": "notice.role_changed",
    "removed": "notice.removed",
    "revoked": "notice.revoked",
    "joined": "notice.joined",
    "approved": "notice.approved",
    "declined": "notice.declined",
}


@dataclass
class Form:
    """What the visitor typed, echoed back, and the errors by field ("form" for none)."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def checked(self, name: str, value: str = "1") -> bool:
        return value in self.lists.get(name, []) or self.values.get(name) == value

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def fail(self, exc: DomainError, t: Translator, *, fields: Iterable[str] | None = None) -> None:
        """The error next to its field; `fields` lists those the page has (others: "form")."""
        name = field_of(exc)
        if fields is not None and name not in fields:
            name = "form"
        self.add(name, message_of(exc, t))

    @property
    def ok(self) -> bool:
        return not self.errors


def read_form(
    data: FormData, names: Iterable[str], *, lists: Iterable[str] = (), long: Iterable[str] = ()
) -> Form:
    """Only the named fields, as trimmed text (uploads and oddities are dropped)."""
    form = Form()
    long_fields = set(long)
    for name in names:
        raw = data.get(name)
        if isinstance(raw, str):
            limit = 5000 if name in long_fields else MAX_TEXT
            form.values[name] = _clean(raw)[:limit]
    for name in lists:
        values = [_clean(v)[:MAX_TEXT] for v in data.getlist(name) if isinstance(v, str)]
        form.lists[name] = values[:20]
    return form


def _clean(raw: str) -> str:
    # PostgreSQL text cannot hold NUL; no one types one.
    return raw.replace("\x00", "").strip()


def password_of(data: FormData, name: str = "password") -> str:
    """A password as typed (not trimmed); over-long ones are cut where the policy says."""
    raw = data.get(name)
    return raw[: passwords.MAX_LENGTH + 1] if isinstance(raw, str) else ""


def field_of(exc: DomainError) -> str:
    return SERVICE_FIELDS.get(exc.field or "", "form")


def message_of(exc: DomainError, t: Translator) -> str:
    if isinstance(exc, Throttled):
        return t("signin.throttled", count=max(1, (exc.retry_after + 59) // 60))
    key, params = message_key(exc)
    return t(key, **params) if key else exc.message


def parse_id(raw: object) -> int | None:
    text = str(raw)
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def safe_next(raw: object) -> str | None:
    """A local path (and query) to go to after signing in; None for anything else."""
    if not isinstance(raw, str) or not raw or len(raw) > 500:
        return None
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    if any(ord(c) <= 32 or ord(c) == 127 for c in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return None
    return raw


def with_query(path: str, **params: str | None) -> str:
    pairs = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(pairs)}" if pairs else path


def see_other(request: Request, url: str) -> Response:
    """The answer to a successful POST (and to visitors who must sign in first)."""
    response = RedirectResponse(url, status_code=303)
    secure(response)
    response.headers["Cache-Control"] = "no-store"
    apply_cookies(request, response)
    return response


def here(request: Request) -> str:
    """This page's local path and query, for `next`."""
    url = request.url
    return f"{url.path}?{url.query}" if url.query else url.path


def to_signin(request: Request, next_url: str | None = None) -> Response:
    # After a POST there is no page to come back to (most POST routes have no GET).
    target = next_url or (here(request) if request.method == "GET" else None)
    return see_other(request, with_query("/account/signin", next=safe_next(target)))


def notice(ctx: PageContext) -> str | None:
    key = NOTICES.get(ctx.request.query_params.get("notice", ""))
    return ctx.t(key) if key else None


def problem(ctx: PageContext, kind: str, status_code: int, message: str | None = None) -> Response:
    """The friendly error page: kind is 'forbidden', 'csrf', 'bad_request' or 'link'."""
    response = render(ctx, "problem.html", status_code=status_code, kind=kind, message=message)
    response.headers["Cache-Control"] = "no-store"
    return response


@asynccontextmanager
async def write(request: Request) -> AsyncIterator[AsyncSession]:
    """A unit of work on the primary: commits when the block ends without an error."""
    async with session_scope(request.app.state.sessionmaker) as session:
        yield session


async def nudge(request: Request) -> None:
    """After a commit that queued email: the worker sends it now rather than on its cron."""
    await outbox.nudge(request.app.state.redis)


Handler = Callable[[Request, PageContext], Awaitable[Response]]
PersonHandler = Callable[[Request, PageContext, Actor], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


async def _guarded(
    request: Request, ctx: PageContext, call: Callable[[], Awaitable[Response]]
) -> Response:
    try:
        return await _handled(request, ctx, call)
    finally:
        # Uploaded files spool to temporary files: closed whatever the handler read.
        await request.close()


async def _handled(
    request: Request, ctx: PageContext, call: Callable[[], Awaitable[Response]]
) -> Response:
    try:
        return await call()
    except CsrfRejected:
        return problem(ctx, "csrf", 403)
    except UploadTooLarge:
        return problem(ctx, "bad_request", 413, ctx.t("forms.upload_too_large"))
    except Unauthenticated:
        return to_signin(request)
    except Forbidden:
        return problem(ctx, "forbidden", 403)
    except NotFound:
        return await not_found(request)
    except HTTPException as exc:  # starlette's own, e.g. a form it could not parse
        if exc.status_code == 404:
            return await not_found(request)
        return problem(ctx, "bad_request", 400)
    except DomainError as exc:
        return problem(ctx, "bad_request", 400, message_of(exc, ctx.t))


def page(handler: Handler) -> Endpoint:
    """A page anyone may open."""

    async def endpoint(request: Request) -> Response:
        ctx = page_context(request)
        return await _guarded(request, ctx, lambda: handler(request, ctx))

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def person_page(handler: PersonHandler) -> Endpoint:
    """A page for a signed-in person; anyone else is sent to sign in and comes back."""

    async def endpoint(request: Request) -> Response:
        ctx = page_context(request)

        async def call() -> Response:
            if request.method == "POST":
                # The token first: a forged post is refused the same way signed in or not.
                await checked_form(request)
            actor = await current_actor(request, now=ctx.now)
            if actor.user_id is None:
                return to_signin(request)
            return await handler(request, ctx, actor)

        return await _guarded(request, ctx, call)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint
