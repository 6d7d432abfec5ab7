"""The partner dashboard's stacks, gates and applicants pages over HTTP: a manager builds a
stack across two issuers, a bad rule is shown next to its field and saves nothing, a
listing is gated with a stack or a rule of its own (preferred badges, a deadline), the
applicants are ranked and show only what each shared, accepting stops at capacity;
issuer-role staff and other organizations' staff are refused; both languages."""

from __future__ import annotations

import ast
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from server.authz import Actor
from server.badges import awards
from server.db import session_scope
from server.errors import InvalidInput
from server.models import (
    Application,
    BadgeClass,
    BadgeEquivalence,
    OpportunityGate,
    Stack,
    User,
)
from server.models.enums import ApplicationStatus, StaffRole
from server.settings import Settings
from server.stacks import applications, definitions, rules
from tests.accounts import people
from tests.badges.helpers import Issuer, badge_class, issuer, now
from tests.stacks.helpers import Employer, award, drain, gated_listing, listing
from tests.web.browser import PHONE, SCREENSHOTS, Watch, needs_chromium, no_horizontal_scroll
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, Staff, browser_for, staff
from tests.web.site import check_page, field_errors, post, text_of
from web.dashboard_stacks import rule_error
from web.errors_i18n import BY_CODE, BY_MESSAGE
from web.i18n import Translator
from web.rule_words import rule_words

ROOT = Path(__file__).resolve().parents[2]


async def _team(sessionmaker: Sessions) -> tuple[Staff, Issuer, Issuer]:
    """Our organization (an issuer too) and two other issuers with a badge each."""
    team = await staff(sessionmaker)
    async with session_scope(sessionmaker) as s:
        org = await s.get(type(team.org), team.org.id)
        assert org is not None
        org.is_issuer = True
        org.is_employer = True
        museum, college = await issuer(s), await issuer(s)
    team.org.is_issuer = True
    return team, museum, college


async def _badges(sessionmaker: Sessions, *made: tuple[Issuer, str]) -> list[BadgeClass]:
    async with session_scope(sessionmaker) as s:
        return [await badge_class(s, who, name=name) for who, name in made]


async def _count(sessionmaker: Sessions, org_id: int) -> int:
    async with sessionmaker() as s:
        return int(
            await s.scalar(
                select(func.count()).select_from(Stack).where(Stack.organization_id == org_id)
            )
            or 0
        )


async def _get(browser: httpx.AsyncClient, url: str, status: int = 200) -> httpx.Response:
    response = await browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    check_page(response)
    return response


def _stack_fields(title: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "name": title,
        "description": "Design and code, from two places.",
        "mode": "all_of",
        "at_least": "",
        "rule_json": "",
        "award": "",
    }
    fields.update(changes)
    return fields


