"""Who is calling the GraphQL API.

- `Authorization: Bearer cl_...`: a partner system's API token. An unknown or revoked
  token is refused outright (HTTP 401), so a partner notices instead of being served as
  anonymous.
- The website's session cookie, but only together with the `X-CSRF-Token` header
  (server/accounts/csrf.py); without it the request is anonymous, so another site
  cannot make a signed-in browser call mutations.
- Otherwise anonymous. Anonymous requests touch no table here.
"""

from __future__ import annotations

from datetime import datetime

from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from server.accounts import csrf, web_sessions
from server.authz import ANONYMOUS, Actor, load_person
from server.db import session_scope
from server.orgs import api_tokens
from server.settings import Settings


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def actor_for(
    request: Request,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
) -> Actor:
    ip = _client_ip(request)
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HTTPException(401, "use 'Authorization: Bearer <API token>'")
        async with session_scope(sessionmaker) as session:
            actor = await api_tokens.authenticate(session, secret.strip(), now=now, ip=ip)
        if actor is None:
            raise HTTPException(401, "the API token is not valid or was revoked")
        return actor
    cookie = request.cookies.get(csrf.SESSION_COOKIE)
    if not cookie:
        return Actor(ip=ip) if ip else ANONYMOUS
    nonce = request.cookies.get(csrf.CSRF_COOKIE)
    if not csrf.is_valid(settings.secret_key, nonce, request.headers.get(csrf.CSRF_HEADER)):
        return Actor(ip=ip)
    async with session_scope(sessionmaker) as session:
        user = await web_sessions.resolve(session, cookie, now=now)
        if user is None:
            return Actor(ip=ip)
        return await load_person(session, user, ip=ip)
