"""Every email template renders in English and Spanish, and a missing variable fails."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from server.mail.templates import LANGUAGES, TEMPLATES, render, template_names
from server.models.enums import ConsentPurpose, StaffRole

LINK = "https://citylearn.example/links/abc123"
CONTEXTS: dict[str, dict[str, Any]] = {
    "verify_email": {"name": "Ana", "link": LINK},
    "reset_password": {"name": "Ana", "link": LINK},
    "guardian_consent": {
        "child_name": "Tomás",
        "link": LINK,
        "purposes": [p.value for p in ConsentPurpose],
    },
    "guardian_consent_confirmed": {"child_name": "Tomás", "account_link": LINK},
    "staff_invitation": {
        "org_name": "Garfield Park Conservatory",
        "role": StaffRole.MANAGER.value,
        "inviter_name": "Rosa Díaz",
        "link": LINK,
    },
    "organization_approved": {"org_name": "Garfield Park Conservatory", "link": LINK},
    "organization_declined": {
        "org_name": "Garfield Park Conservatory",
        "reason": "The website address does not open.",
    },
    "account_deleted": {"name": "Ana"},
    "badge_awarded": {
        "name": "Ana",
        "badge": "Bike Mechanic",
        "issuer": "West Side Bike Co-op",
        "has_account": True,
        "link": LINK,
    },
    "submission_returned": {
        "name": "Ana",
        "badge": "Bike Mechanic",
        "feedback": "Add a photo of the finished bike.",
        "link": LINK,
    },
    "gate_unlocked": {"name": "Ana", "opportunity": "Web design job shadow", "link": LINK},
    "gate_relocked": {
        "name": "Ana",
        "opportunity": "Web design job shadow",
        "link": LINK,
        "lost": [{"badge": "Bike Mechanic", "revoked": True, "why": "awarded by mistake"}],
    },
    "application_decided": {
        "name": "Ana",
        "opportunity": "Web design job shadow",
        "organization": "Northside Studio",
        "status": "accepted",
        "link": LINK,
    },
}
# Passed as keys and translated by the template, so not found verbatim in the text.
KEYS = {"role", "purposes", "has_account", "lost", "status"}
CASES = [(name, lang) for name in CONTEXTS for lang in LANGUAGES]
MISSING = [(name, lang, var) for name, lang in CASES for var in CONTEXTS[name]]


def test_every_template_is_tested_and_exists_in_every_language() -> None:
    assert template_names() == sorted(CONTEXTS)
    for name in CONTEXTS:
        for lang in LANGUAGES:
            assert (TEMPLATES / f"{name}.{lang}.txt").is_file()


@pytest.mark.parametrize(("name", "lang"), CASES)
def test_template_renders(name: str, lang: str) -> None:
    email = render(name, lang, CONTEXTS[name])
    assert email.subject and "\n" not in email.subject
    assert email.body.strip() and "{" not in email.body and "Subject:" not in email.body
    for var, value in CONTEXTS[name].items():
        if var not in KEYS:
            assert value in email.subject + email.body, var
    signature = "El equipo de CityLearn" if lang == "es" else "The CityLearn team"
    assert email.body.rstrip().endswith(signature)


@pytest.mark.parametrize(("name", "lang", "missing"), MISSING)
def test_missing_variable_fails(name: str, lang: str, missing: str) -> None:
    context = {k: v for k, v in CONTEXTS[name].items() if k != missing}
    with pytest.raises(jinja2.UndefinedError):
        render(name, lang, context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_keys_fail_like_missing_variables(lang: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("guardian_consent", lang, {**CONTEXTS["guardian_consent"], "purposes": ["sell"]})
    with pytest.raises(jinja2.UndefinedError):
        render("staff_invitation", lang, {**CONTEXTS["staff_invitation"], "role": "king"})


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("en", ["7 days", "first name", "birth date", "ZIP", "Nothing happens until you say yes"]),
        (
            "es",
            ["7 días", "nombre de pila", "fecha de nacimiento", "código postal", "No pasa nada"],
        ),
    ],
)
def test_guardian_consent_says_what_we_store_and_that_nothing_happens_first(
    lang: str, phrases: list[str]
) -> None:
    email = render("guardian_consent", lang, CONTEXTS["guardian_consent"])
    for phrase in phrases:
        assert phrase in email.body
    # One line per purpose the parent is asked about, in the parent's language.
    assert len(_bullets(email.body)) == len(ConsentPurpose)
    only_participation = {**CONTEXTS["guardian_consent"], "purposes": ["participation"]}
    assert len(_bullets(render("guardian_consent", lang, only_participation).body)) == 1


def _bullets(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("- ")]


def test_spanish_is_spanish() -> None:
    email = render("reset_password", "es", CONTEXTS["reset_password"])
    assert email.subject == "Cambia tu contraseña de CityLearn"
    assert "Hola, Ana:" in email.body


def test_unknown_language_or_template_fails() -> None:
    with pytest.raises(ValueError, match="fr"):
        render("verify_email", "fr", CONTEXTS["verify_email"])
    with pytest.raises(jinja2.TemplateNotFound):
        render("no_such_email", "en", {})
