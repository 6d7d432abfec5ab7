"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 200  # argon2 takes any length; this only bounds the work per attempt

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a hit and
# response times do not reveal which emails have accounts.
_DUMMY = _hasher.hash("not-a-real-password")


def check_policy(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"use at least {MIN_LENGTH} characters", field=field, code="WEAK")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"use at most {MAX_LENGTH} characters", field=field)
    if len(set(password)) < 4:
        raise InvalidInput("use more different characters", field=field, code="WEAK")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password[:MAX_LENGTH]) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
