"""Who is signed in on the website, and CSRF protection for every form.

- The session cookie (`cl_session`) is HttpOnly, SameSite=Lax, Secure outside
  development, and holds a random secret whose hash is in web_sessions.
- Every visitor gets a CSRF nonce cookie; every form carries `csrf_token`
  (server/accounts/csrf.py). `checked_form` refuses a POST without the right token.
- Signing in or out replaces both cookies, so nothing planted before sign-in survives.

Handlers call `await current_actor(request)` when they need to know who is there, and
the page renderer calls `apply_cookies` on every response.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.accounts import csrf, web_sessions
from server.accounts.web_sessions import ABSOLUTE
from server.authz import Actor, load_person
from server.db import session_scope
from server.settings import Settings

FORM_MAX_BYTES = 64 * 1024


class CsrfRejected(Exception):
    """A form arrived without a valid CSRF token (a forged cross-site post, or an old tab)."""


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return maker


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def current_actor(request: Request, *, now: datetime | None = None) -> Actor:
    """The signed-in person, or an anonymous actor (with the client's IP)."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = Actor(ip=client_ip(request))
    secret = request.cookies.get(csrf.SESSION_COOKIE)
    if secret and not getattr(request.state, "signed_out", False):
        async with session_scope(_sessionmaker(request)) as session:
            user = await web_sessions.resolve(session, secret, now=now or datetime.now(UTC))
            if user is not None:
                actor = await load_person(session, user, ip=client_ip(request))
            else:
                request.state.clear_session = True
    request.state.actor = actor
    return actor


def csrf_nonce(request: Request) -> str:
    """The visitor's CSRF nonce; a new one (set by apply_cookies) when there is none."""
    fresh = getattr(request.state, "csrf_new", None)
    if fresh:
        return str(fresh)
    existing = request.cookies.get(csrf.CSRF_COOKIE)
    if existing and len(existing) <= 200:
        return existing
    request.state.csrf_new = csrf.new_nonce()
    return str(request.state.csrf_new)


def csrf_token(request: Request) -> str:
    return csrf.token_for(_settings(request).secret_key, csrf_nonce(request))


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was checked against the visitor's cookie."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > FORM_MAX_BYTES:
        raise CsrfRejected("form too large")
    form = await request.form(max_files=0, max_fields=100)
    token = form.get(csrf.CSRF_FIELD)
    nonce = request.cookies.get(csrf.CSRF_COOKIE)
    if not csrf.is_valid(
        _settings(request).secret_key, nonce, token if isinstance(token, str) else None
    ):
        raise CsrfRejected("missing or wrong CSRF token")
    return form


class UploadTooLarge(Exception):
    """The request is bigger than an upload may be (or does not say how big it is)."""


async def checked_upload(request: Request, *, max_bytes: int, max_files: int = 1) -> FormData:
    """A posted multipart form with files, after its CSRF token was checked."""
    length = request.headers.get("content-length", "")
    # Browsers always send a length with a form; without one we cannot refuse in time.
    if not length.isdigit() or int(length) > max_bytes:
        raise UploadTooLarge(length)
    form = await request.form(max_files=max_files, max_fields=40, max_part_size=max_bytes)
    token = form.get(csrf.CSRF_FIELD)
    if not csrf.is_valid(
        _settings(request).secret_key,
        request.cookies.get(csrf.CSRF_COOKIE),
        token if isinstance(token, str) else None,
    ):
        await form.close()
        raise CsrfRejected("missing or wrong CSRF token")
    return form


def start_session(request: Request, secret: str) -> None:
    """After a successful sign-in: the response sets the new session and a new nonce."""
    request.state.new_session = secret
    request.state.csrf_new = csrf.new_nonce()


def end_session(request: Request) -> None:
    request.state.signed_out = True
    request.state.clear_session = True
    request.state.csrf_new = csrf.new_nonce()


def apply_cookies(request: Request, response: Response) -> Response:
    secure = _settings(request).secure_cookies
    new_session = getattr(request.state, "new_session", None)
    if new_session:
        response.set_cookie(
            csrf.SESSION_COOKIE,
            new_session,
            max_age=int(ABSOLUTE.total_seconds()),
            path="/",
            httponly=True,
            secure=secure,
            samesite="lax",
        )
    elif getattr(request.state, "clear_session", False):
        response.delete_cookie(
            csrf.SESSION_COOKIE, path="/", httponly=True, secure=secure, samesite="lax"
        )
    nonce = getattr(request.state, "csrf_new", None)
    if nonce:
        response.set_cookie(
            csrf.CSRF_COOKIE, nonce, path="/", httponly=True, secure=secure, samesite="lax"
        )
    actor = getattr(request.state, "actor", None)
    if new_session or nonce or (isinstance(actor, Actor) and actor.user_id is not None):
        # Pages that depend on who is signed in must not be cached by shared caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def signed_in_hint(request: Request) -> bool:
    """For the header's links only: a session cookie is there (not checked here)."""
    if getattr(request.state, "signed_out", False):
        return False
    if getattr(request.state, "new_session", None):
        return True
    return bool(request.cookies.get(csrf.SESSION_COOKIE))


async def sign_out_everywhere(request: Request, session: AsyncSession, user_id: int) -> None:
    await web_sessions.end_all(session, user_id)
    end_session(request)
