"""Reading our RPDE feeds as a consumer does, checking each page against RPDE 1.0."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Opportunity, Organization, Place
from tests import builders
from web.feeds_out import KIND, LICENSE

BASE = "http://testserver"
FEED = f"{BASE}/feeds/opportunities"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@dataclass
class Walk:
    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    last_url: str = ""  # the last page's URL: where a reader polls from


def check_item(item: dict[str, Any]) -> None:
    assert item["kind"] == KIND
    assert isinstance(item["id"], str) and item["id"].isdigit()
    assert isinstance(item["modified"], int) and not isinstance(item["modified"], bool)
    if item["state"] == "updated":
        assert set(item) == {"state", "kind", "id", "modified", "data"}
        assert item["data"]["@context"] == "https://schema.org"
    else:
        assert item["state"] == "deleted"
        assert set(item) == {"state", "kind", "id", "modified"}  # no data when deleted


async def walk(client: httpx.AsyncClient, url: str, *, max_pages: int = 1000) -> Walk:
    """Follows `next` from `url` to the last page, checking what the spec requires of
    every page: JSON, a license, an absolute next, strictly ascending (modified, id) with
    no item twice, and a last page that has no items and points at itself."""
    found = Walk()
    seen: set[str] = set()
    previous: tuple[int, int] | None = None
    for _ in range(max_pages):
        response = await client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        page = response.json()
        found.pages += 1
        assert page["license"] == LICENSE
        assert page["next"].startswith(f"{BASE}/feeds/"), page["next"]
        if not page["items"]:
            assert page["next"] == url
            assert response.headers["cache-control"] == "public, max-age=8"
            found.last_url = url
            return found
        assert response.headers["cache-control"] == "public, max-age=3600"
        for item in page["items"]:
            check_item(item)
            key = (item["modified"], int(item["id"]))
            assert previous is None or key > previous, (previous, key)
            assert item["id"] not in seen, item["id"]
            previous = key
            seen.add(item["id"])
        last = page["items"][-1]
        assert f"afterTimestamp={last['modified']}&afterId={last['id']}" in page["next"]
        found.items.extend(page["items"])
        url = page["next"]
    raise AssertionError(f"no last page within {max_pages} pages")


async def poll(client: httpx.AsyncClient, url: str) -> tuple[list[dict[str, Any]], str]:
    """What a reader polling at `url` sees: the changes since, and where to poll next."""
    found = await walk(client, url)
    return found.items, found.last_url


async def tail(client: httpx.AsyncClient, url: str = FEED) -> str:
    """The feed's last page right now."""
    return (await walk(client, url)).last_url


def page_json_ld(html: str) -> dict[str, Any]:
    found = LD_JSON.search(html)
    assert found, "no JSON-LD on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def venue(session: AsyncSession, slug: str, **fields: Any) -> tuple[Organization, Place]:
    org = await builders.create_organization(session, slug, **fields)
    place = await builders.create_place(session, org, builders.OTHER_POINT, name=f"{slug} hall")
    return org, place


async def listing(
    session: AsyncSession, org: Organization, place: Place | None, **fields: Any
) -> Opportunity:
    """A listing by the builders, in the future so its sessions stay upcoming."""
    fields.setdefault("start_date", date(2099, 6, 15))
    fields.setdefault("start_time", time(10, 0))
    point = builders.OTHER_POINT if place is not None else None
    return await builders.create_opportunity(session, org, place, point, **fields)
