"""Our catalog as OpenActive RPDE 1.0 feeds (https://openactive.io/realtime-paged-data-exchange/).

- `/feeds/opportunities`: every listing;
- `/feeds/organizations/<slug>/opportunities`: one organization's (its tombstones too).

Paging: `afterTimestamp` + `afterId` (ordering and commit safety: server/catalog/rpde_out.py),
`limit` lowers the page size of MAX_LIMIT. `next` is absolute, built like the pages'
links from the request's own base URL, so the JSON-LD in `data` names the same URLs as
the listing's page and a feed read at any address (a proxy, a test server) points back
to it. A page without items is the last: its `next` is its own URL.

Items: `"updated"` with `data`, the schema.org JSON-LD that the listing's page embeds
(web/jsonld.py, built from the same reads); `"deleted"` for drafts, archived listings,
listings of organizations that are not approved, and deleted listings (tombstones, kept
30 days). `data` lists the sessions upcoming when it is read: time passing is no change
(`modified` stays), and the schedule in it lets a reader expand the rest.

Caching: a page with items is cached an hour (a later read of that URL can only differ by
changes a reader will meet further on), the last page 8 seconds.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from server.catalog import reads, rpde_out, upcoming
from server.catalog.reads import ListingView
from server.models.enums import OpportunityStatus, OrganizationStatus
from web import jsonld
from web.pages import page_context, secure

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
# One kind for every item: a listing keeps its id when its kind (and so its schema.org
# type) changes, and a tombstone does not know what it was.
KIND = "LearningOpportunity"
MAX_LIMIT = rpde_out.MAX_LIMIT
PAGE_CACHE = "public, max-age=3600"
LAST_PAGE_CACHE = "public, max-age=8"
MAX_INTEGER = 2**63 - 1
_INTEGER = re.compile(r"[0-9]{1,19}")
# An organization's feed exists while it is or was approved; others are not public.
FEED_STATUSES = {OrganizationStatus.APPROVED.value, OrganizationStatus.SUSPENDED.value}


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def _integer(params: QueryParams, name: str) -> int | None:
    values = params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(name, f"{name} given more than once")
    if not _INTEGER.fullmatch(values[0]) or int(values[0]) > MAX_INTEGER:
        raise BadParameter(name, f"{name} must be a whole number from 0 to {MAX_INTEGER}")
    return int(values[0])


def parse_paging(params: QueryParams) -> tuple[tuple[int, int] | None, int | None]:
    """The cursor (modified, id) and the requested page size, or BadParameter."""
    if "afterChangeNumber" in params:
        raise BadParameter(
            "afterChangeNumber", "this feed pages with afterTimestamp and afterId: follow next"
        )
    modified = _integer(params, "afterTimestamp")
    after_id = _integer(params, "afterId")
    if (modified is None) != (after_id is None):
        missing = "afterId" if after_id is None else "afterTimestamp"
        raise BadParameter(missing, "afterTimestamp and afterId go together")
    limit = _integer(params, "limit")
    if limit is not None and limit < 1:
        raise BadParameter("limit", "limit must be at least 1")
    cursor = (modified, after_id) if modified is not None and after_id is not None else None
    return cursor, min(limit, MAX_LIMIT) if limit is not None else None


def page_url(base: str, path: str, cursor: tuple[int, int] | None, limit: int | None) -> str:
    pairs: list[tuple[str, int]] = []
    if cursor is not None:
        pairs += [("afterTimestamp", cursor[0]), ("afterId", cursor[1])]
    if limit is not None:
        pairs.append(("limit", limit))
    return f"{base}{path}?{urlencode(pairs)}" if pairs else f"{base}{path}"


def _json(body: object, *, status_code: int = 200, cache: str = "no-cache") -> Response:
    response = Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers={"Cache-Control": cache, "Access-Control-Allow-Origin": "*"},
    )
    return secure(response)


def _public(listing: ListingView) -> bool:
    return (
        listing.status == OpportunityStatus.PUBLISHED.value
        and listing.organization.status == OrganizationStatus.APPROVED.value
    )


def _horizon(request: Request) -> rpde_out.Horizon:
    """One per app (process): its looks at the running writers build on each other."""
    state = request.app.state
    found: rpde_out.Horizon | None = getattr(state, "rpde_horizon", None)
    if found is None:
        found = state.rpde_horizon = rpde_out.Horizon()
    return found


async def _items(
    session: AsyncSession, entries: list[rpde_out.Entry], request: Request
) -> list[dict[str, object]]:
    now = page_context(request).now
    base = str(request.base_url).rstrip("/")
    live = [e.id for e in entries if e.live]
    listings = await reads.listings_by_ids(
        session, live, sessions_per=jsonld.MAX_INSTANCES, upcoming_from=now
    )
    # Only listings with more upcoming sessions than were read need their span counted.
    longer = [v.id for v in listings.values() if len(v.sessions) >= jsonld.MAX_INSTANCES]
    spans = await upcoming.spans_by_opportunity_ids(session, longer, now=now)
    wanted = {i for v in listings.values() for i in v.topic_ids}
    topics = await reads.topics_by_ids(session, list(wanted))
    items: list[dict[str, object]] = []
    for entry in entries:
        item: dict[str, object] = {
            "state": "deleted",
            "kind": KIND,
            "id": str(entry.id),
            "modified": entry.modified,
        }
        # Read after the page: a listing unpublished in between is shown as deleted now
        # (its change follows further on in the feed anyway).
        view = listings.get(entry.id) if entry.live else None
        if view is not None and _public(view):
            item["state"] = "updated"
            item["data"] = jsonld.build(
                view,
                organization=view.organization,
                place=view.place,
                sessions=view.sessions,
                topics=[topics[i].name for i in view.topic_ids if i in topics],
                url=f"{base}/opportunities/{view.id}",
                org_url=f"{base}/organizations/{view.organization.slug}",
                span=spans.get(view.id),
            )
        items.append(item)
    return items


async def _feed(request: Request, path: str, organization_id: int | None) -> Response:
    try:
        cursor, limit = parse_paging(request.query_params)
    except BadParameter as exc:
        return _json({"error": str(exc), "parameter": exc.parameter}, status_code=400)
    maker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
    async with maker() as session:
        horizon = await _horizon(request).look(session)
        entries = await rpde_out.page(
            session,
            after=cursor,
            limit=limit or MAX_LIMIT,
            horizon=horizon,
            organization_id=organization_id,
        )
        items = await _items(session, entries, request)
    base = str(request.base_url).rstrip("/")
    # From the page's own last entry, never from a second query (the spec's race).
    following = (entries[-1].modified, entries[-1].id) if entries else cursor
    body = {"next": page_url(base, path, following, limit), "items": items, "license": LICENSE}
    return _json(body, cache=PAGE_CACHE if items else LAST_PAGE_CACHE)


async def opportunities_feed(request: Request) -> Response:
    return await _feed(request, "/feeds/opportunities", None)


async def organization_feed(request: Request) -> Response:
    slug = str(request.path_params.get("slug", ""))
    organization = None
    if slug and len(slug) <= 120 and "\x00" not in slug:
        maker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
        async with maker() as session:
            organization = await reads.organization_by_slug(session, slug)
    if organization is None or organization.status not in FEED_STATUSES:
        return _json({"error": "no such organization feed"}, status_code=404)
    path = f"/feeds/organizations/{quote(organization.slug)}/opportunities"
    return await _feed(request, path, organization.id)
