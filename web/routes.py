"""The web pages' routes, included by `server.app.create_app`."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import (
    account_pages,
    admin_pages,
    badge_hosted,
    badge_pages,
    badge_verify_pages,
    calendars,
    consent_pages,
    dashboard_badges,
    dashboard_feeds,
    dashboard_import,
    dashboard_listings,
    dashboard_stacks,
    devmail,
    feeds_out,
    pages,
    partner_pages,
    profile_pages,
    signin_pages,
    signup_pages,
    stack_pages,
    staff_pages,
    token_pages,
)

STATIC = Path(__file__).resolve().parent / "static"


class _StaticHeaders:
    """Adds nosniff and a short cache lifetime to every static response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"cache-control", b"public, max-age=3600"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


GET_POST = ["GET", "POST"]
POST = ["POST"]

# People and partners (CSRF-checked forms; see web/kit.py and web/session.py).
account_routes: list[BaseRoute] = [
    Route("/account/signup", signup_pages.signup, methods=GET_POST),
    Route("/account/signin", signin_pages.signin, methods=GET_POST),
    Route("/account/signout", signin_pages.signout, methods=GET_POST),
    Route("/account/verify/{token}", signin_pages.verify, methods=GET_POST),
    Route("/account/forgot", signin_pages.forgot, methods=GET_POST),
    Route("/account/reset/{token}", signin_pages.reset, methods=GET_POST),
    Route("/account", account_pages.account),
    Route("/account/visibility", account_pages.visibility, methods=POST),
    Route("/account/consent", account_pages.consents, methods=POST),
    Route("/account/export.json", account_pages.export_json),
    Route("/account/delete", account_pages.delete, methods=GET_POST),
    Route("/account/deleted", account_pages.deleted),
    Route("/account/children", account_pages.children),
    Route("/account/children/{child_id}/visibility", account_pages.child_visibility, methods=POST),
    Route("/account/children/{child_id}/consent", account_pages.child_consents, methods=POST),
    Route("/account/children/{child_id}/export.json", account_pages.child_export),
    Route("/account/children/{child_id}/delete", account_pages.child_delete, methods=GET_POST),
    Route("/consent/{token}", consent_pages.consent_page, methods=GET_POST),
    Route("/invitations/{token}", partner_pages.invitation, methods=GET_POST),
    Route("/partners/apply", partner_pages.apply, methods=GET_POST),
    Route("/partners/{slug}", partner_pages.dashboard),
    Route("/partners/{slug}/staff", staff_pages.staff),
    Route("/partners/{slug}/staff/invite", staff_pages.invite, methods=POST),
    Route("/partners/{slug}/staff/{membership_id}/role", staff_pages.change_role, methods=POST),
    Route("/partners/{slug}/staff/{membership_id}/remove", staff_pages.remove, methods=POST),
    Route("/partners/{slug}/tokens", token_pages.tokens, methods=GET_POST),
    Route("/partners/{slug}/tokens/{token_id}/revoke", token_pages.revoke, methods=POST),
    # The dashboard's listings, feeds and CSV import (web/dashboard_*.py).
    Route("/partners/{slug}/listings", dashboard_listings.listings),
    Route("/partners/{slug}/listings/new", dashboard_listings.new_listing, methods=GET_POST),
    Route(
        "/partners/{slug}/listings/{listing_id}/edit",
        dashboard_listings.edit_listing,
        methods=GET_POST,
    ),
    Route(
        "/partners/{slug}/listings/{listing_id}/status",
        dashboard_listings.listing_status,
        methods=POST,
    ),
    Route("/partners/{slug}/feeds", dashboard_feeds.feed_list, methods=GET_POST),
    Route("/partners/{slug}/feeds/{feed_id}", dashboard_feeds.feed_detail),
    Route("/partners/{slug}/feeds/{feed_id}/harvest", dashboard_feeds.harvest, methods=POST),
    Route("/partners/{slug}/feeds/{feed_id}/enable", dashboard_feeds.enable, methods=POST),
    Route("/partners/{slug}/feeds/{feed_id}/remove", dashboard_feeds.remove, methods=POST),
    Route("/partners/{slug}/import", dashboard_import.import_page, methods=GET_POST),
    Route("/partners/{slug}/import/template.csv", dashboard_import.template_csv),
    Route("/partners/{slug}/imports/{run_id}", dashboard_import.run_page),
    Route("/partners/{slug}/imports/{run_id}/confirm", dashboard_import.confirm, methods=POST),
    Route("/learners/{handle}", profile_pages.profile),
    # Stacks, the learner's side: progress, applying, withdrawing (web/stack_pages.py).
    Route("/account/stacks", stack_pages.stacks_page),
    Route("/account/applications/{application_id}/withdraw", stack_pages.withdraw, methods=POST),
    Route("/opportunities/{opportunity_id}/apply", stack_pages.apply, methods=POST),
    # Badges: claiming, the backpack, sending in work (web/badge_pages.py) ...
    Route("/claim", badge_pages.claim_start),
    Route("/claim/{code}", badge_pages.claim, methods=GET_POST),
    Route("/claim/{code}/done", badge_pages.claim_done),
    Route("/backpack", badge_pages.backpack_page),
    Route("/backpack/visibility", badge_pages.backpack_visibility, methods=POST),
    Route("/backpack/export.json", badge_pages.backpack_export),
    Route("/backpack/add", badge_verify_pages.backpack_add, methods=GET_POST),
    Route("/badges/verify", badge_verify_pages.verify_page, methods=GET_POST),
    Route("/badges/{id}/submit", badge_pages.submit, methods=GET_POST),
    Route("/badges/{id}/endorse", badge_pages.endorse, methods=POST),
    Route("/badges/evidence/{id}/file", badge_pages.evidence_file),
    # ... and the partner's badge pages (web/dashboard_badges.py).
    Route("/partners/{slug}/badges", dashboard_badges.badge_list),
    Route("/partners/{slug}/badges/new", dashboard_badges.new_badge, methods=GET_POST),
    Route("/partners/{slug}/badges/{badge_id}", dashboard_badges.badge_detail),
    Route("/partners/{slug}/badges/{badge_id}/edit", dashboard_badges.edit_badge, methods=GET_POST),
    Route(
        "/partners/{slug}/badges/{badge_id}/archive", dashboard_badges.archive_badge, methods=POST
    ),
    Route(
        "/partners/{slug}/badges/{badge_id}/claim-codes",
        dashboard_badges.open_claim_code,
        methods=POST,
    ),
    Route(
        "/partners/{slug}/badges/{badge_id}/roster", dashboard_badges.roster_page, methods=GET_POST
    ),
    Route("/partners/{slug}/claim-codes/{code_id}", dashboard_badges.claim_code_screen),
    Route(
        "/partners/{slug}/claim-codes/{code_id}/close",
        dashboard_badges.close_claim_code,
        methods=POST,
    ),
    Route("/partners/{slug}/awards/{award_id}/revoke", dashboard_badges.revoke_award, methods=POST),
    Route("/partners/{slug}/reviews", dashboard_badges.review_queue),
    Route("/partners/{slug}/reviews/{submission_id}", dashboard_badges.review_decide, methods=POST),
    # Stacks of badges, gates and applicants (web/dashboard_stacks.py).
    Route("/partners/{slug}/stacks", dashboard_stacks.stack_list),
    Route("/partners/{slug}/stacks/new", dashboard_stacks.new_stack, methods=GET_POST),
    Route("/partners/{slug}/stacks/{stack_id}/edit", dashboard_stacks.edit_stack, methods=GET_POST),
    Route(
        "/partners/{slug}/stacks/{stack_id}/archive", dashboard_stacks.archive_stack, methods=POST
    ),
    Route(
        "/partners/{slug}/stacks/{stack_id}/equivalences",
        dashboard_stacks.add_equivalence,
        methods=POST,
    ),
    Route(
        "/partners/{slug}/listings/{listing_id}/gate", dashboard_stacks.gate_page, methods=GET_POST
    ),
    Route(
        "/partners/{slug}/listings/{listing_id}/gate/remove",
        dashboard_stacks.remove_gate,
        methods=POST,
    ),
    Route("/partners/{slug}/listings/{listing_id}/applicants", dashboard_stacks.applicants_page),
    Route(
        "/partners/{slug}/applications/{application_id}/decide",
        dashboard_stacks.decide,
        methods=POST,
    ),
    Route("/admin/organizations", admin_pages.organizations),
    Route("/admin/organizations/{organization_id}/approve", admin_pages.approve, methods=POST),
    Route("/admin/organizations/{organization_id}/decline", admin_pages.decline, methods=POST),
]

