"""The Open Badges URLs: each answers JSON-LD to machines and a readable page to people
(content negotiation on Accept: a browser asks for text/html first; verifiers ask for
JSON or anything).

OB 2.0: /ob/v2/issuers/{id}, .../revocations, /ob/v2/keys/{kid}, /ob/v2/badges/{id},
.../image, /ob/v2/assertions/{uuid} (410 with `revoked: true` once revoked), .../signed
(a JWS), .../baked.png and .../baked.svg (for the recipient, or anyone if public).
OB 3.0: /ob/v3/issuers/{id} (Profile), .../jwks, .../revocations, /ob/v3/keys/{kid},
/ob/v3/achievements/{id}, /ob/v3/credentials/{uuid} (JSON), .../jwt (VC-JWT), .../baked.png;
and /.well-known/jwks.json with every issuer's key.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from server.authz import has_org_role
from server.badges import backpack, classes, hosted, keys, published
from server.badges.urls import PAGE_URLS, BadgeUrls
from server.db import session_scope
from server.geo.geocoder import GeoPoint, default_geocoder
from server.models import LearnerProfile, Organization, User
from server.models.enums import BadgeClassStatus, OrganizationStatus, StaffRole
from web.kit import page
from web.pages import PageContext, not_found, render
from web.session import current_actor

JSON_LD = "application/ld+json"
# Verifiers cache what does not change; revocation answers must stay fresh.
STABLE = "public, max-age=300"
FRESH = "no-cache"
_KID = re.compile(r"[0-9a-f]{16}")


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def json_response(
    document: Any, *, status_code: int = 200, cache: str = STABLE, media_type: str = JSON_LD
) -> Response:
    response = Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        status_code=status_code,
        media_type=media_type,
    )
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # any verifier, in any browser
    response.headers["Vary"] = "Accept"
    return response


def _urls(request: Request) -> BadgeUrls:
    return BadgeUrls(request.app.state.settings.public_url)


def _int(request: Request, name: str = "id") -> int | None:
    raw = str(request.path_params.get(name, ""))
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _uuid(request: Request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.path_params.get("uuid", "")))
    except ValueError:
        return None


async def _organization(ctx: PageContext, request: Request) -> Organization | None:
    organization_id = _int(request)
    if organization_id is None:
        return None
    async with ctx.sessionmaker() as session:
        organization = await session.get(Organization, organization_id)
    if organization is None or not organization.is_issuer:
        return None
    return organization


@page
async def issuer(request: Request, ctx: PageContext) -> Response:
    organization = await _organization(ctx, request)
    if organization is None:
        return await not_found(request)
    urls = _urls(request)
    async with ctx.sessionmaker() as session:
        if not wants_html(request):
            mail_from = request.app.state.settings.mail_from
            document = await published.issuer_v2(session, organization, urls, mail_from=mail_from)
            return json_response(document)
        badge_classes = await classes.of_organization(session, organization.id)
    return render(
        ctx,
        "badges/issuer.html",
        organization=organization,
        badge_classes=badge_classes,
        urls=PAGE_URLS,
    )


@page
async def revocations(request: Request, ctx: PageContext) -> Response:
    organization = await _organization(ctx, request)
    if organization is None:
        return await not_found(request)
    async with ctx.sessionmaker() as session:
        document = await published.revocations_v2(session, organization.id, _urls(request))
    return json_response(document, cache=FRESH)


@page
async def key_v2(request: Request, ctx: PageContext) -> Response:
    kid = str(request.path_params.get("kid", ""))
    async with ctx.sessionmaker() as session:
        row = await keys.by_kid(session, kid) if _KID.fullmatch(kid) else None
    if row is None:
        return await not_found(request)
    urls = _urls(request)
    document = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": urls.key(row.kid),
        "owner": urls.issuer(row.organization_id),
        "publicKeyPem": row.public_pem,
    }
    return json_response(document)


@page
async def badge_class(request: Request, ctx: PageContext) -> Response:
    badge_class_id = _int(request)
    if badge_class_id is None:
        return await not_found(request)
    urls = _urls(request)
    async with ctx.sessionmaker() as session:
        row = await classes.get(session, badge_class_id)
        if not wants_html(request):
            return json_response(await published.badge_class_v2(session, row, urls))
        organization = await session.get(Organization, row.organization_id)
        endorsements = await classes.endorsements(session, row.id)
        competencies = await published.competencies_of(session, row)
        viewer = await current_actor(request, now=ctx.now)
        near_zip = await _near_zip(request, session, viewer.user_id)
        near = _centroid(near_zip)
        places = await classes.where_to_earn(session, row.id, near=near)
        endorsed = {e.endorser_id for e, _ in endorsements}
        managed = [
            org_id
            for org_id in viewer.roles
            if org_id != row.organization_id
            and org_id not in endorsed
            and has_org_role(viewer, org_id, StaffRole.MANAGER)
        ]
        can_endorse = (
            list(
                await session.scalars(
                    select(Organization)
                    .where(
                        Organization.id.in_(managed),
                        Organization.status == OrganizationStatus.APPROVED.value,
                    )
                    .order_by(Organization.name)
                )
            )
            if managed
            else []
        )
    return render(
        ctx,
        "badges/badge_class.html",
        badge_class=row,
        organization=organization,
        endorsements=endorsements,
        competencies=competencies,
        places=places,
        urls=PAGE_URLS,
        public=urls,
        archived=row.status == BadgeClassStatus.ARCHIVED.value,
        can_endorse=can_endorse,
        near_zip=near_zip if near else None,
    )


async def _near_zip(request: Request, session: Any, user_id: int | None) -> str | None:
    """Where "nearby" is: ?near=ZIP, else the signed-in learner's ZIP code."""
    asked = request.query_params.get("near", "").strip()[:10]
    if asked:
        return asked
    if user_id is None:
        return None
    profile = await session.get(LearnerProfile, user_id)
    return profile.postal_code if profile is not None else None


