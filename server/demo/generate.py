"""Generates a deterministic demo city: organizations, their venues and their listings.

Pure: one `random.Random(seed)` is the only source of randomness and the only
outside data are the ZIP centroids of the `zipcodes` package, so the same
arguments always give the same city (tests and benchmarks rely on that).
Sessions are not generated here; `opportunity_sessions` expands each schedule
with the catalog's own `expand_schedule`, so the demo can never disagree with it.

What the city is made of lives beside this module: `content` (what each topic's
listings are about), `organizations` and `listing_rules` (per-kind tables),
`organization_generator`, `schedule_generator` and `listing_writer` (the drawing).
"""

from __future__ import annotations

import random
from datetime import date

from server.catalog.keywords import listing_keywords
from server.catalog.taxonomy import COMPETENCIES, TOPICS
from server.demo import chicago
from server.demo.chicago import Neighborhood
from server.demo.content import CONTENT, TopicContent
from server.demo.listing_rules import (
    AGE_RANGES,
    ALLOWED_KINDS,
    CAPACITY,
    CAREER_KINDS,
    EVENING_TITLE,
    FREE_SHARE,
    HYBRID_KINDS,
    KIND_WEIGHT,
    ONLINE_KINDS,
    PRICE_DOLLARS,
)
from server.demo.listing_writer import ListingFacts, ListingWriter
from server.demo.model import (
    COMPETENCY_ID,
    TOPIC_ID,
    DemoCity,
    DemoOpportunity,
    DemoOrganization,
    DemoPlace,
    opportunity_sessions,
)
from server.demo.organization_generator import OrganizationGenerator, OrgDraft
from server.demo.schedule_generator import ScheduleGenerator, single_weekday
from server.demo.wording import audience_words
from server.models.enums import (
    Accessibility,
    Delivery,
    OpportunityKind,
    OpportunityStatus,
    OrganizationKind,
)

__all__ = [
    "DEFAULT_CITY",
    "DEFAULT_SEED",
    "DemoCity",
    "DemoOpportunity",
    "DemoOrganization",
    "DemoPlace",
    "default_season_year",
    "generate_city",
    "opportunity_sessions",
]

DEFAULT_SEED = 2026
DEFAULT_CITY = "chicago"

OK = OrganizationKind
K = OpportunityKind


def default_season_year(today: date) -> int:
    """The summer the demo listings target: this one until June, then next year's."""
    return today.year if today < date(today.year, 6, 1) else today.year + 1


def _grade(age: int) -> int | None:
    """Grade is about age - 5 (kindergarten = 0); past high school there is no grade."""
    if age >= 19:
        return None
    return min(max(age - 5, 0), 12)


