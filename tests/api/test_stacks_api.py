"""Stacks, gates and applications through real HTTP GraphQL calls: stacks and gated
listings made through the API (by a manager, by a token with gated:write), rule errors
that say where, a learner's progress after awards (the outbox drained as the worker
would), LOCKED until the badges are held, employers seeing only what was shared, and
capacity on acceptance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from strawberry import relay

from server.db import session_scope
from server.models import BadgeClass, User
from server.models.enums import ApiScope
from server.settings import Settings
from tests.accounts import people
from tests.accounts.people import ANONYMOUS, Caller
from tests.badges.helpers import Issuer, badge_class, issuer
from tests.sql_count import count_statements
from tests.stacks.helpers import Employer, Sessions, award, drain, employer, gated_listing, listing


def gid(type_name: str, value: int) -> str:
    return str(relay.GlobalID(type_name, str(value)))


def award_id(assertion_id: object) -> str:
    return str(relay.GlobalID("Award", str(assertion_id)))


STACK_CREATE = """
mutation($org: ID!, $input: StackInput!) {
  stackCreate(organizationId: $org, input: $input) {
    stack { id name rule status organization { name } awardBadgeClass { name } }
    errors { field message code }
  }
}
"""

GATE_SET = """
mutation($id: ID!, $input: GateInput!) {
  gateSet(opportunityId: $id, input: $input) {
    gate { stackName locked whatItTakes { name issuer } preferredBadges { name }
           stack { name } }
    errors { field message code }
  }
}
"""

GATE_OF = """
query($id: ID!) {
  opportunity(id: $id) {
    title
    gate { rule stackName locked unlockedAt applicationStatus
           whatItTakes { id name issuer } levels { competency level } stack { name } }
  }
}
"""

MY_STACKS = """
{
  myStacks {
    stacks { name met completedAt held { name issuer }
             missing { badge { name issuer } places { title } } stack { name } }
    gates { name met opportunityId held { name } missing { badge { name } } }
  }
}
"""

APPLY = """
mutation($id: ID!, $shared: [ID!], $message: String) {
  applicationSubmit(opportunityId: $id, sharedAssertionIds: $shared, message: $message) {
    application { id status title sharedBadges { name issuer } }
    errors { field message code }
  }
}
"""

APPLICANTS = """
query($id: ID!) {
  gateApplicants(opportunityId: $id) {
    displayName ruleMet preferredCount
    sharedBadges { name issuer preferred awardId }
    application { id status message }
  }
}
"""

DECIDE = """
mutation($id: ID!, $status: ApplicationDecision!) {
  applicationDecide(applicationId: $id, status: $status) {
    application { status decidedAt }
    errors { field message code }
  }
}
"""


@dataclass
class Scene:
    """Two issuers' badges, an employer with a signed-in manager, a learner signed in."""

    museum: Issuer
    college: Issuer
    design: BadgeClass
    html: BadgeClass
    boss: Employer
    manager: Caller
    learner: User
    learner_caller: Caller


async def scene(sessionmaker: Sessions, settings: Settings) -> Scene:
    async with session_scope(sessionmaker) as s:
        museum, college = await issuer(s), await issuer(s)
        design = await badge_class(s, museum, name=people.unique("Design Thinking"))
        # The college teaches HTML at a listing of its own: where to earn it.
        course = await listing(s, college.organization, title="Intro to HTML night class")
        html = await badge_class(
            s, college, name=people.unique("Intro to HTML"), opportunity_ids=[course.id]
        )
        boss = await employer(s)
        manager = await people.signed_in(s, boss.manager, settings)
        learner = await people.learner(s, "Aurora", age=16)
        learner_caller = await people.signed_in(s, learner, settings)
    return Scene(museum, college, design, html, boss, manager, learner, learner_caller)


def both(scene: Scene) -> dict[str, Any]:
    return {"all_of": [{"badge": scene.design.id}, {"badge": scene.html.id}]}


def data(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][name]
    return result