async def test_a_manager_builds_a_stack_across_two_issuers(
    sessionmaker: Sessions, new_client: ClientFactory
) -> None:
    team, museum, college = await _team(sessionmaker)
    design, html, css = await _badges(
        sessionmaker,
        (museum, "Design Thinking"),
        (college, "Intro to HTML"),
        (college, "Intro to CSS"),
    )
    own = await issuer_badge(sessionmaker, team, "Web Maker")
    browser = await browser_for(new_client, team.manager)
    form = await _get(browser, f"{team.base}/stacks/new")
    # The builder lists other issuers' badges, by issuer; the award select only our own.
    assert f'id="f-badges-{design.id}"' in form.text and f'id="f-badges-{html.id}"' in form.text
    assert museum.organization.name in form.text and college.organization.name in form.text
    assert f'<option value="{own.id}"' in form.text
    assert f'<option value="{design.id}"' not in form.text
    done = await post(
        browser,
        f"{team.base}/stacks/new",
        _stack_fields(
            "Web starter",
            badges=[str(design.id), str(html.id), str(css.id)],
            mode="at_least",
            at_least="2",
            award=str(own.id),
        ),
        page=f"{team.base}/stacks/new",
    )
    found = re.search(r"/stacks/(\d+)/edit\?notice=created", done.headers["location"])
    assert found, done.headers["location"]
    async with sessionmaker() as s:
        stack = await s.get(Stack, int(found.group(1)))
        assert stack is not None and stack.organization_id == team.org.id
        assert stack.rule == {
            "at_least": 2,
            "of": [{"badge": design.id}, {"badge": html.id}, {"badge": css.id}],
        }
        assert stack.award_badge_class_id == own.id
    # The list says it in words; the edit page shows the builder as it was.
    listed = text_of((await _get(browser, f"{team.base}/stacks")).text)
    assert "at least 2 of: Design Thinking, Intro to HTML, Intro to CSS" in listed
    assert "Web Maker" in listed and "Active" in listed
    edit = await _get(browser, f"{team.base}/stacks/{stack.id}/edit")
    assert re.search(rf'id="f-badges-{css.id}"[^>]*checked', edit.text)
    assert re.search(r'id="f-mode-at_least"[^>]*checked', edit.text)
    # Advanced JSON wins over the checkboxes: a nested rule.
    nested = f'{{"all_of": [{{"badge": {design.id}}}, {{"any_of": [{{"badge": {html.id}}}]}}]}}'
    await post(
        browser,
        f"{team.base}/stacks/{stack.id}/edit",
        _stack_fields("Web starter", badges=[str(css.id)], rule_json=nested),
        page=f"{team.base}/stacks/{stack.id}/edit",
    )
    async with sessionmaker() as s:
        again = await s.get(Stack, stack.id)
        assert again is not None
        assert again.rule == {"all_of": [{"badge": design.id}, {"any_of": [{"badge": html.id}]}]}
    listed = text_of((await _get(browser, f"{team.base}/stacks")).text)
    assert "all of: Design Thinking, (any of: Intro to HTML)" in listed


async def issuer_badge(sessionmaker: Sessions, team: Staff, name: str) -> BadgeClass:
    """A badge class of the team's own organization."""
    own = Issuer(team.org, team.manager, team.issuer, 0)
    async with session_scope(sessionmaker) as s:
        return await badge_class(s, own, name=name)


async def test_a_bad_rule_shows_next_to_its_field_and_saves_nothing(
    sessionmaker: Sessions, new_client: ClientFactory
) -> None:
    team, museum, _ = await _team(sessionmaker)
    (design,) = await _badges(sessionmaker, (museum, "Design Thinking"))
    browser = await browser_for(new_client, team.manager)
    page = f"{team.base}/stacks/new"
    cases: list[tuple[dict[str, str | list[str]], str, str]] = [
        ({"rule_json": '{"all_of": [1,'}, "f-rule_json-error", "This is not valid JSON"),
        ({"rule_json": '{"all_of": []}'}, "f-rule_json-error", "At rule.all_of: It needs a list"),
        ({"rule_json": '{"badge": 999999999}'}, "f-rule_json-error", "no badge with the number"),
        ({}, "f-badges-error", "Choose at least one badge"),
        (
            {"badges": [str(design.id)], "mode": "at_least", "at_least": "3"},
            "f-at_least-error",
            "Give a number from 1 to 1",
        ),
        ({"name": "", "badges": [str(design.id)]}, "f-name-error", "Give the stack a name"),
    ]
    for changes, where, says in cases:
        response = await post(
            browser, page, _stack_fields("Broken", **changes), page=page, expect=400
        )
        errors = field_errors(response.text)
        assert says in errors.get(where, ""), (changes, errors)
        # What was typed comes back.
        if "rule_json" in changes:
            assert "all_of" in response.text or "999999999" in response.text
    assert await _count(sessionmaker, team.org.id) == 0
    # In Spanish too.
    await browser.get(f"{team.base}/stacks?lang=es")
    response = await post(
        browser, page, _stack_fields("Roto", rule_json="{nope"), page=page, expect=400
    )
    assert "Esto no es JSON válido" in field_errors(response.text)["f-rule_json-error"]
    assert await _count(sessionmaker, team.org.id) == 0


