"""The rules every new account follows, whoever creates it (sign-up, a guardian's
consent, an accepted invitation)."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Conflict, InvalidInput
from server.models import User

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}")
LOCALES = ("en", "es")


def normalize_email(raw: str, *, field: str = "email") -> str:
    email = (raw or "").strip().lower()
    if len(email) > 320 or not _EMAIL.fullmatch(email):
        raise InvalidInput("enter an email address like name@example.org", field=field)
    return email


def clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput("tell us what to call you", field="displayName")
    if len(name) > 120:
        raise InvalidInput("use at most 120 characters", field="displayName")
    return name


def locale(raw: str | None) -> str:
    return raw if raw in LOCALES else "en"


async def insert(session: AsyncSession, user: User) -> None:
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same email signed up a moment ago
        raise Conflict("an account with this email exists; sign in instead", field="email") from exc
