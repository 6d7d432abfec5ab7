"""The partner dashboard's stacks of badges, gates and applicants:

- /partners/{slug}/stacks: the organization's stacks (status, rule in words, the badge it
  awards); managers make, edit and archive them, and count badges from elsewhere as the
  badges a stack names (equivalences);
- /partners/{slug}/listings/{id}/gate: a listing's gate, a network stack or a rule built
  here, with preferred badges and an application deadline; removing it;
- /partners/{slug}/listings/{id}/applicants: the ranked applicants and what each shared;
  accept, waitlist or decline (never beyond the listing's capacity).

The rule builder picks badge classes of any issuer and a mode (all of, any of, at least
n of); the "advanced" JSON, when filled in, wins (nested rules, level rules). Every staff
member reads the stacks list; managers and owners do the rest (applicants are people's
data: managers only, as server/stacks/applications.py says). The services decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.authz import Actor
from server.errors import DomainError, Forbidden, InvalidInput, NotFound
from server.models import (
    Application,
    BadgeClass,
    BadgeEquivalence,
    Competency,
    Opportunity,
    OpportunityGate,
    Organization,
    Stack,
)
from server.models.enums import BadgeClassStatus, StackStatus
from server.stacks import applications, definitions, progress, rules
from web.dashboard_kit import DashboardOrg, dashboard_org, stamp
from web.i18n import Translator
from web.kit import Form, message_of, nudge, parse_id, person_page, read_form, see_other, write
from web.pages import PageContext, render
from web.rule_words import rule_words
from web.session import checked_form

MAX_PICKS = 200  # badge checkboxes read from one form (the services check the rest)
MAX_RULE_TEXT = 20_000
MODES = ("all_of", "any_of", "at_least")
DEFAULT_ZONE = "America/Chicago"
BADGES_LISTED = 1000
DECISIONS = {s.value: s for s in applications.DECISIONS}
NOTICES = (
    "created",
    "saved",
    "archived",
    "mapped",
    "gated",
    "ungated",
    "accepted",
    "waitlisted",
    "declined",
)
# The services' field names -> the form's.
STACK_FIELDS = {
    "name": "name",
    "awardBadgeClassId": "award",
    "stackId": "stack",
    "preferredBadgeClassIds": "preferred",
    "applyBy": "apply_date",
}
EQUIVALENCE_FIELDS = {
    "badgeClassId": "eq_badge",
    "achievementId": "eq_achievement_id",
    "criteriaUrl": "eq_criteria_url",
}


def _notice(ctx: PageContext) -> str | None:
    name = ctx.request.query_params.get("notice", "")
    return ctx.t(f"dash.stacks.notice.{name}") if name in NOTICES else None


# -- rules in the reader's words ------------------------------------------------------------


_RULE_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"(?P<what>\w+) must be a positive whole number", "dash.rule.err.positive"),
        (r"needs a list of at least one rule", "dash.rule.err.list"),
        (r"a rule has at most (?P<max>[0-9]+) parts", "dash.rule.err.parts"),
        (r"rules nest at most (?P<max>[0-9]+) deep", "dash.rule.err.depth"),
        (r"each rule is an object", "dash.rule.err.object"),
        (
            r"at_least (?P<n>[0-9]+) of only (?P<count>[0-9]+) rules can never be met",
            "dash.rule.err.never",
        ),
        (r"level must be one of (?P<levels>.+)", "dash.rule.err.level"),
        (r"use badge, all_of, any_of", "dash.rule.err.keys"),
        (r"no such badge class: (?P<ids>.+)", "dash.rule.err.badges"),
        (r"no such competency: (?P<ids>.+)", "dash.rule.err.competencies"),
    )
)


def rule_error(exc: DomainError, t: Translator) -> str:
    """A rule's error ("rule.all_of[1]: needs a list ...") with where it is, translated."""
    where, _, reason = (exc.message or "").partition(": ")
    for pattern, key in _RULE_REASONS:
        found = pattern.fullmatch(reason)
        if found:
            text = t(key, **found.groupdict())
            return text if where == "rule" else t("dash.rule.at", where=where, reason=text)
    return message_of(exc, t)


@dataclass(frozen=True)
class Names:
    """Badge and competency names for rules in words."""

    badges: Mapping[int, str]
    competencies: Mapping[int, str]

    def words(self, rule: rules.Rule, t: Translator) -> str:
        return rule_words(rule, self.badges, self.competencies, t)


