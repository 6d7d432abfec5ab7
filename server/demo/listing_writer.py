"""The words of a demo listing: its title and its two to four sentences of description."""

from __future__ import annotations

import random
from dataclasses import dataclass

from server.demo.chicago import DASH
from server.demo.content import Track
from server.demo.listing_rules import (
    CAREER_KINDS,
    CAREER_OPENINGS,
    KIND_NOTES,
    LANGUAGE_NOTES,
    TITLE_FORMATS,
    TITLES_BY_KIND,
    VOLUNTEER_TASKS,
)
from server.demo.model import DemoPlace
from server.demo.wording import article, topic_phrase
from server.models.enums import Delivery, OpportunityKind

K = OpportunityKind


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """What is drawn about a listing before it is worded."""

    kind: OpportunityKind
    delivery: Delivery
    topic_slug: str  # the primary topic
    track: Track
    audience: str  # a title word ("Teen")
    learners: str  # a sentence subject ("Teens")
    ages: tuple[int, int]
    hood_name: str  # the venue's neighborhood, or the organization's when online
    languages: tuple[str, ...]
    org_name: str
    place: DemoPlace | None
    free: bool
    financial_aid: bool
    career: tuple[str, str]  # (field, role) for career kinds, else ("", "")


class ListingWriter:
    """Titles and descriptions, drawn from the generator's one random source."""

    def __init__(self, rng: random.Random, season_year: int) -> None:
        self.rng = rng
        self.season_year = season_year

    def title(self, facts: ListingFacts) -> str:
        rng = self.rng
        kind, track, hood_name = facts.kind, facts.track, facts.hood_name
        online = facts.delivery == Delivery.ONLINE
        # An online listing is not "in" a neighborhood.
        formats = [f for f in TITLE_FORMATS[kind] if not (online and "{n}" in f)]
        field_name, role = facts.career
        if kind in (K.INTERNSHIP, K.APPRENTICESHIP):
            title = rng.choice(formats).format(f=field_name, y=self.season_year)
        elif kind == K.JOB_SHADOW:
            role_title = role.title().replace("It ", "IT ")
            title = rng.choice(formats).format(r=role_title, ar=article(role_title))
        else:
            standalone = TITLES_BY_KIND[(track, kind)]
            if standalone and rng.random() < 0.35:
                title = rng.choice(standalone).format(a=facts.audience)
            else:
                subject = rng.choice(track.subjects)
                title = rng.choice(formats).format(s=subject, a=facts.audience, n=hood_name)
        roll = rng.random()
        if online and kind in CAREER_KINDS:
            title += " (Remote)" if kind == K.INTERNSHIP else " (Virtual)"
        elif online and kind != K.ONLINE_ACTIVITY and roll < 0.5:
            title += " (Online)"
        elif roll < 0.12:
            title += f" (Ages {facts.ages[0]}{DASH}{facts.ages[1]})"
        elif roll < 0.18 and hood_name not in title and not online:
            title += f" {DASH} {hood_name}"
        elif roll < 0.3 and facts.languages == ("en", "es"):
            title += " (Bilingual)"
        elif roll < 0.3 and facts.languages == ("es",):
            title += " (en Español)"
        return " ".join(title.split())

    def _opening(self, facts: ListingFacts) -> list[str]:
        """The first one or two sentences: what learners do here."""
        rng = self.rng
        kind, learners, org_name = facts.kind, facts.learners, facts.org_name
        field_name, role = facts.career
        interest = topic_phrase([facts.topic_slug])
        if kind in CAREER_OPENINGS:
            where = "on a video call" if facts.delivery == Delivery.ONLINE else f"at {org_name}"
            return [
                sentence.format(
                    org=org_name,
                    field=field_name,
                    a_field=article(field_name),
                    a_role=article(role),
                    where=where,
                    t=interest,
                )
                for sentence in CAREER_OPENINGS[kind]
            ]
        if kind == K.VOLUNTEERING:
            task = rng.choice(VOLUNTEER_TASKS).format(t=interest)
            return [f"{learners} volunteer with {org_name} to {task}."]
        first = f"{learners} {rng.choice(facts.track.activities)}"
        if rng.random() < 0.5:
            first += f" with {rng.choice(('mentors', 'staff', 'educators', 'volunteers'))}"
            first += f" from {org_name}"
        sentences = [first + "."]
        if kind not in (K.EVENT, K.DROP_IN):
            make = rng.choice(facts.track.makes)
            sentences.append(
                rng.choice(
                    (
                        f"Everyone leaves with {make}.",
                        f"By the end you'll have {make}.",
                        f"The season wraps up with {make}.",
                    )
                )
            )
        return sentences

    def description(self, facts: ListingFacts) -> str:
        """Two to four sentences."""
        rng = self.rng
        kind, delivery = facts.kind, facts.delivery
        sentences = self._opening(facts)
        if delivery == Delivery.HYBRID and facts.place is not None:
            sentences.append(f"Join in person at {facts.place.name} or online from home.")
        elif kind == K.JOB_SHADOW and delivery == Delivery.ONLINE:
            sentences.append("Bring your questions: there is time for a real conversation.")
        elif len(sentences) < 2 or rng.random() < 0.75:
            # Online listings get online practicalities, not "snacks provided".
            notes = KIND_NOTES[K.ONLINE_ACTIVITY if delivery == Delivery.ONLINE else kind]
            sentences.append(rng.choice(notes))
        if facts.financial_aid:
            sentences.append("Scholarships and sliding-scale fees are available.")
        elif facts.languages in LANGUAGE_NOTES:
            sentences.append(LANGUAGE_NOTES[facts.languages])
        elif facts.free and kind in (K.EVENT, K.DROP_IN):
            sentences.append("Free and open to the public.")
        return " ".join(sentences[:4])