async def _stack(sessionmaker: Sessions, team: Staff, name: str, rule: object) -> Stack:
    actor = Actor(user_id=team.manager.id, roles={team.org.id: StaffRole.MANAGER})
    async with session_scope(sessionmaker) as s:
        return await definitions.create_stack(
            s, actor, team.org.id, definitions.StackInput(name=name, rule=rule)
        )


async def _listing(sessionmaker: Sessions, team: Staff, title: str, **fields: object) -> int:
    async with session_scope(sessionmaker) as s:
        made = await listing(s, team.org, title=title, **fields)
        return made.id


async def test_gating_a_listing_with_a_stack_or_a_rule_of_its_own(
    sessionmaker: Sessions, new_client: ClientFactory
) -> None:
    team, museum, college = await _team(sessionmaker)
    design, html = await _badges(
        sessionmaker, (museum, "Design Thinking"), (college, "Intro to HTML")
    )
    stack = await _stack(sessionmaker, team, "Designers", {"all_of": [{"badge": design.id}]})
    listing_id = await _listing(sessionmaker, team, "Web design internship")
    browser = await browser_for(new_client, team.manager)
    # The listings page links to the gate.
    listings = await _get(browser, f"{team.base}/listings")
    assert f"{team.base}/listings/{listing_id}/gate" in listings.text
    page = f"{team.base}/listings/{listing_id}/gate"
    open_page = await _get(browser, page)
    assert "This listing is open to everyone." in text_of(open_page.text)
    await post(
        browser,
        page,
        {
            "source": "stack",
            "stack": str(stack.id),
            "preferred": [str(html.id), str(design.id)],
            "apply_date": "2031-06-30",
            "apply_time": "17:00",
        },
        page=page,
    )
    async with sessionmaker() as s:
        gate = await s.get(OpportunityGate, listing_id)
        assert gate is not None and gate.stack_id == stack.id and gate.rule is None
        assert gate.preferred_badge_class_ids == sorted([html.id, design.id])
        chicago = datetime(2031, 6, 30, 17, 0, tzinfo=ZoneInfo("America/Chicago"))
        assert gate.apply_by == chicago
    shown = await _get(browser, page)
    assert "all of: Design Thinking" in text_of(shown.text)
    assert re.search(rf'id="f-preferred-{html.id}"[^>]*checked', shown.text)
    assert 'value="2031-06-30"' in shown.text and 'value="17:00"' in shown.text
    listings = await _get(browser, f"{team.base}/listings")
    assert f"{team.base}/listings/{listing_id}/applicants" in listings.text
    # Changed to a rule of its own, built here; no deadline.
    await post(
        browser,
        page,
        {"source": "rule", "badges": [str(design.id), str(html.id)], "mode": "any_of"},
        page=page,
    )
    async with sessionmaker() as s:
        gate = await s.get(OpportunityGate, listing_id, populate_existing=True)
        assert gate is not None and gate.stack_id is None
        assert gate.rule == {"any_of": [{"badge": design.id}, {"badge": html.id}]}
        assert gate.preferred_badge_class_ids == [] and gate.apply_by is None
    # A bad deadline and no stack chosen: errors by their fields, the gate unchanged.
    response = await post(
        browser,
        page,
        {"source": "stack", "stack": "", "apply_date": "30/06"},
        page=page,
        expect=400,
    )
    errors = field_errors(response.text)
    assert "Choose a stack" in errors["f-stack-error"]
    assert "Give a date like" in errors["f-apply_date-error"]
    # The stack gating nothing now archives; in use it would not (see below).
    other = f"{team.base}/listings/{await _listing(sessionmaker, team, 'Other')}/gate"
    await post(browser, other, {"source": "stack", "stack": str(stack.id)}, page=other)
    edit = f"{team.base}/stacks/{stack.id}/edit"
    refused = await post(
        browser, f"{team.base}/stacks/{stack.id}/archive", {"confirm": "1"}, page=edit, expect=409
    )
    assert "Listings are gated by this stack" in text_of(refused.text)
    unconfirmed = await post(
        browser, f"{team.base}/stacks/{stack.id}/archive", {}, page=edit, expect=400
    )
    assert "Tick the box" in field_errors(unconfirmed.text)["f-confirm-error"]
    await post(browser, f"{other}/remove", {}, page=other)
    await post(browser, f"{team.base}/stacks/{stack.id}/archive", {"confirm": "1"}, page=edit)
    async with sessionmaker() as s:
        archived = await s.get(Stack, stack.id)
        assert archived is not None and archived.status == "archived"
    # Removing the gate opens the listing.
    await post(browser, f"{page}/remove", {}, page=page)
    async with sessionmaker() as s:
        assert await s.get(OpportunityGate, listing_id) is None


