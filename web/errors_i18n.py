"""The services' error messages (plain English, for the API) as keys of the page catalog.

A DomainError is matched by its code when the code says enough, else by the start of its
message. tests/web/test_error_messages.py reads the services' source and fails when a
message has no key here, so a new rule cannot reach a Spanish page in English.
"""

from __future__ import annotations

from server.accounts import age, passwords
from server.badges import awards, claims, classes, roster
from server.catalog.schedule import MAX_SESSIONS
from server.errors import DomainError
from server.stacks import applications, definitions

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
    # Badges (server/badges/).
    "CLAIM_CODE_CLOSED": "err.code_closed",
    "CLAIM_CODE_NOT_YET": "err.code_not_yet",
    "CLAIM_CODE_EXPIRED": "err.code_expired",
    "CLAIM_CODE_USED_UP": "err.code_used_up",
    "CONSENT_REQUIRED": "err.badge_consent",
    "ALREADY_REVOKED": "err.already_revoked",
    "ALREADY_CLAIMED": "err.already_claimed",
    "NOT_EARNED_THIS_WAY": "err.not_earned_this_way",
    "IDEMPOTENCY_KEY_REUSED": "err.key_reused",
    "REVIEWED": "err.reviewed",
    "PENDING": "err.submission_pending",
    # stacks: partner pages (server/stacks/definitions.py, applications.py)
    "STACK_IN_USE": "err.stacks.in_use",
    "FULL": "err.stacks.full",
    "WITHDRAWN": "err.stacks.withdrawn",
    "ALREADY_APPLIED": "err.stacks.already_applied",
    "CLOSED": "err.stacks.closed",
    # stacks: learner pages (server/stacks/applications.py: applying; the rest is above)
    "LOCKED": "err.stack_locked",
    "TOO_YOUNG": "err.stack_too_young",
    "SHARING_NEEDS_CONSENT": "err.sharing_needs_consent",
    "NOT_A_LEARNER": "err.not_a_learner",
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
    # Badges (server/badges/): designing, awarding, claiming, reviewing.
    ("fill this in", "err.required"),
    ("too long: at most", "err.text_long"),
    ("not a badge level", "err.level"),
    ("choose at least one way to earn it", "err.earning_none"),
    ("choose among the ways to earn it", "err.earning_unknown"),
    ("say how it is earned", "err.criteria"),
    ("unknown competencies", "err.competencies"),
    ("too many or too long tags", "err.tags"),
    ("the number of days must be between", "err.days_range"),
    ("the image cannot be used", "err.image"),
    ("not listings of this organization", "err.not_our_listings"),
    ("an organization cannot endorse its own badge", "err.endorse_own"),
    ("this organization already endorses", "err.endorsed_already"),
    ("too many pieces of evidence", "err.evidence_many"),
    ("evidence text is at most", "err.evidence_long"),
    ("evidence needs a text or a link", "err.evidence_empty"),
    ("too many awards in one call", "err.too_many_awards"),
    ("the idempotency key is longer than", "err.key_long"),
    ("the note is longer than", "err.note_long"),
    ("say why the badge is revoked", "err.revoke_reason"),
    ("the reason is longer than", "err.reason_long"),
    ("the award with this key could not be found", "err.retry"),
    ("this badge class is archived", "err.badge_archived"),
    ("this badge is no longer awarded", "err.badge_archived"),
    ("a claim code stays open at most", "err.code_window"),
    ("enter your email address, or sign in", "err.claim_email"),
    ("the end must be after the start", "err.end_after_start"),
    ("the number of claims must be between", "err.code_uses"),
    ("this badge class is not earned with a claim code", "err.not_by_code"),
    ("There is no badge with this code", "err.claim_unknown"),
    ("add a description, a link or a file", "err.submit_empty"),
    ("your description is longer than", "err.submit_long"),
    ("the feedback is longer than", "err.feedback_long"),
    ("tell the learner what to change", "err.feedback_needed"),
    ("the file must be a PDF", "err.file_type"),
    ("the file must be at most", "err.file_large"),
    ("this badge is not earned by submitting work", "err.not_by_review"),
    ("too many emails", "err.roster_many"),
    ("paste at least one email address", "err.roster_empty"),
    ("this badge class is not awarded by roster", "err.not_by_roster"),
    ("choose one of this organization's listings", "err.not_our_listings"),
    # stacks: partner pages (server/stacks/definitions.py, rules.py, applications.py). Before
    # the catch-alls below ("no such ..."). A rule's own parse errors ("rule.all_of[0]: ...")
    # are told in detail by web/dashboard_stacks.py; "rule" here is their short form.
    ("rule: no such badge class", "err.stacks.rule_badge"),
    ("rule: no such competency", "err.stacks.rule_competency"),
    ("rule", "err.stacks.rule"),
    ("give the stack a name", "err.stacks.name"),
    ("the badge a stack awards must be", "err.stacks.award_own"),
    ("that badge class cannot be awarded now", "err.stacks.award_inactive"),
    ("listings are gated by this stack", "err.stacks.in_use"),
    ("choose a stack, or write a rule", "err.stacks.one_rule"),
    ("that stack is archived", "err.stacks.archived"),
    (f"at most {definitions.MAX_PREFERRED} preferred badges", "err.stacks.preferred_many"),
    ("no such badge class:", "err.stacks.preferred_unknown"),
    ("give the deadline with its time zone", "err.stacks.deadline_zone"),
    ("this listing was gated at the same moment", "err.stacks.gated_twice"),
    ("not an achievement id", "err.stacks.achievement_id"),
    ("give the achievement id or the criteria URL", "err.stacks.equivalence_one"),
    ("this badge is already mapped", "err.stacks.equivalence_taken"),
    ("network admins, or managers of a stack that names", "err.stacks.equivalence_who"),
    ("share at most", "err.stacks.share_many"),
    ("you can only share your own badges", "err.stacks.share_own"),
    ("this opportunity is not open", "err.stacks.closed"),
    ("applications for this opportunity are closed", "err.stacks.closed"),
    (f"at most {applications.MAX_MESSAGE} characters", "err.stacks.message_long"),
    ("you already applied", "err.stacks.already_applied"),
    ("accept, waitlist or decline", "err.stacks.decision"),
    ("the learner withdrew this application", "err.stacks.withdrawn"),
    ("at most ", "err.text_long"),
    ("no opportunity", "err.not_found"),
    ("no such", "err.not_found"),
)

