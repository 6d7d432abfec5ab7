"""Ages and the consent threshold (COPPA: verifiable parental consent under 13)."""

from __future__ import annotations

from datetime import date

from server.errors import InvalidInput

CONSENT_AGE = 13
MIN_AGE = 5
MAX_AGE = 120


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def needs_guardian(birth_date: date, today: date) -> bool:
    return age_on(birth_date, today) < CONSENT_AGE


def check_birth_date(birth_date: date, today: date) -> None:
    age = age_on(birth_date, today)
    if birth_date > today or age > MAX_AGE:
        raise InvalidInput("enter your real date of birth", field="birthDate")
    if age < MIN_AGE:
        raise InvalidInput(
            f"accounts are for learners {MIN_AGE} and older; a parent can browse for you",
            field="birthDate",
        )