# Open Badges: stable URLs written into every badge awarded (web/badge_hosted.py).
H = badge_hosted
badge_routes: list[BaseRoute] = [
    Route("/ob/v2/issuers/{id}", H.issuer),
    Route("/ob/v2/issuers/{id}/revocations", H.revocations),
    Route("/ob/v2/keys/{kid}", H.key_v2),
    Route("/ob/v2/badges/{id}", H.badge_class),
    Route("/ob/v2/badges/{id}/image", H.badge_image),
    Route("/ob/v2/assertions/{uuid}", H.assertion),
    Route("/ob/v2/assertions/{uuid}/signed", H.signed),
    Route("/ob/v2/assertions/{uuid}/baked.png", H.baked_png),
    Route("/ob/v2/assertions/{uuid}/baked.svg", H.baked_svg),
    Route("/ob/v3/issuers/{id}", H.profile_v3),
    Route("/ob/v3/issuers/{id}/jwks", H.jwks_v3),
    Route("/ob/v3/issuers/{id}/revocations", H.revocations_v3),
    Route("/ob/v3/keys/{kid}", H.jwk_v3),
    Route("/ob/v3/achievements/{id}", H.achievement_v3),
    Route("/ob/v3/credentials/{uuid}", H.credential_v3),
    Route("/ob/v3/credentials/{uuid}/jwt", H.credential_jwt),
    Route("/ob/v3/credentials/{uuid}/baked.png", H.credential_baked_png),
    Route("/.well-known/jwks.json", H.well_known_jwks),
]