PARAMS = {
    "err.password_short": {"min": passwords.MIN_LENGTH},
    "err.password_long": {"max": passwords.MAX_LENGTH},
    "err.too_young": {"min": age.MIN_AGE},
    "err.too_many_sessions": {"max": MAX_SESSIONS},
    "err.too_many_awards": {"max": awards.BULK_LIMIT},
    "err.roster_many": {"max": roster.MAX_LINES},
    "err.code_uses": {"max": claims.MOST_USES},
    "err.days_range": {"max": classes.MAX_EXPIRY_DAYS},
    "err.tags": {"max": classes.MAX_TAGS},
    # stacks: partner pages
    "err.stacks.preferred_many": {"max": definitions.MAX_PREFERRED},
    "err.stacks.share_many": {"max": applications.MAX_SHARED},
    "err.stacks.message_long": {"max": applications.MAX_MESSAGE},
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
    if key == "err.text_long":
        # "too long: at most <n> characters"
        digits = [w for w in (exc.message or "").split() if w.isdigit()]
        params["max"] = digits[0] if digits else ""
    if key == "err.image":
        # The image check's own words follow (English only).
        params["detail"] = (exc.message or "").split(": ", 1)[-1]
    if key == "err.duplicate":
        # "a duplicate of listing <external id> (same title, start and place)"
        rest = (exc.message or "")[len("a duplicate of listing ") :]
        params["other"] = rest.rsplit(" (same", 1)[0]
    # stacks: learner pages
    if key == "err.stack_too_young":
        # "this opportunity is for ages <n> and up"
        digits = [w for w in (exc.message or "").split() if w.isdigit()]
        params["min"] = digits[0] if digits else ""
    return key, params
