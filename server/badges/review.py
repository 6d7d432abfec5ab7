"""Online evidence: a learner submits work (text, a link, a file) for a badge class; it
waits in the issuer's review queue; staff approve it (the badge is awarded with the
evidence attached) or return it with feedback (the learner may submit again)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.authz import Actor, has_org_role, require_org_role, require_person
from server.badges import awards, classes
from server.badges.claims import require_participation
from server.badges.urls import BadgeUrls
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.mail.service import queue_email
from server.models import BadgeClass, EvidenceSubmission, User
from server.models.enums import AwardMethod, BadgeClassStatus, StaffRole, SubmissionStatus
from server.settings import Settings

MAX_FILE_BYTES = 5 * 1024 * 1024
FILE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "video/mp4",
}


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes


async def submit(
    session: AsyncSession,
    actor: Actor,
    badge_class_id: int,
    *,
    now: datetime,
    narrative: str | None = None,
    url: str | None = None,
    upload: Upload | None = None,
) -> EvidenceSubmission:
    """A signed-in learner submits evidence; one submission waits per badge class."""
    learner_id = require_person(actor)
    user = await session.get(User, learner_id)
    assert user is not None
    await require_participation(session, user, now)
    badge_class = await classes.get(session, badge_class_id)
    classes.require_issuing(await classes.issuer(session, badge_class.organization_id))
    if badge_class.status != BadgeClassStatus.ACTIVE.value:
        raise InvalidInput("this badge is no longer awarded", field="badgeClassId")
    if AwardMethod.REVIEW.value not in badge_class.earning:
        raise InvalidInput("this badge is not earned by submitting work", field="badgeClassId")
    text = (narrative or "").strip() or None
    if text is not None and len(text) > 10_000:
        raise InvalidInput("your description is longer than 10,000 characters", field="narrative")
    link = classes.http_url(url, "url")
    if upload is not None:
        if not upload.data:
            upload = None
        elif len(upload.data) > MAX_FILE_BYTES:
            raise InvalidInput("the file must be at most 5 MB", field="file")
        elif upload.content_type not in FILE_TYPES:
            raise InvalidInput(
                "the file must be a PDF, an image, a text file or an MP4 video", field="file"
            )
    if text is None and link is None and upload is None:
        raise InvalidInput("add a description, a link or a file", field="narrative")
    waiting = await session.scalar(
        select(EvidenceSubmission.id).where(
            EvidenceSubmission.badge_class_id == badge_class_id,
            EvidenceSubmission.learner_id == learner_id,
            EvidenceSubmission.status == SubmissionStatus.PENDING.value,
        )
    )
    if waiting is not None:
        raise Conflict("your earlier submission is still waiting for review", code="PENDING")
    submission = EvidenceSubmission(
        badge_class_id=badge_class_id,
        learner_id=learner_id,
        narrative=text,
        url=link,
        file=upload.data if upload else None,
        file_name=upload.name[:200] if upload else None,
        file_type=upload.content_type if upload else None,
    )
    session.add(submission)
    await session.flush()
    return submission


async def get(
    session: AsyncSession, submission_id: int, *, lock: bool = False
) -> EvidenceSubmission:
    stmt = select(EvidenceSubmission).where(EvidenceSubmission.id == submission_id)
    if lock:
        stmt = stmt.with_for_update()
    submission = (await session.scalars(stmt)).first()
    if submission is None:
        raise NotFound("no such submission", field="submissionId")
    return submission


async def _reviewable(
    session: AsyncSession, actor: Actor, submission_id: int
) -> tuple[EvidenceSubmission, BadgeClass]:
    submission = await get(session, submission_id, lock=True)
    badge_class = await classes.get(session, submission.badge_class_id)
    require_org_role(actor, badge_class.organization_id, StaffRole.ISSUER)
    if submission.status != SubmissionStatus.PENDING.value:
        raise Conflict(f"this submission was already {submission.status}", code="REVIEWED")
    return submission, badge_class


def evidence_of(submission: EvidenceSubmission, file_url: str | None) -> awards.Evidence:
    return awards.Evidence(
        narrative=submission.narrative,
        url=submission.url or file_url,
        name=submission.file_name or "Submitted work",
        submission_id=submission.id,
    )


async def approve(
    session: AsyncSession,
    actor: Actor,
    submission_id: int,
    *,
    now: datetime,
    settings: Settings,
    comment: str | None = None,
) -> uuid.UUID:
    """Award the badge with the evidence attached; returns the award's id."""
    submission, badge_class = await _reviewable(session, actor, submission_id)
    learner = await session.get(User, submission.learner_id)
    assert learner is not None
    file_url = (
        BadgeUrls(settings.public_url).evidence_file(submission.id) if submission.file else None
    )
    evidence = evidence_of(submission, file_url)
    if evidence.narrative is None and evidence.url is None:
        evidence = awards.Evidence(narrative="Submitted work", submission_id=submission.id)
    result = (
        await awards.award_many(
            session,
            actor,
            badge_class.organization_id,
            [
                awards.AwardRequest(
                    badge_class.id, learner.email, narrative=comment, evidence=(evidence,)
                )
            ],
            method=AwardMethod.REVIEW,
            now=now,
        )
    )[0]
    if result.error is not None:
        raise result.error
    assert result.assertion_id is not None
    submission.status = SubmissionStatus.APPROVED.value
    submission.reviewed_by, submission.reviewed_at = actor.user_id, now
    submission.assertion_id = result.assertion_id
    submission.feedback = (comment or "").strip() or None
    await audit.record(
        session,
        "submission.reviewed",
        actor,
        subject_type="evidence_submission",
        subject_id=submission.id,
        outcome="approved",
    )
    await session.flush()
    return result.assertion_id


