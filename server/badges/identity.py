"""Recipient identities as Open Badges hashes them: `sha256$` + hex(sha256(email + salt)),
the email lowercased (OB 2.0 §IdentityObject; OB 3.0 reuses it in IdentityObject)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def normalize_email(email: str) -> str:
    return email.strip().lower()


def new_salt() -> str:
    return secrets.token_hex(8)


def hash_email(email: str, salt: str) -> str:
    digest = hashlib.sha256((normalize_email(email) + salt).encode()).hexdigest()
    return f"sha256${digest}"


def matches(identity: str, email: str, salt: str | None, *, hashed: bool = True) -> bool:
    """Whether an IdentityObject names `email` (hashed with sha256 or md5, or plain)."""
    if not hashed:
        return hmac.compare_digest(identity.strip().lower(), normalize_email(email))
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5") or not digest:
        return False
    expected = hashlib.new(algorithm.lower(), (normalize_email(email) + (salt or "")).encode())
    return hmac.compare_digest(expected.hexdigest(), digest.lower())
