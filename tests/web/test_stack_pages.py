"""The learner's stacks pages over HTTP: My stacks (held, missing with nearby places, next
best badges), a gated listing's "What it takes" panel (locked, unlocked, applying with the
badges chosen, the under-13 sharing rule, the minimum age), the search marker (read for a
whole page of results at once), withdrawing, and Spanish."""

from __future__ import annotations

import re

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from starlette.applications import Starlette

from server.authz import Actor
from server.db import session_scope
from server.models import Application, Unlock
from server.models.enums import ConsentPurpose
from server.privacy import consent
from server.settings import Settings
from tests.accounts import people
from tests.badges.helpers import badge_class
from tests.sql_count import count_statements
from tests.stacks.helpers import award, drain, gated_listing
from tests.web.conftest import ClientFactory
from tests.web.dashboard import Sessions, browser_for
from tests.web.site import alerts, check_page, field_errors, post, text_of
from tests.web.stacks_learner_site import NEAR_ZIP, Pathway, earn_the_rest, pathway


@pytest.fixture(autouse=True)
def _redis_flushed(redis: Redis) -> None:
    """Sign-in throttling counts misses per address in Redis, and the page tests' addresses
    repeat from one run to the next: the redis fixture flushes it once per session."""


SHARE = re.compile(r'<input id="f-share-\d+" name="share" type="checkbox" value="([^"]+)"([^>]*)>')


def _section(html: str, section_id: str) -> str:
    """The text of one <section id=...> of a page."""
    start = html.index(f'id="{section_id}"')
    return text_of(html[start : html.index("</section>", start)])


async def _applications(sessionmaker: Sessions, made: Pathway) -> list[Application]:
    async with sessionmaker() as s:
        return list(
            await s.scalars(
                select(Application).where(Application.opportunity_id == made.internship.id)
            )
        )


async def test_my_stacks_shows_held_and_missing_with_a_place_nearby_and_the_next_best_badge(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker)
    browser = await browser_for(new_client, made.learner)
    page = await browser.get("/account/stacks")
    assert page.status_code == 200
    check_page(page)
    assert page.headers["cache-control"] == "private, no-store"
    started = _section(page.text, "in-progress")
    assert made.stack.name in started
    held = started[started.index("You have") : started.index("Still to earn")]
    assert made.design.name in held and made.html.name not in held
    missing = started[started.index("Still to earn") :]
    assert made.html.name in missing
    # The workshop that awards the missing badge, near the learner's ZIP code, linked.
    assert made.workshop.title in missing and "km" in missing
    assert f'href="/opportunities/{made.workshop.id}"' in page.text
    assert f'href="/ob/v2/badges/{made.html.id}?near={NEAR_ZIP}#where-title"' in page.text
    assert "all of: " in started  # the rule in words
    # The internship it gates is in reach, and the missing badge is the next best one.
    assert made.internship.title in _section(page.text, "gates")
    best = _section(page.text, "next-best")
    assert made.html.name in best and "Finishes 2 stacks or opportunities" in best
    assert made.workshop.title in best
    assert "Nothing unlocked yet" in _section(page.text, "unlocked")
    # Linked from the account page and the backpack.
    for path in ("/account", "/backpack"):
        assert 'href="/account/stacks"' in (await browser.get(path)).text, path


async def test_a_locked_listing_says_what_it_takes_and_refuses_to_take_an_application(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker)
    path = f"/opportunities/{made.internship.id}"
    anonymous = new_client()
    page = await anonymous.get(path)
    assert page.status_code == 200
    check_page(page)
    panel = _section(page.text, "gate")
    assert "What it takes" in panel and made.stack.name in panel
    assert f"all of: {made.design.name}, {made.html.name}" in panel
    assert "Minimum age 14 and up" in panel and "Sign in to apply" in panel
    assert f'href="/ob/v2/badges/{made.design.id}"' in page.text
    assert "/opportunities/" in page.text and 'action="' + path + '/apply"' not in page.text

    browser = await browser_for(new_client, made.learner)
    page = await browser.get(path)
    check_page(page)
    panel = _section(page.text, "gate")
    assert "Locked You still need:" in panel and made.html.name in panel
    assert path + "/apply" not in page.text
    refused = await post(
        browser, path + "/apply", {"share": str(made.first_award)}, page="/account", expect=403
    )
    assert alerts(refused.text) == [
        "Please check the form Earn the badges it takes first: this opportunity is still locked."
    ]
    assert await _applications(sessionmaker, made) == []
    spanish = await post(browser, path + "/apply?lang=es", {}, page="/account", expect=403)
    assert "Primero gana las insignias que se necesitan" in text_of(spanish.text)