async def _names(session: AsyncSession, parsed: Iterable[rules.Rule], lang: str) -> Names:
    found = list(parsed)
    badge_ids = {b for rule in found for b in rules.badge_classes(rule)}
    competency_ids = {c for rule in found for c in rules.competencies(rule)}
    refs = await progress.badge_refs(session, badge_ids)
    return Names(
        {i: ref.name for i, ref in refs.items()},
        await progress.competency_names(session, competency_ids, lang),
    )


# -- the rule builder -----------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeOption:
    id: str
    name: str


@dataclass(frozen=True)
class IssuerGroup:
    issuer: str
    badges: list[BadgeOption]


async def _badge_groups(session: AsyncSession) -> list[IssuerGroup]:
    """The network's active badge classes, by issuer."""
    rows = await session.execute(
        select(BadgeClass.id, BadgeClass.name, Organization.name)
        .join(Organization, Organization.id == BadgeClass.organization_id)
        .where(BadgeClass.status == BadgeClassStatus.ACTIVE.value)
        .order_by(Organization.name, Organization.id, BadgeClass.name, BadgeClass.id)
        .limit(BADGES_LISTED)
    )
    groups: list[IssuerGroup] = []
    for badge_id, name, issuer in rows.all():
        if not groups or groups[-1].issuer != issuer:
            groups.append(IssuerGroup(issuer, []))
        groups[-1].badges.append(BadgeOption(str(badge_id), name))
    return groups


async def _competencies(session: AsyncSession, lang: str) -> list[tuple[int, str]]:
    rows = await session.scalars(select(Competency).order_by(Competency.name).limit(500))
    return [(c.id, c.name_es if lang == "es" else c.name) for c in rows]


def _picks(data: FormData, name: str) -> list[str]:
    values = [v for v in data.getlist(name) if isinstance(v, str) and v.isdigit() and len(v) < 19]
    return list(dict.fromkeys(values))[:MAX_PICKS]


def _read_rule(data: FormData, form: Form) -> None:
    """The builder's fields into `form` (values: mode, at_least, rule_json; lists: badges)."""
    form.values.update(read_form(data, ("mode", "at_least")).values)
    raw = data.get("rule_json")
    form.values["rule_json"] = (
        raw.replace("\x00", "").strip()[:MAX_RULE_TEXT] if isinstance(raw, str) else ""
    )
    form.lists["badges"] = _picks(data, "badges")


def _rule_from(form: Form, t: Translator) -> Any:
    """The rule's JSON from the builder (None and an error on the form when it has none)."""
    text = form.value("rule_json")
    if text:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            form.add("rule_json", t("dash.rule.bad_json", line=exc.lineno, column=exc.colno))
        except (ValueError, RecursionError):
            form.add("rule_json", t("dash.rule.too_deep"))
        return None
    picked = [int(b) for b in form.lists.get("badges", [])]
    if not picked:
        form.add("badges", t("dash.rule.pick_some"))
        return None
    mode = form.value("mode") if form.value("mode") in MODES else "all_of"
    parts = [{"badge": b} for b in picked]
    if mode != "at_least":
        return {mode: parts}
    n_text = form.value("at_least")
    if not n_text.isdigit() or not 1 <= int(n_text) <= len(picked):
        form.add("at_least", t("dash.rule.at_least_range", count=len(picked)))
        return None
    return {"at_least": int(n_text), "of": parts}


def _fill_builder(form: Form, rule: rules.Rule, listed: set[str]) -> None:
    """A stored rule back into the builder when it can show it, else into the JSON box."""
    simple: tuple[str, tuple[rules.Rule, ...], int | None] | None = None
    if isinstance(rule, rules.AllOf):
        simple = ("all_of", rule.rules, None)
    elif isinstance(rule, rules.AnyOf):
        simple = ("any_of", rule.rules, None)
    elif isinstance(rule, rules.AtLeast):
        simple = ("at_least", rule.rules, rule.n)
    if simple is not None:
        mode, parts, n = simple
        ids = [str(p.badge_class_id) for p in parts if isinstance(p, rules.Badge)]
        if len(ids) == len(parts) and set(ids) <= listed:
            form.values["mode"] = mode
            form.values["at_least"] = str(n) if n else ""
            form.lists["badges"] = ids
            return
    form.values["mode"] = "all_of"
    form.values["rule_json"] = json.dumps(rules.to_json(rule))