async def test_a_badge_from_elsewhere_counts_as_one_the_stack_names(
    sessionmaker: Sessions, new_client: ClientFactory
) -> None:
    team, museum, _ = await _team(sessionmaker)
    (design,) = await _badges(sessionmaker, (museum, "Design Thinking"))
    stack = await _stack(sessionmaker, team, "Designers", {"all_of": [{"badge": design.id}]})
    browser = await browser_for(new_client, team.manager)
    edit = f"{team.base}/stacks/{stack.id}/edit"
    page = await _get(browser, edit)
    assert "Count a badge from elsewhere as" in text_of(page.text)
    achievement = f"urn:uuid:{uuid.uuid4()}"
    action = f"{team.base}/stacks/{stack.id}/equivalences"
    bad = await post(browser, action, {"eq_badge": str(design.id)}, page=edit, expect=400)
    assert (
        "Give the achievement id or the criteria"
        in field_errors(bad.text)["f-eq_achievement_id-error"]
    )
    await post(
        browser, action, {"eq_badge": str(design.id), "eq_achievement_id": achievement}, page=edit
    )
    async with sessionmaker() as s:
        row = await s.scalar(
            select(BadgeEquivalence).where(BadgeEquivalence.achievement_id == achievement)
        )
        assert row is not None and row.badge_class_id == design.id
    assert achievement in (await _get(browser, edit)).text


async def _apply(
    sessionmaker: Sessions, learner: User, listing_id: int, shared: list[uuid.UUID]
) -> int:
    async with session_scope(sessionmaker) as s:
        made = await applications.apply(
            s, Actor(user_id=learner.id), listing_id, shared=shared, message="Hi!", now=now()
        )
        return made.id


