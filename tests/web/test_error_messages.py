"""Every error the account, privacy, partner and catalog services can raise has a message
in both languages on the pages (web/errors_i18n.py), found by reading the services' source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.errors import Conflict, DomainError, InvalidInput, Throttled
from web.errors_i18n import BY_CODE, BY_MESSAGE, message_key
from web.i18n import EN, ES, Translator
from web.kit import message_of

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ("imports", "feeds", "schedule", "service")
BADGES = ("awards", "backpack", "claims", "classes", "review", "roster")
STACKS = ("applications", "definitions", "rules")
SERVICES = [
    *sorted((ROOT / "server" / "accounts").glob("*.py")),
    *sorted((ROOT / "server" / "privacy").glob("*.py")),
    *sorted((ROOT / "server" / "orgs").glob("*.py")),
    # What the dashboard's listings, feeds and import pages call.
    *(ROOT / "server" / "catalog" / f"{name}.py" for name in CATALOG),
    # What the badge pages call.
    *(ROOT / "server" / "badges" / f"{name}.py" for name in BADGES),
    # What the stacks pages (learner and dashboard) call.
    *(ROOT / "server" / "stacks" / f"{name}.py" for name in STACKS),
]
# Errors a person can fix (the rest lead to the 403 and 404 pages, not a message).
SHOWN = {"InvalidInput", "Conflict", "Throttled", "Unauthenticated"}
# The stacks pages also show refusals next to the form (locked, too young, no consent).
SHOWN_IN_STACKS = SHOWN | {"Forbidden"}


def raised_messages() -> list[tuple[str, str, str | None]]:
    """(file, the message's fixed start, code=) for each error the services construct."""
    found = []
    for path in SERVICES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            shown = SHOWN_IN_STACKS if path.parent.name == "stacks" else SHOWN
            if node.func.id == "_fail" and path.name == "rules.py":
                # A rule's parse errors read "<where>: <message>", where starts with "rule".
                found.append((path.name, "rule", None))
                continue
            if node.func.id not in shown or not node.args:
                continue
            if node.func.id == "InvalidInput" and path.name == "rules.py":
                continue  # the one inside _fail, counted at each _fail call
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                start = first.value
            elif isinstance(first, ast.JoinedStr):
                head = first.values[0] if first.values else None
                start = head.value if isinstance(head, ast.Constant) else ""
            else:
                continue
            code = next(
                (
                    k.value.value
                    for k in node.keywords
                    if k.arg == "code" and isinstance(k.value, ast.Constant)
                ),
                None,
            )
            found.append((path.name, str(start), code))
    return found


def test_the_services_raise_what_we_read() -> None:
    assert len(raised_messages()) > 25


@pytest.mark.parametrize(("where", "start", "code"), raised_messages())
def test_each_service_message_has_a_page_message(where: str, start: str, code: str | None) -> None:
    if code in BY_CODE or start.startswith("too many attempts"):
        return
    assert any(start.startswith(prefix) for prefix, _ in BY_MESSAGE), (where, start)


def test_every_key_exists_in_both_languages() -> None:
    for key in {*BY_CODE.values(), *(k for _, k in BY_MESSAGE)}:
        assert key in EN and key in ES, key
        assert EN[key] != ES[key], key


def test_messages_fill_in_their_values() -> None:
    es = Translator("es")
    short = InvalidInput("use at least 8 characters", field="password", code="WEAK")
    assert message_of(short, es) == "Usa al menos 8 caracteres."
    guardian = InvalidInput("use at most 120 characters", field="displayName")
    assert message_of(guardian, Translator("en")) == "Use at most 120 characters."
    wait = Throttled("too many attempts; try again in 2 minutes", retry_after=61)
    assert message_of(wait, es) == "Demasiados intentos. Vuelve a intentarlo en 2 minutos."
    one = Throttled("too many attempts", retry_after=30)
    assert message_of(one, Translator("en")) == "Too many tries. Try again in 1 minute."
    who = Conflict("sign in as ana@example.org to answer", code="SIGN_IN_AS_GUARDIAN")
    assert message_key(who) == ("err.sign_in_as_guardian", {"email": "ana@example.org"})
    # Something no one mapped yet still says something (the service's own words).
    assert message_of(DomainError("a brand new rule"), es) == "a brand new rule"


def test_why_a_door_locked_again_reads_in_both_languages() -> None:
    from web.rule_words import loss_words

    lost = [
        {"badge": "Lifeguard", "revoked": False, "why": ""},
        {"badge": "First aid", "revoked": True, "why": "not completed"},
        {"badge": "CPR", "revoked": True, "why": ""},
    ]
    en, es = Translator("en"), Translator("es")
    assert loss_words(lost, "stored", en) == (
        "“Lifeguard” expired; “First aid” was revoked (not completed); “CPR” was revoked"
    )
    assert loss_words(lost, "stored", es) == (
        "“Lifeguard” venció; “First aid” fue revocada (not completed); “CPR” fue revocada"
    )
    assert loss_words([], None, es) == (
        "la regla cambió y las insignias que se tienen ya no la cumplen"
    )
    assert loss_words(None, "an older row's reason", es) == "an older row's reason"