def _fail_rule(form: Form, exc: DomainError, t: Translator) -> None:
    """A rule the service refused: next to the JSON box, or the badges when built here."""
    name = "rule_json" if form.value("rule_json") else "badges"
    form.add(name, rule_error(exc, t))


def _fail(form: Form, exc: DomainError, t: Translator, fields: Mapping[str, str]) -> None:
    if exc.field == "rule":
        _fail_rule(form, exc, t)
        return
    form.add(fields.get(exc.field or "", "form"), message_of(exc, t))


# -- the stacks list ------------------------------------------------------------------------


@dataclass(frozen=True)
class StackRow:
    stack: Stack
    words: str
    award: str | None


async def _stack_of(session: AsyncSession, request: Request, dorg: DashboardOrg) -> Stack:
    stack_id = parse_id(request.path_params.get("stack_id"))
    stack = await session.get(Stack, stack_id) if stack_id is not None else None
    if stack is None or stack.organization_id != dorg.org.id:
        raise NotFound("no such stack")
    return stack


@person_page
async def stack_list(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor)
    async with ctx.sessionmaker() as session:
        stacks = await definitions.stacks_of(session, dorg.org.id)
        parsed = [rules.parse(s.rule) for s in stacks]
        names = await _names(session, parsed, ctx.lang)
        awards = await progress.badge_refs(
            session, [s.award_badge_class_id for s in stacks if s.award_badge_class_id]
        )
    rows = [
        StackRow(
            stack,
            names.words(rule, ctx.t),
            awards[stack.award_badge_class_id].name
            if stack.award_badge_class_id in awards
            else None,
        )
        for stack, rule in zip(stacks, parsed, strict=True)
    ]
    return render(
        ctx,
        "partners/stacks/list.html",
        d=dorg,
        org=dorg.org,
        section="stacks",
        rows=rows,
        notice=_notice(ctx),
    )


# -- making and editing a stack -------------------------------------------------------------


async def _own_badges(session: AsyncSession, org: Organization) -> list[tuple[str, str]]:
    if not org.is_issuer:
        return []
    rows = await session.scalars(
        select(BadgeClass)
        .where(
            BadgeClass.organization_id == org.id,
            BadgeClass.status == BadgeClassStatus.ACTIVE.value,
        )
        .order_by(BadgeClass.name)
    )
    return [(str(b.id), b.name) for b in rows]


@dataclass(frozen=True)
class Mapped:
    text: str
    badge: str


async def _equivalences(
    session: AsyncSession, stack: Stack, names: Names
) -> tuple[list[tuple[str, str]], list[Mapped]]:
    """The badge classes a stack names (what a badge from elsewhere may count as), and the
    badges from elsewhere that count as them now."""
    named = sorted(rules.badge_classes(rules.parse(stack.rule)))
    options = [(str(b), names.badges.get(b, f"#{b}")) for b in named]
    rows = await session.scalars(
        select(BadgeEquivalence)
        .where(BadgeEquivalence.badge_class_id.in_(named))
        .order_by(BadgeEquivalence.created_at)
    )
    mapped = [
        Mapped(
            row.achievement_id or row.criteria_url or "",
            names.badges.get(row.badge_class_id, f"#{row.badge_class_id}"),
        )
        for row in rows
    ]
    return options, mapped


async def _stack_page(
    ctx: PageContext,
    dorg: DashboardOrg,
    form: Form,
    stack: Stack | None,
    *,
    eq_form: Form | None = None,
    status: int = 200,
) -> Response:
    async with ctx.sessionmaker() as session:
        groups = await _badge_groups(session)
        own = await _own_badges(session, dorg.org)
        competencies = await _competencies(session, ctx.lang)
        eq_options: list[tuple[str, str]] = []
        mapped: list[Mapped] = []
        words = None
        if stack is not None:
            parsed = rules.parse(stack.rule)
            names = await _names(session, [parsed], ctx.lang)
            words = names.words(parsed, ctx.t)
            eq_options, mapped = await _equivalences(session, stack, names)
    return render(
        ctx,
        "partners/stacks/form.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="stacks",
        form=form,
        stack=stack,
        words=words,
        archived=stack is not None and stack.status == StackStatus.ARCHIVED.value,
        groups=groups,
        modes=[(m, ctx.t(f"dash.rule.mode.{m}")) for m in MODES],
        awards=[("", ctx.t("dash.stacks.award_none")), *own],
        competencies=competencies,
        eq_form=eq_form or Form(),
        eq_options=eq_options,
        mapped=mapped,
        targets=_targets(groups),
        notice=_notice(ctx),
    )


