"""Deleting an account (the person's own, or a child's by a guardian while under 13).

Removed at once: the account and its password, the learner profile (birth date, ZIP,
neighborhood), consents, guardian links, staff memberships, sessions, pending emailed
links, and every email queued or sent to the address. Kept: the audit log's entries
(action, time and numeric id only; details and IP addresses are cleared), because
security reviews need to know that something happened even after the person is gone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import web_sessions
from server.authz import Actor, require_person
from server.errors import Conflict, Forbidden, NotFound
from server.mail import queue_email
from server.models import EmailLink, Membership, OutboxEvent, User
from server.models.enums import StaffRole
from server.privacy import guardians, learners


async def delete_account(
    session: AsyncSession, actor: Actor, user_id: int, *, now: datetime
) -> None:
    acting = require_person(actor)
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("no such account", field="userId")
    learner = await learners.find(session, user_id)
    child = learner is not None and learner.is_child(now)
    by_guardian = acting != user_id
    if by_guardian and not (child and user_id in actor.wards):
        raise Forbidden("only the person, or a guardian while they are under 13, can delete")
    await _refuse_if_last_owner(session, user_id)
    # Who hears about it: the person, or for a child the guardians.
    notify = [user] if not child else await guardians.guardians_of(session, user_id)
    await session.execute(delete(OutboxEvent).where(OutboxEvent.payload["to"].astext == user.email))
    await session.execute(delete(EmailLink).where(EmailLink.email == user.email))
    await web_sessions.end_all(session, user_id)
    await audit.scrub_person(session, user_id)
    await audit.record(
        session,
        "account.deleted",
        # The person's own address goes with the rest of their data.
        actor if by_guardian else replace(actor, ip=None),
        subject_type="user",
        subject_id=user_id,
        by="guardian" if by_guardian else "self",
    )
    name = user.display_name
    await session.delete(user)
    await session.flush()
    for person in notify:
        await queue_email(
            session,
            to=person.email,
            template="account_deleted",
            lang=person.locale,
            context={"name": name},
        )


async def _refuse_if_last_owner(session: AsyncSession, user_id: int) -> None:
    owned = await session.scalars(
        select(Membership.organization_id).where(
            Membership.user_id == user_id, Membership.role == StaffRole.OWNER.value
        )
    )
    for organization_id in owned:
        owners = await session.scalar(
            select(func.count()).where(
                Membership.organization_id == organization_id,
                Membership.role == StaffRole.OWNER.value,
            )
        )
        if owners == 1:
            raise Conflict(
                "you are the only owner of an organization: make someone else an owner first",
                code="LAST_OWNER",
            )
