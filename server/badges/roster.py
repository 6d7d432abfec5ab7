"""Roster awards: staff paste or upload a list of learners' emails and award a badge
class to all of them at once, after a preview that says what will happen to each line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import people
from server.authz import Actor, require_org_role
from server.badges import awards, classes
from server.errors import InvalidInput
from server.models import Assertion, ClaimCode, Opportunity, User
from server.models.enums import AwardMethod, StaffRole

MAX_LINES = awards.BULK_LIMIT
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class RosterLine:
    line: int
    email: str
    # "award" (has an account), "invite" (awarded; theirs once they sign up),
    # "already" (holds it: skipped), "duplicate" (listed twice: skipped), "invalid"
    outcome: str
    message: str | None = None

    @property
    def awarded(self) -> bool:
        return self.outcome in ("award", "invite")


@dataclass(frozen=True)
class Event:
    opportunity_id: int
    title: str
    participants: int


async def events(session: AsyncSession, organization_id: int) -> list[Event]:
    """The organization's listings where learners checked in with a claim code: their
    participants, as far as the network knows them."""
    rows = await session.execute(
        select(Opportunity.id, Opportunity.title, func.count(distinct(Assertion.recipient_email)))
        .join(ClaimCode, ClaimCode.opportunity_id == Opportunity.id)
        .join(Assertion, Assertion.claim_code_id == ClaimCode.id)
        .where(Opportunity.organization_id == organization_id)
        .group_by(Opportunity.id, Opportunity.title)
        .order_by(Opportunity.title, Opportunity.id)
    )
    return [Event(o_id, title, count) for o_id, title, count in rows.all()]


async def participants(
    session: AsyncSession, actor: Actor, organization_id: int, opportunity_id: int
) -> list[str]:
    """The emails of everyone who claimed a badge with a code shown at the listing."""
    require_org_role(actor, organization_id, StaffRole.ISSUER)
    owner = await session.scalar(
        select(Opportunity.organization_id).where(Opportunity.id == opportunity_id)
    )
    if owner != organization_id:
        raise InvalidInput("choose one of this organization's listings", field="event")
    found = await session.scalars(
        select(Assertion.recipient_email)
        .distinct()
        .join(ClaimCode, ClaimCode.id == Assertion.claim_code_id)
        .where(ClaimCode.opportunity_id == opportunity_id, Assertion.revoked_at.is_(None))
        .order_by(Assertion.recipient_email)
    )
    return list(found)


def parse_emails(text: str) -> list[tuple[int, str]]:
    """(line number, email) from pasted text or an uploaded CSV: one or more per line,
    separated by commas, semicolons or spaces; other words (names) are ignored. A line
    with no email at all comes back whole, to be reported, except a first (header) line."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = [w.strip("<>\"'()") for w in _SPLIT.split(line) if w.strip("<>\"'()")]
        emails = [w for w in words if "@" in w]
        found.extend((number, email) for email in emails)
        if words and not emails and number > 1:
            found.append((number, line.strip()[:200]))
    return found


async def preview(
    session: AsyncSession, actor: Actor, badge_class_id: int, text: str
) -> list[RosterLine]:
    """What awarding to these emails would do; stores nothing."""
    badge_class = await classes.get(session, badge_class_id)
    require_org_role(actor, badge_class.organization_id, StaffRole.ISSUER)
    classes.require_issuing(await classes.issuer(session, badge_class.organization_id))
    if AwardMethod.ROSTER.value not in badge_class.earning:
        raise InvalidInput("this badge class is not awarded by roster", field="badgeClassId")
    entries = parse_emails(text)
    if not entries:
        raise InvalidInput("paste at least one email address", field="emails")
    if len(entries) > MAX_LINES:
        raise InvalidInput(f"too many emails: at most {MAX_LINES} at a time", field="emails")
    valid: dict[str, int] = {}
    lines: list[RosterLine] = []
    for number, raw in entries:
        try:
            email = people.normalize_email(raw)
        except InvalidInput:
            lines.append(RosterLine(number, raw, "invalid", "not an email address"))
            continue
        if email in valid:
            lines.append(RosterLine(number, email, "duplicate", f"also on line {valid[email]}"))
            continue
        valid[email] = number
        lines.append(RosterLine(number, email, "pending"))
    held = await awards.holders(session, badge_class_id, list(valid))
    known = set(await session.scalars(select(User.email).where(User.email.in_(list(valid)))))
    result = []
    for line in lines:
        if line.outcome != "pending":
            result.append(line)
        elif line.email in held:
            result.append(RosterLine(line.line, line.email, "already", "already holds this badge"))
        elif line.email in known:
            result.append(RosterLine(line.line, line.email, "award"))
        else:
            result.append(
                RosterLine(line.line, line.email, "invite", "no account yet: theirs on sign-up")
            )
    return result


async def award(
    session: AsyncSession,
    actor: Actor,
    badge_class_id: int,
    text: str,
    *,
    now: datetime,
    narrative: str | None = None,
) -> list[RosterLine]:
    """Award to every line the preview would award; returns the preview's lines."""
    lines = await preview(session, actor, badge_class_id, text)
    badge_class = await classes.get(session, badge_class_id)
    requests = [
        awards.AwardRequest(badge_class_id, line.email, narrative=narrative)
        for line in lines
        if line.awarded
    ]
    results = await awards.award_many(
        session, actor, badge_class.organization_id, requests, method=AwardMethod.ROSTER, now=now
    )
    for result in results:  # the preview checked every line: an error here is a race
        if result.error is not None:
            raise result.error
    return lines
