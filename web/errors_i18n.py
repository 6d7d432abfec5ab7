"""The services' error messages (plain English, for the API) as keys of the page catalog.

A DomainError is matched by its code when the code says enough, else by the start of its
message. tests/web/test_error_messages.py reads the services' source and fails when a
message has no key here, so a new rule cannot reach a Spanish page in English.
"""

from __future__ import annotations

from server.accounts import age, passwords
from server.catalog.schedule import MAX_SESSIONS
from server.errors import DomainError

# Codes that name one situation each.
BY_CODE: dict[str, str] = {
    "BAD_CREDENTIALS": "err.bad_credentials",
    "GUARDIAN_REQUIRED": "err.guardian_required",
    "LINK_INVALID": "err.link_invalid",
    "LINK_EXPIRED": "err.link_expired",
    "PARTICIPATION_REQUIRED": "err.participation_required",
    "SIGN_IN_AS_GUARDIAN": "err.sign_in_as_guardian",
    "WRONG_ACCOUNT": "err.wrong_account",
    "TOO_MANY_TOKENS": "err.too_many_tokens",
    "ORGANIZATION_NOT_APPROVED": "err.organization_not_approved",
    "STALE_RUN": "err.stale_run",
    "FEED_DISABLED": "err.feed_disabled",
}

# Message beginnings (the parts before any value an f-string fills in).
BY_MESSAGE: tuple[tuple[str, str], ...] = (
    ("enter your real date of birth", "err.birth_date_real"),
    ("accounts are for learners", "err.too_young"),
    ("a parent's or guardian's own email", "err.guardian_is_you"),
    ("a 5-digit ZIP code", "err.postal_code"),
    ("an account with this email exists", "err.email_taken"),
    ("enter an email address like", "err.email"),
    ("tell us what to call you", "err.name_missing"),
    ("use at most 120 characters", "err.name_long"),
    ("use at least", "err.password_short"),
    ("use at most", "err.password_long"),
    ("use more different characters", "err.password_simple"),
    ("this link is not valid", "err.link_invalid"),
    ("this link has expired", "err.link_expired"),
    ("choose a name and a password", "err.name_and_password"),
    ("a parent or guardian answers this", "err.guardian_answers"),
    ("a parent or guardian decides this", "err.guardian_decides"),
    ("you are the only owner", "err.only_owner_delete"),
    ("an organization keeps at least one owner", "err.last_owner"),
    ("the organization's name", "err.org_name"),
    ("a web address starting with", "err.website"),
    ("tell the applicant why", "err.reason"),
    ("only a pending application", "err.not_pending"),
    ("this person is already on the staff", "err.already_staff"),
    ("this invitation is not open", "err.invitation_closed"),
    ("name the token after", "err.token_name"),
    ("choose at least one scope", "err.scopes"),
    ("revoke unused tokens first", "err.too_many_tokens"),
    ("the organization is not approved", "err.organization_not_approved"),
    # The catalog: listing records (server/catalog/imports.py, schedule.py), places
    # (server/geo/geocoder.py), feeds (server/catalog/feeds.py). Import rejections carry
    # only these messages, so they are matched by message, not code.
    ("an external id of 1 to 300", "err.external_id"),
    ("a title of 1 to 300", "err.listing_title"),
    ("the description is longer than", "err.description_long"),
    ("ages must be 0 to 120", "err.ages"),
    ("the lowest grade is above", "err.grades"),
    ("the cost cannot be negative", "err.cost_negative"),
    ("the capacity cannot be negative", "err.capacity"),
    ("the registration link must be", "err.registration_url"),
    ("an onsite or hybrid listing needs a place", "err.needs_place"),
    ("the place has no coordinates", "err.place_unknown"),
    ("latitude must be between", "err.latitude"),
    ("longitude must be between", "err.longitude"),
    ("a start date needs a start time", "err.start_time_needed"),
    ("the end date is before", "err.end_before_start"),
    ("unknown time zone", "err.timezone"),
    ("not a language code like", "err.language_code"),
    ("duration must be positive", "err.duration"),
    ("invalid RRULE", "err.rrule"),
    ("a schedule repeats daily", "err.rrule_frequency"),
    ("the schedule never happens", "err.rrule_never"),
    ("schedule has more than", "err.too_many_sessions"),
    ("a duplicate of listing", "err.duplicate"),
    ("the same external id twice", "err.same_id_twice"),
    ("listings can be imported once", "err.organization_not_approved"),
    ("a newer import of this source", "err.stale_run"),
    ("no held import", "err.no_held"),
    ("CSV is uploaded, not harvested", "err.feed_csv"),
    ("harvest every", "err.feed_interval"),
    ("a feed address starting with", "err.feed_url"),
    ("this feed is registered already", "err.feed_taken"),
    ("the feed is disabled", "err.feed_disabled"),
    ("no opportunity", "err.not_found"),
    ("no such", "err.not_found"),
)

PARAMS = {
    "err.password_short": {"min": passwords.MIN_LENGTH},
    "err.password_long": {"max": passwords.MAX_LENGTH},
    "err.too_young": {"min": age.MIN_AGE},
    "err.too_many_sessions": {"max": MAX_SESSIONS},
}


def message_key(exc: DomainError) -> tuple[str | None, dict[str, object]]:
    """The catalog key for a service error and the values it needs; None when unknown."""
    key = BY_CODE.get(exc.code)
    if key is None:
        text = exc.message or ""
        key = next((k for prefix, k in BY_MESSAGE if text.startswith(prefix)), None)
    if key is None:
        return None, {}
    params: dict[str, object] = dict(PARAMS.get(key, {}))
    if key in ("err.sign_in_as_guardian", "err.wrong_account"):
        # "sign in as someone@example.org to ...": the address is the one the link went to.
        words = (exc.message or "").split()
        params["email"] = words[3] if len(words) > 3 else ""
    if key == "err.duplicate":
        # "a duplicate of listing <external id> (same title, start and place)"
        rest = (exc.message or "")[len("a duplicate of listing ") :]
        params["other"] = rest.rsplit(" (same", 1)[0]
    return key, params