async def test_after_earning_the_badges_the_learner_applies_sharing_exactly_two(
    new_client: ClientFactory, sessionmaker: Sessions, settings: Settings
) -> None:
    made = await pathway(sessionmaker)
    async with session_scope(sessionmaker) as s:
        second = await earn_the_rest(s, made)
        # A third badge the learner keeps to themselves.
        extra_class = await badge_class(s, made.museum, name=f"Pond Explorer {made.word}")
        third = await award(s, made.museum, extra_class, made.learner)
    await drain(sessionmaker, settings)
    async with sessionmaker() as s:
        unlock = await s.scalar(
            select(Unlock).where(
                Unlock.learner_id == made.learner.id,
                Unlock.opportunity_id == made.internship.id,
            )
        )
    assert unlock is not None and unlock.relocked_at is None
    browser = await browser_for(new_client, made.learner)
    mine = await browser.get("/account/stacks")
    check_page(mine)
    assert made.internship.title in _section(mine.text, "unlocked")
    assert made.stack.name in _section(mine.text, "completed")

    path = f"/opportunities/{made.internship.id}"
    page = await browser.get(path)
    check_page(page)
    panel = _section(page.text, "gate")
    assert "Unlocked for you" in panel and "Ticking a badge records" in panel
    boxes = SHARE.findall(page.text)
    assert {value for value, _ in boxes} == {str(made.first_award), str(second), str(third)}
    assert all("checked" not in rest and "disabled" not in rest for _, rest in boxes)
    long = await post(browser, path + "/apply", {"message": "x" * 2001}, page=path, expect=400)
    assert field_errors(long.text) == {
        "f-message-error": "Your message is too long (2000 characters at most)."
    }
    done = await post(
        browser,
        path + "/apply",
        {"share": [str(made.first_award), str(second)], "message": "I built my school's site."},
        page=path,
    )
    assert done.headers["location"] == path + "?applied=1#gate"
    [application] = await _applications(sessionmaker, made)
    assert sorted(application.shared_assertion_ids) == sorted([made.first_award, second])
    assert application.message == "I built my school's site." and application.status == "submitted"
    async with sessionmaker() as s:
        assert await consent.holds(s, made.learner.id, ConsentPurpose.SHARE_WITH_EMPLOYERS)
    after = await browser.get(done.headers["location"])
    check_page(after)
    panel = _section(after.text, "gate")
    assert "Your application was sent." in panel and "You shared 2 badges." in panel
    again = await post(browser, path + "/apply", {}, page=path, expect=409)
    assert "You already applied for this." in text_of(again.text)

    # Withdrawn from My stacks (nobody else can): the shared badges go with it.
    mine = await browser.get("/account/stacks")
    assert "Waiting for an answer" in _section(mine.text, "applications")
    withdraw = f"/account/applications/{application.id}/withdraw"
    async with session_scope(sessionmaker) as s:
        other = await people.learner(s, "Noor")
    stranger = await browser_for(new_client, other)
    await post(stranger, withdraw, {}, page="/account", expect=404)
    gone = await post(browser, withdraw, {}, page="/account/stacks")
    assert gone.headers["location"] == "/account/stacks?withdrawn=1#applications"
    [application] = await _applications(sessionmaker, made)
    assert application.status == "withdrawn" and application.shared_assertion_ids == []
    mine = await browser.get(gone.headers["location"])
    assert "Your application was withdrawn." in text_of(mine.text)
    assert "Withdrawn" in _section(mine.text, "applications")
    page = await browser.get(path)
    assert "You withdrew your application. You can send it again." in text_of(page.text)


async def test_a_child_shares_badges_only_once_a_guardian_agreed(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker, min_age=10)
    async with session_scope(sessionmaker) as s:
        child, guardian = await people.child_with_guardian(s, age=11)
        first = await award(s, made.museum, made.design, child)
        second = await earn_the_rest(s, made, child)
    browser = await browser_for(new_client, child)
    path = f"/opportunities/{made.internship.id}"
    page = await browser.get(path)
    check_page(page)
    boxes = SHARE.findall(page.text)
    assert len(boxes) == 2 and all("disabled" in rest for _, rest in boxes)
    assert "A parent or guardian needs to agree" in _section(page.text, "gate")
    refused = await post(browser, path + "/apply", {"share": [str(first)]}, page=path, expect=403)
    assert field_errors(refused.text) == {
        "f-share-error": "A parent or guardian needs to agree before your badges are shown to "
        "employers. You can apply without sharing them."
    }
    assert await _applications(sessionmaker, made) == []
    async with session_scope(sessionmaker) as s:
        await consent.grant(
            s,
            child.id,
            ConsentPurpose.SHARE_WITH_EMPLOYERS,
            granted_by=Actor(user_id=guardian.id, wards=frozenset({child.id})),
            method="guardian_email",
        )
    page = await browser.get(path)
    assert not any("disabled" in rest for _, rest in SHARE.findall(page.text))
    await post(browser, path + "/apply", {"share": [str(first), str(second)]}, page=path)
    [application] = await _applications(sessionmaker, made)
    assert sorted(application.shared_assertion_ids) == sorted([first, second])