async def test_applicants_are_ranked_show_only_what_they_shared_and_stop_at_capacity(
    sessionmaker: Sessions, new_client: ClientFactory, settings: Settings
) -> None:
    team, museum, college = await _team(sessionmaker)
    design, html, pottery = await _badges(
        sessionmaker,
        (museum, "Design Thinking"),
        (college, "Intro to HTML"),
        (museum, "Secret Pottery"),
    )
    async with session_scope(sessionmaker) as s:
        gated = await gated_listing(
            s,
            Employer(team.org, team.manager),
            {"any_of": [{"badge": design.id}, {"badge": html.id}]},
            title="Web design internship",
            capacity=1,
            preferred_badge_class_ids=[html.id],
        )
        ana = await people.learner(s, "Anabel", age=15)
        bo = await people.learner(s, "Bonifacio", age=15)
        cy = await people.learner(s, "Cyrano", age=15)
        ana_design = await award(s, museum, design, ana)
        await award(s, museum, pottery, ana)  # held, never shared
        bo_html = await award(s, college, html, bo)
        cy_html = await award(s, college, html, cy)
    await drain(sessionmaker, settings)
    ana_app = await _apply(sessionmaker, ana, gated.id, [ana_design])
    bo_app = await _apply(sessionmaker, bo, gated.id, [bo_html])
    cy_app = await _apply(sessionmaker, cy, gated.id, [cy_html])
    # Cy's badge is revoked after applying: the application is flagged.
    async with session_scope(sessionmaker) as s:
        await awards.revoke(s, college.staff_actor, cy_html, "awarded by mistake", now=now())
    await drain(sessionmaker, settings)
    browser = await browser_for(new_client, team.manager)
    url = f"{team.base}/listings/{gated.id}/applicants"
    page = await _get(browser, url)
    text = text_of(page.text)
    # Preferred badge shared first, then good standing, the flagged one last.
    order = [text.index(name) for name in ("Bonifacio", "Anabel", "Cyrano")]
    assert order == sorted(order), text
    assert "No longer meets the rule" in text and "was revoked (awarded by mistake)" in text
    assert "Design Thinking" in text and "Preferred" in text
    assert "Secret Pottery" not in page.text  # held but not shared
    assert "0 of 1 place taken" in text
    # Accept up to capacity; then FULL, said clearly, nothing changed.
    await post(
        browser, f"{team.base}/applications/{bo_app}/decide", {"status": "accepted"}, page=url
    )
    page = await _get(browser, url)
    assert "1 of 1 place taken" in text_of(page.text)
    full = await post(
        browser,
        f"{team.base}/applications/{ana_app}/decide",
        {"status": "accepted"},
        page=url,
        expect=409,
    )
    assert "All places are taken. Waitlist this applicant instead." in text_of(full.text)
    await post(
        browser, f"{team.base}/applications/{ana_app}/decide", {"status": "waitlisted"}, page=url
    )
    odd = await post(
        browser,
        f"{team.base}/applications/{cy_app}/decide",
        {"status": "hired"},
        page=url,
        expect=409,
    )
    assert "Accept, waitlist or decline." in text_of(odd.text)
    async with sessionmaker() as s:
        statuses = {
            a.id: a.status
            for a in await s.scalars(
                select(Application).where(Application.opportunity_id == gated.id)
            )
        }
    assert statuses == {
        bo_app: ApplicationStatus.ACCEPTED.value,
        ana_app: ApplicationStatus.WAITLISTED.value,
        cy_app: ApplicationStatus.SUBMITTED.value,
    }
    # In Spanish: the page and the error.
    await browser.get(f"{url}?lang=es")
    page = await _get(browser, url)
    assert "Postulaciones" in text_of(page.text) and "1 de 1 lugar ocupado" in text_of(page.text)
    # The flag's reason in Spanish too (the issuer's own words stay as written).
    assert "fue revocada (awarded by mistake)" in text_of(page.text)
    full = await post(
        browser,
        f"{team.base}/applications/{cy_app}/decide",
        {"status": "accepted"},
        page=url,
        expect=409,
    )
    assert "Todos los lugares están ocupados" in text_of(full.text)