class _OpportunityGenerator:
    """Draws the listings of already drawn organizations from the same random source."""

    def __init__(self, rng: random.Random, season_year: int, today: date | None) -> None:
        self.rng = rng
        self.schedules = ScheduleGenerator(rng, season_year, today)
        self.writer = ListingWriter(rng, season_year)

    def _languages(self, hood: Neighborhood | None) -> tuple[str, ...]:
        rng = self.rng
        roll = rng.random()
        if hood is not None and hood.languages:
            local = rng.choice(hood.languages)
            if roll < 0.3:
                return ("en", local)
            if roll < 0.36:
                return (local,)
        if roll < 0.16:
            return ("en", "es")
        if roll < 0.17:
            return ("es",)
        if roll < 0.175:
            return ("pl",)
        if roll < 0.18:
            return ("zh",)
        return ("en",)

    def _accessibility(
        self, delivery: Delivery, place: DemoPlace | None, max_age: int
    ) -> tuple[str, ...]:
        rng = self.rng
        chosen: set[Accessibility] = set()
        if place is not None:
            if place.wheelchair_accessible and rng.random() < 0.85:
                chosen.add(Accessibility.WHEELCHAIR)
            if rng.random() < 0.6:
                chosen.add(Accessibility.TRANSIT_NEARBY)
        if delivery != Delivery.ONSITE and rng.random() < 0.6:
            chosen.add(Accessibility.CAPTIONS)
        if rng.random() < 0.05:
            chosen.add(Accessibility.ASL)
        if rng.random() < (0.2 if max_age <= 12 else 0.07):
            chosen.add(Accessibility.SENSORY_FRIENDLY)
        # Enum order, never set order: sets of strings iterate differently per process.
        return tuple(member.value for member in Accessibility if member in chosen)

    def _topics(self, draft: OrgDraft, kind: OpportunityKind) -> list[str]:
        rng = self.rng
        all_slugs = [entry.slug for entry in TOPICS]
        primary = rng.choice(draft.focus) if rng.random() < 0.8 else rng.choice(all_slugs)
        topics = [primary]
        if kind in (K.INTERNSHIP, K.JOB_SHADOW, K.APPRENTICESHIP) and primary != "careers":
            if rng.random() < 0.7:
                topics.append("careers")
        extra = rng.choices((0, 1, 2), weights=(45, 40, 15), k=1)[0]
        for _ in range(extra):
            # Mostly what the organization is known for, sometimes anything.
            pick = rng.choice(draft.focus) if rng.random() < 0.6 else rng.choice(all_slugs)
            if pick not in topics and len(topics) < 3:
                topics.append(pick)
        return topics

    def _competencies(self, topic: TopicContent) -> tuple[int, ...]:
        rng = self.rng
        count = rng.choices((1, 2, 3), weights=(30, 45, 25), k=1)[0]
        hinted = list(topic.competencies)
        rng.shuffle(hinted)
        chosen: list[str] = []
        for slug in hinted:
            if len(chosen) < count and (not chosen or rng.random() < 0.7):
                chosen.append(slug)
        while len(chosen) < count:
            slug = rng.choice(COMPETENCIES).slug
            if slug not in chosen:
                chosen.append(slug)
        return tuple(COMPETENCY_ID[slug] for slug in chosen)

    def opportunities(self, count: int, drafts: list[OrgDraft]) -> list[DemoOpportunity]:
        rng = self.rng
        kinds = list(K)
        kind_weights = [KIND_WEIGHT[kind] for kind in kinds]
        # Per kind: the organizations allowed to post it, with cumulative weights for bisect.
        eligible: dict[OpportunityKind, tuple[list[OrgDraft], list[float]]] = {}
        for kind in kinds:
            orgs = [draft for draft in drafts if kind in ALLOWED_KINDS[draft.kind]]
            cumulative: list[float] = []
            total = 0.0
            for draft in orgs:
                total += draft.weight
                cumulative.append(total)
            eligible[kind] = (orgs, cumulative)
        result: list[DemoOpportunity] = []
        for index in range(count):
            # The first eleven cover every kind, so even a tiny city has all of them.
            kind = kinds[index] if index < len(kinds) else rng.choices(kinds, kind_weights)[0]
            orgs, cumulative = eligible[kind]
            draft = rng.choices(orgs, cum_weights=cumulative, k=1)[0]
            result.append(self._opportunity(index + 1, kind, draft))
        return result

    def _opportunity(self, opp_id: int, kind: OpportunityKind, draft: OrgDraft) -> DemoOpportunity:
        rng = self.rng
        org = draft.org
        roll = rng.random()
        delivery = Delivery.ONSITE
        if kind == K.ONLINE_ACTIVITY or (kind in ONLINE_KINDS and roll < 0.075):
            delivery = Delivery.ONLINE
        elif kind in HYBRID_KINDS and roll < 0.15:
            delivery = Delivery.HYBRID
        place: DemoPlace | None = None
        hood: Neighborhood | None = None
        if delivery != Delivery.ONLINE:
            place, hood = draft.pick_place(rng)
        min_age, max_age = rng.choice(AGE_RANGES[kind])
        audience, learners = audience_words(rng, min_age, max_age)
        topic_slugs = self._topics(draft, kind)
        slug = topic_slugs[0]
        content = CONTENT[slug]
        # Internship / apprenticeship field and job-shadow role, shared by title and text.
        career = (
            (rng.choice(content.fields), rng.choice(content.roles))
            if kind in CAREER_KINDS
            else ("", "")
        )
        languages = self._languages(hood if hood is not None else draft.hood)
        free = (
            draft.kind in (OK.LIBRARY, OK.EMPLOYER)
            or kind not in PRICE_DOLLARS
            or rng.random() < FREE_SHARE[kind]
        )
        cost_cents = 0
        financial_aid = False
        if not free:
            low, high = PRICE_DOLLARS[kind]
            cost_cents = rng.randrange(low, high + 1, 5) * 100
            financial_aid = rng.random() < (0.6 if kind in (K.CAMP, K.PROGRAM, K.COURSE) else 0.25)
        hood_name = (hood or draft.hood).name
        # Online and hybrid listings draw on what works over video.
        tracks = [t for t in content.tracks if t.online or delivery == Delivery.ONSITE]
        track = rng.choice(tracks or content.tracks)
        facts = ListingFacts(
            kind=kind,
            delivery=delivery,
            topic_slug=slug,
            track=track,
            audience=audience,
            learners=learners,
            ages=(min_age, max_age),
            hood_name=hood_name,
            languages=languages,
            org_name=org.name,
            place=place,
            free=free,
            financial_aid=financial_aid,
            career=career,
        )
        title = self.writer.title(facts)
        description = self.writer.description(facts)
        schedule = self.schedules.schedule(
            kind,
            max_age,
            evening=EVENING_TITLE.search(title) is not None,
            one_week="Week" in title.split(),
        )
        weekday = single_weekday(schedule.rrule)
        if weekday and "(" not in title and rng.random() < 0.15:
            title += f" ({weekday}s)"
        low_cap, high_cap = CAPACITY[kind]
        capacity: int | None = rng.randint(low_cap, high_cap)
        if kind == K.EVENT and capacity is not None:
            capacity = round(capacity, -1)
        if kind in (K.DROP_IN, K.EVENT) and rng.random() < 0.4:
            capacity = None  # open to whoever comes
        registration_url: str | None = f"{org.website}/register/{opp_id}"
        if kind == K.DROP_IN and rng.random() < 0.6:
            registration_url = None
        status_roll = rng.random()
        status = (
            OpportunityStatus.DRAFT
            if status_roll < 0.006
            else OpportunityStatus.ARCHIVED
            if status_roll < 0.012
            else OpportunityStatus.PUBLISHED
        )
        topic_names = [TOPICS[TOPIC_ID[slug] - 1].name for slug in topic_slugs]
        return DemoOpportunity(
            id=opp_id,
            organization_id=org.id,
            place_id=place.id if place else None,
            kind=kind.value,
            title=title,
            description=description,
            topic_ids=tuple(TOPIC_ID[slug] for slug in topic_slugs),
            competency_ids=self._competencies(content),
            min_age=min_age,
            max_age=max_age,
            min_grade=_grade(min_age),
            max_grade=_grade(max_age),
            cost_cents=cost_cents,
            financial_aid=financial_aid,
            delivery=delivery.value,
            languages=languages,
            accessibility=self._accessibility(delivery, place, max_age),
            capacity=capacity,
            registration_url=registration_url,
            start_date=schedule.start_date,
            end_date=schedule.end_date,
            schedule_rrule=schedule.rrule,
            schedule_timezone=chicago.TIMEZONE,
            start_time=schedule.start_time,
            duration_minutes=schedule.duration,
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            status=status.value,
            keywords=listing_keywords(topic_names, org.name),
        )


def generate_city(
    seed: int = DEFAULT_SEED,
    organizations: int = 320,
    opportunities: int = 5200,
    *,
    season_year: int,
    city: str = DEFAULT_CITY,
    today: date | None = None,
) -> DemoCity:
    """The whole demo city; identical for identical arguments.

    `today` only matters between June and September, when `season_year` is already next
    year: year-round listings then start just before it rather than in the autumn.
    """
    if city != DEFAULT_CITY:
        raise ValueError(f"unknown demo city {city!r}; only {DEFAULT_CITY!r} exists")
    if organizations < 1 or opportunities < 0:
        raise ValueError("need at least one organization and no negative opportunity count")
    rng = random.Random(seed)
    drafts = OrganizationGenerator(rng).organizations(organizations)
    opportunity_rows = _OpportunityGenerator(rng, season_year, today).opportunities(
        opportunities, drafts
    )
    return DemoCity(
        seed=seed,
        city=city,
        season_year=season_year,
        topics=tuple(TOPICS),
        competencies=tuple(COMPETENCIES),
        organizations=tuple(draft.org for draft in drafts),
        places=tuple(place for draft in drafts for place, _ in draft.places),
        opportunities=tuple(opportunity_rows),
    )
