"""Small English helpers for the demo's names and descriptions."""

from __future__ import annotations

import random
from collections.abc import Sequence

from server.catalog.taxonomy import TOPICS
from server.demo.model import TOPIC_ID


def human_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def topic_phrase(slugs: Sequence[str]) -> str:
    names = [TOPICS[TOPIC_ID[slug] - 1].name.lower().replace(" & ", " and ") for slug in slugs]
    return human_list(names)


def article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def audience_words(rng: random.Random, min_age: int, max_age: int) -> tuple[str, str]:
    """A title word and a sentence subject that suit the age range."""
    if min_age <= 7 and max_age >= 14:
        return rng.choice(("Family", "All-Ages", "Community")), "Learners of all ages"
    if max_age <= 8:
        return rng.choice(("Little Learners", "Kids'", "Junior")), "Young kids"
    if max_age <= 12:
        return rng.choice(("Kids'", "Junior", "Young Makers")), "Kids"
    if min_age >= 11 and max_age <= 15:
        return rng.choice(("Middle School", "Tween", "Junior")), "Middle schoolers"
    if min_age >= 16:
        return rng.choice(("Young Adult", "Teen & Young Adult", "Emerging Pro")), "Young adults"
    if min_age >= 12:
        return rng.choice(("Teen", "High School", "Youth")), "Teens"
    return rng.choice(("Youth", "Young", "Neighborhood")), "Young people"
