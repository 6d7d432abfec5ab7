"""CSRF protection shared by the pages and the GraphQL endpoint.

Every visitor gets a random nonce in a cookie (`CSRF_COOKIE`); forms carry
HMAC(secret key, nonce) in a hidden field, and scripts send it as the `X-CSRF-Token`
header. Another site can make a browser send the cookie but cannot read it, so it
cannot produce the matching token. The nonce changes at sign-in and sign-out.
"""

from __future__ import annotations

from server.accounts.secrets import new_secret, same, sign

SESSION_COOKIE = "cl_session"
CSRF_COOKIE = "cl_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def new_nonce() -> str:
    return new_secret()


def token_for(secret_key: str, nonce: str) -> str:
    return sign(secret_key, "csrf:" + nonce)


def is_valid(secret_key: str, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token or len(nonce) > 200 or len(token) > 200:
        return False
    return same(token_for(secret_key, nonce), token)
