"""Defining stacks, gates and equivalences: who may, what is checked, what the index holds."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from server.authz import Actor
from server.db import session_scope
from server.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from server.models import Competency, OpportunityGate, RuleTerm, Stack
from server.models.enums import ApiScope, StaffRole
from server.stacks import definitions
from tests.accounts import people
from tests.badges.helpers import badge_class, issuer
from tests.stacks.helpers import Sessions, employer, listing


async def _terms(s, **owner: int) -> set[tuple[int | None, int | None]]:  # type: ignore[no-untyped-def]
    column = RuleTerm.stack_id if "stack_id" in owner else RuleTerm.opportunity_id
    rows = await s.execute(
        select(RuleTerm.badge_class_id, RuleTerm.competency_id).where(
            column == next(iter(owner.values()))
        )
    )
    return {(b, c) for b, c in rows.all()}


async def test_stacks_are_checked_indexed_and_defined_by_managers_or_admins(
    sessionmaker: Sessions,
) -> None:
    async with session_scope(sessionmaker) as s:
        competency = (await s.scalars(select(Competency.id).order_by(Competency.id))).first()
        assert competency is not None
        city, museum = await issuer(s), await issuer(s)
        own = await badge_class(s, city, name="City summit", level="summit")
        theirs = await badge_class(s, museum, name="Museum explorer")
        rule = {
            "all_of": [
                {"badge": theirs.id},
                {"any_of": [{"badge": own.id}, {"level": "skill", "competency": competency}]},
            ]
        }
        data = definitions.StackInput(name="  Explorer  path ", rule=rule)
        stack = await definitions.create_stack(s, city.manager_actor, city.organization.id, data)
        assert stack.name == "Explorer path" and stack.rule == rule
        assert await _terms(s, stack_id=stack.id) == {
            (theirs.id, None),
            (own.id, None),
            (None, competency),
        }
        # Who may not: issuer-role staff, another organization's manager, tokens, learners.
        learner = await people.learner(s)
        token = city.token_actor(ApiScope.BADGES_ISSUE, ApiScope.GATED_WRITE)
        for stranger in (city.staff_actor, museum.manager_actor, token, Actor(user_id=learner.id)):
            with pytest.raises(Forbidden):
                await definitions.create_stack(s, stranger, city.organization.id, data)
            with pytest.raises(Forbidden):
                await definitions.update_stack(s, stranger, stack.id, data)
        # A network admin may, for any organization.
        admin = await people.person(s, "Ada", admin=True)
        made = await definitions.create_stack(
            s, Actor(user_id=admin.id, is_admin=True), museum.organization.id, data
        )
        assert made.organization_id == museum.organization.id
        # What is checked, with where.
        bad_rules = [
            ({"all_of": [{"badge": theirs.id}, {"badge": 99_999_999}]}, "no such badge class"),
            ({"level": "skill", "competency": 99_999}, "no such competency"),
            ({"all_of": [{"badge": theirs.id}, {"bagde": 1}]}, "rule.all_of[1]"),
            ({"at_least": 3, "of": [{"badge": own.id}]}, "can never be met"),
        ]
        for bad, says in bad_rules:
            with pytest.raises(InvalidInput) as caught:
                await definitions.create_stack(
                    s,
                    city.manager_actor,
                    city.organization.id,
                    definitions.StackInput(name="Bad", rule=bad),
                )
            assert says in caught.value.message and caught.value.field == "rule"
        with pytest.raises(InvalidInput) as caught:
            await definitions.create_stack(
                s,
                city.manager_actor,
                city.organization.id,
                definitions.StackInput(name="Bad", rule=rule, award_badge_class_id=theirs.id),
            )
        assert caught.value.field == "awardBadgeClassId"  # a stack awards its own org's badge
        with pytest.raises(InvalidInput):
            await definitions.create_stack(
                s,
                city.manager_actor,
                city.organization.id,
                definitions.StackInput(name=" ", rule=rule),
            )


async def test_gates_by_listing_managers_and_their_tokens_and_archiving_a_stack_in_use(
    sessionmaker: Sessions,
) -> None:
    async with session_scope(sessionmaker) as s:
        made = await issuer(s)
        key = await badge_class(s, made, name="Forklift safety")
        boss = await employer(s)
        other = await employer(s)
        internship = await listing(s, boss.organization)
        stack = await definitions.create_stack(
            s,
            made.manager_actor,
            made.organization.id,
            definitions.StackInput(name="Warehouse", rule={"badge": key.id}),
        )
        gate = await definitions.set_gate(
            s, boss.actor, internship.id, definitions.GateInput(stack_id=stack.id)
        )
        assert gate.stack_id == stack.id and gate.rule is None
        assert await _terms(s, opportunity_id=internship.id) == {(key.id, None)}
        # The organization's token with gated:write may; without it, or another org's, not.
        token, _ = await people.token(s, boss.organization, ApiScope.GATED_WRITE)
        by_token = Actor(
            token_id=token.id,
            token_organization_id=boss.organization.id,
            scopes=frozenset({ApiScope.GATED_WRITE}),
        )
        deadline = datetime.fromisoformat("2099-05-01T17:00:00-05:00")
        changed = await definitions.set_gate(
            s,
            by_token,
            internship.id,
            definitions.GateInput(
                rule={"any_of": [{"badge": key.id}]},
                preferred_badge_class_ids=[key.id, key.id],
                apply_by=deadline,
            ),
        )
        assert changed.rule == {"any_of": [{"badge": key.id}]} and changed.stack_id is None
        assert changed.preferred_badge_class_ids == [key.id] and changed.apply_by == deadline
        no_scope = Actor(
            token_id=token.id,
            token_organization_id=boss.organization.id,
            scopes=frozenset({ApiScope.LISTINGS_WRITE}),
        )
        issuer_role = Actor(user_id=boss.manager.id, roles={boss.organization.id: StaffRole.ISSUER})
        for stranger in (no_scope, other.actor, issuer_role, made.manager_actor):
            with pytest.raises(Forbidden):
                await definitions.set_gate(
                    s, stranger, internship.id, definitions.GateInput(stack_id=stack.id)
                )
            with pytest.raises(Forbidden):
                await definitions.remove_gate(s, stranger, internship.id)
        for bad, field in (
            (definitions.GateInput(), "rule"),
            (definitions.GateInput(stack_id=stack.id, rule={"badge": key.id}), "rule"),
            (definitions.GateInput(rule={"badge": key.id}, preferred_badge_class_ids=[0]), None),
            (
                definitions.GateInput(rule={"badge": key.id}, apply_by=datetime(2099, 5, 1, 17, 0)),
                "applyBy",
            ),
        ):
            with pytest.raises(DomainError) as caught:
                await definitions.set_gate(s, boss.actor, internship.id, bad)
            if field:
                assert caught.value.field == field
        with pytest.raises(NotFound):
            await definitions.set_gate(
                s, boss.actor, 99_999_999, definitions.GateInput(stack_id=stack.id)
            )
        # A stack gating a listing is not archived from under it.
        await definitions.set_gate(
            s, boss.actor, internship.id, definitions.GateInput(stack_id=stack.id)
        )
        with pytest.raises(Conflict) as caught:
            await definitions.archive_stack(s, made.manager_actor, stack.id)
        assert caught.value.code == "STACK_IN_USE"
        await definitions.remove_gate(s, boss.actor, internship.id)
        assert await s.get(OpportunityGate, internship.id) is None
        assert await _terms(s, opportunity_id=internship.id) == set()
        archived = await definitions.archive_stack(s, made.manager_actor, stack.id)
        assert archived.status == "archived" and await _terms(s, stack_id=stack.id) == set()
        with pytest.raises(InvalidInput):  # nothing new is built on an archived stack
            await definitions.set_gate(
                s, boss.actor, internship.id, definitions.GateInput(stack_id=stack.id)
            )


async def test_equivalences_by_admins_or_the_stacks_owners(sessionmaker: Sessions) -> None:
    async with session_scope(sessionmaker) as s:
        made, stranger = await issuer(s), await issuer(s)
        first_aid = await badge_class(s, made, name="First aid")
        await definitions.create_stack(
            s,
            made.manager_actor,
            made.organization.id,
            definitions.StackInput(name="Care", rule={"badge": first_aid.id}),
        )
        elsewhere = "https://elsewhere.example/badges/first-aid"
        row = await definitions.add_equivalence(
            s, made.manager_actor, first_aid.id, achievement_id=elsewhere
        )
        assert row.achievement_id == elsewhere and row.criteria_url is None
        with pytest.raises(Conflict):
            await definitions.add_equivalence(
                s, made.manager_actor, first_aid.id, achievement_id=elsewhere
            )
        for nobody in (stranger.manager_actor, made.staff_actor, made.token_actor()):
            with pytest.raises(Forbidden):
                await definitions.add_equivalence(
                    s, nobody, first_aid.id, criteria_url="https://elsewhere.example/criteria"
                )
        admin = await people.person(s, "Ada", admin=True)
        by_admin = await definitions.add_equivalence(
            s,
            Actor(user_id=admin.id, is_admin=True),
            first_aid.id,
            criteria_url="https://elsewhere.example/criteria",
        )
        assert by_admin.criteria_url == "https://elsewhere.example/criteria"
        for bad in ({}, {"achievement_id": "a b"}, {"criteria_url": "javascript:alert(1)"}):
            with pytest.raises(InvalidInput):
                await definitions.add_equivalence(s, made.manager_actor, first_aid.id, **bad)
        stacks = list(
            await s.scalars(select(Stack).where(Stack.organization_id == made.organization.id))
        )
        assert len(stacks) == 1
