"""What a learner sees: stacks and gates started (held, missing, where to earn the missing
badge nearest first), the next best badge, and gates as search shows them."""

from __future__ import annotations

from server.db import session_scope
from server.models import OpportunityBadgeClass
from server.settings import Settings
from server.stacks import definitions, progress
from tests import builders
from tests.accounts import people
from tests.badges.helpers import badge_class, issuer, now
from tests.stacks.helpers import Sessions, award, drain, employer, gated_listing, listing


async def test_started_stacks_next_best_badge_and_gate_views(
    sessionmaker: Sessions, settings: Settings
) -> None:
    async with session_scope(sessionmaker) as s:
        museum, library = await issuer(s), await issuer(s)
        sketch = await badge_class(s, museum, name="Sketching")
        color = await badge_class(s, museum, name="Color theory")
        print_ = await badge_class(s, library, name="Printmaking")
        unrelated = await badge_class(s, library, name="Chess")
        art = await definitions.create_stack(
            s,
            museum.manager_actor,
            museum.organization.id,
            definitions.StackInput(
                name="Young artist",
                rule={"all_of": [{"badge": sketch.id}, {"badge": color.id}, {"badge": print_.id}]},
            ),
        )
        await definitions.create_stack(
            s,
            library.manager_actor,
            library.organization.id,
            definitions.StackInput(name="Chess club", rule={"badge": unrelated.id}),
        )
        boss = await employer(s)
        studio = await gated_listing(
            s,
            boss,
            {"all_of": [{"badge": sketch.id}, {"badge": color.id}]},
            title="Design studio internship",
        )
        # Two listings award Color theory: near the learner and far away.
        near_listing = await listing(
            s, museum.organization, title="Color lab nearby", kind="workshop"
        )
        far_place = await builders.create_place(
            s, museum.organization, builders.GeoPoint(42.05, -87.68), name="Far museum"
        )
        far_listing = await builders.create_opportunity(
            s,
            museum.organization,
            far_place,
            builders.GeoPoint(42.05, -87.68),
            title="Color lab far away",
        )
        for o in (near_listing, far_listing):
            s.add(OpportunityBadgeClass(opportunity_id=o.id, badge_class_id=color.id))
        learner = await people.learner(s)
        outsider = await people.learner(s, "Out")
        await award(s, museum, sketch, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        stacks, gates = await progress.started(s, learner.id, now=now(), near=builders.OTHER_POINT)
        assert [p.name for p in stacks] == ["Young artist"]  # chess not started
        young = stacks[0]
        assert young.target.stack is not None and young.target.stack.id == art.id
        assert [b.name for b in young.held] == ["Sketching"]
        assert [m.badge.name for m in young.missing] == ["Color theory", "Printmaking"]
        color_places = young.missing[0].places
        assert [p.title for p in color_places] == ["Color lab nearby", "Color lab far away"]
        assert [p.name for p in gates] == ["Design studio internship"]
        assert not gates[0].outcome.met
        # Color theory completes the internship's rule and advances the stack: best next.
        best = await progress.next_best(s, learner.id, now=now(), near=builders.OTHER_POINT)
        assert best[0].badge.name == "Color theory"
        assert (best[0].completes, best[0].advances) == (1, 1)
        assert best[0].helps == ["Design studio internship", "Young artist"]
        assert best[0].places[0].title == "Color lab nearby"
        assert [b.badge.name for b in best][1:] == ["Printmaking"]
        views = await progress.gate_views(
            s, [studio.id, near_listing.id], viewer_id=learner.id, now=now()
        )
        assert set(views) == {studio.id}  # ungated listings are left out
        view = views[studio.id]
        assert view.locked and {b.name for b in view.badges.values()} == {
            "Sketching",
            "Color theory",
        }
        anonymous = await progress.gate_views(s, [studio.id], viewer_id=None, now=now())
        assert anonymous[studio.id].met is None and anonymous[studio.id].locked
        assert await progress.started(s, outsider.id, now=now()) == ([], [])
        assert await progress.next_best(s, outsider.id, now=now()) == []
    async with session_scope(sessionmaker) as s:
        await award(s, museum, color, learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        views = await progress.gate_views(s, [studio.id], viewer_id=learner.id, now=now())
        assert not views[studio.id].locked and views[studio.id].unlock is not None
        unlocks = await progress.unlocks_of(s, learner.id)
        assert [o.title for _, o in unlocks] == ["Design studio internship"]
        stacks, gates = await progress.started(s, learner.id, now=now())
        assert [m.badge.name for m in stacks[0].missing] == ["Printmaking"]
        assert gates[0].outcome.met