async def test_issuer_staff_and_other_organizations_are_refused(
    sessionmaker: Sessions, new_client: ClientFactory
) -> None:
    team, museum, _ = await _team(sessionmaker)
    (design,) = await _badges(sessionmaker, (museum, "Design Thinking"))
    stack = await _stack(sessionmaker, team, "Designers", {"all_of": [{"badge": design.id}]})
    async with session_scope(sessionmaker) as s:
        gated = await gated_listing(
            s, Employer(team.org, team.manager), {"badge": design.id}, title="Gated"
        )
        learner = await people.learner(s, "Lou", age=15)
        await award(s, museum, design, learner)
    application_id = await _apply(sessionmaker, learner, gated.id, [])
    base = team.base
    pages = [
        f"{base}/stacks/new",
        f"{base}/stacks/{stack.id}/edit",
        f"{base}/listings/{gated.id}/gate",
        f"{base}/listings/{gated.id}/applicants",
    ]
    posts: list[tuple[str, dict[str, str | list[str]]]] = [
        (f"{base}/applications/{application_id}/decide", {"status": "accepted"}),
        (f"{base}/listings/{gated.id}/gate/remove", {}),
        (f"{base}/stacks/{stack.id}/archive", {"confirm": "1"}),
    ]
    for user in (team.issuer, team.stranger):
        browser = await browser_for(new_client, user)
        for url in pages:
            await _get(browser, url, status=403)
        for url, data in posts:
            await post(browser, url, data, page="/account", expect=403)
    # Issuer-role staff read the stacks list (like the other dashboard pages), no forms.
    browser = await browser_for(new_client, team.issuer)
    listed = await _get(browser, f"{base}/stacks")
    assert "Designers" in listed.text and f"{base}/stacks/new" not in listed.text
    stranger = await browser_for(new_client, team.stranger)
    await _get(stranger, f"{base}/stacks", status=403)
    async with sessionmaker() as s:
        application = await s.get(Application, application_id)
        assert application is not None and application.status == "submitted"
        assert await s.get(OpportunityGate, gated.id) is not None
    # A manager of another organization: refused there, and our listing under their
    # slug is not theirs.
    manager = await browser_for(new_client, team.manager)
    other = await staff(sessionmaker)
    await _get(manager, f"/partners/{other.org.slug}/stacks", status=403)
    other_manager = await browser_for(new_client, other.manager)
    await _get(other_manager, f"{other.base}/listings/{gated.id}/applicants", status=404)
    await _get(other_manager, f"{other.base}/listings/{gated.id}/gate", status=404)


async def test_the_spanish_pages(sessionmaker: Sessions, new_client: ClientFactory) -> None:
    team, museum, _ = await _team(sessionmaker)
    (design,) = await _badges(sessionmaker, (museum, "Design Thinking"))
    await _stack(sessionmaker, team, "Diseño", {"at_least": 1, "of": [{"badge": design.id}]})
    browser = await browser_for(new_client, team.manager)
    await browser.get(f"{team.base}/stacks?lang=es")
    listed = text_of((await _get(browser, f"{team.base}/stacks")).text)
    assert "Conjuntos de insignias" in listed and "Nuevo conjunto" in listed
    assert "al menos 1 de estas: Design Thinking" in listed
    form = text_of((await _get(browser, f"{team.base}/stacks/new")).text)
    assert "Avanzado: la regla en JSON" in form and "Todas las insignias elegidas" in form


def test_rules_in_words_in_both_languages() -> None:
    rule = rules.parse(
        {
            "all_of": [
                {"badge": 1},
                {"at_least": 2, "of": [{"badge": 2}, {"badge": 3}, {"badge": 9}]},
                {"level": "skill", "competency": 7},
            ]
        }
    )
    badges = {1: "Design Thinking", 2: "Intro to HTML", 3: "Intro to CSS"}
    competencies = {7: "Digital literacy"}
    assert rule_words(rule, badges, competencies, Translator("en")) == (
        "all of: Design Thinking, (at least 2 of: Intro to HTML, Intro to CSS, badge #9), "
        "a skill-level badge in Digital literacy"
    )
    assert rule_words(rule, badges, competencies, Translator("es")) == (
        "todas estas: Design Thinking, (al menos 2 de estas: Intro to HTML, Intro to CSS, "
        "insignia n.º 9), una insignia de nivel habilidad en Digital literacy"
    )
    assert rule_words(rules.Badge(1), badges, {}, Translator("en")) == "Design Thinking"


BAD_RULES: tuple[object, ...] = (
    {"badge": 0},
    {"badge": True},
    {"all_of": []},
    {"any_of": "x"},
    [1],
    {"at_least": 3, "of": [{"badge": 1}]},
    {"level": "guru", "competency": 1},
    {"nope": 1},
    {
        "all_of": [
            {"all_of": [{"all_of": [{"all_of": [{"all_of": [{"all_of": [{"badge": 1}]}]}]}]}]}
        ]
    },
)


