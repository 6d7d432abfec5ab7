"""The iCalendar feeds: an organization's sessions and a search's, as RFC 5545 text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.catalog import upcoming
from server.db import session_scope
from server.models import Opportunity
from tests.accounts.people import unique
from tests.feeds.rpde_walk import listing, venue
from web.calendars import CACHE_SECONDS

UID = re.compile(r"^opportunity-(\d+)\.(\d{8}T\d{6}Z)@testserver$")
WORD = "zorblaxian"


def content_lines(body: bytes) -> list[str]:
    """RFC 5545 section 3.1: CRLF line ends, at most 75 octets a line, folds start with a
    space; returns the unfolded lines."""
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "a bare LF"
    physical = body[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character
    unfolded: list[str] = []
    for line in physical:
        text = line.decode("utf-8")
        if text.startswith(" "):
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    return unfolded


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            found.append({})
        elif found and ":" in line and "END:VEVENT" != line:
            name, value = line.split(":", 1)
            found[-1][name.split(";")[0]] = value
    return found


def uid_ids(found: list[dict[str, str]]) -> set[int]:
    ids = set()
    for event in found:
        match = UID.match(event["UID"])
        assert match, event["UID"]
        ids.add(int(match.group(1)))
    return ids


@pytest.fixture(scope="module")
async def calendar_org(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int | str]:
    async with session_scope(sessionmaker) as s:
        org, place = await venue(s, unique("feeds-cal"), name="Parks, Arts & Más")
        other, other_place = await venue(s, unique("feeds-cal-other"))
        long_title = "Robótica; circuits, code and a very long title " * 3
        first = await listing(
            s, org, place, title=long_title.strip(), description="Line one\nLine two, with ; and \\"
        )
        second = await listing(s, org, None, kind="internship", title=f"{WORD} internship")
        archived = await listing(s, org, place, title="Archived", status="archived")
        theirs = await listing(s, other, other_place, title="Theirs")
        return {
            "slug": org.slug,
            "name": org.name,
            "first": first.id,
            "second": second.id,
            "archived": archived.id,
            "theirs": theirs.id,
            "title": long_title.strip(),
        }


async def test_an_organizations_calendar_holds_its_published_sessions_only(
    client: httpx.AsyncClient, calendar_org: dict[str, int | str]
) -> None:
    response = await client.get(f"/organizations/{calendar_org['slug']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == f"public, max-age={CACHE_SECONDS}"
    lines = content_lines(response.content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert f"X-WR-CALNAME:Parks\\, Arts & Más ({'CityLearn'})" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT60M" in lines
    found = events(lines)
    assert uid_ids(found) == {calendar_org["first"], calendar_org["second"]}
    assert len(found) == 2 * 18  # Tuesdays and Thursdays from mid-June to mid-August
    starts = [e["DTSTART"] for e in found]
    assert starts == sorted(starts)
    first = next(e for e in found if e["UID"].startswith(f"opportunity-{calendar_org['first']}."))
    title = str(calendar_org["title"]).replace(";", "\\;").replace(",", "\\,")
    assert first["SUMMARY"] == title  # folded on the wire, whole again when unfolded
    assert first["DESCRIPTION"].startswith("Line one\\nLine two\\, with \\; and \\\\\\n\\n")
    assert first["DTSTART"] == first["UID"].split(".")[1].split("@")[0]
    online = next(e for e in found if e["UID"].startswith(f"opportunity-{calendar_org['second']}."))
    assert online["LOCATION"] == "Online" and "GEO" not in online


async def test_the_same_session_has_the_same_uid_in_every_calendar(
    client: httpx.AsyncClient, calendar_org: dict[str, int | str]
) -> None:
    org_uids = [
        e["UID"]
        for e in events(
            content_lines((await client.get(f"/organizations/{calendar_org['slug']}.ics")).content)
        )
    ]
    again = [
        e["UID"]
        for e in events(
            content_lines((await client.get(f"/organizations/{calendar_org['slug']}.ics")).content)
        )
    ]
    assert org_uids == again and len(set(org_uids)) == len(org_uids)
    own = await client.get(f"/opportunities/{calendar_org['first']}.ics")
    own_uids = {e["UID"] for e in events(content_lines(own.content))}
    assert own_uids and own_uids <= set(org_uids)
    searched = await client.get(f"/search.ics?text={WORD}")
    search_uids = {e["UID"] for e in events(content_lines(searched.content))}
    assert search_uids and search_uids <= set(org_uids)


async def test_a_search_calendar_honours_the_searchs_filters(
    client: httpx.AsyncClient,
    calendar_org: dict[str, int | str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    response = await client.get("/search.ics?kind=internship")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    lines = content_lines(response.content)
    assert "X-WR-CALNAME:CityLearn search" in lines
    ids = uid_ids(events(lines))
    assert ids  # the test city's internships (the soonest results; ours is in 2099)
    async with sessionmaker() as s:
        kinds = set(await s.scalars(select(Opportunity.kind).where(Opportunity.id.in_(ids))))
    assert kinds == {"internship"}
    worded = await client.get(f"/search.ics?text={WORD}&lang=es")
    lines = content_lines(worded.content)
    assert f"X-WR-CALNAME:Búsqueda en CityLearn: {WORD}" in lines
    assert uid_ids(events(lines)) == {calendar_org["second"]}
    assert "LOCATION:En línea" in lines
    nothing = await client.get("/search.ics?text=nothingmatchesthisword")
    assert events(content_lines(nothing.content)) == []


async def test_calendars_for_bad_searches_and_unknown_organizations(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for query in ("age=abc", "q=00000", "radius=5000&q=60614", "day=9"):
        response = await client.get(f"/search.ics?{query}")
        assert response.status_code == 400, query
        assert response.headers["content-type"].startswith("text/plain")
    async with session_scope(sessionmaker) as s:
        pending, _ = await venue(s, unique("feeds-cal-pending"), status="pending")
    for slug in ("no-such-organization", pending.slug, "x" * 200):
        assert (await client.get(f"/organizations/{slug}.ics")).status_code == 404


async def test_the_pages_link_their_calendars(
    client: httpx.AsyncClient, calendar_org: dict[str, int | str]
) -> None:
    slug = str(calendar_org["slug"])
    page = await client.get(f"/organizations/{slug}")
    assert f'href="/organizations/{quote(slug)}.ics"' in page.text
    assert "Subscribe (iCalendar)" in page.text
    spanish = await client.get(f"/organizations/{slug}?lang=es")
    assert "Suscribirse (iCalendar)" in spanish.text
    search = await client.get(f"/search?text={WORD}&kind=internship&after=")
    assert f'href="/search.ics?text={WORD}&amp;kind=internship"' in search.text
    linked = await client.get(f"/search.ics?text={WORD}&kind=internship")
    assert uid_ids(events(content_lines(linked.content))) == {calendar_org["second"]}


async def test_calendar_reads_take_the_soonest_sessions_up_to_a_cap(
    sessionmaker: async_sessionmaker[AsyncSession], calendar_org: dict[str, int | str]
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker() as s:
        org_id = await s.scalar(
            select(Opportunity.organization_id).where(Opportunity.id == calendar_org["first"])
        )
        assert org_id is not None
        capped = await upcoming.of_organization(s, org_id, now=now, limit=5)
        every = await upcoming.of_organization(s, org_id, now=now, limit=2000)
        listed = await upcoming.of_listings(
            s, [int(calendar_org["first"]), int(calendar_org["theirs"])], now=now, limit=3
        )
    assert len(capped) == 5 and capped == every[:5]
    assert len(every) == 36
    assert [s.starts_at for s in listed] == sorted(s.starts_at for s in listed)
    assert len(listed) == 3
