"""Builders for the learner's stacks pages: two issuers' badges that make a stack, a
workshop near the learner that awards the missing one, an employer's internship gated by
the stack, and a learner who holds the first badge."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.db import session_scope
from server.models import BadgeClass, LearnerProfile, Opportunity, Stack, User
from server.stacks import definitions
from tests.accounts import people
from tests.badges.helpers import Issuer, badge_class, issuer
from tests.stacks.helpers import Employer, Sessions, award, employer, gated_listing, listing

# Near the listings the builders place (tests/builders.py OTHER_POINT, Hyde Park).
NEAR_ZIP = "60615"


@dataclass
class Pathway:
    museum: Issuer
    college: Issuer
    design: BadgeClass  # the learner holds it from the start
    html: BadgeClass  # the one missing, earned at `workshop`
    workshop: Opportunity
    boss: Employer
    stack: Stack
    internship: Opportunity
    learner: User
    first_award: uuid.UUID
    # A word only this test's listings have, to find them with a text search.
    word: str


async def pathway(sessionmaker: Sessions, *, learner_age: int = 15, **gate: Any) -> Pathway:
    """A 15-year-old near NEAR_ZIP holding Design Thinking of the two-badge "Web Design
    Pathway" stack that gates a Web design internship."""
    word = "zq" + secrets.token_hex(4)
    async with session_scope(sessionmaker) as s:
        museum, college = await issuer(s), await issuer(s)
        design = await badge_class(s, museum, name=f"Design Thinking {word}")
        workshop = await listing(
            s,
            college.organization,
            title=f"HTML from scratch {word}",
            kind="workshop",
            min_age=10,
            max_age=18,
        )
        html = await badge_class(
            s, college, name=f"Intro to HTML {word}", opportunity_ids=[workshop.id]
        )
        boss = await employer(s)
        stack = await definitions.create_stack(
            s,
            boss.actor,
            boss.organization.id,
            definitions.StackInput(
                name=f"Web Design Pathway {word}",
                rule={"all_of": [{"badge": design.id}, {"badge": html.id}]},
            ),
        )
        internship = await gated_listing(
            s,
            boss,
            None,
            stack_id=stack.id,
            title=f"Web design internship {word}",
            **gate,
        )
        learner = await people.learner(s, "Aurora", age=learner_age)
        profile = await s.get(LearnerProfile, learner.id)
        assert profile is not None
        profile.postal_code = NEAR_ZIP
        first = await award(s, museum, design, learner)
    return Pathway(
        museum, college, design, html, workshop, boss, stack, internship, learner, first, word
    )


async def earn_the_rest(
    session: AsyncSession, made: Pathway, user: User | None = None
) -> uuid.UUID:
    """The stack's last badge (Intro to HTML), for the learner or `user`."""
    return await award(session, made.college, made.html, user or made.learner)