async def test_a_stack_and_a_gated_listing_made_through_the_api(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    org = made.boss.organization
    body = await made.manager.call(
        client,
        STACK_CREATE,
        {
            "org": gid("Organization", org.id),
            "input": {
                "name": "  Web   designer ",
                "description": "Two badges",
                "rule": json.dumps(both(made)),
            },
        },
    )
    created = data(body, "stackCreate")
    assert created["errors"] == []
    stack = created["stack"]
    assert stack["name"] == "Web designer"
    assert stack["rule"] == both(made)
    assert stack["status"] == "ACTIVE"
    assert stack["organization"]["name"] == org.name
    assert stack["awardBadgeClass"] is None

    # The employer's system pushes a listing and gates it with the stack.
    async with session_scope(sessionmaker) as s:
        _, secret = await people.token(s, org, ApiScope.LISTINGS_WRITE, ApiScope.GATED_WRITE)
    system = people.bearer(secret, "the employer's system")
    pushed = await system.call(
        client,
        "mutation($org: ID!) { opportunitiesUpsert(organizationId: $org, listings: "
        '[{externalId: "web-intern", title: "Web design internship", kind: INTERNSHIP, '
        "delivery: ONLINE, minAge: 14, maxAge: 24}]) "
        "{ results { opportunityId } errors { code } } }",
        {"org": gid("Organization", org.id)},
    )
    opportunity_id = data(pushed, "opportunitiesUpsert")["results"][0]["opportunityId"]
    gated = await system.call(
        client,
        GATE_SET,
        {
            "id": opportunity_id,
            "input": {
                "stackId": stack["id"],
                "preferredBadgeClassIds": [gid("BadgeClass", made.design.id)],
            },
        },
    )
    gate = data(gated, "gateSet")
    assert gate["errors"] == []
    assert gate["gate"]["stackName"] == "Web designer"
    assert gate["gate"]["stack"] == {"name": "Web designer"}
    assert gate["gate"]["preferredBadges"] == [{"name": made.design.name}]
    assert sorted(b["issuer"] for b in gate["gate"]["whatItTakes"]) == sorted(
        [made.museum.organization.name, made.college.organization.name]
    )

    # Anyone sees what it takes; it is locked for them.
    seen = data(await ANONYMOUS.call(client, GATE_OF, {"id": opportunity_id}), "opportunity")
    assert seen["title"] == "Web design internship"
    assert seen["gate"]["locked"] is True
    assert seen["gate"]["rule"] == both(made)
    assert {b["name"] for b in seen["gate"]["whatItTakes"]} == {made.design.name, made.html.name}
    assert seen["gate"]["applicationStatus"] is None

    # Removing the gate opens the listing to everyone.
    removed = await system.call(
        client,
        "mutation($id: ID!) { gateRemove(opportunityId: $id) { opportunityId errors { code } } }",
        {"id": opportunity_id},
    )
    assert data(removed, "gateRemove") == {"opportunityId": opportunity_id, "errors": []}
    seen = data(await ANONYMOUS.call(client, GATE_OF, {"id": opportunity_id}), "opportunity")
    assert seen["gate"] is None


async def test_bad_rules_and_ids_are_errors_that_say_where(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    org = gid("Organization", made.boss.organization.id)

    async def create(rule: Any, **extra: Any) -> list[dict[str, Any]]:
        body = await made.manager.call(
            client,
            STACK_CREATE,
            {"org": org, "input": {"name": "Broken", "rule": json.dumps(rule), **extra}},
        )
        result = data(body, "stackCreate")
        assert result["stack"] is None
        errors: list[dict[str, Any]] = result["errors"]
        return errors

    assert await create({"all_of": [{"badge": made.design.id}, {"any_of": []}]}) == [
        {
            "field": "rule",
            "message": "rule.all_of[1].any_of: needs a list of at least one rule",
            "code": "BAD_USER_INPUT",
        }
    ]
    (error,) = await create({"at_least": 3, "of": [{"badge": made.design.id}]})
    assert error["message"] == "rule: at_least 3 of only 1 rules can never be met"
    (error,) = await create({"all_of": [{"badge": made.design.id}, {"badge": 987_654_321}]})
    assert error == {
        "field": "rule",
        "message": "rule: no such badge class: 987654321",
        "code": "BAD_USER_INPUT",
    }
    (error,) = await create("badge 12")
    assert error["field"] == "rule" and error["message"].startswith("rule: each rule is an object")
    (error,) = await create({"badge": made.design.id}, awardBadgeClassId=gid("Stack", 1))
    assert error == {
        "field": "awardBadgeClassId",
        "message": "not a valid BadgeClass id",
        "code": "BAD_USER_INPUT",
    }
    # Another organization's badge cannot be the one a stack awards.
    (error,) = await create(
        {"badge": made.design.id}, awardBadgeClassId=gid("BadgeClass", made.design.id)
    )
    assert error["field"] == "awardBadgeClassId"

    async with session_scope(sessionmaker) as s:
        target = await listing(s, made.boss.organization)
    listing_id = gid("Opportunity", target.id)
    design = json.dumps({"badge": made.design.id})
    for gate_input, field, code in (
        ({}, "rule", "BAD_USER_INPUT"),  # neither a stack nor a rule
        ({"stackId": gid("Stack", 1), "rule": '{"badge": 1}'}, "rule", "BAD_USER_INPUT"),
        ({"stackId": gid("Stack", 987_654_321)}, "stackId", "NOT_FOUND"),
        ({"stackId": gid("BadgeClass", 1)}, "stackId", "BAD_USER_INPUT"),
        ({"rule": '{"any_of": [{"level": "expert", "competency": 1}]}'}, "rule", "BAD_USER_INPUT"),
        ({"rule": '{"badge": '}, "rule", "BAD_USER_INPUT"),
        (
            {"rule": design, "preferredBadgeClassIds": [gid("Stack", 1)]},
            "preferredBadgeClassIds",
            "BAD_USER_INPUT",
        ),
        (
            {"rule": design, "applyBy": "2030-01-01T10:00:00"},
            "applyBy",
            "BAD_USER_INPUT",
        ),
    ):
        body = await made.manager.call(client, GATE_SET, {"id": listing_id, "input": gate_input})
        result = data(body, "gateSet")
        assert result["gate"] is None, gate_input
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)], body
    body = await made.manager.call(
        client, GATE_SET, {"id": listing_id, "input": {"rule": '{"any_of": [{"level": "expert"}]}'}}
    )
    assert data(body, "gateSet")["errors"][0]["message"].startswith("rule.any_of[0]: ")
    # A listing that does not exist: NOT_FOUND before anything else.
    body = await made.manager.call(
        client, GATE_SET, {"id": gid("Opportunity", 987_654_321), "input": {"rule": '{"badge": 1}'}}
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_token_gates_listings_only_with_the_gated_scope(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        target = await listing(s, made.boss.organization, title="Paid internship")
        _, gating = await people.token(s, made.boss.organization, ApiScope.GATED_WRITE)
        _, listings_only = await people.token(s, made.boss.organization, ApiScope.LISTINGS_WRITE)
    variables = {"id": gid("Opportunity", target.id), "input": {"rule": json.dumps(both(made))}}

    refused = await people.bearer(listings_only).call(client, GATE_SET, variables)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "gated:write" in refused["errors"][0]["message"]
    seen = await ANONYMOUS.call(client, GATE_OF, {"id": gid("Opportunity", target.id)})
    assert data(seen, "opportunity")["gate"] is None

    done = data(await people.bearer(gating).call(client, GATE_SET, variables), "gateSet")
    assert done["errors"] == []
    assert done["gate"]["locked"] is True  # a token holds no badges
    assert done["gate"]["stackName"] is None and done["gate"]["stack"] is None
    seen = await ANONYMOUS.call(client, GATE_OF, {"id": gid("Opportunity", target.id)})
    assert data(seen, "opportunity")["gate"]["rule"] == both(made)


async def test_my_stacks_show_what_is_held_and_what_is_missing(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    body = await made.manager.call(
        client,
        STACK_CREATE,
        {
            "org": gid("Organization", made.boss.organization.id),
            "input": {"name": people.unique("Web designer"), "rule": json.dumps(both(made))},
        },
    )
    stack_name = data(body, "stackCreate")["stack"]["name"]
    async with session_scope(sessionmaker) as s:
        shadow = await gated_listing(s, made.boss, both(made), title="Job shadow: web designer")
    empty = data(await made.learner_caller.call(client, MY_STACKS), "myStacks")
    assert empty == {"stacks": [], "gates": []}  # nothing started yet

    async with session_scope(sessionmaker) as s:
        await award(s, made.museum, made.design, made.learner)
    await drain(sessionmaker, settings)

    mine = data(await made.learner_caller.call(client, MY_STACKS), "myStacks")
    (progress,) = mine["stacks"]
    assert progress["name"] == stack_name and progress["stack"] == {"name": stack_name}
    assert progress["met"] is False and progress["completedAt"] is None
    assert progress["held"] == [{"name": made.design.name, "issuer": made.museum.organization.name}]
    assert progress["missing"] == [
        {
            "badge": {"name": made.html.name, "issuer": made.college.organization.name},
            "places": [{"title": "Intro to HTML night class"}],
        }
    ]
    (gate,) = mine["gates"]
    assert gate["name"] == "Job shadow: web designer"
    assert gate["opportunityId"] == gid("Opportunity", shadow.id)
    assert gate["held"] == [{"name": made.design.name}]
    assert gate["missing"] == [{"badge": {"name": made.html.name}}]

    suggestions = await made.learner_caller.call(
        client, "{ nextBestBadges { badge { name } completes advances helps places { title } } }"
    )
    (best,) = data(suggestions, "nextBestBadges")
    assert best["badge"] == {"name": made.html.name}
    assert best["completes"] == 2  # the stack and the gate
    assert sorted(best["helps"]) == sorted([stack_name, "Job shadow: web designer"])
    assert best["places"] == [{"title": "Intro to HTML night class"}]

    # The last badge completes both.
    async with session_scope(sessionmaker) as s:
        await award(s, made.college, made.html, made.learner)
    await drain(sessionmaker, settings)
    mine = data(await made.learner_caller.call(client, MY_STACKS), "myStacks")
    assert [(p["met"], p["missing"]) for p in mine["stacks"]] == [(True, [])]
    assert mine["stacks"][0]["completedAt"] is not None
    assert [(g["met"], len(g["held"])) for g in mine["gates"]] == [(True, 2)]
    done = await made.learner_caller.call(client, "{ nextBestBadges { completes } }")
    assert data(done, "nextBestBadges") == []
    bad = await made.learner_caller.call(client, "{ nextBestBadges(first: 0) { completes } }")
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_applying_is_locked_until_the_badges_are_held(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        shadow = await gated_listing(s, made.boss, both(made), title="Job shadow: UX")
        design = await award(s, made.museum, made.design, made.learner)
    await drain(sessionmaker, settings)
    shadow_id = gid("Opportunity", shadow.id)

    locked = await made.learner_caller.call(client, APPLY, {"id": shadow_id})
    assert locked["data"] is None
    (error,) = locked["errors"]
    assert error["extensions"] == {"code": "LOCKED", "field": "opportunityId"}
    seen = data(await made.learner_caller.call(client, GATE_OF, {"id": shadow_id}), "opportunity")
    assert seen["gate"]["locked"] is True and seen["gate"]["unlockedAt"] is None
    none = await made.learner_caller.call(client, "{ myUnlocks { title } }")
    assert data(none, "myUnlocks") == []

    async with session_scope(sessionmaker) as s:
        await award(s, made.college, made.html, made.learner)
    await drain(sessionmaker, settings)
    unlocks = data(
        await made.learner_caller.call(
            client, "{ myUnlocks { title opportunityId relockedAt opportunity { title } } }"
        ),
        "myUnlocks",
    )
    assert unlocks == [
        {
            "title": "Job shadow: UX",
            "opportunityId": shadow_id,
            "relockedAt": None,
            "opportunity": {"title": "Job shadow: UX"},
        }
    ]
    seen = data(await made.learner_caller.call(client, GATE_OF, {"id": shadow_id}), "opportunity")
    assert seen["gate"]["locked"] is False and seen["gate"]["unlockedAt"] is not None

    # Someone else's award cannot be shared.
    async with session_scope(sessionmaker) as s:
        other = await people.learner(s, "Bo", age=17)
        theirs = await award(s, made.museum, made.design, other)
    body = await made.learner_caller.call(
        client, APPLY, {"id": shadow_id, "shared": [award_id(theirs)]}
    )
    assert data(body, "applicationSubmit")["errors"][0]["field"] == "sharedAssertionIds"
    body = await made.learner_caller.call(client, APPLY, {"id": shadow_id, "shared": [shadow_id]})
    assert data(body, "applicationSubmit")["errors"] == [
        {"field": "sharedAssertionIds", "message": "not a valid Award id", "code": "BAD_USER_INPUT"}
    ]

    body = await made.learner_caller.call(
        client, APPLY, {"id": shadow_id, "shared": [award_id(design)], "message": "Hi!"}
    )
    applied = data(body, "applicationSubmit")
    assert applied["errors"] == []
    assert applied["application"]["status"] == "SUBMITTED"
    assert applied["application"]["title"] == "Job shadow: UX"
    assert applied["application"]["sharedBadges"] == [
        {"name": made.design.name, "issuer": made.museum.organization.name}
    ]
    again = await made.learner_caller.call(client, APPLY, {"id": shadow_id})
    assert [e["code"] for e in data(again, "applicationSubmit")["errors"]] == ["ALREADY_APPLIED"]
    seen = data(await made.learner_caller.call(client, GATE_OF, {"id": shadow_id}), "opportunity")
    assert seen["gate"]["applicationStatus"] == "SUBMITTED"
    mine = data(
        await made.learner_caller.call(client, "{ myApplications { title status message } }"),
        "myApplications",
    )
    assert mine == [{"title": "Job shadow: UX", "status": "SUBMITTED", "message": "Hi!"}]

    withdrawn = await made.learner_caller.call(
        client,
        "mutation($id: ID!) { applicationWithdraw(applicationId: $id) "
        "{ application { status sharedBadges { name } } errors { code } } }",
        {"id": applied["application"]["id"]},
    )
    assert data(withdrawn, "applicationWithdraw") == {
        "application": {"status": "WITHDRAWN", "sharedBadges": []},
        "errors": [],
    }


async def test_employers_see_only_the_badges_shared(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        extra = await badge_class(s, made.museum, name=people.unique("Bike Mechanic"))
        shadow = await gated_listing(
            s,
            made.boss,
            {"any_of": [{"badge": made.design.id}, {"badge": made.html.id}]},
            title="Job shadow: design studio",
            preferred_badge_class_ids=[made.html.id],
        )
        design = await award(s, made.museum, made.design, made.learner)
        await award(s, made.museum, extra, made.learner)  # held, never shared
        second = await people.learner(s, "Cy", age=17)
        second_caller = await people.signed_in(s, second, settings)
        html = await award(s, made.college, made.html, second)
    shadow_id = gid("Opportunity", shadow.id)
    first = await made.learner_caller.call(
        client, APPLY, {"id": shadow_id, "shared": [award_id(design)], "message": "Hello"}
    )
    assert data(first, "applicationSubmit")["errors"] == []
    later = await second_caller.call(client, APPLY, {"id": shadow_id, "shared": [award_id(html)]})
    assert data(later, "applicationSubmit")["errors"] == []

    ranked = await made.manager.call(client, APPLICANTS, {"id": shadow_id})
    applicants = data(ranked, "gateApplicants")
    # The one who shared a preferred badge ranks first, though they applied later.
    assert [a["displayName"] for a in applicants] == ["Cy", "Aurora"]
    cy, aurora = applicants
    assert cy["preferredCount"] == 1 and cy["ruleMet"] is True
    assert cy["sharedBadges"] == [
        {
            "name": made.html.name,
            "issuer": made.college.organization.name,
            "preferred": True,
            "awardId": award_id(html),
        }
    ]
    assert aurora["preferredCount"] == 0
    assert [b["name"] for b in aurora["sharedBadges"]] == [made.design.name]  # not the extra
    assert aurora["application"]["message"] == "Hello"
    assert aurora["application"]["status"] == "SUBMITTED"

    page = await made.manager.call(
        client,
        "query($id: ID!) { gateApplicants(opportunityId: $id, first: 1, offset: 1) "
        "{ displayName } }",
        {"id": shadow_id},
    )
    assert data(page, "gateApplicants") == [{"displayName": "Aurora"}]
    bad = await made.manager.call(
        client,
        "query($id: ID!) { gateApplicants(opportunityId: $id, offset: -1) { displayName } }",
        {"id": shadow_id},
    )
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "offset"}
    # Another employer's manager sees nothing of them.
    async with session_scope(sessionmaker) as s:
        rival = await employer(s)
        rival_caller = await people.signed_in(s, rival.manager, settings)
    refused = await rival_caller.call(client, APPLICANTS, {"id": shadow_id})
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_accepting_stops_at_the_listing_capacity(
    client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    async with session_scope(sessionmaker) as s:
        shadow = await gated_listing(
            s, made.boss, {"badge": made.design.id}, title="One-seat shadow", capacity=1
        )
        callers = []
        for name in ("Dee", "Eli"):
            learner = await people.learner(s, name, age=16)
            await award(s, made.museum, made.design, learner)
            callers.append(await people.signed_in(s, learner, settings))
    ids = []
    for caller in callers:
        body = await caller.call(client, APPLY, {"id": gid("Opportunity", shadow.id)})
        ids.append(data(body, "applicationSubmit")["application"]["id"])

    accepted = await made.manager.call(client, DECIDE, {"id": ids[0], "status": "ACCEPTED"})
    assert data(accepted, "applicationDecide")["application"]["status"] == "ACCEPTED"
    full = data(
        await made.manager.call(client, DECIDE, {"id": ids[1], "status": "ACCEPTED"}),
        "applicationDecide",
    )
    assert full["application"] is None
    assert [(e["field"], e["code"]) for e in full["errors"]] == [("status", "FULL")]
    waitlisted = await made.manager.call(client, DECIDE, {"id": ids[1], "status": "WAITLISTED"})
    assert data(waitlisted, "applicationDecide")["application"]["status"] == "WAITLISTED"
    # Accepting the same one again is no second seat.
    again = await made.manager.call(client, DECIDE, {"id": ids[0], "status": "ACCEPTED"})
    assert data(again, "applicationDecide")["errors"] == []
    # An application id that does not exist is refused before any lookup of it.
    missing = await made.manager.call(
        client, DECIDE, {"id": gid("Application", 987_654_321), "status": "DECLINED"}
    )
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_gates_on_a_page_of_listings_cost_the_same_reads_for_any_number(
    app: Starlette, client: httpx.AsyncClient, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await scene(sessionmaker, settings)
    page = """
    query($org: [String!]) {
      opportunities(filter: {organizations: $org}, first: 20) {
        edges { node { title gate { locked whatItTakes { name } preferredBadges { name }
                                    stack { name } } } }
      }
    }
    """

    async def reads_for(count: int) -> int:
        async with session_scope(sessionmaker) as s:
            boss = await employer(s)
            learner = await people.signed_in(s, made.learner, settings)
            for i in range(count):
                await gated_listing(s, boss, both(made), title=f"Gated {i}")
        with count_statements(app) as statements:
            body = await learner.call(client, page, {"org": [boss.organization.slug]})
        edges = data(body, "opportunities")["edges"]
        assert len(edges) == count
        assert all(e["node"]["gate"]["locked"] for e in edges)
        return len(statements)

    assert await reads_for(2) == await reads_for(6)
