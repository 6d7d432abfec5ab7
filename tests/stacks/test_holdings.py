"""What counts as held: awards that are not revoked and not expired, with their class's
level and competencies, read from the real database and fed to a rule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.badges import awards
from server.db import session_scope
from server.models import Competency
from server.models.enums import AwardMethod
from server.stacks import holdings
from server.stacks.rules import evaluate, parse
from tests.accounts import people
from tests.badges.helpers import badge_class, issuer, now

Sessions = async_sessionmaker[AsyncSession]


async def test_revoked_and_expired_badges_do_not_count(sessionmaker: Sessions) -> None:
    start = now()
    async with session_scope(sessionmaker) as s:
        competency = (await s.scalars(select(Competency.id).limit(1))).one()
        team = await issuer(s)
        other = await issuer(s)  # badges from two issuers in one rule
        kept = await badge_class(s, team, name="Kept", level="skill")
        short = await badge_class(s, team, name="Short-lived", expires_after_days=1)
        taken = await badge_class(s, other, name="Taken back")
        aligned = await badge_class(
            s, other, name="Aligned", level="achievement", competency_ids=[competency]
        )
        learner = await people.learner(s)
        ids = {}
        for made, bc in ((team, kept), (team, short), (other, taken), (other, aligned)):
            done = await awards.award_many(
                s,
                made.staff_actor,
                made.organization.id,
                [awards.AwardRequest(bc.id, learner.email)],
                method=AwardMethod.API,
                now=start,
            )
            ids[bc.id] = done[0].assertion_id
        await awards.revoke(s, other.staff_actor, ids[taken.id], "mistake", now=start)
    async with sessionmaker() as s:
        today = await holdings.of_learner(s, learner.id, now=start)
        later = await holdings.of_learner(s, learner.id, now=start + timedelta(days=2))
        only = await holdings.of_learner(s, learner.id, now=start, badge_class_ids=[kept.id])
    assert {h.badge_class_id for h in today} == {kept.id, short.id, aligned.id}
    assert {h.badge_class_id for h in later} == {kept.id, aligned.id}
    assert [h.badge_class_id for h in only] == [kept.id]
    rule = parse(
        {
            "all_of": [
                {"badge": kept.id},
                {"any_of": [{"badge": taken.id}, {"level": "skill", "competency": competency}]},
            ]
        }
    )
    assert evaluate(rule, today).met  # the aligned achievement badge stands in for the revoked
    assert not evaluate(parse({"badge": taken.id}), today).met
    assert not evaluate(parse({"badge": short.id}), later).met
