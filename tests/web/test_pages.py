"""The public pages over HTTP: search form, results, paging, errors, detail, .ics, languages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.db import session_scope
from server.models import Opportunity, Organization
from server.search.service import COUNT_CAP
from tests import builders
from tests.sql_count import count_statements
from web import ics
from web.i18n import Translator, choose_language, from_accept_language

# -- reading the pages -----------------------------------------------------------------


@dataclass
class Result:
    number: int
    opportunity_id: int
    title: str = ""
    cost: str = ""
    distance: str = ""


@dataclass
class PageInfo:
    results: list[Result] = field(default_factory=list)
    total: int | None = None
    links: dict[str, str] = field(default_factory=dict)  # rel or text -> href
    json_ld: list[str] = field(default_factory=list)
    map_json: str | None = None
    alerts: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # id -> value
    h1: str = ""
    html_lang: str = ""
    landmarks: set[str] = field(default_factory=set)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class _Capture:
    what: str
    tag: str
    depth: int
    extra: str = ""
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    """Just enough of the page structure for assertions, without a third-party parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self._open: list[_Capture] = []
        self._depth = 0
        self._result_title_depth: int | None = None

    def _start(self, what: str, tag: str, extra: str = "") -> None:
        self._open.append(_Capture(what, tag, self._depth, extra))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if tag not in VOID:
            self._depth += 1
        if tag == "html":
            self.info.html_lang = a.get("lang", "")
        if tag in {"header", "nav", "main", "footer"}:
            self.info.landmarks.add(tag)
        if tag == "li" and "result" in classes:
            number = int(a["id"].removeprefix("r-"))
            self.info.results.append(Result(number=number, opportunity_id=0))
        if tag == "h3" and "result-title" in classes:
            self._result_title_depth = self._depth
        if tag == "a":
            href = a.get("href", "")
            if a.get("rel") == "next":
                self.info.links["next"] = href
            self._start("link", tag, href)
            match = re.fullmatch(r"/opportunities/(\d+)", href)
            if match and self._result_title_depth is not None and self.info.results:
                self.info.results[-1].opportunity_id = int(match.group(1))
                self._start("title", tag)
        if tag == "dd" and "cost" in classes and self.info.results:
            self._start("cost", tag)
        if tag == "dd" and "distance" in classes and self.info.results:
            self._start("distance", tag)
        if tag == "span" and "total" in classes and a.get("data-total"):
            self.info.total = int(a["data-total"])
        if tag == "script" and a.get("type") == "application/ld+json":
            self._start("json_ld", tag)
        if tag == "script" and a.get("id") == "map-data":
            self._start("map", tag)
        if tag == "div" and a.get("role") == "alert":
            self._start("alert", tag)
        if tag == "h1":
            self._start("h1", tag)
        if tag in {"input", "select"} and a.get("id"):
            self.info.inputs[a["id"]] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        for capture in self._open:
            capture.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        closing = [c for c in self._open if c.tag == tag and c.depth == self._depth]
        for capture in closing:
            self._open.remove(capture)
            self._finish(capture)
        if tag == "h3" and self._result_title_depth == self._depth:
            self._result_title_depth = None
        self._depth -= 1

    def _finish(self, capture: _Capture) -> None:
        raw = "".join(capture.text)
        text = " ".join(raw.split())
        if capture.what == "link":
            self.info.links.setdefault(text, capture.extra)
        elif capture.what == "title":
            self.info.results[-1].title = text
        elif capture.what == "cost":
            self.info.results[-1].cost = text
        elif capture.what == "distance":
            self.info.results[-1].distance = text
        elif capture.what == "json_ld":
            self.info.json_ld.append(raw)
        elif capture.what == "map":
            self.info.map_json = raw
        elif capture.what == "alert":
            self.info.alerts.append(text)
        elif capture.what == "h1":
            self.info.h1 = text


def read(html: str) -> PageInfo:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.info


def km(distance: str) -> float:
    match = re.match(r"([\d.,]+) km", distance)
    assert match, distance
    return float(match.group(1).replace(",", "."))


async def get_page(client: httpx.AsyncClient, url: str, status: int = 200) -> PageInfo:
    response = await client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return read(response.text)


# -- home --------------------------------------------------------------------------------


