"""The demo city: deterministic generation (no database) and bulk loading (one database test)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import asyncpg
import pytest

from server.catalog.schedule import MAX_SESSIONS
from server.catalog.taxonomy import COMPETENCIES, TOPICS
from server.demo.chicago import DASH, NEIGHBORHOODS
from server.demo.generate import (
    DemoCity,
    default_season_year,
    generate_city,
    opportunity_sessions,
)
from server.demo.load import asyncpg_dsn, seed_demo
from server.models.enums import (
    Accessibility,
    Delivery,
    OpportunityKind,
    OpportunityStatus,
    OrganizationKind,
)

SEASON = 2027


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city(2026, season_year=SEASON)


def test_same_seed_gives_the_same_city(city: DemoCity) -> None:
    assert generate_city(2026, season_year=SEASON) == city


def test_another_seed_gives_another_city(city: DemoCity) -> None:
    other = generate_city(2027, season_year=SEASON)
    assert other.organizations != city.organizations
    assert other.opportunities != city.opportunities


def test_default_season_year() -> None:
    assert default_season_year(date(2026, 1, 10)) == 2026
    assert default_season_year(date(2026, 5, 31)) == 2026
    assert default_season_year(date(2026, 6, 1)) == 2027
    assert default_season_year(date(2026, 11, 22)) == 2027


def test_unknown_city_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_city(1, season_year=SEASON, city="springfield")


def test_organizations(city: DemoCity) -> None:
    orgs = city.organizations
    assert len(orgs) >= 300
    assert {o.kind for o in orgs} == {k.value for k in OrganizationKind}
    assert [o.id for o in orgs] == list(range(1, len(orgs) + 1))
    assert len({o.slug for o in orgs}) == len(orgs)
    assert len({o.name for o in orgs}) == len(orgs)
    for org in orgs:
        assert org.website == f"https://{org.slug}.example.org"
        assert len(org.slug) <= 63  # a DNS label
        assert org.description
    assert any(o.name.startswith(f"Chicago Public Library {DASH} ") for o in orgs)


def test_places_spread_over_real_neighborhoods(city: DemoCity) -> None:
    places = city.places
    assert [p.id for p in places] == list(range(1, len(places) + 1))
    per_org = Counter(p.organization_id for p in places)
    assert set(per_org) == {o.id for o in city.organizations}
    assert max(per_org.values()) <= 4
    hoods = {h.name: h for h in NEIGHBORHOODS}
    for place in places:
        assert place.postal_code in hoods[place.neighborhood].zips
        assert place.address.endswith(f", Chicago, IL {place.postal_code}")
        # Inside Chicago's bounding box (the jitter is at most ~1.2 km).
        assert 41.62 < place.latitude < 42.04
        assert -87.95 < place.longitude < -87.51
    assert len({p.postal_code for p in places}) >= 45
    assert len({p.neighborhood for p in places}) >= 40


def test_opportunities_cover_every_kind_and_delivery(city: DemoCity) -> None:
    opps = city.opportunities
    assert len(opps) >= 5000
    assert [o.id for o in opps] == list(range(1, len(opps) + 1))
    assert {o.kind for o in opps} == {k.value for k in OpportunityKind}
    deliveries = Counter(o.delivery for o in opps)
    assert set(deliveries) == {d.value for d in Delivery}
    assert 0.05 < deliveries[Delivery.ONLINE] / len(opps) < 0.15
    statuses = Counter(o.status for o in opps)
    assert statuses[OpportunityStatus.PUBLISHED] > 0.95 * len(opps)
    assert statuses[OpportunityStatus.DRAFT] > 0 and statuses[OpportunityStatus.ARCHIVED] > 0


def test_places_and_locations(city: DemoCity) -> None:
    places = {p.id: p for p in city.places}
    orgs = {o.id: o for o in city.organizations}
    for opp in city.opportunities:
        assert opp.organization_id in orgs
        if opp.delivery == Delivery.ONLINE:
            assert opp.place_id is None and opp.latitude is None and opp.longitude is None
        else:
            assert opp.place_id is not None
            place = places[opp.place_id]
            assert place.organization_id == opp.organization_id
            assert (opp.latitude, opp.longitude) == (place.latitude, place.longitude)
    per_place = Counter(o.place_id for o in city.opportunities if o.place_id is not None)
    assert per_place.most_common(1)[0][1] >= 30  # busy venues make distance ties


def test_costs_ages_grades(city: DemoCity) -> None:
    opps = city.opportunities
    free = [o for o in opps if o.cost_cents == 0]
    assert 0.45 < len(free) / len(opps) < 0.7
    for opp in opps:
        assert 5 <= opp.min_age <= opp.max_age <= 24
        if opp.cost_cents:
            assert 500 <= opp.cost_cents <= 40000
        else:
            assert not opp.financial_aid
        for age, grade in ((opp.min_age, opp.min_grade), (opp.max_age, opp.max_grade)):
            assert grade == (None if age >= 19 else min(max(age - 5, 0), 12))
        if opp.kind in (OpportunityKind.INTERNSHIP, OpportunityKind.APPRENTICESHIP):
            assert opp.min_age >= 16
        if opp.kind == OpportunityKind.CAMP:
            assert opp.min_age >= 6 and opp.max_age <= 14
    assert any(o.financial_aid for o in opps)


def test_taxonomies_languages_accessibility(city: DemoCity) -> None:
    accessibility = {a.value for a in Accessibility}
    org_names = {o.id: o.name for o in city.organizations}
    languages = Counter(o.languages for o in city.opportunities)
    for opp in city.opportunities:
        assert 1 <= len(opp.topic_ids) <= 3 and len(set(opp.topic_ids)) == len(opp.topic_ids)
        assert all(1 <= t <= len(TOPICS) for t in opp.topic_ids)
        assert 1 <= len(opp.competency_ids) <= 3
        assert all(1 <= c <= len(COMPETENCIES) for c in opp.competency_ids)
        assert set(opp.accessibility) <= accessibility
        assert opp.keywords.endswith(org_names[opp.organization_id])
        assert TOPICS[opp.topic_ids[0] - 1].name in opp.keywords
    assert languages[("en",)] > 0.6 * len(city.opportunities)
    assert languages[("en", "es")] > 0.1 * len(city.opportunities)
    for solo in (("es",), ("pl",), ("zh",)):
        assert languages[solo] > 0


def test_titles_and_descriptions_vary(city: DemoCity) -> None:
    titles = [o.title for o in city.opportunities]
    assert len(set(titles)) > 0.5 * len(titles)
    for opp in city.opportunities:
        assert opp.description.endswith(".")
        assert len(re.findall(r"[.!?](?: |$)", opp.description)) >= 2
        assert opp.registration_url is None or opp.registration_url.startswith("https://")


def test_schedules_expand_into_the_season(city: DemoCity) -> None:
    season_start, season_end = date(SEASON, 6, 1), date(SEASON, 8, 31)
    year_round = 0
    total = 0
    for opp in city.opportunities:
        assert opp.schedule_timezone == "America/Chicago"
        assert 45 <= opp.duration_minutes <= 240
        sessions = opportunity_sessions(opp)
        assert 1 <= len(sessions) <= MAX_SESSIONS
        total += len(sessions)
        assert sessions[0].local_date == opp.start_date
        assert sessions[-1].local_date <= opp.end_date
        if opp.start_date < season_start:
            year_round += 1
            assert opp.start_date >= date(SEASON - 1, 9, 1)
        assert all(s.local_date <= season_end for s in sessions)
        if opp.schedule_rrule == "FREQ=DAILY;COUNT=5":
            assert [s.local_dow for s in sessions] == [1, 2, 3, 4, 5]
        if opp.schedule_rrule is None:
            assert len(sessions) == 1
    assert year_round > 0.03 * len(city.opportunities)
    assert total > 10 * len(city.opportunities)
    minutes = {
        s.local_start_minute for o in city.opportunities[:500] for s in opportunity_sessions(o)
    }
    assert min(minutes) < 12 * 60 and max(minutes) >= 17 * 60  # morning through evening


def test_year_round_listings_run_now_even_in_the_summer_gap() -> None:
    # On July 1 the season is next year's; something must still be on this month.
    today = date(2026, 7, 1)
    summer = generate_city(3, 40, 600, season_year=default_season_year(today), today=today)
    soon = [
        o
        for o in summer.opportunities
        if any(today <= s.local_date <= date(2026, 7, 14) for s in opportunity_sessions(o))
    ]
    assert len(soon) >= 10


def test_tiny_city_still_has_every_kind() -> None:
    tiny = generate_city(5, organizations=10, opportunities=40, season_year=SEASON)
    assert {o.kind for o in tiny.organizations} == {k.value for k in OrganizationKind}
    assert {o.kind for o in tiny.opportunities} == {k.value for k in OpportunityKind}


def test_asyncpg_dsn() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://u@h:5/db") == "postgresql://u@h:5/db"
    assert asyncpg_dsn("postgresql://u@h:5/db") == "postgresql://u@h:5/db"


async def test_load_city_counts(migrated_db_url: str) -> None:
    today = date(2026, 11, 22)
    counts = await seed_demo(migrated_db_url, opportunities=600, organizations=40, today=today)
    assert counts is not None
    city = generate_city(2026, 40, 600, season_year=default_season_year(today), today=today)
    assert (counts.organizations, counts.places, counts.opportunities) == (
        len(city.organizations),
        len(city.places),
        len(city.opportunities),
    )
    assert counts.sessions == sum(len(opportunity_sessions(o)) for o in city.opportunities)

    conn = await asyncpg.connect(asyncpg_dsn(migrated_db_url))
    try:
        for table, expected in (
            ("topics", len(TOPICS)),
            ("competencies", len(COMPETENCIES)),
            ("organizations", counts.organizations),
            ("places", counts.places),
            ("opportunities", counts.opportunities),
            ("sessions", counts.sessions),
        ):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == expected, table
        # Every published onsite listing sits exactly on its venue's point.
        mismatched = await conn.fetchval(
            """
            SELECT count(*) FROM opportunities o LEFT JOIN places p ON p.id = o.place_id
            WHERE o.status = 'published' AND o.delivery = 'onsite'
              AND (p.id IS NULL OR o.location IS NULL
                   OR ST_AsEWKB(o.location::geometry) <> ST_AsEWKB(p.location::geometry))
            """
        )
        assert mismatched == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM opportunities WHERE delivery = 'online' AND location IS NULL"
        ) == sum(1 for o in city.opportunities if o.delivery == Delivery.ONLINE)
        # The identity sequences moved past the explicit ids.
        new_id = await conn.fetchval(
            "INSERT INTO organizations (slug, name, kind, description, status) "
            "VALUES ('after-demo', 'After', 'museum', '', 'approved') RETURNING id"
        )
        assert new_id == counts.organizations + 1
    finally:
        await conn.close()

    assert await seed_demo(migrated_db_url, opportunities=600, organizations=40) is None
