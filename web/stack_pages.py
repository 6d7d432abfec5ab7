"""The learner's side of stacks: My stacks (/account/stacks), the "What it takes" panel and
the apply form on a gated listing's page (/opportunities/{id}, POST .../apply), withdrawing
an application (POST /account/applications/{id}/withdraw), and the marker on search results.

What is held and missing, where to earn it nearby and the next best badges come from
server/stacks/progress.py; the rules of applying (and its errors) from
server/stacks/applications.py. Gates for a page of search results are read at once
(progress.gate_views), whatever the number of results.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.accounts.age import age_on, needs_guardian
from server.authz import Actor
from server.badges import backpack
from server.errors import Conflict, DomainError, Forbidden, NotFound
from server.geo.geocoder import GeoPoint
from server.models import Application, LearnerProfile, Unlock
from server.models.enums import ApplicationStatus, ConsentPurpose
from server.privacy import consent
from server.stacks import applications, progress, rules
from server.stacks.progress import BadgeRef
from web.badge_hosted import _centroid, _near_zip
from web.kit import Form, message_of, parse_id, person_page, read_form, see_other, write
from web.pages import PageContext, load_detail, not_found, opportunity_response, render
from web.rule_words import rule_words
from web.session import checked_form, current_actor

if TYPE_CHECKING:
    from server.catalog.reads import ListingView

# An application the learner can still withdraw (a decision may still change).
OPEN_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED}
)
# The service's field names -> the apply form's.
APPLY_FIELDS = {"sharedAssertionIds": "share", "message": "message"}
# Dates on these pages are the city's (as PageContext.today).
CITY = ZoneInfo("America/Chicago")


def local_day(value: datetime) -> date:
    return value.astimezone(CITY).date()


def _words(
    rule: rules.Rule, refs: Mapping[int, BadgeRef], comps: Mapping[int, str], ctx: PageContext
) -> str:
    return rule_words(rule, {i: r.name for i, r in refs.items()}, comps, ctx.t)


async def _names(
    session: AsyncSession, rule_list: list[rules.Rule], extra: set[int], lang: str
) -> tuple[dict[int, BadgeRef], dict[int, str]]:
    """Every badge and competency these rules name (and `extra` badges), in two reads."""
    badge_ids = {b for r in rule_list for b in rules.badge_classes(r)} | extra
    comp_ids = {c for r in rule_list for c in rules.competencies(r)}
    return (
        await progress.badge_refs(session, badge_ids),
        await progress.competency_names(session, comp_ids, lang),
    )


# --- My stacks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A started stack or gate with its rule in words (and, for a stack, the badge it
    awards when finished)."""

    progress: progress.Progress
    words: str
    award: BadgeRef | None = None

    @property
    def opportunity_id(self) -> int | None:
        o = self.progress.target.opportunity
        return o.id if o is not None else None


@dataclass(frozen=True)
class Opened:
    """An opportunity the learner's badges opened: an unlock (maybe locked again since), or a
    met gate the worker has not recorded yet."""

    opportunity_id: int
    title: str
    unlock: Unlock | None


@dataclass
class StacksView:
    in_progress: list[Card] = field(default_factory=list)
    completed: list[Card] = field(default_factory=list)
    gates: list[Card] = field(default_factory=list)
    opened: list[Opened] = field(default_factory=list)
    suggestions: list[progress.Suggestion] = field(default_factory=list)
    applications: list[tuple[Application, str]] = field(default_factory=list)


async def _stacks_view(
    session: AsyncSession, ctx: PageContext, learner_id: int, near: GeoPoint | None
) -> StacksView:
    standing = await progress.standing_of(session, learner_id, now=ctx.now)
    stacks, gates = await progress.started(
        session, learner_id, now=ctx.now, near=near, lang=ctx.lang, standing=standing
    )
    awards = {p.target.stack.award_badge_class_id for p in stacks if p.target.stack is not None}
    refs, comps = await _names(
        session,
        [p.target.rule for p in [*stacks, *gates]],
        {a for a in awards if a is not None},
        ctx.lang,
    )
    view = StacksView()
    for p in stacks:
        assert p.target.stack is not None
        award_id = p.target.stack.award_badge_class_id
        card = Card(p, _words(p.target.rule, refs, comps, ctx), refs.get(award_id or 0))
        (view.completed if p.outcome.met else view.in_progress).append(card)
    view.gates = [Card(p, _words(p.target.rule, refs, comps, ctx)) for p in gates]
    unlocks = await progress.unlocks_of(session, learner_id)
    view.opened = [Opened(o.id, o.title, u) for u, o in unlocks]
    recorded = {u.opportunity_id for u, _ in unlocks}
    # Met gates the worker has not opened yet are open all the same (apply checks the rule).
    view.opened += [
        Opened(opportunity_id, c.progress.name, None)
        for c in view.gates
        if (opportunity_id := c.opportunity_id) is not None
        and c.progress.outcome.met
        and opportunity_id not in recorded
    ]
    view.gates = [c for c in view.gates if not c.progress.outcome.met]
    view.suggestions = await progress.next_best(
        session, learner_id, now=ctx.now, near=near, standing=standing
    )
    view.applications = await applications.of_learner(session, learner_id)
    return view


