"""Random secrets handed to people (session cookies, emailed links, API tokens).

Only a secret's SHA-256 is stored. The secrets carry 256 bits of randomness, so a fast
hash is enough: there is nothing to brute-force, unlike a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def sign(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
