"""What a learner sees of stacks and gates: the stacks they have started (held, missing,
and where to earn each missing badge near them), the doors their badges opened (or that
closed again), what each gated listing takes, and the next best badges to earn.

"Started" means the learner holds a badge the rule names, or one aligned to a competency
it names. The next best badge is the missing badge that would complete the most of the
learner's started stacks and gates, then the one that appears in the most of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.badges import classes
from server.geo.geocoder import GeoPoint
from server.models import (
    Application,
    BadgeClass,
    Competency,
    Opportunity,
    OpportunityGate,
    Organization,
    RuleTerm,
    Stack,
    StackCompletion,
    Unlock,
)
from server.models.enums import BadgeClassStatus
from server.stacks import engine, holdings, rules

PLACES_PER_BADGE = 3
LEVEL_OPTIONS = 3


@dataclass(frozen=True)
class BadgeRef:
    id: int
    name: str
    issuer: str


@dataclass(frozen=True)
class Earnable:
    """A badge that would move a rule on, with the nearest listings that award it."""

    badge: BadgeRef
    places: list[classes.WhereToEarn]


@dataclass(frozen=True)
class Progress:
    """One rule (a stack's or a gate's) as it stands for one learner."""

    target: engine.Target
    outcome: rules.Outcome
    held: list[BadgeRef]
    missing: list[Earnable]
    # Unmet level rules, in words: (competency name, level).
    missing_levels: list[tuple[str, str]]
    completed_at: datetime | None = None

    @property
    def name(self) -> str:
        return _name(self.target)


def _name(target: engine.Target) -> str:
    if target.stack is not None:
        return target.stack.name
    assert target.opportunity is not None
    return target.opportunity.title


@dataclass(frozen=True)
class Suggestion:
    badge: BadgeRef
    completes: int
    advances: int
    places: list[classes.WhereToEarn]
    # Names of the stacks and gates it would complete or move on.
    helps: list[str] = field(default_factory=list)


async def badge_refs(session: AsyncSession, ids: Iterable[int]) -> dict[int, BadgeRef]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(BadgeClass.id, BadgeClass.name, Organization.name)
        .join(Organization, Organization.id == BadgeClass.organization_id)
        .where(BadgeClass.id.in_(wanted))
    )
    return {i: BadgeRef(i, name, issuer) for i, name, issuer in rows.all()}


async def competency_names(
    session: AsyncSession, ids: Iterable[int], lang: str = "en"
) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Competency.id, Competency.name, Competency.name_es).where(Competency.id.in_(wanted))
    )
    return {i: (es if lang == "es" else en) for i, en, es in rows.all()}


async def _started_targets(session: AsyncSession, held: list[rules.Held]) -> list[engine.Target]:
    if not held:
        return []
    ids = sorted({h.badge_class_id for h in held})
    comps = sorted({c for h in held for c in h.competency_ids})
    condition: ColumnElement[bool] = RuleTerm.badge_class_id.in_(ids)
    if comps:
        condition = or_(condition, RuleTerm.competency_id.in_(comps))
    return await engine.targets_where(session, condition)


async def _progress(
    session: AsyncSession,
    targets: list[engine.Target],
    held: list[rules.Held],
    *,
    near: GeoPoint | None,
    lang: str,
) -> list[Progress]:
    outcomes = [(t, rules.evaluate(t.rule, held)) for t in targets]
    refs = await badge_refs(session, {b for _, o in outcomes for b in o.holding | o.missing})
    names = await competency_names(
        session, {c for _, o in outcomes for c, _ in o.missing_levels}, lang
    )
    places: dict[int, list[classes.WhereToEarn]] = {}
    for badge in sorted({b for _, o in outcomes for b in o.missing}):
        places[badge] = await classes.where_to_earn(
            session, badge, near=near, limit=PLACES_PER_BADGE
        )
    return [
        Progress(
            target,
            outcome,
            sorted((refs[b] for b in outcome.holding if b in refs), key=lambda r: r.name),
            sorted(
                (Earnable(refs[b], places.get(b, [])) for b in outcome.missing if b in refs),
                key=lambda e: e.badge.name,
            ),
            sorted((names.get(c, str(c)), level) for c, level in outcome.missing_levels),
        )
        for target, outcome in outcomes
    ]


@dataclass(frozen=True)
class Standing:
    """What a learner holds and the rules that makes them start: read once for a page
    that shows both their stacks and their next best badges."""

    held: list[rules.Held]
    targets: list[engine.Target]


async def standing_of(session: AsyncSession, learner_id: int, *, now: datetime) -> Standing:
    held = await holdings.of_learner(session, learner_id, now=now)
    return Standing(held, await _started_targets(session, held))


async def started(
    session: AsyncSession,
    learner_id: int,
    *,
    now: datetime,
    near: GeoPoint | None = None,
    lang: str = "en",
    standing: Standing | None = None,
) -> tuple[list[Progress], list[Progress]]:
    """(stacks, gates) the learner has started: completed stacks last, each with what is
    held and what is missing."""
    standing = standing or await standing_of(session, learner_id, now=now)
    held = standing.held
    progress = await _progress(session, standing.targets, held, near=near, lang=lang)
    completions = dict(
        (
            await session.execute(
                select(StackCompletion.stack_id, StackCompletion.completed_at).where(
                    StackCompletion.learner_id == learner_id
                )
            )
        ).all()
    )
    stacks = [
        Progress(
            p.target,
            p.outcome,
            p.held,
            p.missing,
            p.missing_levels,
            completions.get(p.target.stack.id),
        )
        for p in progress
        if p.target.stack is not None
    ]
    gates = [p for p in progress if p.target.opportunity is not None]
    stacks.sort(key=lambda p: (p.outcome.met, -len(p.held), p.name))
    gates.sort(key=lambda p: (not p.outcome.met, p.name))
    return stacks, gates


async def next_best(
    session: AsyncSession,
    learner_id: int,
    *,
    now: datetime,
    near: GeoPoint | None = None,
    limit: int = 5,
    standing: Standing | None = None,
) -> list[Suggestion]:
    """The badges that would complete the most unmet stacks and gates the learner has
    started (then: appear in the most), with where to earn them nearby."""
    standing = standing or await standing_of(session, learner_id, now=now)
    held = standing.held
    unmet = [(t, o) for t in standing.targets if not (o := rules.evaluate(t.rule, held)).met]
    candidates: set[int] = {b for _, o in unmet for b in o.missing}
    level_needs = {need for _, o in unmet for need in o.missing_levels}
    for competency, level in sorted(level_needs):
        # A few active badges that would meet a level rule stand for it.
        options = await session.scalars(
            select(BadgeClass.id)
            .where(
                BadgeClass.competency_ids.contains([competency]),
                BadgeClass.level.in_(
                    [lv for lv, r in rules.RANK.items() if r >= rules.RANK[level]]
                ),
                BadgeClass.status == BadgeClassStatus.ACTIVE.value,
            )
            .order_by(BadgeClass.id)
            .limit(LEVEL_OPTIONS)
        )
        candidates.update(options)
    held_ids = {h.badge_class_id for h in held}
    candidates -= held_ids
    if not candidates:
        return []
    shapes = {
        i: rules.Held(i, level, frozenset(comps))
        for i, level, comps in (
            await session.execute(
                select(BadgeClass.id, BadgeClass.level, BadgeClass.competency_ids).where(
                    BadgeClass.id.in_(sorted(candidates)),
                    BadgeClass.status == BadgeClassStatus.ACTIVE.value,
                )
            )
        ).all()
    }
    completes: Counter[int] = Counter()
    advances: Counter[int] = Counter()
    helps: dict[int, list[str]] = {}
    for badge, shape in shapes.items():
        for target, outcome in unmet:
            with_it = rules.evaluate(target.rule, [*held, shape])
            if with_it.met:
                completes[badge] += 1
            elif badge in outcome.missing or len(with_it.holding) > len(outcome.holding):
                advances[badge] += 1
            else:
                continue
            helps.setdefault(badge, []).append(_name(target))
    ranked = sorted(
        (b for b in shapes if b in helps), key=lambda b: (-completes[b], -advances[b], b)
    )[:limit]
    refs = await badge_refs(session, ranked)
    return [
        Suggestion(
            refs[b],
            completes[b],
            advances[b],
            await classes.where_to_earn(session, b, near=near, limit=PLACES_PER_BADGE),
            sorted(helps[b]),
        )
        for b in ranked
        if b in refs
    ]


@dataclass(frozen=True)
class GateView:
    """A gated listing as one viewer sees it: what it takes, and where they stand."""

    opportunity_id: int
    rule: rules.Rule
    stack_name: str | None
    badges: dict[int, BadgeRef]
    competencies: dict[int, str]
    apply_by: datetime | None
    preferred: list[BadgeRef]
    # For a signed-in learner (None otherwise): the rule against what they hold now, the
    # unlock, their application.
    outcome: rules.Outcome | None = None
    unlock: Unlock | None = None
    application: Application | None = None

    @property
    def met(self) -> bool | None:
        return self.outcome.met if self.outcome is not None else None

    @property
    def locked(self) -> bool:
        return not self.met


async def gate_views(
    session: AsyncSession,
    opportunity_ids: Iterable[int],
    *,
    viewer_id: int | None,
    now: datetime,
    lang: str = "en",
) -> dict[int, GateView]:
    """Gates of these listings (those without one are left out), in two or three reads
    whatever their number (search shows a page of them)."""
    ids = sorted(set(opportunity_ids))
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(OpportunityGate, Stack.name, Stack.rule)
            .outerjoin(Stack, Stack.id == OpportunityGate.stack_id)
            .where(OpportunityGate.opportunity_id.in_(ids))
        )
    ).all()
    if not rows:
        return {}
    parsed = [
        (gate, name, rules.parse(stack_rule if gate.stack_id is not None else gate.rule))
        for gate, name, stack_rule in rows
    ]
    badge_ids = {b for _, _, r in parsed for b in rules.badge_classes(r)}
    badge_ids |= {b for g, _, _ in parsed for b in g.preferred_badge_class_ids}
    refs = await badge_refs(session, badge_ids)
    comps = await competency_names(
        session, {c for _, _, r in parsed for c in rules.competencies(r)}, lang
    )
    held: list[rules.Held] | None = None
    unlocks: dict[int, Unlock] = {}
    applied: dict[int, Application] = {}
    if viewer_id is not None:
        held = await holdings.of_learner(session, viewer_id, now=now)
        unlocks = {
            u.opportunity_id: u
            for u in await session.scalars(
                select(Unlock).where(Unlock.learner_id == viewer_id, Unlock.opportunity_id.in_(ids))
            )
        }
        applied = {
            a.opportunity_id: a
            for a in await session.scalars(
                select(Application).where(
                    Application.learner_id == viewer_id, Application.opportunity_id.in_(ids)
                )
            )
        }
    views = {}
    for gate, stack_name, rule in parsed:
        views[gate.opportunity_id] = GateView(
            gate.opportunity_id,
            rule,
            stack_name,
            {b: refs[b] for b in rules.badge_classes(rule) if b in refs},
            {c: comps[c] for c in rules.competencies(rule) if c in comps},
            gate.apply_by,
            [refs[b] for b in gate.preferred_badge_class_ids if b in refs],
            rules.evaluate(rule, held) if held is not None else None,
            unlocks.get(gate.opportunity_id),
            applied.get(gate.opportunity_id),
        )
    return views


async def unlocks_of(session: AsyncSession, learner_id: int) -> list[tuple[Unlock, Opportunity]]:
    """The doors the learner's badges opened (and any that closed again), newest first."""
    rows = await session.execute(
        select(Unlock, Opportunity)
        .join(Opportunity, Opportunity.id == Unlock.opportunity_id)
        .where(Unlock.learner_id == learner_id)
        .order_by(Unlock.unlocked_at.desc())
    )
    return [(u, o) for u, o in rows.all()]
