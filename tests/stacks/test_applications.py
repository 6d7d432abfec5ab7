"""Applying for a gated opportunity and the employer's side, on the real database: locks,
deadlines, minimum age, one application each, consent to share badges (a guardian's for
under-13s), capacity, and the ranked list that shows only what each applicant shared."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.authz import Actor
from server.badges import awards
from server.db import session_scope
from server.errors import Conflict, DomainError, Forbidden, InvalidInput
from server.models import Application, Assertion, Opportunity, User
from server.models.enums import ApiScope, ApplicationStatus, ConsentPurpose, StaffRole
from server.privacy import consent
from server.settings import Settings
from server.stacks import applications
from tests.accounts import people
from tests.badges.helpers import Issuer, badge_class, issuer, now
from tests.stacks.helpers import Sessions, award, drain, employer, gated_listing


def _as(user: User) -> Actor:
    return Actor(user_id=user.id)


async def _refused(code: str, call) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        await call
    assert caught.value.code == code, caught.value.message
    return caught.value


async def test_locked_closed_too_young_and_once(sessionmaker: Sessions, settings: Settings) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Safety orientation")
        boss = await employer(s)
        open_one = await gated_listing(s, boss, {"badge": key.id}, min_age=14)
        closed = await gated_listing(
            s, boss, {"badge": key.id}, apply_by=now() - timedelta(hours=1)
        )
        teen = await people.learner(s, "Tess", age=15)
        young = await people.learner(s, "Yan", age=13)
        await award(s, made, key, young)
        with pytest.raises(Forbidden) as locked:
            await applications.apply(s, _as(teen), open_one.id, shared=[], message=None, now=now())
        assert locked.value.code == "LOCKED"
        mine = await award(s, made, key, teen)
        await _refused(
            "CLOSED",
            applications.apply(s, _as(teen), closed.id, shared=[], message=None, now=now()),
        )
        await _refused(
            "TOO_YOUNG",
            applications.apply(s, _as(young), open_one.id, shared=[], message=None, now=now()),
        )
        sent = await applications.apply(
            s, _as(teen), open_one.id, shared=[mine], message="  I fix bikes.  ", now=now()
        )
        assert sent.status == "submitted" and sent.message == "I fix bikes."
        await _refused(
            "ALREADY_APPLIED",
            applications.apply(s, _as(teen), open_one.id, shared=[], message=None, now=now()),
        )
        # Withdrawn, it may be sent again (with what is chosen this time).
        await applications.withdraw(s, _as(teen), sent.id)
        again = await applications.apply(
            s, _as(teen), open_one.id, shared=[], message=None, now=now()
        )
        assert again.id == sent.id and again.status == "submitted"
        assert again.shared_assertion_ids == []
        # Somebody else's application cannot be withdrawn by a stranger.
        with pytest.raises(DomainError):
            await applications.withdraw(s, _as(young), sent.id)


async def test_sharing_needs_consent_a_guardians_for_under_13s(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Junior naturalist")
        boss = await employer(s)
        nature = await gated_listing(
            s, boss, {"badge": key.id}, title="Nature center shadow", min_age=10
        )
        child, guardian = await people.child_with_guardian(s, age=11)
        teen = await people.learner(s, "Teo", age=16)
        childs = await award(s, made, key, child)
        teens = await award(s, made, key, teen)
        await _refused(
            "SHARING_NEEDS_CONSENT",
            applications.apply(s, _as(child), nature.id, shared=[childs], message=None, now=now()),
        )
        # Nothing was stored; without sharing the child may apply.
        assert await _application(s, nature.id, child) is None
        bare = await applications.apply(
            s, _as(child), nature.id, shared=[], message=None, now=now()
        )
        await applications.withdraw(s, _as(child), bare.id)
        await consent.grant(
            s,
            child.id,
            ConsentPurpose.SHARE_WITH_EMPLOYERS,
            granted_by=Actor(user_id=guardian.id, wards=frozenset({child.id})),
            method="guardian_email",
        )
        shared = await applications.apply(
            s, _as(child), nature.id, shared=[childs], message=None, now=now()
        )
        assert shared.shared_assertion_ids == [childs]
        # From 13, choosing to share is the learner's own consent, recorded as such.
        assert not await consent.holds(s, teen.id, ConsentPurpose.SHARE_WITH_EMPLOYERS)
        await applications.apply(s, _as(teen), nature.id, shared=[teens], message=None, now=now())
        assert await consent.holds(s, teen.id, ConsentPurpose.SHARE_WITH_EMPLOYERS)
        # Only one's own, valid badges can be shared.
        with pytest.raises(InvalidInput):
            await applications.apply(
                s, _as(teen), nature.id, shared=[childs], message=None, now=now()
            )
        with pytest.raises(InvalidInput):
            await applications.apply(
                s, _as(teen), nature.id, shared=[uuid.uuid4()], message=None, now=now()
            )


async def _application(s, opportunity_id: int, user: User) -> Application | None:  # type: ignore[no-untyped-def]
    return await s.scalar(
        select(Application).where(
            Application.opportunity_id == opportunity_id, Application.learner_id == user.id
        )
    )


async def _qualified(s, made: Issuer, key, names: list[str]) -> list[tuple[User, uuid.UUID]]:  # type: ignore[no-untyped-def]
    found = []
    for name in names:
        learner = await people.learner(s, name)
        found.append((learner, await award(s, made, key, learner)))
    return found


async def test_capacity_is_never_exceeded(sessionmaker: Sessions, settings: Settings) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Retail basics")
        boss = await employer(s)
        shop = await gated_listing(s, boss, {"badge": key.id}, capacity=2)
        learners = await _qualified(s, made, key, ["Ana", "Bo", "Cy"])
        apps = [
            await applications.apply(s, _as(u), shop.id, shared=[a], message=None, now=now())
            for u, a in learners
        ]
    decide = applications.decide
    async with session_scope(sessionmaker) as s:
        for application in apps[:2]:
            await decide(
                s,
                boss.actor,
                application.id,
                ApplicationStatus.ACCEPTED,
                now=now(),
                public_url=settings.public_url,
            )
    async with session_scope(sessionmaker) as s:
        full = await _refused(
            "FULL",
            decide(
                s,
                boss.actor,
                apps[2].id,
                ApplicationStatus.ACCEPTED,
                now=now(),
                public_url=settings.public_url,
            ),
        )
        assert full.message == "all 2 places are taken: waitlist this applicant instead"
    async with session_scope(sessionmaker) as s:
        await decide(
            s,
            boss.actor,
            apps[2].id,
            ApplicationStatus.WAITLISTED,
            now=now(),
            public_url=settings.public_url,
        )
        await decide(
            s,
            boss.actor,
            apps[0].id,
            ApplicationStatus.DECLINED,
            now=now(),
            public_url=settings.public_url,
        )
        await decide(
            s,
            boss.actor,
            apps[2].id,
            ApplicationStatus.ACCEPTED,
            now=now(),
            public_url=settings.public_url,
        )
        assert await applications.accepted_count(s, shop.id) == 2
        with pytest.raises(InvalidInput):
            await decide(
                s,
                boss.actor,
                apps[1].id,
                ApplicationStatus.WITHDRAWN,
                now=now(),
                public_url=settings.public_url,
            )
    await drain(sessionmaker, settings)


async def test_employers_see_applicants_ranked_with_only_what_they_shared(
    sessionmaker: Sessions, settings: Settings
) -> None:
    start = now()
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Kitchen safety")
        knife = await badge_class(s, made, name="Knife skills")
        bread = await badge_class(s, made, name="Bread")
        hidden = await badge_class(s, made, name="Private hobby")
        boss = await employer(s)
        kitchen = await gated_listing(
            s,
            boss,
            {"badge": key.id},
            title="Kitchen apprenticeship",
            kind="apprenticeship",
            preferred_badge_class_ids=[knife.id, bread.id],
        )
        people_by_name: dict[str, tuple[User, dict[str, uuid.UUID]]] = {}
        for name, extra, age_days in (
            ("Flagged", ["knife", "bread"], 1),
            ("Older", ["knife"], 30),
            ("Newer", ["knife"], 2),
            ("Both", ["knife", "bread"], 10),
        ):
            learner = await people.learner(s, name)
            held = {
                "key": await award(s, made, key, learner, when=start - timedelta(days=age_days))
            }
            for badge_name in extra:
                bc = knife if badge_name == "knife" else bread
                held[badge_name] = await award(
                    s, made, bc, learner, when=start - timedelta(days=age_days)
                )
            held["hidden"] = await award(s, made, hidden, learner)
            people_by_name[name] = (learner, held)
        for learner, held in people_by_name.values():
            chosen = [v for k, v in held.items() if k != "hidden"]
            await applications.apply(
                s, _as(learner), kitchen.id, shared=chosen, message=None, now=start
            )
        flagged_learner, flagged_held = people_by_name["Flagged"]
        await awards.revoke(s, made.staff_actor, flagged_held["key"], "not completed", now=start)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        ranked = await applications.applicants(s, boss.actor, kitchen.id, now=now())
        assert [a.display_name for a in ranked] == ["Both", "Newer", "Older", "Flagged"]
        assert [a.rule_met for a in ranked] == [True, True, True, False]
        assert [a.preferred_count for a in ranked] == [2, 1, 1, 2]
        assert ranked[-1].application.flag_reason == "“Kitchen safety” was revoked (not completed)"
        for applicant in ranked:
            names = {b.name for b in applicant.shared}
            assert "Private hobby" not in names  # held, not shared: not shown
        both = ranked[0]
        assert {b.name for b in both.shared} == {"Kitchen safety", "Knife skills", "Bread"}
        assert {b.name for b in ranked[-1].shared} == {"Knife skills", "Bread"}  # revoked: gone
        # Nobody else sees them: another organization's manager, an issuer-role member,
        # the organization's API token, the learners.
        other = await employer(s)
        issuer_role = Actor(user_id=boss.manager.id, roles={boss.organization.id: StaffRole.ISSUER})
        token = Actor(
            token_id=1,
            token_organization_id=boss.organization.id,
            scopes=frozenset({ApiScope.GATED_WRITE}),
        )
        for stranger in (other.actor, issuer_role, token, _as(flagged_learner)):
            with pytest.raises(DomainError):
                await applications.applicants(s, stranger, kitchen.id, now=now())
            with pytest.raises(DomainError):
                await applications.decide(
                    s,
                    stranger,
                    ranked[0].application.id,
                    ApplicationStatus.ACCEPTED,
                    now=now(),
                    public_url=settings.public_url,
                )
        listing = await s.get(Opportunity, kitchen.id)
        assert listing is not None
    with pytest.raises(Conflict):
        async with session_scope(sessionmaker) as s:
            withdrawn_learner, _ = people_by_name["Older"]
            mine = await applications.of_learner(s, withdrawn_learner.id)
            await applications.withdraw(s, _as(withdrawn_learner), mine[0][0].id)
            await applications.decide(
                s,
                boss.actor,
                mine[0][0].id,
                ApplicationStatus.ACCEPTED,
                now=now(),
                public_url=settings.public_url,
            )


async def test_withdrawing_consent_hides_what_was_shared_and_the_export_lists_it(
    sessionmaker: Sessions, settings: Settings
) -> None:
    from server.privacy import export, learners

    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Lab safety")
        boss = await employer(s)
        lab = await gated_listing(s, boss, {"badge": key.id}, title="Lab assistant")
        teen = await people.learner(s, "Tia", age=16)
        held = await award(s, made, key, teen)
        await applications.apply(s, _as(teen), lab.id, shared=[held], message="Hi", now=now())
    async with sessionmaker() as s:
        (seen,) = await applications.applicants(s, boss.actor, lab.id, now=now())
        assert [b.assertion_id for b in seen.shared] == [held] and not seen.sharing_withdrawn
    async with session_scope(sessionmaker) as s:
        assert await learners.withdraw_consent(
            s, _as(teen), teen.id, ConsentPurpose.SHARE_WITH_EMPLOYERS, now=now()
        )
    async with session_scope(sessionmaker) as s:
        (seen,) = await applications.applicants(s, boss.actor, lab.id, now=now())
        assert seen.shared == [] and seen.sharing_withdrawn
        document = await export.export_person(s, _as(teen), teen.id, now=now())
    assert document["applications"] == [
        {
            "opportunity": "Lab assistant",
            "status": "submitted",
            "sharedBadges": [str(held)],
            "message": "Hi",
            "appliedAt": document["applications"][0]["appliedAt"],
        }
    ]
    assert [u["opportunity"] for u in document["unlocks"]] == ["Lab assistant"]


async def test_removing_the_gate_keeps_its_applications_for_the_employer(
    sessionmaker: Sessions, settings: Settings
) -> None:
    from server.stacks import definitions

    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Stage crew")
        boss = await employer(s)
        theater = await gated_listing(s, boss, {"badge": key.id}, title="Theater internship")
        teen = await people.learner(s, "Tom")
        held = await award(s, made, key, teen)
        sent = await applications.apply(
            s, _as(teen), theater.id, shared=[held], message=None, now=now()
        )
        await definitions.remove_gate(s, boss.actor, theater.id)
    async with session_scope(sessionmaker) as s:
        (seen,) = await applications.applicants(s, boss.actor, theater.id, now=now())
        assert seen.application.id == sent.id and len(seen.shared) == 1
        # Once the shared badge has expired it is not shown as held any more.
        await s.execute(update(Assertion).where(Assertion.id == held).values(expires_at=now()))
        later = now() + timedelta(days=1)
        (seen,) = await applications.applicants(s, boss.actor, theater.id, now=later)
        assert seen.shared == []
        decided = await applications.decide(
            s,
            boss.actor,
            sent.id,
            ApplicationStatus.ACCEPTED,
            now=now(),
            public_url=settings.public_url,
        )
        assert decided.status == "accepted"