routes: list[BaseRoute] = [
    Route("/", pages.home, name="home"),
    Route("/search", pages.search_page, name="search"),
    Route("/search.ics", calendars.search_ics, name="search_ics"),
    # Before the detail route: "12.ics" would otherwise match {opportunity_id}.
    Route("/opportunities/{opportunity_id:int}.ics", pages.opportunity_ics, name="opportunity_ics"),
    Route("/opportunities/{opportunity_id}", pages.opportunity_page, name="opportunity"),
    # Before the organization route, which would take "x.ics" for a slug.
    Route("/organizations/{slug}.ics", calendars.organization_ics, name="organization_ics"),
    Route("/organizations/{slug}", pages.organization_page, name="organization"),
    # Outgoing RPDE feeds (web/feeds_out.py).
    Route("/feeds/opportunities", feeds_out.opportunities_feed, name="rpde_opportunities"),
    Route(
        "/feeds/organizations/{slug}/opportunities",
        feeds_out.organization_feed,
        name="rpde_organization",
    ),
    *account_routes,
    *badge_routes,
    # Development only (a 404 elsewhere): the mail the private sink received.
    Route("/dev/mail", devmail.mail_list, name="dev_mail"),
    Route("/dev/mail/{name}", devmail.mail_message, name="dev_mail_message"),
    Mount("/static", app=_StaticHeaders(StaticFiles(directory=STATIC)), name="static"),
]

# For the app's exception handlers: `{404: web.routes.not_found}` gives every unknown
# URL the same friendly, translated page.
not_found = pages.not_found

__all__ = ["not_found", "routes"]
