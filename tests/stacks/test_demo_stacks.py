"""The demo city's stack and gated job shadow: made once, started by Theo."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from server.db import session_scope
from server.demo import badges as demo_badges
from server.demo import people as demo_people
from server.demo import stacks as demo_stacks
from server.models import Opportunity, Stack, User
from server.stacks import progress
from tests.stacks.helpers import Sessions


async def test_the_demo_stack_and_job_shadow_are_made_once(sessionmaker: Sessions) -> None:
    now = datetime.now(UTC)
    async with session_scope(sessionmaker) as s:
        await demo_people.ensure(s)
        await demo_badges.ensure(s, now=now)
    for _ in range(2):
        async with session_scope(sessionmaker) as s:
            assert await demo_stacks.ensure(s, now=now) == demo_stacks.SHADOW_TITLE
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).where(Stack.name == "Invention pathway")) == 1
        shadow = (
            await s.scalars(
                select(Opportunity).where(Opportunity.title == demo_stacks.SHADOW_TITLE)
            )
        ).one()
        theo = (await s.scalars(select(User).where(User.email == "teen@demo.citylearn.test"))).one()
        stacks, gates = await progress.started(s, theo.id, now=now)
        assert [
            (p.name, [b.name for b in p.held], [m.badge.name for m in p.missing]) for p in stacks
        ] == [("Invention pathway", ["Curious Explorer"], ["Young Maker"])]
        assert [p.name for p in gates] == [demo_stacks.SHADOW_TITLE]
        views = await progress.gate_views(s, [shadow.id], viewer_id=theo.id, now=now)
        assert views[shadow.id].locked and views[shadow.id].stack_name == "Invention pathway"