def _targets(groups: list[IssuerGroup], **extra: str) -> dict[str, str]:
    """Where the error summary's link for each builder field goes."""
    first = groups[0].badges[0].id if groups else ""
    return {
        "badges": f"f-badges-{first}",
        "mode": "f-mode-all_of",
        "preferred": f"f-preferred-{first}",
        **extra,
    }


def _read_stack(data: FormData, t: Translator) -> tuple[Form, definitions.StackInput | None]:
    form = read_form(data, ("name", "description", "award"), long=("description",))
    _read_rule(data, form)
    rule = _rule_from(form, t)
    award = form.value("award")
    award_id = parse_id(award) if award else None
    if award and award_id is None:
        form.add("award", t("err.choice"))
    if not form.ok:
        return form, None
    return form, definitions.StackInput(
        name=form.value("name"),
        rule=rule,
        description=form.value("description"),
        award_badge_class_id=award_id,
    )


@person_page
async def new_stack(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    if request.method != "POST":
        return await _stack_page(ctx, dorg, Form(values={"mode": "all_of"}), None)
    form, data = _read_stack(await checked_form(request), ctx.t)
    if data is not None:
        try:
            async with write(request) as session:
                created = await definitions.create_stack(session, actor, dorg.org.id, data)
            return see_other(request, f"{dorg.base}/stacks/{created.id}/edit?notice=created")
        except DomainError as exc:
            _fail(form, exc, ctx.t, STACK_FIELDS)
    return await _stack_page(ctx, dorg, form, None, status=400)


@person_page
async def edit_stack(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    async with ctx.sessionmaker() as session:
        stack = await _stack_of(session, request, dorg)
        listed = {b.id for g in await _badge_groups(session) for b in g.badges}
    if request.method != "POST":
        form = Form(
            values={
                "name": stack.name,
                "description": stack.description,
                "award": str(stack.award_badge_class_id or ""),
            }
        )
        _fill_builder(form, rules.parse(stack.rule), listed)
        return await _stack_page(ctx, dorg, form, stack)
    form, data = _read_stack(await checked_form(request), ctx.t)
    if data is not None:
        try:
            async with write(request) as session:
                await definitions.update_stack(session, actor, stack.id, data)
            return see_other(request, f"{dorg.base}/stacks/{stack.id}/edit?notice=saved")
        except DomainError as exc:
            _fail(form, exc, ctx.t, STACK_FIELDS)
    return await _stack_page(ctx, dorg, form, stack, status=400)


def _stored_form(stack: Stack) -> Form:
    return Form(
        values={
            "name": stack.name,
            "description": stack.description,
            "award": str(stack.award_badge_class_id or ""),
            "mode": "all_of",
            "rule_json": json.dumps(stack.rule),
        }
    )


@person_page
async def archive_stack(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    async with ctx.sessionmaker() as session:
        stack = await _stack_of(session, request, dorg)
        listed = {b.id for g in await _badge_groups(session) for b in g.badges}
    form = _stored_form(stack)
    _fill_builder(form, rules.parse(stack.rule), listed)
    if data.get("confirm") != "1":
        form.add("confirm", ctx.t("dash.stacks.archive_confirm_needed"))
        return await _stack_page(ctx, dorg, form, stack, status=400)
    try:
        async with write(request) as session:
            await definitions.archive_stack(session, actor, stack.id)
    except DomainError as exc:
        form.add("confirm", message_of(exc, ctx.t))
        return await _stack_page(ctx, dorg, form, stack, status=409)
    return see_other(request, f"{dorg.base}/stacks?notice=archived")


@person_page
async def add_equivalence(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    async with ctx.sessionmaker() as session:
        stack = await _stack_of(session, request, dorg)
        listed = {b.id for g in await _badge_groups(session) for b in g.badges}
    eq_form = read_form(data, ("eq_badge", "eq_achievement_id", "eq_criteria_url"))
    badge_id = parse_id(eq_form.value("eq_badge"))
    if badge_id is None or badge_id not in rules.badge_classes(rules.parse(stack.rule)):
        eq_form.add("eq_badge", ctx.t("err.choice"))
    else:
        try:
            async with write(request) as session:
                await definitions.add_equivalence(
                    session,
                    actor,
                    badge_id,
                    achievement_id=eq_form.value("eq_achievement_id") or None,
                    criteria_url=eq_form.value("eq_criteria_url") or None,
                )
            await nudge(request)
            return see_other(request, f"{dorg.base}/stacks/{stack.id}/edit?notice=mapped")
        except DomainError as exc:
            _fail(eq_form, exc, ctx.t, EQUIVALENCE_FIELDS)
    form = _stored_form(stack)
    _fill_builder(form, rules.parse(stack.rule), listed)
    return await _stack_page(ctx, dorg, form, stack, eq_form=eq_form, status=400)


# -- a listing's gate -----------------------------------------------------------------------


async def _listing_of(session: AsyncSession, request: Request, dorg: DashboardOrg) -> Opportunity:
    listing_id = parse_id(request.path_params.get("listing_id"))
    listing = await session.get(Opportunity, listing_id) if listing_id is not None else None
    if listing is None or listing.organization_id != dorg.org.id:
        raise NotFound("no such listing")
    return listing


def _zone_of(listing: Opportunity) -> str:
    name = listing.schedule_timezone or DEFAULT_ZONE
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return DEFAULT_ZONE
    return name


def _gate_form(gate: OpportunityGate, zone: str, listed: set[str]) -> Form:
    form = Form(values={"mode": "all_of"})
    if gate.stack_id is not None:
        form.values.update(source="stack", stack=str(gate.stack_id))
    else:
        form.values["source"] = "rule"
        assert gate.rule is not None
        _fill_builder(form, rules.parse(gate.rule), listed)
    form.lists["preferred"] = [str(b) for b in gate.preferred_badge_class_ids]
    if gate.apply_by is not None:
        local = gate.apply_by.astimezone(ZoneInfo(zone))
        form.values["apply_date"] = local.date().isoformat()
        form.values["apply_time"] = local.strftime("%H:%M")
    return form


def _deadline(form: Form, zone: str, t: Translator) -> datetime | None:
    day_text, time_text = form.value("apply_date"), form.value("apply_time")
    if not day_text:
        if time_text:
            form.add("apply_date", t("dash.gate.time_needs_date"))
        return None
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        form.add("apply_date", t("dash.gate.bad_date"))
        return None
    at = time(23, 59)
    if time_text:
        try:
            at = time.fromisoformat(time_text)
        except ValueError:
            form.add("apply_time", t("dash.gate.bad_time"))
            return None
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=ZoneInfo(zone))


def _read_gate(
    data: FormData, zone: str, t: Translator
) -> tuple[Form, definitions.GateInput | None]:
    form = read_form(data, ("source", "stack", "apply_date", "apply_time"))
    _read_rule(data, form)
    form.lists["preferred"] = _picks(data, "preferred")
    stack_id = rule = None
    if form.value("source") == "stack":
        stack_id = parse_id(form.value("stack"))
        if stack_id is None:
            form.add("stack", t("dash.gate.choose_stack"))
    else:
        form.values["source"] = "rule"
        rule = _rule_from(form, t)
    apply_by = _deadline(form, zone, t)
    if not form.ok:
        return form, None
    return form, definitions.GateInput(
        stack_id=stack_id,
        rule=rule,
        preferred_badge_class_ids=[int(b) for b in form.lists["preferred"]],
        apply_by=apply_by,
    )


async def _gate_page(
    ctx: PageContext,
    dorg: DashboardOrg,
    listing: Opportunity,
    form: Form,
    *,
    status: int = 200,
) -> Response:
    zone = _zone_of(listing)
    async with ctx.sessionmaker() as session:
        gate = await session.get(OpportunityGate, listing.id)
        groups = await _badge_groups(session)
        competencies = await _competencies(session, ctx.lang)
        stacks = await definitions.active_stacks(session)
        current = await definitions.gate_rule(session, gate) if gate is not None else None
        names = await _names(session, [current] if current else [], ctx.lang)
        preferred = await progress.badge_refs(
            session, gate.preferred_badge_class_ids if gate else []
        )
    deadline = None
    if gate is not None and gate.apply_by is not None:
        local = gate.apply_by.astimezone(ZoneInfo(zone))
        deadline = f"{ctx.t.long_date(local.date())}, {ctx.t.clock(local)}"
    return render(
        ctx,
        "partners/stacks/gate.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="listings",
        listing=listing,
        gate=gate,
        current=names.words(current, ctx.t) if current else None,
        preferred_names=[ref.name for ref in preferred.values()],
        deadline=deadline,
        form=form,
        groups=groups,
        competencies=competencies,
        modes=[(m, ctx.t(f"dash.rule.mode.{m}")) for m in MODES],
        stacks=[("", ctx.t("dash.gate.stack_choose"))] + [(str(s.id), s.name) for s in stacks],
        zone=zone,
        targets=_targets(groups, source="f-source-stack"),
        notice=_notice(ctx),
    )


@person_page
async def gate_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    async with ctx.sessionmaker() as session:
        listing = await _listing_of(session, request, dorg)
        gate = await session.get(OpportunityGate, listing.id)
        listed = {b.id for g in await _badge_groups(session) for b in g.badges}
    zone = _zone_of(listing)
    if request.method != "POST":
        form = (
            _gate_form(gate, zone, listed)
            if gate is not None
            else Form(values={"source": "rule", "mode": "all_of"})
        )
        return await _gate_page(ctx, dorg, listing, form)
    form, data = _read_gate(await checked_form(request), zone, ctx.t)
    if data is not None:
        try:
            async with write(request) as session:
                await definitions.set_gate(session, actor, listing.id, data)
            return see_other(request, f"{dorg.base}/listings/{listing.id}/gate?notice=gated")
        except DomainError as exc:
            _fail(form, exc, ctx.t, STACK_FIELDS)
    return await _gate_page(ctx, dorg, listing, form, status=400)


@person_page
async def remove_gate(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    await checked_form(request)
    async with ctx.sessionmaker() as session:
        listing = await _listing_of(session, request, dorg)
    async with write(request) as session:
        await definitions.remove_gate(session, actor, listing.id)
    return see_other(request, f"{dorg.base}/listings/{listing.id}/gate?notice=ungated")


# -- applicants -----------------------------------------------------------------------------


async def _applicants_page(
    ctx: PageContext,
    dorg: DashboardOrg,
    actor: Actor,
    listing: Opportunity,
    *,
    failed: tuple[int, str] | None = None,
    status: int = 200,
) -> Response:
    async with ctx.sessionmaker() as session:
        ranked = await applications.applicants(session, actor, listing.id, now=ctx.now)
        taken = await applications.accepted_count(session, listing.id)
        try:
            rule: rules.Rule | None = (await applications.gated(session, listing.id)).rule
        except NotFound:  # the gate was removed; its applications stay to be decided
            rule = None
        words = (await _names(session, [rule], ctx.lang)).words(rule, ctx.t) if rule else None
    return render(
        ctx,
        "partners/stacks/applicants.html",
        status_code=status,
        d=dorg,
        org=dorg.org,
        section="listings",
        listing=listing,
        ranked=ranked,
        taken=taken,
        capacity=listing.capacity,
        words=words,
        decisions=[s.value for s in applications.DECISIONS],
        failed=failed,
        stamp=lambda value: stamp(ctx.t, value, ctx.today),
        notice=_notice(ctx),
    )


@person_page
async def applicants_page(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    async with ctx.sessionmaker() as session:
        listing = await _listing_of(session, request, dorg)
    return await _applicants_page(ctx, dorg, actor, listing)


@person_page
async def decide(request: Request, ctx: PageContext, actor: Actor) -> Response:
    dorg = await dashboard_org(request, ctx, actor, edit=True)
    data = await checked_form(request)
    application_id = parse_id(request.path_params.get("application_id"))
    async with ctx.sessionmaker() as session:
        application = (
            await session.get(Application, application_id) if application_id is not None else None
        )
        listing = (
            await session.get(Opportunity, application.opportunity_id) if application else None
        )
    if application is None or listing is None or listing.organization_id != dorg.org.id:
        raise NotFound("no such application")
    wanted = DECISIONS.get(str(data.get("status", "")))
    try:
        if wanted is None:
            raise InvalidInput("accept, waitlist or decline", field="status")
        async with write(request) as session:
            await applications.decide(
                session,
                actor,
                application.id,
                wanted,
                now=ctx.now,
                public_url=request.app.state.settings.public_url,
            )
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        failed = (application.id, message_of(exc, ctx.t))
        return await _applicants_page(ctx, dorg, actor, listing, failed=failed, status=409)
    await nudge(request)
    return see_other(request, f"{dorg.base}/listings/{listing.id}/applicants?notice={wanted.value}")
