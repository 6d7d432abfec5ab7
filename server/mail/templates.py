"""Email templates: `templates/<name>.<lang>.txt`, Jinja2, plain text.

The first line of a template is `Subject: ...`, the rest is the body. Text is not HTML,
so nothing is escaped; a variable the template uses but the caller did not pass fails
loudly (StrictUndefined), in the caller's tests rather than in a stranger's inbox.

Values that need translating are passed as keys and translated by the template itself:
`purposes` in guardian_consent are ConsentPurpose values, `role` in staff_invitation is
a StaffRole value; an unknown key fails like a missing variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("en", "es")  # the same as users.locale
SUBJECT = "Subject: "

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def template_names() -> list[str]:
    """Every template that exists in English (each must also exist in Spanish)."""
    return sorted(path.name.removesuffix(".en.txt") for path in TEMPLATES.glob("*.en.txt"))


def render(template: str, lang: str, context: dict[str, Any]) -> RenderedEmail:
    if lang not in LANGUAGES:
        raise ValueError(f"no email templates in language {lang!r} (have: {LANGUAGES})")
    text = _env.get_template(f"{template}.{lang}.txt").render(context)
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT):
        raise ValueError(f"email template {template}.{lang}.txt must start with {SUBJECT!r}")
    return RenderedEmail(subject=first.removeprefix(SUBJECT).strip(), body=body.strip() + "\n")
