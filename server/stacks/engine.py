"""The unlock engine: re-evaluates the rules an award, a revocation or an expiry can change,
for that learner only, and applies what changed: a completed stack awards its badge, a
met gate opens (one notification), a broken gate re-locks (the learner is told why, an
application already made is flagged for the employer).

Incremental: the `rule_terms` index maps a badge class (and the competencies it is aligned
to) to the stacks and gates that mention it; nothing else is read.

Exactly once, under duplicate and concurrent jobs: each learner's evaluation first locks
that learner's `users` row (FOR NO KEY UPDATE), then reads what they hold, so two jobs for
one learner run one after the other, the second seeing the first's outcome. Each change
is a single conditional statement (insert-or-reopen only if locked, close only if open,
complete only once), and a notification is queued only for rows that statement changed.

Backfill (a rule saved or changed): the learners who could meet it (holders of a badge
class it names, or of one aligned to a competency it names, and for gates those with an
unlock) are evaluated a chunk at a time, in learner id order, each chunk in its own job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true, tuple_, union, update
from sqlalchemy.dialects.postgresql import array, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from server import outbox
from server.authz import Actor
from server.badges import awards
from server.badges.urls import BadgeUrls
from server.mail.service import queue_emails
from server.models import (
    Application,
    Assertion,
    BadgeClass,
    BadgeEquivalence,
    ImportedBadge,
    Opportunity,
    OpportunityGate,
    RuleTerm,
    Stack,
    StackCompletion,
    Unlock,
    User,
)
from server.models.enums import AwardMethod, OpportunityStatus, StackStatus
from server.settings import Settings
from server.stacks import holdings, rules

BACKFILL_CHUNK = 1000
SWEEP_BATCH = 1000
# Who awards a stack's badge: the network itself, on the stack owner's behalf.
ENGINE = Actor(display_name="CityLearn stacks")


@dataclass(frozen=True)
class Target:
    """A rule to evaluate: a stack's, or a gated listing's."""

    rule: rules.Rule
    stack: Stack | None = None
    opportunity: Opportunity | None = None


@dataclass
class Applied:
    """What one evaluation changed (for tests and the benchmark)."""

    completed: list[tuple[int, int]] = field(default_factory=list)  # (stack, learner)
    opened: list[tuple[int, int]] = field(default_factory=list)  # (opportunity, learner)
    closed: list[tuple[int, int]] = field(default_factory=list)
    evaluated: int = 0


# Parsed rules by owner: a popular badge's award reaches hundreds of rules, and parsing
# them again for every award was a good part of the evaluation. A changed rule (its JSON
# differs from the one cached) is parsed again.
_PARSED: dict[tuple[str, int], tuple[Any, rules.Rule]] = {}
_PARSED_MAX = 50_000


def _parsed(key: tuple[str, int], raw: Any) -> rules.Rule:
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == raw:
        return cached[1]
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    rule = rules.parse(raw)
    _PARSED[key] = (raw, rule)
    return rule


async def targets_where(
    session: AsyncSession, condition: Any, *, light: bool = False
) -> list[Target]:
    """The active stacks and published gates the index names under `condition`. `light`
    (the engine): load only what evaluating and applying read."""
    owners = (
        await session.execute(
            select(RuleTerm.stack_id, RuleTerm.opportunity_id).where(condition).distinct()
        )
    ).all()
    stack_ids = sorted({s for s, _ in owners if s is not None})
    gate_ids = sorted({o for _, o in owners if o is not None})
    targets: list[Target] = []
    if stack_ids:
        query = select(Stack).where(
            Stack.id.in_(stack_ids), Stack.status == StackStatus.ACTIVE.value
        )
        if light:
            query = query.options(
                load_only(
                    Stack.id,
                    Stack.organization_id,
                    Stack.name,
                    Stack.rule,
                    Stack.award_badge_class_id,
                    Stack.status,
                )
            )
        stacks = await session.scalars(query)
        targets += [Target(_parsed(("stack", s.id), s.rule), stack=s) for s in stacks]
    if gate_ids:
        targets += await _gates(session, OpportunityGate.opportunity_id.in_(gate_ids))
    return targets


async def _gates(session: AsyncSession, condition: Any) -> list[Target]:
    rows = await session.execute(
        select(
            OpportunityGate.opportunity_id,
            OpportunityGate.stack_id,
            OpportunityGate.rule,
            Stack.rule,
            Opportunity,
        )
        .join(Opportunity, Opportunity.id == OpportunityGate.opportunity_id)
        .outerjoin(Stack, Stack.id == OpportunityGate.stack_id)
        .where(condition, Opportunity.status == OpportunityStatus.PUBLISHED.value)
        # The engine needs a listing's id and title; the rest stays unread.
        .options(load_only(Opportunity.id, Opportunity.title, Opportunity.organization_id))
    )
    targets = []
    for opportunity_id, stack_id, own_rule, stack_rule, o in rows.all():
        if stack_id is not None:
            rule = _parsed(("stack", stack_id), stack_rule)
        else:
            rule = _parsed(("gate", opportunity_id), own_rule)
        targets.append(Target(rule, opportunity=o))
    return targets


async def targets_for(session: AsyncSession, badge_class_ids: Iterable[int]) -> list[Target]:
    """The active stacks and published gates whose rules a change to these badge classes
    can affect: they name one, or name a competency one is aligned to."""
    ids = sorted(set(badge_class_ids))
    if not ids:
        return []
    competencies = set()
    for comps in await session.scalars(
        select(BadgeClass.competency_ids).where(BadgeClass.id.in_(ids))
    ):
        competencies.update(comps)
    condition: ColumnElement[bool] = RuleTerm.badge_class_id.in_(ids)
    if competencies:
        condition = or_(condition, RuleTerm.competency_id.in_(sorted(competencies)))
    return await targets_where(session, condition, light=True)


async def target_of(
    session: AsyncSession, *, stack_id: int | None = None, opportunity_id: int | None = None
) -> Target | None:
    if stack_id is not None:
        stack = await session.get(Stack, stack_id)
        if stack is None or stack.status != StackStatus.ACTIVE.value:
            return None
        return Target(_parsed(("stack", stack.id), stack.rule), stack=stack)
    found = await _gates(session, OpportunityGate.opportunity_id == opportunity_id)
    return found[0] if found else None


async def lock_learners(session: AsyncSession, learner_ids: Sequence[int]) -> list[int]:
    """Serialize evaluations per learner (see the module's note); in id order, so two
    chunks never wait on each other in a circle. Returns the learners that still exist."""
    found = await session.scalars(
        select(User.id)
        .where(User.id.in_(sorted(set(learner_ids))))
        .order_by(User.id)
        .with_for_update(key_share=True)
    )
    return list(found)


async def evaluate_learner(
    session: AsyncSession,
    learner_id: int,
    changed_badge_classes: Iterable[int],
    *,
    now: datetime,
    settings: Settings,
) -> Applied:
    """After an award, a revocation, an expiry or a mapped import of these badge classes:
    re-evaluate the rules that mention them, for this learner."""
    if not await lock_learners(session, [learner_id]):
        return Applied()
    targets = await targets_for(session, changed_badge_classes)
    if not targets:
        return Applied()
    held = {learner_id: await holdings.of_learner(session, learner_id, now=now)}
    return await apply_all(session, targets, held, now=now, settings=settings)


async def apply(
    session: AsyncSession,
    target: Target,
    held: dict[int, list[rules.Held]],
    *,
    now: datetime,
    settings: Settings,
) -> Applied:
    """Evaluate one rule for these learners (their holdings given) and apply the changes."""
    return await apply_all(session, [target], held, now=now, settings=settings)


async def apply_all(
    session: AsyncSession,
    targets: Sequence[Target],
    held: dict[int, list[rules.Held]],
    *,
    now: datetime,
    settings: Settings,
) -> Applied:
    """Evaluate these rules for these learners and apply the changes: a handful of
    statements for all the gates together, however many there are."""
    done = Applied()
    completing: list[tuple[Stack, int]] = []
    met: list[tuple[Opportunity, int, rules.Outcome]] = []
    unmet: list[tuple[Opportunity, int]] = []
    for target in targets:
        outcomes = {learner: rules.evaluate(target.rule, h) for learner, h in held.items()}
        done.evaluated += len(outcomes)
        if target.stack is not None:
            stack = target.stack
            completing += [(stack, learner) for learner, o in sorted(outcomes.items()) if o.met]
            continue
        assert target.opportunity is not None
        for learner, outcome in outcomes.items():
            if outcome.met:
                met.append((target.opportunity, learner, outcome))
            else:
                unmet.append((target.opportunity, learner))
    done.completed = await _complete(session, completing, now=now)
    done.opened = await _open(session, met, now=now, settings=settings)
    done.closed = await _close(session, unmet, held, now=now, settings=settings)
    return done


async def _complete(
    session: AsyncSession, met: list[tuple[Stack, int]], *, now: datetime
) -> list[tuple[int, int]]:
    """Record completions (stack, learner) once, in one statement; a first completion
    awards the stack's badge through the normal award path (one call per organization,
    keyed by stack and learner, so a retried job finds the same award)."""
    if not met:
        return []
    statement = (
        insert(StackCompletion)
        .on_conflict_do_nothing()
        .returning(StackCompletion.stack_id, StackCompletion.learner_id)
    )
    rows = [{"stack_id": st.id, "learner_id": i, "completed_at": now} for st, i in met]
    new = [(st, learner) for st, learner in (await session.execute(statement, rows)).all()]
    stacks = {st.id: st for st, _ in met}
    awarding = [(stacks[st], learner) for st, learner in new if stacks[st].award_badge_class_id]
    if awarding:
        learners = sorted({learner for _, learner in awarding})
        emails = dict(
            (await session.execute(select(User.id, User.email).where(User.id.in_(learners)))).all()
        )
        by_org: dict[int, list[tuple[Stack, int]]] = {}
        for stack, learner in awarding:
            if learner in emails:
                by_org.setdefault(stack.organization_id, []).append((stack, learner))
        done: list[dict[str, Any]] = []
        for organization_id, pairs in sorted(by_org.items()):
            requests = [
                awards.AwardRequest(
                    stack.award_badge_class_id or 0,
                    emails[learner],
                    narrative=f"Completed the stack “{stack.name}”.",
                    idempotency_key=f"stack:{stack.id}:{learner}",
                )
                for stack, learner in pairs
            ]
            results = await awards.award_many(
                session, ENGINE, organization_id, requests, method=AwardMethod.STACK, now=now
            )
            done += [
                {"stack_id": stack.id, "learner_id": learner, "assertion_id": r.assertion_id}
                for (stack, learner), r in zip(pairs, results, strict=True)
                if r.assertion_id is not None
            ]
        if done:  # bulk UPDATE by primary key
            await session.execute(update(StackCompletion), done)
    return [(st, learner) for st, learner in new]


async def open_for_applicant(
    session: AsyncSession,
    opportunity: Opportunity,
    learner_id: int,
    outcome: rules.Outcome,
    *,
    now: datetime,
) -> None:
    """A learner applying on a rule met before the worker's job ran: record the unlock now,
    so a later revocation re-locks it and flags the application."""
    await _open(session, [(opportunity, learner_id, outcome)], now=now, settings=None)


async def _open(
    session: AsyncSession,
    met: list[tuple[Opportunity, int, rules.Outcome]],
    *,
    now: datetime,
    settings: Settings | None,
) -> list[tuple[int, int]]:
    """Open these doors (opportunity, learner); notify those for whom one was not open
    (unless `settings` is None: the learner is applying, and knows)."""
    if not met:
        return []
    upsert = insert(Unlock)
    statement = upsert.on_conflict_do_update(
        index_elements=[Unlock.learner_id, Unlock.opportunity_id],
        set_={
            "unlocked_at": upsert.excluded.unlocked_at,
            "holding": upsert.excluded.holding,
            "relocked_at": None,
            "relock_reason": None,
            "relock_lost": None,
            "openings": Unlock.openings + 1,
        },
        where=Unlock.relocked_at.is_not(None),  # an open unlock stays as it is: no 2nd notice
    ).returning(Unlock.opportunity_id, Unlock.learner_id)
    rows = [
        {
            "learner_id": learner,
            "opportunity_id": opportunity.id,
            "unlocked_at": now,
            "holding": sorted(outcome.holding),
        }
        for opportunity, learner, outcome in sorted(met, key=lambda m: (m[0].id, m[1]))
    ]
    opened = [(o, learner) for o, learner in (await session.execute(statement, rows)).all()]
    if not opened:
        return []
    # An application flagged when it re-locked is in good standing again.
    await session.execute(
        update(Application)
        .where(
            tuple_(Application.opportunity_id, Application.learner_id).in_(opened),
            Application.flagged_at.is_not(None),
        )
        .values(flagged_at=None, flag_reason=None, flag_lost=None)
    )
    if settings is not None:
        by_id = {opportunity.id: opportunity for opportunity, _, _ in met}
        for opportunity_id in sorted({o for o, _ in opened}):
            learners = [learner for o, learner in opened if o == opportunity_id]
            await _notify(
                session, by_id[opportunity_id], learners, "gate_unlocked", {}, settings=settings
            )
    return opened


async def _close(
    session: AsyncSession,
    unmet: list[tuple[Opportunity, int]],
    held: dict[int, list[rules.Held]],
    *,
    now: datetime,
    settings: Settings,
) -> list[tuple[int, int]]:
    """Close the open ones among these doors, saying why, and flag their applications."""
    if not unmet:
        return []
    by_id = {opportunity.id: opportunity for opportunity, _ in unmet}
    open_rows = (
        await session.execute(
            select(Unlock.opportunity_id, Unlock.learner_id, Unlock.holding).where(
                tuple_(Unlock.opportunity_id, Unlock.learner_id).in_(
                    [(o.id, learner) for o, learner in unmet]
                ),
                Unlock.relocked_at.is_(None),
            )
        )
    ).all()
    closed: list[tuple[int, int]] = []
    for opportunity_id, learner, holding in open_rows:
        still = {h.badge_class_id for h in held.get(learner, [])}
        lost = await _why_lost(session, learner, [b for b in holding if b not in still])
        reason = describe_loss(lost)
        changed = await session.scalar(
            update(Unlock)
            .where(
                Unlock.learner_id == learner,
                Unlock.opportunity_id == opportunity_id,
                Unlock.relocked_at.is_(None),
            )
            .values(relocked_at=now, relock_reason=reason, relock_lost=lost)
            .returning(Unlock.learner_id)
        )
        if changed is None:
            continue
        closed.append((opportunity_id, learner))
        await session.execute(
            update(Application)
            .where(
                Application.opportunity_id == opportunity_id,
                Application.learner_id == learner,
            )
            .values(flagged_at=now, flag_reason=reason, flag_lost=lost)
        )
        await _notify(
            session,
            by_id[opportunity_id],
            [learner],
            "gate_relocked",
            {"lost": lost},
            settings=settings,
        )
    return closed


async def _why_lost(
    session: AsyncSession, learner_id: int, badge_class_ids: list[int]
) -> list[dict[str, Any]]:
    """Which badges that opened the door are no longer held, and why (revoked, with the
    issuer's reason, or expired)."""
    if not badge_class_ids:
        return []
    rows = (
        await session.execute(
            select(BadgeClass.name, Assertion.revoked_at, Assertion.revocation_reason)
            .join(Assertion, Assertion.badge_class_id == BadgeClass.id)
            .where(
                BadgeClass.id.in_(badge_class_ids),
                Assertion.recipient_user_id == learner_id,
            )
            .order_by(BadgeClass.name, Assertion.issued_on.desc())
        )
    ).all()
    latest: dict[str, dict[str, Any]] = {}
    for name, revoked_at, why in rows:  # the newest award of each class says why
        latest.setdefault(
            name, {"badge": name, "revoked": revoked_at is not None, "why": why or ""}
        )
    return list(latest.values())


def describe_loss(lost: list[dict[str, Any]]) -> str:
    """The reason in words, as the employer's flag and the learner's page show it."""
    if not lost:
        return "the rule changed and the badges held no longer meet it"
    parts = []
    for item in lost:
        if item["revoked"]:
            why = f" ({item['why']})" if item["why"] else ""
            parts.append(f"“{item['badge']}” was revoked{why}")
        else:
            parts.append(f"“{item['badge']}” expired")
    return "; ".join(parts)


async def _notify(
    session: AsyncSession,
    opportunity: Opportunity,
    learner_ids: list[int],
    template: str,
    extra: dict[str, Any],
    *,
    settings: Settings,
) -> None:
    users = await session.execute(
        select(User.email, User.locale, User.display_name).where(User.id.in_(learner_ids))
    )
    link = f"{BadgeUrls(settings.public_url).base}/opportunities/{opportunity.id}"
    context = {"opportunity": opportunity.title, "link": link, **extra}
    await queue_emails(
        session,
        [
            (email, template, locale, {"name": name, **context})
            for email, locale, name in users.all()
        ],
    )


async def relevant_classes(session: AsyncSession, rule: rules.Rule) -> list[int]:
    """The badge classes whose holding can change the rule: those it names and those
    aligned to a competency it names."""
    named = sorted(rules.badge_classes(rule))
    comps = sorted(rules.competencies(rule))
    if not comps:
        return named
    aligned = await session.scalars(
        select(BadgeClass.id).where(BadgeClass.competency_ids.overlap(comps))
    )
    return sorted(set(named) | set(aligned))


async def _candidates(
    session: AsyncSession,
    target: Target,
    classes: list[int],
    *,
    after: int,
    limit: int,
    now: datetime,
) -> list[int]:
    """Learners (id > after, in order) who could meet the rule or hold its unlock. For each
    badge class, the next `limit` holders in id order, read from the holders index
    (ix_assertions_holders) without touching the awards themselves; then the smallest
    `limit` of all of them."""
    selects = []
    if classes:
        wanted = select(func.unnest(array(classes)).label("id")).subquery()
        next_holders = (
            select(Assertion.recipient_user_id.label("learner"))
            .where(
                Assertion.badge_class_id == wanted.c.id,
                Assertion.recipient_user_id > after,
                Assertion.revoked_at.is_(None),
                or_(Assertion.expires_at.is_(None), Assertion.expires_at > now),
            )
            .order_by(Assertion.recipient_user_id)
            .limit(limit)
            .lateral()
        )
        selects.append(
            select(next_holders.c.learner).select_from(wanted).join(next_holders, true())
        )
        selects.append(
            select(ImportedBadge.learner_id.label("learner"))
            .join(BadgeEquivalence, holdings.equivalent())
            .where(
                BadgeEquivalence.badge_class_id.in_(classes),
                ImportedBadge.learner_id > after,
                ImportedBadge.valid.is_(True),
            )
        )
    if target.opportunity is not None:
        selects.append(
            select(Unlock.learner_id.label("learner"))
            .where(
                Unlock.opportunity_id == target.opportunity.id,
                Unlock.learner_id > after,
                Unlock.relocked_at.is_(None),
            )
            .order_by(Unlock.learner_id)
            .limit(limit)
        )
    if not selects:
        return []
    learners = union(*selects).subquery() if len(selects) > 1 else selects[0].subquery()
    found = await session.scalars(
        select(learners.c.learner)
        .where(learners.c.learner.is_not(None))
        .order_by(learners.c.learner)
        .limit(limit)
    )
    return list(found)


async def backfill(
    session: AsyncSession,
    target: Target,
    *,
    after: int = 0,
    now: datetime,
    settings: Settings,
    chunk: int = BACKFILL_CHUNK,
) -> tuple[Applied, int | None]:
    """Evaluate the rule for the next `chunk` candidate learners after `after`. Returns
    what changed and the cursor to continue from (None when done)."""
    classes = await relevant_classes(session, target.rule)
    candidates = await _candidates(session, target, classes, after=after, limit=chunk, now=now)
    if not candidates:
        return Applied(), None
    learners = await lock_learners(session, candidates)
    # Only what the rule can see: a learner's other badges change nothing here.
    found = await holdings.of_learners(session, learners, now=now, badge_class_ids=classes)
    held = {learner: found.get(learner, []) for learner in learners}
    done = await apply(session, target, held, now=now, settings=settings)
    return done, (candidates[-1] if len(candidates) == chunk else None)


async def learners_with_mapped_imports(session: AsyncSession, badge_class_id: int) -> list[int]:
    """Learners whose imported badges a mapping to this badge class now counts."""
    found = await session.scalars(
        select(ImportedBadge.learner_id)
        .join(BadgeEquivalence, holdings.equivalent())
        .where(BadgeEquivalence.badge_class_id == badge_class_id, ImportedBadge.valid.is_(True))
        .distinct()
    )
    return sorted(found)


async def mapped_classes(session: AsyncSession, imported_id: int) -> list[int]:
    """The badge classes an imported badge counts as."""
    found = await session.scalars(
        select(BadgeEquivalence.badge_class_id)
        .join(ImportedBadge, holdings.equivalent())
        .where(ImportedBadge.id == imported_id)
        .distinct()
    )
    return sorted(found)


async def sweep_expired(session: AsyncSession, *, now: datetime, limit: int = SWEEP_BATCH) -> int:
    """Awards whose expiry passed since the last sweep: one stacks.evaluate event each,
    marked swept in the same statement (run by the worker's cron)."""
    due = (
        select(Assertion.id)
        .where(
            Assertion.expires_at.is_not(None),
            Assertion.expiry_swept_at.is_(None),
            Assertion.expires_at <= now,
        )
        .order_by(Assertion.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    swept = list(
        await session.scalars(
            update(Assertion)
            .where(Assertion.id.in_(due))
            .values(expiry_swept_at=now)
            .returning(Assertion.id)
        )
    )
    await outbox.emit_many(
        session, "stacks.evaluate", [{"assertion": str(a), "expired": True} for a in swept]
    )
    return len(swept)
