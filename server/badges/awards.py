"""Awarding badges: the one path every way of awarding goes through (claim codes, rosters,
reviewed evidence, the API, completed stacks), plus revocation.

An award is an `assertions` row and its follow-up work in the outbox (bake the image,
tell the recipient, re-evaluate the recipient's stacks), written in one transaction, so
the work exists exactly when the award does. A bulk award is one INSERT for the rows and
one per follow-up topic, whatever the number of awards.

Idempotency: an award made with a client-supplied key is unique per (organization, key).
The INSERT skips rows whose key is taken (`ON CONFLICT DO NOTHING`): a retry running
beside the first call waits on the unique index until the first commits, then finds its
award instead of making a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit, outbox
from server.accounts import people
from server.authz import Actor, require_org_role
from server.badges.classes import http_url, issuer, require_issuing
from server.badges.identity import hash_email, new_salt, normalize_email
from server.errors import Conflict, DomainError, InvalidInput, NotFound
from server.models import Assertion, BadgeClass, User
from server.models.enums import ApiScope, AwardMethod, BadgeClassStatus, StaffRole

BULK_LIMIT = 1000
MAX_KEY_LENGTH = 100
# Follow-up work of every award (server/badges/followups.py carries it out).
FOLLOW_UPS = ("badge.bake", "badge.notify", "stacks.evaluate")


@dataclass(frozen=True)
class Evidence:
    narrative: str | None = None
    url: str | None = None
    name: str | None = None
    submission_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class AwardRequest:
    badge_class_id: int
    email: str
    narrative: str | None = None
    evidence: tuple[Evidence, ...] = ()
    idempotency_key: str | None = None


@dataclass
class Awarded:
    """What became of one request: the award (new, or found by its idempotency key or an
    earlier claim), or why there is none."""

    index: int
    assertion_id: uuid.UUID | None = None
    created: bool = False
    error: DomainError | None = None


@dataclass
class _Row:
    index: int
    values: dict[str, Any] = field(default_factory=dict)


def check_evidence(items: Sequence[Evidence]) -> list[dict[str, Any]]:
    if len(items) > 10:
        raise InvalidInput("too many pieces of evidence: at most 10", field="evidence")
    checked = []
    for item in items:
        narrative = (item.narrative or "").strip() or None
        if narrative and len(narrative) > 10_000:
            raise InvalidInput("evidence text is at most 10,000 characters", field="evidence")
        url = http_url(item.url, "evidence")
        if narrative is None and url is None:
            raise InvalidInput("evidence needs a text or a link", field="evidence")
        checked.append(
            Evidence(narrative, url, (item.name or "").strip()[:200] or None, item.submission_id)
        )
    return [item.as_json() for item in checked]


async def award_many(
    session: AsyncSession,
    actor: Actor,
    organization_id: int,
    requests: Sequence[AwardRequest],
    *,
    method: AwardMethod,
    now: datetime,
    claim_code_id: int | None = None,
) -> list[Awarded]:
    """Award badge classes of `organization_id`; one result per request, in order. A bad
    request is reported in its result and the others are still awarded."""
    # A claim is made by the learner: the claim service checked the code instead. A stack's
    # badge is awarded by the engine (server/stacks/engine.py) when its rule is met.
    if method not in (AwardMethod.CLAIM_CODE, AwardMethod.STACK):
        require_org_role(actor, organization_id, StaffRole.ISSUER, scope=ApiScope.BADGES_ISSUE)
    require_issuing(await issuer(session, organization_id))
    if len(requests) > BULK_LIMIT:
        raise InvalidInput(f"too many awards in one call: at most {BULK_LIMIT}", field="awards")
    classes = await _classes(session, organization_id, {r.badge_class_id for r in requests})
    emails = {normalize_email(r.email) for r in requests}
    users = dict(
        (await session.execute(select(User.email, User.id).where(User.email.in_(emails)))).all()
    )
    results = [Awarded(index) for index in range(len(requests))]
    rows: list[_Row] = []
    first_of_key: dict[str, int] = {}
    for index, request in enumerate(requests):
        try:
            values = _row(request, classes, users, method, now, organization_id, actor)
        except DomainError as error:
            results[index].error = error
            continue
        values["claim_code_id"] = claim_code_id
        key = values["idempotency_key"]
        if key is not None and key in first_of_key:  # the same key twice in one call
            rows.append(_Row(index, {**values, "id": None, "_same_as": first_of_key[key]}))
            continue
        if key is not None:
            first_of_key[key] = index
        rows.append(_Row(index, values))
    inserting = [row.values for row in rows if row.values.get("id") is not None]
    created: set[uuid.UUID] = set()
    if inserting:
        # Parameters as a list, not .values(rows): the statement is compiled once and
        # batched by the driver (compiling a 1,000-row VALUES took most of a bulk call).
        statement = insert(Assertion).on_conflict_do_nothing().returning(Assertion.id)
        created = set(await session.scalars(statement, inserting))
    await _resolve_conflicts(session, organization_id, rows, created, results)
    await _emit_follow_ups(session, sorted(created, key=str))
    return results


def _row(
    request: AwardRequest,
    classes: dict[int, BadgeClass],
    users: dict[str, int],
    method: AwardMethod,
    now: datetime,
    organization_id: int,
    actor: Actor,
) -> dict[str, Any]:
    badge_class = classes.get(request.badge_class_id)
    if badge_class is None:
        raise NotFound("no such badge class of this organization", field="badgeClassId")
    if badge_class.status != BadgeClassStatus.ACTIVE.value:
        raise InvalidInput("this badge class is archived", field="badgeClassId")
    if method.value not in badge_class.earning and method is not AwardMethod.STACK:
        raise InvalidInput(
            f"this badge class is not earned by {method.value.replace('_', ' ')}",
            field="badgeClassId",
            code="NOT_EARNED_THIS_WAY",
        )
    email = people.normalize_email(request.email)
    key = (request.idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"the idempotency key is longer than {MAX_KEY_LENGTH} characters",
            field="idempotencyKey",
        )
    narrative = (request.narrative or "").strip() or None
    if narrative is not None and len(narrative) > 10_000:
        raise InvalidInput("the note is longer than 10,000 characters", field="narrative")
    salt = new_salt()
    days = badge_class.expires_after_days
    return {
        "id": uuid.uuid4(),
        "badge_class_id": badge_class.id,
        "organization_id": organization_id,
        "recipient_user_id": users.get(email),
        "recipient_email": email,
        "salt": salt,
        "identity_hash": hash_email(email, salt),
        "issued_on": now,
        "expires_at": now + timedelta(days=days) if days else None,
        "narrative": narrative,
        "evidence": check_evidence(request.evidence),
        "method": method.value,
        "awarded_by": actor.user_id,
        "awarded_by_token": actor.token_id,
        "idempotency_key": key,
    }


async def _classes(
    session: AsyncSession, organization_id: int, ids: set[int]
) -> dict[int, BadgeClass]:
    found = await session.scalars(
        select(BadgeClass).where(
            BadgeClass.id.in_(ids), BadgeClass.organization_id == organization_id
        )
    )
    return {badge_class.id: badge_class for badge_class in found}


async def _resolve_conflicts(
    session: AsyncSession,
    organization_id: int,
    rows: list[_Row],
    created: set[uuid.UUID],
    results: list[Awarded],
) -> None:
    """Rows the INSERT skipped: their key (or claim) was taken. Find the award that took
    it; the same key for a different award is an error, not a silent success."""
    keys = [
        row.values["idempotency_key"]
        for row in rows
        if row.values.get("id") is not None
        and row.values["id"] not in created
        and row.values["idempotency_key"] is not None
    ]
    existing: dict[str, Assertion] = {}
    if keys:
        found = await session.scalars(
            select(Assertion).where(
                Assertion.organization_id == organization_id, Assertion.idempotency_key.in_(keys)
            )
        )
        existing = {a.idempotency_key: a for a in found if a.idempotency_key}
    by_index = {row.index: row for row in rows}
    for row in rows:
        result, values = results[row.index], row.values
        same_as = values.get("_same_as")
        if same_as is not None:  # rows come in request order: the first is resolved
            first_result = results[same_as]
            if first_result.error is None and _same_award(by_index[same_as].values, values):
                result.assertion_id = first_result.assertion_id
            else:
                result.error = _key_reused()
            continue
        if values["id"] in created:
            result.assertion_id, result.created = values["id"], True
            continue
        key = values["idempotency_key"]
        if key is None:  # skipped by the claim's unique index (a racing claim)
            result.error = Conflict("already awarded with this claim code", code="ALREADY_CLAIMED")
            continue
        earlier = existing.get(key)
        if earlier is None:
            result.error = Conflict("the award with this key could not be found; retry")
        elif not _same_award(
            {"badge_class_id": earlier.badge_class_id, "recipient_email": earlier.recipient_email},
            values,
        ):
            result.error = _key_reused()
        else:
            result.assertion_id = earlier.id


def _same_award(first: dict[str, Any], other: dict[str, Any]) -> bool:
    return bool(
        first["badge_class_id"] == other["badge_class_id"]
        and first["recipient_email"] == other["recipient_email"]
    )


def _key_reused() -> Conflict:
    return Conflict(
        "this idempotency key was already used for a different award",
        field="idempotencyKey",
        code="IDEMPOTENCY_KEY_REUSED",
    )


async def _emit_follow_ups(session: AsyncSession, created: list[uuid.UUID]) -> None:
    for topic in FOLLOW_UPS:
        await outbox.emit_many(session, topic, [{"assertion": str(a)} for a in created])


async def get(session: AsyncSession, assertion_id: uuid.UUID, *, lock: bool = False) -> Assertion:
    stmt = select(Assertion).where(Assertion.id == assertion_id)
    if lock:
        stmt = stmt.with_for_update()
    assertion = (await session.scalars(stmt)).first()
    if assertion is None:
        raise NotFound("no such award", field="assertionId")
    return assertion


def parse_id(value: str, field_name: str = "assertionId") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise NotFound("no such award", field=field_name) from None


async def revoke(
    session: AsyncSession, actor: Actor, assertion_id: uuid.UUID, reason: str, *, now: datetime
) -> Assertion:
    """Issuers (and their tokens with the badges scope) revoke with a reason. The hosted
    assertion then answers 410, and the revocation lists name it."""
    assertion = await get(session, assertion_id, lock=True)
    require_org_role(
        actor, assertion.organization_id, StaffRole.ISSUER, scope=ApiScope.BADGES_ISSUE
    )
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("say why the badge is revoked", field="reason")
    if len(reason) > 500:
        raise InvalidInput("the reason is longer than 500 characters", field="reason")
    if assertion.revoked_at is not None:
        raise Conflict("this award is already revoked", code="ALREADY_REVOKED")
    assertion.revoked_at, assertion.revocation_reason = now, reason
    await outbox.emit(session, "stacks.evaluate", {"assertion": str(assertion.id)})
    await audit.record(session, "badge.revoked", actor, assertion=str(assertion.id), reason=reason)
    await session.flush()
    return assertion


async def attach_pending(session: AsyncSession, user_id: int, email: str) -> int:
    """Awards made to an email before its owner had an account become theirs once they
    have proved the address is theirs. Returns how many."""
    attached = await session.scalars(
        update(Assertion)
        .where(
            Assertion.recipient_user_id.is_(None),
            Assertion.recipient_email == normalize_email(email),
        )
        .values(recipient_user_id=user_id)
        .returning(Assertion.id)
    )
    ids = list(attached)
    if ids:
        await outbox.emit_many(session, "stacks.evaluate", [{"assertion": str(a)} for a in ids])
    return len(ids)


async def holders(session: AsyncSession, badge_class_id: int, emails: Sequence[str]) -> set[str]:
    """Which of `emails` already hold an unrevoked award of the badge class."""
    if not emails:
        return set()
    found = await session.scalars(
        select(Assertion.recipient_email).where(
            Assertion.badge_class_id == badge_class_id,
            Assertion.recipient_email.in_([normalize_email(e) for e in emails]),
            Assertion.revoked_at.is_(None),
        )
    )
    return set(found)