async def test_a_child_without_consent_may_still_apply_without_sharing(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker, min_age=10)
    async with session_scope(sessionmaker) as s:
        child, _ = await people.child_with_guardian(s, age=11)
        await award(s, made.museum, made.design, child)
        await earn_the_rest(s, made, child)
    browser = await browser_for(new_client, child)
    path = f"/opportunities/{made.internship.id}"
    await post(browser, path + "/apply", {"message": "Hi"}, page=path)
    [application] = await _applications(sessionmaker, made)
    assert application.shared_assertion_ids == []


async def test_a_learner_below_the_minimum_age_is_told_and_refused(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker, learner_age=13)
    async with session_scope(sessionmaker) as s:
        await earn_the_rest(s, made)
    browser = await browser_for(new_client, made.learner)
    path = f"/opportunities/{made.internship.id}"
    page = await browser.get(path)
    check_page(page)
    panel = _section(page.text, "gate")
    assert "Unlocked for you" in panel and "This opportunity is for ages 14 and up." in panel
    assert path + "/apply" not in page.text
    refused = await post(browser, path + "/apply", {}, page="/account", expect=403)
    assert "This opportunity is for ages 14 and up." in alerts(refused.text)[0]
    assert await _applications(sessionmaker, made) == []


async def test_someone_elses_badge_or_a_made_up_one_is_refused(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker)
    async with session_scope(sessionmaker) as s:
        await earn_the_rest(s, made)
        other = await people.learner(s, "Otis")
        theirs = await award(s, made.museum, made.design, other)
    browser = await browser_for(new_client, made.learner)
    path = f"/opportunities/{made.internship.id}"
    for bad in (str(theirs), "not-a-badge"):
        refused = await post(browser, path + "/apply", {"share": bad}, page=path, expect=400)
        assert field_errors(refused.text) == {
            "f-share-error": "You can only share your own badges that are still valid."
        }
    assert await _applications(sessionmaker, made) == []


async def test_search_marks_the_gated_listing_locked_or_unlocked_for_who_is_looking(
    new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker)
    search = f"/search?text={made.word}"
    anonymous = await new_client().get(search)
    assert anonymous.status_code == 200
    check_page(anonymous)
    cards = _cards(anonymous.text)
    assert set(cards) == {made.internship.id, made.workshop.id}
    assert (
        f"Locked Takes: all of: {made.design.name}, {made.html.name}" in cards[made.internship.id]
    )
    assert "Locked" not in cards[made.workshop.id]
    async with session_scope(sessionmaker) as s:
        await earn_the_rest(s, made)
    browser = await browser_for(new_client, made.learner)
    cards = _cards((await browser.get(search)).text)
    assert "✓ Unlocked for you Takes: all of:" in cards[made.internship.id]
    spanish = _cards((await new_client().get(search + "&lang=es")).text)
    assert "Cerrada Se necesita: todas estas:" in spanish[made.internship.id]


async def test_search_reads_the_gates_of_a_page_of_results_at_once(
    app: Starlette, new_client: ClientFactory, sessionmaker: Sessions
) -> None:
    made = await pathway(sessionmaker)
    async with session_scope(sessionmaker) as s:
        for n in range(3):  # more gated listings on the page: no more reads
            await gated_listing(
                s,
                made.boss,
                {"any_of": [{"badge": made.design.id}, {"badge": made.html.id}]},
                title=f"Job shadow {n} {made.word}",
                kind="job_shadow",
            )
    anonymous = new_client()
    with count_statements(app) as statements:
        page = await anonymous.get(f"/search?text={made.word}")
    cards = _cards(page.text)
    assert len(cards) == 5 and sum("Locked" in card for card in cards.values()) == 4
    assert f"Takes: any of: {made.design.name}, {made.html.name}" in page.text
    # topics, search, count, listings; then the gates and the badges they name
    assert len(statements) <= 6, statements


def _cards(html: str) -> dict[int, str]:
    """Search results: listing id -> the text of its card."""
    found = {}
    for item in re.findall(r'<li class="result".*?</li>', html, re.S):
        listing = re.search(r'href="/opportunities/(\d+)"', item)
        assert listing
        found[int(listing.group(1))] = text_of(item)
    return found


async def test_the_pages_in_spanish(new_client: ClientFactory, sessionmaker: Sessions) -> None:
    made = await pathway(sessionmaker)
    browser = await browser_for(new_client, made.learner)
    page = await browser.get("/account/stacks?lang=es")
    check_page(page)
    text = text_of(page.text)
    assert "Mis cadenas" in text and "Ya tienes" in text and "Te falta ganar" in text
    assert "Las mejores próximas insignias" in text and "Mis solicitudes" in text
    assert f"todas estas: {made.design.name}, {made.html.name}" in text
    listing = await browser.get(f"/opportunities/{made.internship.id}?lang=es")
    check_page(listing)
    panel = _section(listing.text, "gate")
    assert "Qué se necesita" in panel and "Cerrada Te falta:" in panel
    assert "Desde 14 años" in panel