@pytest.mark.parametrize("raw", BAD_RULES)
def test_a_rules_errors_are_told_in_both_languages(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.parse(raw)
    english, spanish = (
        rule_error(caught.value, Translator("en")),
        rule_error(caught.value, Translator("es")),
    )
    assert english != spanish and "{" not in spanish.replace('{"', "")
    assert english != caught.value.message  # our words, not the service's


def _raised(path: Path) -> list[tuple[str, str | None]]:
    """(message start, code) of each shown error a stacks service constructs (as
    tests/web/test_error_messages.py reads the other services)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("InvalidInput", "Conflict") or not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            start = str(first.value)
        elif isinstance(first, ast.JoinedStr):
            head = first.values[0] if first.values else None
            start = str(head.value) if isinstance(head, ast.Constant) else ""
        else:
            continue
        code = next(
            (
                str(k.value.value)
                for k in node.keywords
                if k.arg == "code" and isinstance(k.value, ast.Constant)
            ),
            None,
        )
        found.append((str(start), code))
    return found


@pytest.mark.parametrize("name", ["definitions", "applications"])
def test_every_stacks_message_has_a_page_message(name: str) -> None:
    messages = _raised(ROOT / "server" / "stacks" / f"{name}.py")
    assert messages
    for start, code in messages:
        if code in BY_CODE:
            continue
        assert any(start.startswith(prefix) for prefix, _ in BY_MESSAGE), start


@needs_chromium
async def test_the_stack_gate_and_applicants_pages_on_a_phone(
    chromium: Any, live_server: str, sessionmaker: Sessions
) -> None:
    """Screenshots: artifacts/screenshots/stacks-form.png, stacks-gate.png,
    stacks-applicants.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    team, museum, college = await _team(sessionmaker)
    design, html = await _badges(
        sessionmaker, (museum, "Design Thinking"), (college, "Intro to HTML")
    )
    async with session_scope(sessionmaker) as s:
        gated = await gated_listing(
            s,
            Employer(team.org, team.manager),
            {"any_of": [{"badge": design.id}, {"badge": html.id}]},
            title="Web design internship at the Riverside Community Makerspace",
            capacity=3,
            preferred_badge_class_ids=[html.id],
        )
        learner = await people.learner(s, "Marisol", age=16)
        shared = await award(s, college, html, learner)
    await _apply(sessionmaker, learner, gated.id, [shared])
    context = await chromium.new_context(**PHONE)
    page = await context.new_page()
    watch = Watch(page)
    try:
        await page.goto(live_server + f"{team.base}/stacks/new")
        await page.get_by_label("Email address").fill(team.manager.email)
        await page.get_by_label("Password").fill(people.PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        await page.get_by_label("Name", exact=True).fill("Web starter")
        # Many issuers (other tests' too): their groups start closed; badges by id.
        for who, badge in ((museum, design), (college, html)):
            box = page.locator(f"#f-badges-{badge.id}")
            if not await box.is_visible():
                await page.locator("summary", has_text=who.organization.name).first.click()
            await box.check()
        await page.get_by_label("Any one of them").check()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-form.png"), full_page=True)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Save the stack").click()
        assert "notice=created" in page.url
        await no_horizontal_scroll(page)
        await page.goto(live_server + f"{team.base}/listings/{gated.id}/gate")
        assert "any of: Design Thinking, Intro to HTML" in await page.locator("main").inner_text()
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-gate.png"), full_page=True)
        await page.goto(live_server + f"{team.base}/listings/{gated.id}/applicants")
        main = await page.locator("main").inner_text()
        assert "Marisol" in main and "0 of 3 places taken" in main
        await no_horizontal_scroll(page)
        await page.screenshot(path=str(SCREENSHOTS / "stacks-applicants.png"), full_page=True)
        assert not watch.errors, watch.errors
    finally:
        await context.close()