@person_page
async def stacks_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    """/account/stacks: stacks started and completed, opportunities in reach and unlocked,
    the next best badges, and the learner's applications."""
    learner_id = actor.user_id or 0
    async with ctx.sessionmaker() as session:
        near_zip = await _near_zip(request, session, learner_id)
        near = _centroid(near_zip)
        view = await _stacks_view(session, ctx, learner_id, near)
    response = render(
        ctx,
        "stacks/mine.html",
        view=view,
        near_zip=near_zip if near is not None else None,
        open_statuses={s.value for s in OPEN_STATUSES},
        day=local_day,
        notice=ctx.t("stacks.withdrawn") if request.query_params.get("withdrawn") else None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@person_page
async def withdraw(request: Request, ctx: PageContext, actor: Actor) -> Response:
    application_id = parse_id(request.path_params.get("application_id"))
    if application_id is None:
        raise NotFound("no such application", field="applicationId")
    data = await checked_form(request)
    async with write(request) as session:
        application = await applications.withdraw(session, actor, application_id)
        opportunity_id = application.opportunity_id
    if data.get("back") == "listing":
        return see_other(request, f"/opportunities/{opportunity_id}?withdrawn=1#gate")
    return see_other(request, "/account/stacks?withdrawn=1#applications")


# --- the listing page: what it takes, and applying -----------------------------------------


@dataclass(frozen=True)
class Shareable:
    """One of the learner's own valid badges, as the apply form offers it."""

    assertion_id: uuid.UUID
    name: str
    issuer: str
    issued_on: datetime


@dataclass(frozen=True)
class GatePanel:
    gate: progress.GateView
    words: str
    badges: list[BadgeRef]
    apply_by: datetime | None  # in the listing's time zone
    viewer: Literal["anonymous", "learner", "other"]
    # The apply form as sent (with its errors), and what was just done (sent, withdrawn).
    form: Form = field(default_factory=Form)
    notice: str | None = None
    held_ids: frozenset[int] = frozenset()
    missing: list[BadgeRef] = field(default_factory=list)
    missing_levels: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False
    too_young: bool = False
    shareable: list[Shareable] = field(default_factory=list)
    # Under 13 without the guardian's share-with-employers consent: apply, but share nothing.
    child_needs_consent: bool = False
    consent_held: bool = False

    max_message = applications.MAX_MESSAGE
    day = staticmethod(local_day)

    @property
    def application(self) -> Application | None:
        return self.gate.application

    @property
    def unlocked(self) -> bool:
        return self.viewer == "learner" and bool(self.gate.met)

    @property
    def relocked(self) -> Unlock | None:
        unlock = self.gate.unlock
        return unlock if unlock is not None and unlock.relocked_at is not None else None

    @property
    def withdrawable(self) -> bool:
        return self.application is not None and self.application.status in OPEN_STATUSES


async def gate_panel(
    request: Request, ctx: PageContext, listing: ListingView, form: Form | None = None
) -> GatePanel | None:
    """The listing's gate as this visitor sees it (`form`: the apply form as sent, with its
    errors); None for a listing anyone may join."""
    viewer = await current_actor(request, now=ctx.now)
    async with ctx.sessionmaker() as session:
        profile = (
            await session.get(LearnerProfile, viewer.user_id)
            if viewer.user_id is not None
            else None
        )
        views = await progress.gate_views(
            session,
            [listing.id],
            viewer_id=viewer.user_id if profile is not None else None,
            now=ctx.now,
            lang=ctx.lang,
        )
        gate = views.get(listing.id)
        if gate is None:
            return None
        words = _words(gate.rule, gate.badges, gate.competencies, ctx)
        apply_by = (
            gate.apply_by.astimezone(ZoneInfo(listing.schedule_timezone))
            if gate.apply_by is not None
            else None
        )
        panel = GatePanel(
            gate,
            words,
            sorted(gate.badges.values(), key=lambda r: r.name),
            apply_by,
            "anonymous" if viewer.user_id is None else "other",
            form=form or Form(),
            notice=_notice(request, ctx),
            closed=gate.apply_by is not None and ctx.now > gate.apply_by,
        )
        if profile is None:
            return panel
        return await _for_learner(session, ctx, panel, profile, listing)


async def _for_learner(
    session: AsyncSession,
    ctx: PageContext,
    panel: GatePanel,
    profile: LearnerProfile,
    listing: ListingView,
) -> GatePanel:
    learner_id = profile.user_id
    outcome = panel.gate.outcome  # gate_views evaluated the rule for this viewer
    assert outcome is not None
    missing_refs = await progress.badge_refs(session, outcome.missing)
    levels = sorted(
        (panel.gate.competencies.get(c, str(c)), level) for c, level in outcome.missing_levels
    )
    shareable = [
        Shareable(a.id, b.name, o.name, a.issued_on)
        for a, b, o in await backpack.mine(session, learner_id)
        if a.revoked_at is None and (a.expires_at is None or a.expires_at > ctx.now)
    ]
    held_consent = await consent.holds(session, learner_id, ConsentPurpose.SHARE_WITH_EMPLOYERS)
    today = ctx.now.date()  # as the service counts age
    return replace(
        panel,
        viewer="learner",
        held_ids=outcome.holding,
        missing=sorted(missing_refs.values(), key=lambda r: r.name),
        missing_levels=levels,
        too_young=age_on(profile.birth_date, today) < listing.min_age,
        shareable=shareable,
        child_needs_consent=not held_consent and needs_guardian(profile.birth_date, today),
        consent_held=held_consent,
    )


def _notice(request: Request, ctx: PageContext) -> str | None:
    if request.query_params.get("applied") == "1":
        return ctx.t("gate.sent")
    if request.query_params.get("withdrawn") == "1":
        return ctx.t("stacks.withdrawn")
    return None


def _status(exc: DomainError) -> int:
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 400


@person_page
async def apply(request: Request, ctx: PageContext, actor: Actor) -> Response:
    """POST /opportunities/{id}/apply: the badges ticked to share, and a message."""
    opportunity_id = parse_id(request.path_params.get("opportunity_id"))
    if opportunity_id is None:
        raise NotFound("no such gated opportunity", field="opportunityId")
    data = await checked_form(request)
    form = read_form(data, ("message",), long=("message",))
    # One more than the service takes, so that it says how many it takes.
    ticked = [v for v in data.getlist("share") if isinstance(v, str)]
    ticked = ticked[: applications.MAX_SHARED + 1]
    form.lists["share"] = ticked
    shared = []
    for raw in ticked:
        try:
            shared.append(uuid.UUID(raw))
        except ValueError:
            # Nobody's badge: the service refuses it like any badge not the learner's own.
            shared.append(uuid.UUID(int=0))
    try:
        async with write(request) as session:
            await applications.apply(
                session,
                actor,
                opportunity_id,
                shared=shared,
                message=form.value("message") or None,
                now=ctx.now,
            )
    except NotFound:
        raise
    except DomainError as exc:
        form.add(APPLY_FIELDS.get(exc.field or "", "form"), message_of(exc, ctx.t))
        return await _listing(request, ctx, opportunity_id, form, _status(exc))
    return see_other(request, f"/opportunities/{opportunity_id}?applied=1#gate")


async def _listing(
    request: Request, ctx: PageContext, opportunity_id: int, form: Form, status: int
) -> Response:
    async with ctx.sessionmaker() as session:
        detail = await load_detail(session, opportunity_id, ctx.now)
    if detail is None:
        return await not_found(request)
    return await opportunity_response(request, ctx, detail, status_code=status, apply_form=form)


# --- search results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    unlocked: bool
    words: str


async def search_markers(
    request: Request, ctx: PageContext, session: AsyncSession, opportunity_ids: list[int]
) -> dict[int, Marker]:
    """Gated listings among a page of results: locked, or unlocked for the learner looking,
    with what each takes in words (a fixed number of reads for the whole page)."""
    if not opportunity_ids:
        return {}
    viewer = await current_actor(request, now=ctx.now)
    views = await progress.gate_views(
        session, opportunity_ids, viewer_id=viewer.user_id, now=ctx.now, lang=ctx.lang
    )
    return {
        opportunity_id: Marker(
            bool(view.met),
            _words(view.rule, view.badges, view.competencies, ctx),
        )
        for opportunity_id, view in views.items()
    }
