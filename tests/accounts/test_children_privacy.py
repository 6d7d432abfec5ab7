"""The under-13 consent flow end to end through the real SMTP sink, consent withdrawal,
private-by-default visibility, export and deletion."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import outbox
from server.accounts import service as accounts
from server.authz import Actor, load_person
from server.db import session_scope
from server.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from server.models import (
    AuditEvent,
    Consent,
    EmailLink,
    Guardianship,
    LearnerProfile,
    Membership,
    OutboxEvent,
    User,
    WebSession,
)
from server.models.enums import ConsentPurpose, StaffRole, Visibility
from server.privacy import consent, deletion, export, guardians, learners
from server.settings import Settings
from tests.accounts import people
from tests.mail_sink import SmtpSink

LINK = re.compile(r"https?://\S+/consent/(\S+)")


def _now() -> datetime:
    return datetime.now(UTC)


async def _sign_up_child(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, guardian_email: str
) -> User:
    async with session_scope(sessionmaker) as s:
        signed = await accounts.sign_up_learner(
            s,
            accounts.LearnerSignUp(
                display_name="Maya",
                email=f"{people.unique('maya')}@example.org",
                password="sunflower-kite-42",
                birth_date=people.years_ago(12),
                guardian_email=guardian_email,
                postal_code="60614",
            ),
            now=_now(),
            public_url=settings.public_url,
            ip="127.0.0.1",
        )
    assert signed.needs_guardian
    return signed.user


async def test_a_child_under_13_waits_for_the_guardians_emailed_consent(
    sessionmaker: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    parent = f"{people.unique('parent')}@example.org"
    child = await _sign_up_child(sessionmaker, mail_settings, parent)
    async with sessionmaker() as s:
        assert await consent.standing(s, child.id) == set()  # a limited account
        profile = await s.get(LearnerProfile, child.id)
        assert profile is not None and profile.visibility == Visibility.PRIVATE.value
    # The worker sends the request; nothing goes to the child.
    while await outbox.relay(sessionmaker, mail_settings):  # all due events, others too
        pass
    message = await smtp_sink.wait_for(parent)
    body = message.get_content()
    assert "Maya" in body and "7 days" in body
    assert not smtp_sink.to(child.email)
    found = LINK.search(body)
    assert found, body
    secret = found.group(1)

    async with sessionmaker() as s:
        request = await guardians.look_up(s, secret, now=_now())
    assert request.child.id == child.id and not request.guardian_exists
    with pytest.raises(InvalidInput) as refused:
        async with session_scope(sessionmaker) as s:
            await guardians.give_consent(
                s,
                secret,
                purposes={ConsentPurpose.PUBLIC_PROFILE},
                signed_in=Actor(),
                new_guardian=guardians.NewGuardian("Rosa", "marigold-river-7"),
                now=_now(),
                public_url=mail_settings.public_url,
            )
    assert refused.value.code == "PARTICIPATION_REQUIRED"
    async with session_scope(sessionmaker) as s:
        guardian = await guardians.give_consent(
            s,
            secret,
            purposes={ConsentPurpose.PARTICIPATION, ConsentPurpose.SHARE_WITH_EMPLOYERS},
            signed_in=Actor(),
            new_guardian=guardians.NewGuardian("Rosa", "marigold-river-7", "es"),
            now=_now(),
            public_url=mail_settings.public_url,
        )
    async with sessionmaker() as s:
        assert await consent.standing(s, child.id) == {
            ConsentPurpose.PARTICIPATION,
            ConsentPurpose.SHARE_WITH_EMPLOYERS,
        }
        link = await s.scalar(select(Guardianship).where(Guardianship.learner_id == child.id))
        assert link is not None and link.guardian_id == guardian.id
        saved = await s.get(User, guardian.id)
        assert saved is not None and saved.email == parent and saved.email_verified_at
    # "Email plus": a confirmation, in the guardian's language, with how to withdraw.
    while await outbox.relay(sessionmaker, mail_settings):  # all due events, others too
        pass
    confirmations = [m for m in smtp_sink.to(parent) if m is not message]
    assert confirmations and "Maya" in confirmations[-1].get_content()
    # The link works once.
    with pytest.raises(InvalidInput):
        async with sessionmaker() as s:
            await guardians.look_up(s, secret, now=_now())


async def test_an_existing_guardian_account_must_sign_in_to_consent(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        existing = await people.person(s, "Omar")
        omar_id, omar_email = existing.id, existing.email
    child = await _sign_up_child(sessionmaker, settings, omar_email)
    async with sessionmaker() as s:
        link = await s.scalar(
            select(EmailLink).where(
                EmailLink.email == omar_email, EmailLink.purpose == "guardian_consent"
            )
        )
        assert link is not None and link.data == {"learner_id": child.id}
        # Until the worker sends it, the queued email holds the link.
        event = await s.scalar(
            select(OutboxEvent).where(OutboxEvent.payload["to"].astext == omar_email)
        )
        assert event is not None
        secret = event.payload["context"]["link"].rsplit("/", 1)[1]
    with pytest.raises(Unauthenticated):
        async with session_scope(sessionmaker) as s:
            await guardians.give_consent(
                s,
                secret,
                purposes={ConsentPurpose.PARTICIPATION},
                signed_in=Actor(),
                new_guardian=guardians.NewGuardian("Someone", "not-omar-123"),
                now=_now(),
                public_url=settings.public_url,
            )
    async with session_scope(sessionmaker) as s:
        omar = await s.get(User, omar_id)
        assert omar is not None
        await guardians.give_consent(
            s,
            secret,
            purposes={ConsentPurpose.PARTICIPATION},
            signed_in=await load_person(s, omar),
            new_guardian=None,
            now=_now(),
            public_url=settings.public_url,
        )
    async with sessionmaker() as s:
        assert [w.id for w in await guardians.wards(s, omar_id)] == [child.id]


async def test_withdrawing_consent_takes_effect_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as s:
        child, guardian = await people.child_with_guardian(s)
        teen = await people.learner(s, "Tess", age=15)
        child_id, teen_id = child.id, teen.id
        guardian_actor = await load_person(s, guardian)
        teen_actor = await load_person(s, teen)
        child_actor = await load_person(s, child)
    now = _now()
    # Private by default; a teen may go public, which records the consent.
    async with session_scope(sessionmaker) as s:
        profile = await s.get(LearnerProfile, teen_id)
        assert profile is not None and profile.visibility == "private"
        await learners.set_visibility(s, teen_actor, teen_id, Visibility.PUBLIC, now=now)
        assert await consent.holds(s, teen_id, ConsentPurpose.PUBLIC_PROFILE)
    async with session_scope(sessionmaker) as s:
        await learners.withdraw_consent(
            s, teen_actor, teen_id, ConsentPurpose.PUBLIC_PROFILE, now=now
        )
    async with sessionmaker() as s:
        profile = await s.get(LearnerProfile, teen_id)
        assert profile is not None and profile.visibility == "private"
        viewer = Actor(user_id=None)
        assert not learners.can_view_profile(viewer, await learners.get(s, teen_id), now=now)
    # A child cannot decide; the guardian can, and withdrawal limits the account at once.
    with pytest.raises(Forbidden):
        async with session_scope(sessionmaker) as s:
            await learners.set_visibility(s, child_actor, child_id, Visibility.PUBLIC, now=now)
    async with session_scope(sessionmaker) as s:
        assert await learners.withdraw_consent(
            s, guardian_actor, child_id, ConsentPurpose.PARTICIPATION, now=now
        )
    async with sessionmaker() as s:
        assert ConsentPurpose.PARTICIPATION not in await consent.standing(s, child_id)
        rows = (await s.scalars(select(Consent).where(Consent.learner_id == child_id))).all()
        assert [r.withdrawn_at is not None for r in rows] == [True]  # history kept
        actions = (
            await s.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.subject_id == child_id, AuditEvent.subject_type == "user"
                )
            )
        ).all()
        assert "consent.withdrawn" in actions


async def test_export_holds_the_persons_data_and_is_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as s:
        child, guardian = await people.child_with_guardian(s)
        child_id, guardian_email = child.id, guardian.email
        guardian_actor = await load_person(s, guardian)
        stranger = await load_person(s, await people.person(s, "Stranger"))
    async with session_scope(sessionmaker) as s:
        document = await export.export_person(s, guardian_actor, child_id, now=_now())
    assert document["format"] == "citylearn-export/1"
    assert document["account"]["id"] == child_id
    assert document["learnerProfile"]["visibility"] == "private"
    assert [c["purpose"] for c in document["consents"]] == ["participation"]
    assert document["guardians"] == [{"displayName": "Gale", "email": guardian_email}]
    with pytest.raises(Forbidden):
        async with session_scope(sessionmaker) as s:
            await export.export_person(s, stranger, child_id, now=_now())
    async with sessionmaker() as s:
        exported = await s.scalar(
            select(func.count()).where(
                AuditEvent.action == "account.exported", AuditEvent.subject_id == child_id
            )
        )
    assert exported == 1


async def test_deletion_removes_the_account_and_keeps_only_a_scrubbed_log(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, redis: Redis
) -> None:
    async with session_scope(sessionmaker) as s:
        teen = await people.learner(s, "Dana", age=16)
        teen_id, email = teen.id, teen.email
    async with session_scope(sessionmaker) as s:
        signed = await accounts.sign_in(
            s, redis, email=email, password=people.PASSWORD, now=_now(), ip="10.0.0.9"
        )
        actor = await load_person(s, signed.user, ip="10.0.0.9")
    async with session_scope(sessionmaker) as s:
        await deletion.delete_account(s, actor, teen_id, now=_now())
    async with sessionmaker() as s:
        assert await s.get(User, teen_id) is None
        assert await s.get(LearnerProfile, teen_id) is None
        for model, column in (
            (WebSession, WebSession.user_id),
            (Consent, Consent.learner_id),
            (Membership, Membership.user_id),
        ):
            count = await s.scalar(select(func.count()).select_from(model).where(column == teen_id))
            assert count == 0, model
        events = (
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_type == "user", AuditEvent.subject_id == teen_id
                )
            )
        ).all()
        assert {e.action for e in events} >= {"account.signed_in", "account.deleted"}
        assert all(e.ip is None for e in events)
        queued = (
            await s.scalars(select(OutboxEvent).where(OutboxEvent.payload["to"].astext == email))
        ).all()
        assert [e.payload["template"] for e in queued] == ["account_deleted"]
    with pytest.raises(InvalidInput):  # the credentials are gone
        async with session_scope(sessionmaker) as s:
            await accounts.sign_in(
                s, redis, email=email, password=people.PASSWORD, now=_now(), ip="10.0.0.9"
            )


async def test_the_last_owner_cannot_delete_their_account(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as s:
        org = await people.organization(s)
        owner = await people.staff(s, org, StaffRole.OWNER, "Olu")
        actor = await load_person(s, owner)
    with pytest.raises(Conflict) as refused:
        async with session_scope(sessionmaker) as s:
            await deletion.delete_account(s, actor, actor.user_id or 0, now=_now())
    assert refused.value.code == "LAST_OWNER"