def _centroid(postal_code: str | None) -> GeoPoint | None:
    if not postal_code or not postal_code.isdigit() or len(postal_code) != 5:
        return None
    found = default_geocoder().geocode(postal_code)
    return found.point if found is not None else None


@page
async def badge_image(request: Request, ctx: PageContext) -> Response:
    badge_class_id = _int(request)
    if badge_class_id is None:
        return await not_found(request)
    async with ctx.sessionmaker() as session:
        row = await classes.get(session, badge_class_id)
    content_type, data = published.badge_image(row)
    response = Response(data, media_type=content_type)
    response.headers["Cache-Control"] = STABLE
    response.headers["Access-Control-Allow-Origin"] = "*"
    if content_type == "image/svg+xml":  # an uploaded SVG never runs as a page
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


async def _record(request: Request, ctx: PageContext) -> published.AwardRecord | None:
    assertion_id = _uuid(request)
    if assertion_id is None:
        return None
    async with ctx.sessionmaker() as session:
        return await published.award(session, assertion_id)


@page
async def assertion(request: Request, ctx: PageContext) -> Response:
    record = await _record(request, ctx)
    if record is None:
        return await not_found(request)
    urls = _urls(request)
    revoked = record.assertion.revoked_at is not None
    if not wants_html(request):
        if revoked:
            document = hosted.revoked_document(record.assertion, urls)
            return json_response(document, status_code=410, cache=FRESH)
        return json_response(published.assertion_v2(record, urls), cache=FRESH)
    viewer = await current_actor(request, now=ctx.now)
    details = backpack.may_see_details(viewer, record.assertion)
    recipient_name = None
    if details and record.assertion.recipient_user_id is not None:
        async with ctx.sessionmaker() as session:
            user = await session.get(User, record.assertion.recipient_user_id)
            recipient_name = user.display_name if user else None
    response = render(
        ctx,
        "badges/assertion.html",
        status_code=410 if revoked else 200,
        record=record,
        urls=PAGE_URLS,
        public=urls,
        details=details,
        recipient_name=recipient_name,
        own=viewer.user_id is not None and viewer.user_id == record.assertion.recipient_user_id,
        expired=record.assertion.expires_at is not None and record.assertion.expires_at <= ctx.now,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _downloadable(
    request: Request, ctx: PageContext
) -> tuple[published.AwardRecord | None, bool]:
    record = await _record(request, ctx)
    if record is None:
        return None, False
    viewer = await current_actor(request, now=ctx.now)
    return record, backpack.may_see_details(viewer, record.assertion)


def _attachment(data: bytes | str, media_type: str, name: str) -> Response:
    response = Response(data, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _file_name(record: published.AwardRecord, suffix: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", record.badge_class.name.lower()).strip("-") or "badge"
    return f"{stem[:60]}{suffix}"


@page
async def signed(request: Request, ctx: PageContext) -> Response:
    record = await _record(request, ctx)
    if record is None:
        return await not_found(request)
    async with session_scope(request.app.state.sessionmaker) as session:  # may make the key
        token = await published.signed_assertion(session, record, _urls(request))
    response = Response(token, media_type="text/plain")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@page
async def baked_png(request: Request, ctx: PageContext) -> Response:
    record, allowed = await _downloadable(request, ctx)
    if record is None or not allowed:
        return await not_found(request)
    data = published.baked_png_v2(record, _urls(request))
    return _attachment(data, "image/png", _file_name(record, ".png"))


@page
async def baked_svg(request: Request, ctx: PageContext) -> Response:
    record, allowed = await _downloadable(request, ctx)
    if record is None or not allowed:
        return await not_found(request)
    data = published.baked_svg_v2(record, _urls(request))
    return _attachment(data, "image/svg+xml", _file_name(record, ".svg"))


# --- Open Badges 3.0 -------------------------------------------------------------------------


@page
async def profile_v3(request: Request, ctx: PageContext) -> Response:
    organization = await _organization(ctx, request)
    if organization is None:
        return await not_found(request)
    return json_response(await published.profile_v3(organization, _urls(request)))


@page
async def jwks_v3(request: Request, ctx: PageContext) -> Response:
    organization = await _organization(ctx, request)
    if organization is None:
        return await not_found(request)
    async with ctx.sessionmaker() as session:
        document = await published.jwks_v3(session, _urls(request), organization.id)
    return json_response(document, media_type="application/jwk-set+json")


@page
async def well_known_jwks(request: Request, ctx: PageContext) -> Response:
    async with ctx.sessionmaker() as session:
        document = await published.jwks_v3(session, _urls(request))
    return json_response(document, media_type="application/jwk-set+json")


@page
async def jwk_v3(request: Request, ctx: PageContext) -> Response:
    kid = str(request.path_params.get("kid", ""))
    async with ctx.sessionmaker() as session:
        row = await keys.by_kid(session, kid) if _KID.fullmatch(kid) else None
    if row is None:
        return await not_found(request)
    urls = _urls(request)
    document = {**keys.published_jwk(row, urls), "iss": urls.profile(row.organization_id)}
    return json_response(document, media_type="application/jwk+json")


@page
async def revocations_v3(request: Request, ctx: PageContext) -> Response:
    organization = await _organization(ctx, request)
    if organization is None:
        return await not_found(request)
    async with ctx.sessionmaker() as session:
        document = await published.revocations_v3(session, organization.id, _urls(request))
    return json_response(document, cache=FRESH, media_type="application/json")


@page
async def achievement_v3(request: Request, ctx: PageContext) -> Response:
    """An Achievement's id: people get the badge class page; machines its OB 2.0 JSON."""
    return await badge_class(request)


@page
async def credential_v3(request: Request, ctx: PageContext) -> Response:
    record = await _record(request, ctx)
    if record is None:
        return await not_found(request)
    if wants_html(request):
        return await assertion(request)
    async with ctx.sessionmaker() as session:
        document = await published.credential_v3(session, record, _urls(request))
    return json_response(document, cache=FRESH, media_type="application/vc+ld+json")


@page
async def credential_jwt(request: Request, ctx: PageContext) -> Response:
    record = await _record(request, ctx)
    if record is None:
        return await not_found(request)
    async with session_scope(request.app.state.sessionmaker) as session:
        token = await published.credential_jwt(session, record, _urls(request))
    response = Response(token, media_type="application/vc+jwt")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@page
async def credential_baked_png(request: Request, ctx: PageContext) -> Response:
    record, allowed = await _downloadable(request, ctx)
    if record is None or not allowed:
        return await not_found(request)
    async with session_scope(request.app.state.sessionmaker) as session:
        data = await published.baked_png_v3(session, record, _urls(request))
    return _attachment(data, "image/png", _file_name(record, "-ob3.png"))