async def test_home_has_search_box_location_button_and_topics(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    page = read(html)
    assert page.html_lang == "en"
    assert {"header", "nav", "main", "footer"} <= page.landmarks
    assert 'class="skip-link" href="#main"' in html
    assert '<label for="home-q">ZIP code or address</label>' in html
    assert 'placeholder="ZIP code or address"' in html
    assert 'action="/search"' in html and 'method="get"' in html
    # The geolocation button is hidden until JavaScript finds navigator.geolocation.
    assert re.search(r'<button type="button" class="button secondary locate" hidden', html)
    assert 'name="lat"' in html and 'name="lng"' in html
    assert re.search(r'href="/search\?topic=[a-z0-9-]+"', html)
    assert '<script src="/static/site.js" defer></script>' in html


async def test_static_assets_are_served(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/site.css")
    js = await client.get("/static/site.js")
    assert css.status_code == js.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["x-content-type-options"] == "nosniff"


# -- search --------------------------------------------------------------------------------


async def test_search_by_zip_is_sorted_by_distance_with_a_count(
    client: httpx.AsyncClient,
) -> None:
    page = await get_page(client, "/search?q=60614")
    assert page.total is not None and page.total > len(page.results) > 0
    assert [r.number for r in page.results] == list(range(1, len(page.results) + 1))
    distances = [km(r.distance) for r in page.results]
    assert distances == sorted(distances)
    assert all(r.opportunity_id for r in page.results)
    assert page.inputs["f-q"] == "60614"
    assert "near Chicago, IL 60614" in (await client.get("/search?q=60614")).text


async def test_address_with_zip_searches_like_the_zip(client: httpx.AsyncClient) -> None:
    by_zip = await get_page(client, "/search?q=60614")
    by_address = await get_page(client, "/search?q=2430+N+Cannon+Dr%2C+Chicago%2C+IL+60614")
    assert [r.opportunity_id for r in by_address.results] == [
        r.opportunity_id for r in by_zip.results
    ]


async def test_free_filter_shows_only_free_listings(client: httpx.AsyncClient) -> None:
    # Teenagers within 4 km: fewer than COUNT_CAP, so every count here is exact.
    base = "/search?q=60614&radius=4&age=17"
    everything = await get_page(client, base)
    free = await get_page(client, base + "&free=1")
    assert free.results
    assert {r.cost for r in free.results} == {"Free"}
    assert everything.total is not None and free.total is not None
    assert free.total < everything.total < COUNT_CAP
    cheap = await get_page(client, base + "&max_cost=10")
    assert cheap.total is not None and free.total <= cheap.total <= everything.total
    assert all(r.cost == "Free" or r.cost.startswith("$") for r in cheap.results)
    html = (await client.get("/search?q=60614&free=1")).text
    assert 'id="f-free" name="free" type="checkbox" value="1" checked' in html


async def test_radius_filter_narrows_the_results(client: httpx.AsyncClient) -> None:
    wide = await get_page(client, "/search?q=60614&radius=25")
    narrow = await get_page(client, "/search?q=60614&radius=2")
    assert wide.total is not None and narrow.total is not None
    assert narrow.total < wide.total
    assert all(km(r.distance) <= 2.05 for r in narrow.results)


async def test_age_and_kind_filters_change_the_results(client: httpx.AsyncClient) -> None:
    base = await get_page(client, "/search?q=60614&radius=4")
    teen = await get_page(client, "/search?q=60614&radius=4&age=17")
    assert teen.total is not None and base.total is not None
    assert teen.total < base.total  # base may be capped: "more than COUNT_CAP"
    camps = await client.get("/search?q=60614&kind=camp")
    assert camps.status_code == 200
    shown = re.findall(r'<span class="delivery">([^,<]+),', camps.text)
    assert shown and set(shown) == {"Camp"}


async def test_empty_query_searches_without_a_point_soonest_first(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/search?q=&lat=&lng=&radius=10&sort=distance")
    assert response.status_code == 200
    page = read(response.text)
    assert page.results and page.total
    assert '<option value="soonest" selected>' in response.text
    # Without a point there is no distance, only the place or "Online".
    assert not any(re.match(r"[\d.]+ km", r.distance) for r in page.results)


async def test_online_link_from_a_near_search(client: httpx.AsyncClient) -> None:
    near = await client.get("/search?q=60614&age=12")
    href = read(near.text).links["See online opportunities"]
    params = parse_qs(urlsplit(unescape(href)).query)
    assert params == {"age": ["12"], "delivery": ["online"]}
    online = await get_page(client, unescape(href))
    assert online.results
    assert {r.distance for r in online.results} == {"Online"}


async def test_coordinates_search(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/search?lat=41.9229&lng=-87.6483&radius=5")
    assert page.results
    assert "near your location" in (await client.get("/search?lat=41.9229&lng=-87.6483")).text


async def test_paging_follows_next_links_without_repeats(client: httpx.AsyncClient) -> None:
    url = "/search?q=60614&radius=25"
    seen: list[int] = []
    first = await get_page(client, url)
    total = first.total
    page = first
    for _ in range(3):
        ids = [r.opportunity_id for r in page.results]
        assert not set(ids) & set(seen)
        seen += ids
        assert page.total == total
        next_href = page.links.get("next")
        assert next_href, "expected another page"
        page = await get_page(client, unescape(next_href))
        assert "Back to first page" in page.links
        back = parse_qs(urlsplit(unescape(page.links["Back to first page"])).query)
        assert "after" not in back and back["q"] == ["60614"]
    distances = [km(r.distance) for r in page.results]
    assert distances == sorted(distances)


async def test_last_page_has_no_next_link(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/search?q=60614&radius=5")
    pages = 1
    while "next" in page.links and pages < 30:
        page = await get_page(client, unescape(page.links["next"]))
        pages += 1
    assert "next" not in page.links


async def test_map_data_matches_the_list(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/search?q=60614")
    assert page.map_json is not None
    data = json.loads(page.map_json)
    assert data["center"]["lat"] == pytest.approx(41.92, abs=0.05)
    assert data["radius_km"] > 0
    numbers = {m["n"] for m in data["markers"]}
    assert numbers <= {r.number for r in page.results}
    assert numbers
    html = (await client.get("/search?q=60614")).text
    assert re.search(r'<figure class="results-map" hidden data-map', html)


async def test_search_page_uses_a_handful_of_queries(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    with count_statements(app) as statements:
        response = await client.get("/search?q=60614")
    assert response.status_code == 200
    # topics, search, count, opportunities, organizations, places, sessions
    assert len(statements) <= 7, statements


# -- bad input -----------------------------------------------------------------------------


async def test_unknown_zip_is_a_friendly_400_with_the_form_filled(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/search?q=00000&text=robots")
    assert response.status_code == 400
    page = read(response.text)
    assert page.alerts and "could not find that ZIP code" in page.alerts[0]
    assert page.inputs["f-q"] == "00000"
    assert page.inputs["f-text"] == "robots"
    assert 'aria-invalid="true" aria-describedby="q-error"' in response.text


@pytest.mark.parametrize(
    "query",
    [
        "q=60614&age=abc",
        "q=60614&age=500",
        "q=60614&radius=-5",
        "q=60614&radius=abc",
        "q=60614&radius=1e9",
        "q=60614&after=garbage",
        "q=60614&after=c1.bm90IGpzb24",
        "after=c1.WyJzb29uZXN0Iiwibm9wZSIsMV0",
        "lat=999&lng=1",
        "lat=41.9",
        "lat=nan&lng=nan",
        "from=someday",
        "from=2026-08-01&to=2026-07-01",
        "day=9",
        "day=monday",
        "kind=spaceship",
        "delivery=teleport",
        "time=midnight",
        "access=jetpack",
        "sort=sideways",
        "max_cost=-3",
        "max_cost=free",
        "language=%3Cscript%3E",
    ],
)
async def test_garbage_parameters_give_400_not_500(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/search?{query}")
    assert response.status_code == 400, (query, response.text[:300])
    page = read(response.text)
    assert page.alerts, query
    assert "<script>" not in response.text


async def test_age_error_keeps_what_was_typed(client: httpx.AsyncClient) -> None:
    response = await client.get("/search?q=60614&age=abc")
    page = read(response.text)
    assert page.inputs["f-age"] == "abc"
    assert "Age must be a whole number" in page.alerts[0]


async def test_forged_cursor_offers_the_first_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/search?q=60614&after=garbage")
    assert response.status_code == 400
    assert "Back to first page" in read(response.text).links


# -- detail --------------------------------------------------------------------------------


async def _first_result(client: httpx.AsyncClient, query: str = "q=60614") -> Result:
    page = await get_page(client, f"/search?{query}")
    assert page.results
    return page.results[0]


async def test_detail_page_has_valid_json_ld(client: httpx.AsyncClient) -> None:
    first = await _first_result(client)
    response = await client.get(f"/opportunities/{first.opportunity_id}")
    assert response.status_code == 200
    page = read(response.text)
    assert page.h1 == first.title
    assert len(page.json_ld) == 1
    data = json.loads(page.json_ld[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] in {"Event", "Course", "EducationalOccupationalProgram"}
    assert data["name"] == first.title
    assert data["url"].endswith(f"/opportunities/{first.opportunity_id}")
    if data["@type"] == "Course":
        location = data["hasCourseInstance"][0]["location"]
        assert data["provider"]["@type"] == "Organization"
    elif data["@type"] == "Event":
        location = data["location"]
        assert data["organizer"]["@type"] == "Organization"
    else:
        location = data["provider"]["location"]
    place = location[0] if isinstance(location, list) else location
    assert place["@type"] == "Place"
    assert place["name"]
    assert place["address"]["@type"] == "PostalAddress"
    assert -90 <= place["geo"]["latitude"] <= 90
    assert data["offers"]["priceCurrency"] == "USD"


async def test_detail_page_content(client: httpx.AsyncClient) -> None:
    first = await _first_result(client)
    response = await client.get(f"/opportunities/{first.opportunity_id}")
    html = response.text
    assert "https://www.openstreetmap.org/directions?to=" in html
    assert re.search(r'<a href="/organizations/[^"]+">', html)
    for label in ("When", "Where", "Ages", "Cost"):
        assert f"<dt>{label}</dt>" in html
    # Upcoming sessions are shown in local time with a machine-readable datetime.
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html) or "Ongoing" in html


async def test_each_schema_type_is_valid_json(client: httpx.AsyncClient) -> None:
    seen: set[str] = set()
    for kind in ("event", "camp", "internship", "workshop", "program"):
        page = await get_page(client, f"/search?kind={kind}")
        if not page.results:
            continue
        detail = await get_page(client, f"/opportunities/{page.results[0].opportunity_id}")
        data = json.loads(detail.json_ld[0])
        seen.add(data["@type"])
        if data["@type"] == "Course":
            assert data["hasCourseInstance"][0]["@type"] == "CourseInstance"
    assert "Course" in seen or "Event" in seen


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.split("\r\n"):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


async def test_ics_download_is_valid_icalendar(client: httpx.AsyncClient) -> None:
    page = await get_page(client, "/search?q=60614&radius=25")
    target = None
    for result in page.results:
        response = await client.get(f"/opportunities/{result.opportunity_id}.ics")
        if response.status_code == 200:
            target = result
            break
    assert target is not None, "no result with upcoming sessions"
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    lines = _unfold(raw.decode("utf-8"))
    stack: list[str] = []
    events = 0
    for line in lines:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            events += value == "VEVENT"
        elif name == "END":
            assert stack and stack.pop() == value
    assert not stack
    assert lines[0] == "BEGIN:VCALENDAR"
    assert events >= 1
    props = [line.partition(":")[0].split(";")[0] for line in lines if line]
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"):
        assert props.count(required) == events, required
    assert "VERSION" in props and "PRODID" in props
    assert all(
        re.fullmatch(r"\d{8}T\d{6}Z", line.split(":", 1)[1])
        for line in lines
        if line.startswith(("DTSTART:", "DTEND:", "DTSTAMP:"))
    )
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary[len("SUMMARY:") :] == ics.escape_text(target.title)
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)


def test_ics_folding_never_splits_a_character() -> None:
    title = "Taller de robótica, ñandú; día\nsegundo " * 8
    event = ics.CalendarEvent(
        uid="x@test",
        starts_at=datetime(2026, 7, 1, 15, tzinfo=UTC),
        ends_at=datetime(2026, 7, 1, 16, tzinfo=UTC),
        summary=title,
    )
    text = ics.calendar([event], name=title, now=datetime(2026, 6, 1, tzinfo=UTC))
    raw = text.encode("utf-8")
    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole characters
    unfolded = _unfold(text)
    summary = next(line for line in unfolded if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + ics.escape_text(title)
    assert "\\n" in summary and "\\;" in summary and "\\," in summary


# -- not found ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/opportunities/999999999",
        "/opportunities/abc",
        "/opportunities/0",
        "/opportunities/-1",
        "/opportunities/99999999999999999999999",
        "/opportunities/999999999.ics",
        "/opportunities/99999999999999999999999.ics",
        "/opportunities/abc.ics",
        "/organizations/no-such-organization",
    ],
)
async def test_unknown_pages_are_a_friendly_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Content-Security-Policy" in response.headers


@pytest.fixture
async def draft_listing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Any:
    async with session_scope(sessionmaker) as session:
        org = await builders.create_organization(session, "web-test-drafts", name="Drafts Org")
        draft = await builders.create_opportunity(
            session, org, None, None, title="Unpublished Draft", status="draft"
        )
        ids = (org.id, draft.id)
    yield ids[1]
    async with session_scope(sessionmaker) as session:
        await session.execute(delete(Opportunity).where(Opportunity.id == ids[1]))
        await session.execute(delete(Organization).where(Organization.id == ids[0]))


async def test_unpublished_listing_is_404(client: httpx.AsyncClient, draft_listing: int) -> None:
    response = await client.get(f"/opportunities/{draft_listing}")
    assert response.status_code == 404
    assert "Unpublished Draft" not in response.text
    ics_response = await client.get(f"/opportunities/{draft_listing}.ics")
    assert ics_response.status_code == 404


# -- organizations ---------------------------------------------------------------------------


async def test_organization_page_lists_places_and_listings(client: httpx.AsyncClient) -> None:
    page = await get_page(client, f"/organizations/{builders.TIE_ORG_SLUG}")
    assert page.h1 == "Garfield Learning Hub"
    assert page.total == builders.TIE_LISTINGS
    assert len(page.results) < builders.TIE_LISTINGS
    assert "next" in page.links
    html = (await client.get(f"/organizations/{builders.TIE_ORG_SLUG}")).text
    assert "Garfield Hub Hall" in html
    second = await get_page(client, unescape(page.links["next"]))
    first_ids = {r.opportunity_id for r in page.results}
    assert second.results and not first_ids & {r.opportunity_id for r in second.results}
    assert "Back to first page" in second.links


async def test_organization_link_from_detail(client: httpx.AsyncClient) -> None:
    first = await _first_result(client)
    html = (await client.get(f"/opportunities/{first.opportunity_id}")).text
    slug = re.search(r'<a href="/organizations/([^"]+)">', html)
    assert slug
    response = await client.get(f"/organizations/{slug.group(1)}")
    assert response.status_code == 200
    assert first.title in response.text or read(response.text).total


# -- languages -------------------------------------------------------------------------------


async def test_spanish_by_query_parameter_is_remembered_in_a_cookie(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/search?q=60614&lang=es")
    assert response.status_code == 200
    page = read(response.text)
    assert page.html_lang == "es"
    assert "Código postal o dirección" in response.text
    assert "resultados" in response.text
    assert "lang=es" in response.headers["set-cookie"]
    assert "English" in page.links  # the switcher points back to English
    # The cookie keeps Spanish on the next page.
    client.cookies.clear()
    again = await client.get("/", headers={"Cookie": "lang=es"})
    assert read(again.text).html_lang == "es"
    assert "Encuentra algo para aprender" in again.text


async def test_spanish_from_accept_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert read(response.text).html_lang == "es"
    english = await client.get("/", headers={"Accept-Language": "fr-FR, en;q=0.8, es;q=0.1"})
    assert read(english.text).html_lang == "en"


async def test_spanish_errors_and_404(client: httpx.AsyncClient) -> None:
    bad = await client.get("/search?q=00000&lang=es")
    assert bad.status_code == 400
    assert "No encontramos ese código postal" in bad.text
    missing = await client.get("/opportunities/abc?lang=es")
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.text


async def test_language_switch_link_keeps_the_search(client: httpx.AsyncClient) -> None:
    html = (await client.get("/search?q=60614&free=1")).text
    match = re.search(r'<a class="lang-switch" href="([^"]+)"', html)
    assert match
    params = parse_qs(urlsplit(unescape(match.group(1))).query)
    assert params["lang"] == ["es"] and params["q"] == ["60614"] and params["free"] == ["1"]


def test_language_negotiation_and_formatting() -> None:
    assert from_accept_language("es-419;q=0.9, en;q=0.8") == "es"
    assert from_accept_language("de, *;q=0.1") is None
    assert choose_language("xx", None, "es") == "es"
    assert choose_language(None, "en", "es") == "en"
    es, en = Translator("es"), Translator("en")
    moment = datetime(2026, 7, 4, 15, 30, tzinfo=UTC)
    assert en.when(moment, None, "America/Chicago") == "Sat, Jul 4, 10:30 AM"
    assert es.when(moment, None, "America/Chicago") == "sáb 4 jul, 10:30"
    assert en.distance(1.234) == "1.2 km (0.8 mi)"
    assert es.distance(1.234) == "1,2 km (0,8 mi)"
    assert en.money(0) == "Free" and es.money(0) == "Gratis"
    assert en.money(4000) == "$40" and en.money(1250) == "$12.50"
    assert es("search.count", count=1) == "1 resultado"
    assert set(es.messages) == set(en.messages)


# -- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/search?q=60614", "/search?q=00000"])
async def test_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer"}
    # No inline styles or scripts that the policy would block.
    assert " style=" not in response.text
    scripts = re.findall(r"<script([^>]*)>", response.text)
    for attrs in scripts:
        assert "src=" in attrs or 'type="application/' in attrs, attrs
