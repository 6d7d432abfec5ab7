"""Every way to award a badge, through the services, on the real database: the API with
idempotency keys (also under concurrent retries), claim codes (windows, limits, one per
learner, by email then attached on sign-up), rosters, reviewed evidence, revocation,
expiry, and the follow-up work each award leaves for the worker."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import server.badges.followups  # registers the follow-up handlers
from server import outbox
from server.accounts import links
from server.accounts import service as accounts
from server.authz import ANONYMOUS
from server.badges import awards, baking, claims, classes, review, roster
from server.db import session_scope
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from server.models import Assertion, ClaimCode, OutboxEvent, User
from server.models.enums import ApiScope, AwardMethod, LinkPurpose, SubmissionStatus
from server.settings import Settings
from tests.accounts import people
from tests.badges.helpers import Issuer, as_person, badge_class, design, issuer, now

Sessions = async_sessionmaker[AsyncSession]


async def _setup(sessionmaker: Sessions, **fields: object) -> tuple[Issuer, int]:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        bc = await badge_class(s, made, **fields)
        return made, bc.id


async def _events(s: AsyncSession, assertion_id: uuid.UUID) -> list[str]:
    rows = await s.scalars(
        select(OutboxEvent.topic)
        .where(OutboxEvent.payload["assertion"].astext == str(assertion_id))
        .order_by(OutboxEvent.topic)
    )
    return list(rows)


async def test_badge_classes_are_checked_and_only_managers_design_them(
    sessionmaker: Sessions,
) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        for bad, field_name in (
            (design(name=" "), "name"),
            (design(level="legendary"), "level"),
            (design(earning=[]), "earning"),
            (design(earning=["telepathy"]), "earning"),
            (design(criteria_narrative=None), "criteria"),
            (design(criteria_url="javascript:alert(1)"), "criteriaUrl"),
            (design(competency_ids=[999_999]), "competencyIds"),
            (design(expires_after_days=0), "expiresAfterDays"),
            (design(image=b"GIF89a not a png", image_type="image/gif"), "image"),
            (design(opportunity_ids=[999_999_999]), "opportunityIds"),
        ):
            with pytest.raises(InvalidInput) as error:
                await classes.create(s, made.manager_actor, made.organization.id, bad)
            assert error.value.field == field_name, (bad, error.value)
        with pytest.raises(Forbidden):  # issuer staff award; managers design
            await classes.create(s, made.staff_actor, made.organization.id, design())
        with pytest.raises(Forbidden):
            await classes.create(
                s, made.token_actor(ApiScope.BADGES_ISSUE), made.organization.id, design()
            )
        with pytest.raises(Unauthenticated):
            await classes.create(s, ANONYMOUS, made.organization.id, design())
        made.organization.is_issuer = False
        with pytest.raises(Forbidden) as not_issuer:
            await classes.create(s, made.manager_actor, made.organization.id, design())
        assert not_issuer.value.code == "NOT_AN_ISSUER"
        made.organization.is_issuer = True
        created = await classes.create(
            s,
            made.manager_actor,
            made.organization.id,
            design(tags=["Bikes", " bikes ", "Repair"], expires_after_days=365),
        )
        assert created.tags == ["bikes", "repair"] and created.expires_after_days == 365


async def test_api_awards_are_idempotent_and_report_each_record(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    actor = made.token_actor(ApiScope.BADGES_ISSUE)
    known = f"{people.unique('ana')}@example.org"
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Ana")
        known = learner.email
    requests = [
        awards.AwardRequest(bc_id, known.upper(), idempotency_key="event-7:ana"),
        awards.AwardRequest(bc_id, "not-an-email", idempotency_key="event-7:bad"),
        awards.AwardRequest(999_999, "x@example.org", idempotency_key="event-7:ghost"),
        awards.AwardRequest(bc_id, "new.kid@example.org", idempotency_key="event-7:new"),
        # The same key twice in one call is one award.
        awards.AwardRequest(bc_id, known, idempotency_key="event-7:ana"),
    ]
    async with session_scope(sessionmaker) as s:
        first = await awards.award_many(
            s, actor, made.organization.id, requests, method=AwardMethod.API, now=now()
        )
    assert [r.created for r in first] == [True, False, False, True, False]
    assert first[1].error is not None and first[1].error.field == "email"
    assert isinstance(first[2].error, NotFound)
    assert first[4].assertion_id == first[0].assertion_id and first[4].error is None
    # A retry of the whole call: the same awards, nothing new.
    async with session_scope(sessionmaker) as s:
        again = await awards.award_many(
            s, actor, made.organization.id, requests, method=AwardMethod.API, now=now()
        )
        assert [r.assertion_id for r in again] == [r.assertion_id for r in first]
        assert not any(r.created for r in again)
        # The same key for a different learner is refused, not silently matched.
        reused = await awards.award_many(
            s,
            actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, "someone.else@example.org", idempotency_key="event-7:ana")],
            method=AwardMethod.API,
            now=now(),
        )
        assert reused[0].error is not None and reused[0].error.code == "IDEMPOTENCY_KEY_REUSED"
        count = await s.scalar(select(func.count()).where(Assertion.badge_class_id == bc_id))
        assert count == 2
        ana = await s.get(Assertion, first[0].assertion_id)
        assert ana is not None and ana.recipient_user_id == learner.id
        assert ana.recipient_email == known.lower() and ana.identity_hash.startswith("sha256$")
        assert ana.visibility == "private"  # private by default
        pending = await s.get(Assertion, first[3].assertion_id)
        assert pending is not None and pending.recipient_user_id is None
        # Each award wrote its follow-up work in the same transaction.
        assert await _events(s, ana.id) == ["badge.bake", "badge.notify", "stacks.evaluate"]


async def test_concurrent_retries_with_one_key_make_exactly_one_award(
    sessionmaker: Sessions,
) -> None:
    made, bc_id = await _setup(sessionmaker)
    actor = made.token_actor(ApiScope.BADGES_ISSUE)
    request = awards.AwardRequest(bc_id, "retry@example.org", idempotency_key="flaky-wifi-1")

    async def attempt() -> awards.Awarded:
        async with session_scope(sessionmaker) as s:
            return (
                await awards.award_many(
                    s, actor, made.organization.id, [request], method=AwardMethod.API, now=now()
                )
            )[0]

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert all(r.error is None for r in results), [r.error for r in results]
    assert sum(r.created for r in results) == 1
    assert len({r.assertion_id for r in results}) == 1
    async with sessionmaker() as s:
        assert (await s.scalar(select(func.count()).where(Assertion.badge_class_id == bc_id))) == 1
        assertion_id = results[0].assertion_id
        assert assertion_id is not None
        assert await _events(s, assertion_id) == ["badge.bake", "badge.notify", "stacks.evaluate"]


async def test_who_may_award(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    request = [awards.AwardRequest(bc_id, "x@example.org")]
    async with session_scope(sessionmaker) as s:
        other = await issuer(s)
        learner = await people.learner(s)
        refused = [
            (as_person(learner), Forbidden),
            (other.staff_actor, Forbidden),
            (made.token_actor(ApiScope.LISTINGS_WRITE), Forbidden),
            (other.token_actor(ApiScope.BADGES_ISSUE), Forbidden),
            (ANONYMOUS, Unauthenticated),
        ]
        for actor, error in refused:
            with pytest.raises(error):
                await awards.award_many(
                    s, actor, made.organization.id, request, method=AwardMethod.API, now=now()
                )
        # Staff of the issuer (the issuer role and above) may.
        for actor in (made.staff_actor, made.manager_actor):
            done = await awards.award_many(
                s, actor, made.organization.id, request, method=AwardMethod.ROSTER, now=now()
            )
            assert done[0].created
        with pytest.raises(InvalidInput):
            await awards.award_many(
                s,
                made.staff_actor,
                made.organization.id,
                [awards.AwardRequest(bc_id, "x@example.org")] * (awards.BULK_LIMIT + 1),
                method=AwardMethod.API,
                now=now(),
            )


async def test_a_badge_class_is_earned_only_the_ways_it_says(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker, earning=["review"])
    async with session_scope(sessionmaker) as s:
        result = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, "x@example.org")],
            method=AwardMethod.API,
            now=now(),
        )
        assert result[0].error is not None and result[0].error.code == "NOT_EARNED_THIS_WAY"
        start = now()
        with pytest.raises(InvalidInput):
            await claims.open_code(
                s,
                made.staff_actor,
                bc_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                max_uses=5,
            )


async def test_claim_codes_keep_their_window_limit_and_one_award_per_learner(
    sessionmaker: Sessions,
) -> None:
    made, bc_id = await _setup(sessionmaker)
    start = now()
    async with session_scope(sessionmaker) as s:
        with pytest.raises(Forbidden):  # learners cannot open codes
            await claims.open_code(
                s,
                as_person(await people.learner(s)),
                bc_id,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                max_uses=2,
            )
        with pytest.raises(InvalidInput):
            await claims.open_code(
                s, made.staff_actor, bc_id, starts_at=start, ends_at=start, max_uses=2
            )
        with pytest.raises(InvalidInput):
            await claims.open_code(
                s,
                made.staff_actor,
                bc_id,
                starts_at=start,
                ends_at=start + timedelta(days=40),
                max_uses=2,
            )
        code = await claims.open_code(
            s,
            made.staff_actor,
            bc_id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            max_uses=2,
        )
        learners = [await people.learner(s, name) for name in ("Ada", "Bo", "Cy")]
    typed = claims.display_code(code.code).lower().replace("-", " ")  # "abcd efgh"
    async with session_scope(sessionmaker) as s:
        first = await claims.claim(s, as_person(learners[0]), typed, now=now())
    async with session_scope(sessionmaker) as s:  # a double tap: the same award, no new use
        again = await claims.claim(s, as_person(learners[0]), code.code, now=now())
    assert first.created and not again.created and again.assertion_id == first.assertion_id
    async with session_scope(sessionmaker) as s:
        await claims.claim(s, as_person(learners[1]), code.code, now=now())
    with pytest.raises(Conflict) as used_up:
        async with session_scope(sessionmaker) as s:
            await claims.claim(s, as_person(learners[2]), code.code, now=now())
    assert "used as many times" in used_up.value.message
    async with sessionmaker() as s:
        stored = await s.get(ClaimCode, code.id)
        assert stored is not None and stored.uses == 2
    # Outside its window, closed, or unknown.
    async with session_scope(sessionmaker) as s:
        later = await claims.open_code(
            s,
            made.staff_actor,
            bc_id,
            starts_at=start + timedelta(hours=1),
            ends_at=start + timedelta(hours=2),
            max_uses=50,
        )
    for moment, words in (
        (start, "not open yet"),
        (start + timedelta(hours=3), "expired"),
    ):
        with pytest.raises(Conflict) as closed:
            async with session_scope(sessionmaker) as s:
                await claims.claim(s, as_person(learners[2]), later.code, now=moment)
        assert words in closed.value.message
    async with session_scope(sessionmaker) as s:
        await claims.close_code(s, made.staff_actor, later.id, now=now())
    with pytest.raises(Conflict, match="closed"):
        async with session_scope(sessionmaker) as s:
            await claims.claim(
                s, as_person(learners[2]), later.code, now=start + timedelta(hours=1, minutes=5)
            )
    with pytest.raises(NotFound):
        async with session_scope(sessionmaker) as s:
            await claims.claim(s, as_person(learners[2]), "ZZZZ-ZZZZ", now=now())


async def test_a_crowd_claiming_at_once_never_exceeds_the_limit(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    start = now()
    async with session_scope(sessionmaker) as s:
        code = await claims.open_code(
            s,
            made.staff_actor,
            bc_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            max_uses=5,
        )
        crowd = [await people.learner(s, f"L{i}") for i in range(12)]

    async def try_claim(user: User) -> bool:
        try:
            async with session_scope(sessionmaker) as s:
                await claims.claim(s, as_person(user), code.code, now=now())
            return True
        except Conflict:
            return False

    won = await asyncio.gather(*(try_claim(u) for u in crowd))
    assert sum(won) == 5
    async with sessionmaker() as s:
        assert (await s.get(ClaimCode, code.id)).uses == 5  # type: ignore[union-attr]
        assert (await s.scalar(select(func.count()).where(Assertion.claim_code_id == code.id))) == 5


async def test_a_claim_by_email_becomes_the_learners_when_they_verify_it(
    sessionmaker: Sessions, settings: Settings
) -> None:
    made, bc_id = await _setup(sessionmaker)
    start = now()
    email = f"{people.unique('walkup')}@example.org"
    async with session_scope(sessionmaker) as s:
        code = await claims.open_code(
            s,
            made.staff_actor,
            bc_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            max_uses=10,
        )
    with pytest.raises(InvalidInput):
        async with session_scope(sessionmaker) as s:
            await claims.claim(s, ANONYMOUS, code.code, now=now())
    async with session_scope(sessionmaker) as s:
        claimed = await claims.claim(s, ANONYMOUS, code.code, now=now(), email=email)
    async with session_scope(sessionmaker) as s:  # the same email again: the same award
        again = await claims.claim(s, ANONYMOUS, code.code, now=now(), email=email.upper())
    assert again.assertion_id == claimed.assertion_id and not again.created
    # They sign up with that email; the badge is theirs once the address is verified.
    async with session_scope(sessionmaker) as s:
        user = await people.learner(s, "Walk")
        user.email, user.email_verified_at = email, None
        await s.flush()
        secret = await links.create(
            s, LinkPurpose.VERIFY_EMAIL, user_id=user.id, email=email, now=now()
        )
    async with sessionmaker() as s:
        assertion = await s.get(Assertion, claimed.assertion_id)
        assert assertion is not None and assertion.recipient_user_id is None
    async with session_scope(sessionmaker) as s:
        await accounts.verify_email(s, secret, now=now())
    async with sessionmaker() as s:
        assertion = await s.get(Assertion, claimed.assertion_id)
        assert assertion is not None and assertion.recipient_user_id == user.id


async def test_a_child_without_consent_cannot_claim(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    start = now()
    async with session_scope(sessionmaker) as s:
        code = await claims.open_code(
            s,
            made.staff_actor,
            bc_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            max_uses=10,
        )
        waiting, _ = await people.child_with_guardian(s, consented=False)
        allowed, _ = await people.child_with_guardian(s, consented=True)
    with pytest.raises(Forbidden) as refused:
        async with session_scope(sessionmaker) as s:
            await claims.claim(s, as_person(waiting), code.code, now=now())
    assert refused.value.code == "CONSENT_REQUIRED"
    async with session_scope(sessionmaker) as s:
        assert (await claims.claim(s, as_person(allowed), code.code, now=now())).created


async def test_a_roster_previews_then_awards(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    async with session_scope(sessionmaker) as s:
        member = await people.learner(s, "Rosa")
        holder = await people.learner(s, "Hal")
        await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, holder.email)],
            method=AwardMethod.ROSTER,
            now=now(),
        )
    pasted = (
        "email,name\n"
        f"{member.email.upper()}, Rosa\n"
        f"{holder.email}\n"
        "new.one@example.org; another@example.org\n"
        "not an email\n"
        f"{member.email}\n"
    )
    async with session_scope(sessionmaker) as s:
        lines = await roster.preview(s, made.staff_actor, bc_id, pasted)
        count_before = await s.scalar(select(func.count()).where(Assertion.badge_class_id == bc_id))
    assert [(line.line, line.outcome) for line in lines] == [
        (2, "award"),
        (3, "already"),
        (4, "invite"),
        (4, "invite"),
        (5, "invalid"),
        (6, "duplicate"),
    ]
    assert count_before == 1  # the preview stored nothing
    with pytest.raises(Forbidden):
        async with session_scope(sessionmaker) as s:
            await roster.award(s, as_person(member), bc_id, pasted, now=now())
    async with session_scope(sessionmaker) as s:
        await roster.award(s, made.staff_actor, bc_id, pasted, now=now())
    async with sessionmaker() as s:
        emails = set(
            await s.scalars(
                select(Assertion.recipient_email).where(Assertion.badge_class_id == bc_id)
            )
        )
        count = await s.scalar(select(func.count()).where(Assertion.badge_class_id == bc_id))
    assert count == 4 and emails == {
        member.email,
        holder.email,
        "new.one@example.org",
        "another@example.org",
    }


async def test_evidence_is_reviewed_approved_with_it_attached_or_returned(
    sessionmaker: Sessions, settings: Settings
) -> None:
    made, bc_id = await _setup(sessionmaker)
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Eve")
        with pytest.raises(InvalidInput):
            await review.submit(s, as_person(learner), bc_id, now=now())
        with pytest.raises(InvalidInput):
            await review.submit(
                s,
                as_person(learner),
                bc_id,
                now=now(),
                upload=review.Upload("app.exe", "application/x-msdownload", b"MZ..."),
            )
        first = await review.submit(
            s,
            as_person(learner),
            bc_id,
            now=now(),
            narrative="I built a bike from parts.",
            url="https://example.org/my-bike",
        )
        with pytest.raises(Conflict):  # one waits at a time
            await review.submit(s, as_person(learner), bc_id, now=now(), narrative="again")
        queue = await review.queue(s, made.staff_actor, made.organization.id)
        assert [sub.id for sub, _, _ in queue] == [first.id]
        with pytest.raises(Forbidden):
            await review.queue(s, as_person(learner), made.organization.id)
    with pytest.raises(Forbidden):
        async with session_scope(sessionmaker) as s:
            await review.approve(s, as_person(learner), first.id, now=now(), settings=settings)
    async with session_scope(sessionmaker) as s:
        await review.return_for_changes(
            s,
            made.staff_actor,
            first.id,
            "Add a photo of the finished bike.",
            now=now(),
            settings=settings,
        )
        second = await review.submit(
            s,
            as_person(learner),
            bc_id,
            now=now(),
            narrative="Here it is with a photo.",
            upload=review.Upload("bike.png", "image/png", b"\x89PNG fake but typed"),
        )
    async with session_scope(sessionmaker) as s:
        assertion_id = await review.approve(
            s, made.staff_actor, second.id, now=now(), settings=settings, comment="Great work"
        )
    with pytest.raises(Conflict):
        async with session_scope(sessionmaker) as s:
            await review.approve(s, made.staff_actor, second.id, now=now(), settings=settings)
    async with sessionmaker() as s:
        returned = await review.get(s, first.id)
        approved = await review.get(s, second.id)
        assertion = await s.get(Assertion, assertion_id)
    assert returned.status == SubmissionStatus.RETURNED.value
    assert returned.feedback == "Add a photo of the finished bike."
    assert (
        approved.status == SubmissionStatus.APPROVED.value and approved.assertion_id == assertion_id
    )
    assert assertion is not None and assertion.recipient_user_id == learner.id
    assert assertion.method == "review" and assertion.narrative == "Great work"
    assert assertion.evidence == [
        {
            "narrative": "Here it is with a photo.",
            "url": f"{settings.public_url}/badges/evidence/{second.id}/file",
            "name": "bike.png",
            "submission_id": second.id,
        }
    ]


async def test_revocation_needs_a_reason_and_the_issuer(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker)
    async with session_scope(sessionmaker) as s:
        other = await issuer(s)
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, "r@example.org")],
            method=AwardMethod.API,
            now=now(),
        )
    assertion_id = done[0].assertion_id
    assert assertion_id is not None
    async with session_scope(sessionmaker) as s:
        for actor in (other.staff_actor, made.token_actor(ApiScope.LISTINGS_WRITE)):
            with pytest.raises(Forbidden):
                await awards.revoke(s, actor, assertion_id, "mistake", now=now())
        with pytest.raises(InvalidInput):
            await awards.revoke(s, made.staff_actor, assertion_id, "  ", now=now())
    async with session_scope(sessionmaker) as s:
        await awards.revoke(
            s,
            made.token_actor(ApiScope.BADGES_ISSUE),
            assertion_id,
            "Awarded to the wrong person",
            now=now(),
        )
    with pytest.raises(Conflict):
        async with session_scope(sessionmaker) as s:
            await awards.revoke(s, made.staff_actor, assertion_id, "again", now=now())
    async with sessionmaker() as s:
        assertion = await s.get(Assertion, assertion_id)
        assert assertion is not None and assertion.revoked_at is not None
        assert assertion.revocation_reason == "Awarded to the wrong person"
        assert (await _events(s, assertion_id)).count("stacks.evaluate") == 2


async def test_expiry_comes_from_the_badge_class(sessionmaker: Sessions) -> None:
    made, bc_id = await _setup(sessionmaker, expires_after_days=30)
    issued = now()
    async with session_scope(sessionmaker) as s:
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, "e@example.org")],
            method=AwardMethod.API,
            now=issued,
        )
        assertion = await s.get(Assertion, done[0].assertion_id)
    assert assertion is not None and assertion.expires_at == issued + timedelta(days=30)


async def test_the_worker_bakes_and_notifies_once(
    sessionmaker: Sessions, settings: Settings
) -> None:
    made, bc_id = await _setup(sessionmaker)
    async with session_scope(sessionmaker) as s:
        learner = await people.learner(s, "Noa")
        done = await awards.award_many(
            s,
            made.staff_actor,
            made.organization.id,
            [awards.AwardRequest(bc_id, learner.email)],
            method=AwardMethod.API,
            now=now(),
        )
    assertion_id = done[0].assertion_id
    assert assertion_id is not None
    while await outbox.relay(sessionmaker, settings, limit=200):
        pass
    async with sessionmaker() as s:
        assertion = await s.get(Assertion, assertion_id)
        assert assertion is not None and assertion.baked_png is not None
        assert assertion.notified_at is not None
        assert baking.unbake_png(assertion.baked_png) == (
            f"{settings.public_url}/ob/v2/assertions/{assertion_id}"
        )
        mails = list(
            await s.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.topic == "email", OutboxEvent.payload["to"].astext == learner.email
                )
            )
        )
    assert [m.payload["template"] for m in mails] == ["badge_awarded"]
    # The notify event delivered again (a worker died before committing): no second email.
    async with session_scope(sessionmaker) as s:
        event = (
            await s.scalars(
                select(OutboxEvent).where(
                    OutboxEvent.topic == "badge.notify",
                    OutboxEvent.payload["assertion"].astext == str(assertion_id),
                )
            )
        ).one()
        await server.badges.followups.notify(s, event, settings)
    async with sessionmaker() as s:
        count = await s.scalar(
            select(func.count()).where(
                OutboxEvent.topic == "email", OutboxEvent.payload["to"].astext == learner.email
            )
        )
    assert count == 1