async def return_for_changes(
    session: AsyncSession,
    actor: Actor,
    submission_id: int,
    feedback: str,
    *,
    now: datetime,
    settings: Settings,
) -> EvidenceSubmission:
    """Send the work back with feedback; the learner is told by email."""
    submission, badge_class = await _reviewable(session, actor, submission_id)
    text = feedback.strip()
    if not text:
        raise InvalidInput("tell the learner what to change", field="feedback")
    if len(text) > 5000:
        raise InvalidInput("the feedback is longer than 5,000 characters", field="feedback")
    submission.status = SubmissionStatus.RETURNED.value
    submission.feedback, submission.reviewed_by, submission.reviewed_at = text, actor.user_id, now
    learner = await session.get(User, submission.learner_id)
    assert learner is not None
    await queue_email(
        session,
        to=learner.email,
        template="submission_returned",
        lang=learner.locale,
        context={
            "name": learner.display_name,
            "badge": badge_class.name,
            "feedback": text,
            "link": BadgeUrls(settings.public_url).badge_class(badge_class.id),
        },
    )
    await audit.record(
        session,
        "submission.reviewed",
        actor,
        subject_type="evidence_submission",
        subject_id=submission.id,
        outcome="returned",
    )
    await session.flush()
    return submission


async def queue(
    session: AsyncSession, actor: Actor, organization_id: int
) -> list[tuple[EvidenceSubmission, BadgeClass, User]]:
    """The organization's submissions waiting for review, oldest first."""
    require_org_role(actor, organization_id, StaffRole.ISSUER)
    rows = await session.execute(
        select(EvidenceSubmission, BadgeClass, User)
        .join(BadgeClass, BadgeClass.id == EvidenceSubmission.badge_class_id)
        .join(User, User.id == EvidenceSubmission.learner_id)
        .where(
            BadgeClass.organization_id == organization_id,
            EvidenceSubmission.status == SubmissionStatus.PENDING.value,
        )
        .order_by(EvidenceSubmission.created_at, EvidenceSubmission.id)
    )
    return [(s, b, u) for s, b, u in rows.all()]


async def of_learner(
    session: AsyncSession, actor: Actor
) -> list[tuple[EvidenceSubmission, BadgeClass]]:
    learner_id = require_person(actor)
    rows = await session.execute(
        select(EvidenceSubmission, BadgeClass)
        .join(BadgeClass, BadgeClass.id == EvidenceSubmission.badge_class_id)
        .where(EvidenceSubmission.learner_id == learner_id)
        .order_by(EvidenceSubmission.created_at.desc())
    )
    return [(s, b) for s, b in rows.all()]


async def file_for(session: AsyncSession, actor: Actor, submission_id: int) -> EvidenceSubmission:
    """The submitted file: for the learner and the issuer's staff; for others only once it
    is evidence of an award they may see (the caller checks that)."""
    submission = await get(session, submission_id)
    if submission.file is None:
        raise NotFound("no file", field="submissionId")
    badge_class = await classes.get(session, submission.badge_class_id)
    if actor.user_id == submission.learner_id or has_org_role(
        actor, badge_class.organization_id, StaffRole.ISSUER
    ):
        return submission
    raise Forbidden("this file is private")
