"""Sign-up, sign-in, throttling, sessions, email verification and password reset, at the
service level against the real database and Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.accounts import links, throttle, web_sessions
from server.accounts import service as accounts
from server.authz import Actor
from server.db import session_scope
from server.errors import Conflict, InvalidInput, Throttled
from server.models import AuditEvent, Consent, OutboxEvent, User
from server.models.enums import LinkPurpose
from server.settings import Settings
from tests.accounts import people


def _now() -> datetime:
    return datetime.now(UTC)


def _form(**overrides: object) -> accounts.LearnerSignUp:
    fields: dict[str, object] = {
        "display_name": "Ana",
        "email": f"{people.unique('Ana')}@Example.org",
        "password": "tangerine-bicycle-9",
        "birth_date": people.years_ago(15),
    }
    fields.update(overrides)
    return accounts.LearnerSignUp(**fields)  # type: ignore[arg-type]


async def _sign_up(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, form: accounts.LearnerSignUp
) -> accounts.SignedUp:
    async with session_scope(sessionmaker) as s:
        return await accounts.sign_up_learner(
            s, form, now=_now(), public_url=settings.public_url, ip="127.0.0.1"
        )


async def test_a_teen_signs_up_consents_for_themself_and_gets_a_verification_email(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    form = _form()
    signed = await _sign_up(sessionmaker, settings, form)
    assert not signed.needs_guardian
    assert signed.user.email == form.email.lower()
    async with sessionmaker() as s:
        consents = (
            await s.scalars(select(Consent).where(Consent.learner_id == signed.user.id))
        ).all()
        assert [(c.purpose, c.method) for c in consents] == [("participation", "self")]
        queued = await s.scalar(
            select(OutboxEvent).where(OutboxEvent.payload["to"].astext == signed.user.email)
        )
        assert queued is not None and queued.payload["template"] == "verify_email"
        secret = queued.payload["context"]["link"].rsplit("/", 1)[1]
    with pytest.raises(Conflict):
        await _sign_up(sessionmaker, settings, _form(email=form.email.upper()))
    async with session_scope(sessionmaker) as s:
        user = await accounts.verify_email(s, secret, now=_now())
        assert user.email_verified_at is not None
    with pytest.raises(InvalidInput) as again:
        async with session_scope(sessionmaker) as s:
            await accounts.verify_email(s, secret, now=_now())
    assert again.value.code == "LINK_INVALID"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"birth_date": people.years_ago(12)}, "guardianEmail", "GUARDIAN_REQUIRED"),
        ({"birth_date": people.years_ago(3)}, "birthDate", "BAD_USER_INPUT"),
        (
            {"birth_date": datetime.now(UTC).date() + timedelta(days=3)},
            "birthDate",
            "BAD_USER_INPUT",
        ),
        ({"password": "short"}, "password", "WEAK"),
        ({"password": "aaaaaaaaaaaa"}, "password", "WEAK"),
        ({"email": "not an email"}, "email", "BAD_USER_INPUT"),
        ({"postal_code": "123 Main St"}, "postalCode", "BAD_USER_INPUT"),
        ({"display_name": "   "}, "displayName", "BAD_USER_INPUT"),
    ],
)
async def test_sign_up_refuses_bad_input_and_stores_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    overrides: dict[str, object],
    field: str,
    code: str,
) -> None:
    form = _form(**overrides)
    with pytest.raises(InvalidInput) as refused:
        await _sign_up(sessionmaker, settings, form)
    assert (refused.value.field, refused.value.code) == (field, code)
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).where(User.email == form.email.lower())) == 0


async def test_a_child_and_guardian_share_no_address(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    form = _form(birth_date=people.years_ago(11))
    with pytest.raises(InvalidInput):
        await _sign_up(
            sessionmaker, settings, _form(**{**form.__dict__, "guardian_email": form.email})
        )


async def test_repeated_failures_lock_the_account_for_a_while(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis
) -> None:
    async with session_scope(sessionmaker) as s:
        user = await people.person(s, "Tom")
        email = user.email
    for _ in range(throttle.MAX_PER_EMAIL):
        with pytest.raises(InvalidInput):
            async with session_scope(sessionmaker) as s:
                await accounts.sign_in(
                    s, redis, email=email, password="wrong!", now=_now(), ip="10.1.1.1"
                )
    # Now even the right password waits: a guesser learns nothing more.
    with pytest.raises(Throttled) as throttled:
        async with session_scope(sessionmaker) as s:
            await accounts.sign_in(
                s, redis, email=email, password=people.PASSWORD, now=_now(), ip="10.1.1.2"
            )
    assert 0 < throttled.value.retry_after <= throttle.WINDOW_SECONDS
    async with sessionmaker() as s:
        failures = await s.scalar(
            select(func.count()).where(
                AuditEvent.action == "account.sign_in_failed", AuditEvent.subject_id == user.id
            )
        )
    assert failures == throttle.MAX_PER_EMAIL
    # The window passing (here: its key expiring) lets the person in, and clears the count.
    await redis.delete(*[k for k in await redis.keys("signin:fail:email:*")])
    async with session_scope(sessionmaker) as s:
        signed = await accounts.sign_in(
            s, redis, email=email, password=people.PASSWORD, now=_now(), ip="10.1.1.2"
        )
    assert signed.user.id == user.id


async def test_one_address_spraying_many_accounts_is_throttled(redis: Redis) -> None:
    ip = "10.9.9.9"
    for n in range(throttle.MAX_PER_IP):
        await throttle.record_failure(redis, f"victim{n}@example.org", ip)
    assert await throttle.retry_after(redis, "someone-else@example.org", ip) > 0
    assert await throttle.retry_after(redis, "someone-else@example.org", "10.9.9.8") == 0


async def test_each_sign_in_is_a_new_session_and_sign_out_ends_it(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis
) -> None:
    async with session_scope(sessionmaker) as s:
        user = await people.person(s, "Uma")
        email = user.email
    secrets = []
    for _ in range(2):
        async with session_scope(sessionmaker) as s:
            signed = await accounts.sign_in(
                s, redis, email=email, password=people.PASSWORD, now=_now(), ip=None
            )
            secrets.append(signed.session_secret)
    assert secrets[0] != secrets[1]
    async with session_scope(sessionmaker) as s:
        assert await web_sessions.resolve(s, secrets[0], now=_now()) is not None
        # A value an attacker planted is never a session.
        assert await web_sessions.resolve(s, "planted-by-attacker", now=_now()) is None
        await accounts.sign_out(s, secrets[0], Actor(user_id=user.id))
    async with session_scope(sessionmaker) as s:
        assert await web_sessions.resolve(s, secrets[0], now=_now()) is None
        assert await web_sessions.resolve(s, secrets[1], now=_now()) is not None
        # Idle for longer than the idle limit: gone.
        later = _now() + web_sessions.IDLE + timedelta(minutes=1)
        assert await web_sessions.resolve(s, secrets[1], now=later) is None


async def test_a_password_reset_signs_every_device_out(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Redis, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        user = await people.person(s, "Vic")
        email = user.email
        old = (
            await accounts.sign_in(
                s, redis, email=email, password=people.PASSWORD, now=_now(), ip=None
            )
        ).session_secret
    async with session_scope(sessionmaker) as s:
        await accounts.request_password_reset(
            s, email, now=_now(), public_url=settings.public_url, ip=None
        )
        # Unknown addresses get the same silence and no email.
        await accounts.request_password_reset(
            s, "nobody@example.org", now=_now(), public_url=settings.public_url, ip=None
        )
        event = await s.scalar(
            select(OutboxEvent).where(
                OutboxEvent.payload["to"].astext == email,
                OutboxEvent.payload["template"].astext == "reset_password",
            )
        )
        assert event is not None
        secret = event.payload["context"]["link"].rsplit("/", 1)[1]
        nobody = await s.scalar(
            select(func.count()).where(OutboxEvent.payload["to"].astext == "nobody@example.org")
        )
        assert nobody == 0
    async with session_scope(sessionmaker) as s:
        await accounts.reset_password(s, secret, "new-password-at-last", now=_now(), ip=None)
    async with session_scope(sessionmaker) as s:
        assert await web_sessions.resolve(s, old, now=_now()) is None
        signed = await accounts.sign_in(
            s, redis, email=email, password="new-password-at-last", now=_now(), ip=None
        )
        assert signed.user.email == email


async def test_links_expire(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    now = _now()
    async with session_scope(sessionmaker) as s:
        user = await people.person(s, "Wes")
        secret = await links.create(
            s, LinkPurpose.RESET_PASSWORD, email=user.email, user_id=user.id, now=now
        )
    with pytest.raises(InvalidInput) as expired:
        async with session_scope(sessionmaker) as s:
            await links.consume(s, secret, LinkPurpose.RESET_PASSWORD, now=now + timedelta(hours=2))
    assert expired.value.code == "LINK_EXPIRED"
    with pytest.raises(InvalidInput):  # a link for one purpose is no good for another
        async with session_scope(sessionmaker) as s:
            await links.consume(s, secret, LinkPurpose.VERIFY_EMAIL, now=now)
