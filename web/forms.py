"""The search page's GET form: query-string parameters <-> `SearchQuery`.

Only *parsing* happens here (is `age` a number, is `from` a date). What a
search may ask for (age range, radius limits, cursor validity) is decided by
`server.search.validation`; its `InvalidInput` errors are mapped back onto
form fields by `field_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from server.errors import InvalidInput
from server.search.query import NearInput, SearchFilter, SearchQuery, SortOrder

RADIUS_CHOICES: tuple[float, ...] = (2.0, 5.0, 10.0, 25.0)

# The parameters that narrow a search (the filter panel).
FILTER_PARAMS = (
    "topic",
    "free",
    "max_cost",
    "delivery",
    "kind",
    "from",
    "to",
    "day",
    "time",
    "language",
    "access",
)
# Every parameter the search form understands (anything else in the URL is ignored).
PARAMS = ("q", "lat", "lng", "text", "radius", "age", *FILTER_PARAMS, "sort", "after")

# InvalidInput.field from the search service -> the form parameter to point at.
SERVICE_FIELDS = {
    "near": "lat",
    "near.postalCode": "q",
    "radiusKm": "radius",
    "filter.text": "text",
    "filter.age": "age",
    "filter.maxCost": "max_cost",
    "filter.delivery": "delivery",
    "filter.kinds": "kind",
    "filter.accessibility": "access",
    "filter.timeOfDay": "time",
    "filter.topics": "topic",
    "filter.organizations": "topic",
    "filter.daysOfWeek": "day",
    "filter.language": "language",
    "filter.startsBefore": "to",
    "filter.startsAfter": "from",
    "sort": "sort",
    "first": "after",
    "after": "after",
}

# The message key shown for an error on each form parameter.
MESSAGE_KEYS = {
    "q": "error.q",
    "lat": "error.latlng",
    "lng": "error.latlng",
    "radius": "error.radius",
    "age": "error.age",
    "max_cost": "error.max_cost",
    "from": "error.date",
    "to": "error.date",
    "day": "error.day",
    "after": "error.after",
    "text": "error.text",
    "delivery": "error.choice",
    "kind": "error.choice",
    "access": "error.choice",
    "time": "error.choice",
    "topic": "error.choice",
    "language": "error.choice",
    "sort": "error.choice",
}

MAX_PARAM_LENGTH = 300


@dataclass
class FormError:
    param: str
    message_key: str
    detail: str | None = None  # the service's own (English) message, for logs and debugging


@dataclass
class SearchForm:
    """What the visitor typed (echoed back into the form) and what it parsed to."""

    raw: dict[str, list[str]]
    query: SearchQuery
    has_location: bool
    errors: list[FormError] = field(default_factory=list)

    def value(self, name: str) -> str:
        values = self.raw.get(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return self.raw.get(name, [])

    def checked(self, name: str, value: str) -> bool:
        return value in self.raw.get(name, [])

    def error_for(self, name: str) -> FormError | None:
        return next((e for e in self.errors if e.param == name), None)

    @property
    def has_filter_error(self) -> bool:
        """An error inside the (collapsed by default) filters panel, which must then open."""
        return any(e.param not in ("q", "lat", "lng", "text", "after") for e in self.errors)

    @property
    def active_filter_count(self) -> int:
        return sum(1 for name in (*FILTER_PARAMS, "age") if any(self.raw.get(name, [])))

    def reset_url(self) -> str:
        """The same place and keywords, no filters."""
        keep = ("q", "lat", "lng", "text", "radius")
        return with_params("/search", {k: v for k, v in self.raw.items() if k in keep})

    def url(self, path: str = "/search", **changes: str | list[str] | None) -> str:
        """This search's URL with some parameters replaced (None removes one)."""
        params = {k: list(v) for k, v in self.raw.items()}
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            elif isinstance(value, str):
                params[name] = [value]
            else:
                params[name] = list(value)
        return with_params(path, params)


def with_params(path: str, params: dict[str, list[str]]) -> str:
    pairs = [(name, v) for name in PARAMS for v in params.get(name, []) if v != ""]
    pairs += [(n, v) for n, vs in params.items() if n not in PARAMS for v in vs if v != ""]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _raw(params: QueryParams) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    for name in PARAMS:
        values = [v.strip()[:MAX_PARAM_LENGTH] for v in params.getlist(name)][:20]
        if any(values):
            raw[name] = [v for v in values if v]
    return raw


def parse_search_form(
    params: QueryParams, *, organizations: Iterable[str] = (), page_size: int | None = None
) -> SearchForm:
    """Parse the query string; type errors become `FormError`s rather than exceptions."""
    raw = _raw(params)
    errors: list[FormError] = []

    def first(name: str) -> str:
        values = raw.get(name)
        return values[0] if values else ""

    def number(name: str, kind: type[int] | type[float], key: str) -> float | None:
        text = first(name)
        if not text:
            return None
        try:
            value = kind(text)
        except ValueError:
            errors.append(FormError(name, key))
            return None
        if value != value or value in (float("inf"), float("-inf")):  # NaN / infinity
            errors.append(FormError(name, key))
            return None
        return value

    def day(name: str) -> date | None:
        text = first(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            errors.append(FormError(name, "error.date"))
            return None

    # Where: a typed ZIP/address wins over coordinates left over from "Use my location".
    near: NearInput | None = None
    q = first("q")
    lat = number("lat", float, "error.latlng")
    lng = number("lng", float, "error.latlng")
    if q:
        near = NearInput(postal_code=q)
    elif lat is not None or lng is not None:
        near = NearInput(latitude=lat, longitude=lng)
    has_location = near is not None

    radius = number("radius", float, "error.radius")
    age = number("age", int, "error.age")
    max_cost = number("max_cost", float, "error.max_cost")

    days: list[int] = []
    for entry in raw.get("day", []):
        try:
            days.append(int(entry))
        except ValueError:
            errors.append(FormError("day", "error.day"))
            break

    words = first("text") or None
    sort: SortOrder | None = None
    if first("sort"):
        try:
            sort = SortOrder(first("sort"))
        except ValueError:
            errors.append(FormError("sort", "error.choice"))
    # The form always sends a distance and a sort order; drop the ones that make
    # no sense for this search instead of scolding the visitor for them.
    if not has_location:
        radius = None
        if sort is SortOrder.DISTANCE:
            sort = None
    if sort is SortOrder.RELEVANCE and not (words or "").strip():
        sort = None

    query = SearchQuery(
        near=near,
        radius_km=radius,
        filter=SearchFilter(
            text=words,
            topics=raw.get("topic", []),
            age=int(age) if age is not None else None,
            free_only=first("free") not in ("", "0", "false", "off"),
            max_cost=max_cost,
            delivery=raw.get("delivery", []),
            kinds=raw.get("kind", []),
            starts_after=day("from"),
            starts_before=day("to"),
            days_of_week=days,
            time_of_day=raw.get("time", []),
            language=first("language") or None,
            accessibility=raw.get("access", []),
            organizations=list(organizations),
        ),
        sort=sort,
        first=page_size,
        after=first("after") or None,
    )
    return SearchForm(raw=raw, query=query, has_location=has_location, errors=errors)


def error_from_service(exc: InvalidInput) -> FormError:
    param = SERVICE_FIELDS.get(exc.field or "", "")
    if param == "lat" and "postal" in (exc.message or "").lower():
        param = "q"
    key = MESSAGE_KEYS.get(param, "error.generic")
    if exc.field == "filter.startsBefore" and "before it starts" in exc.message:
        key = "error.dates_order"
    return FormError(param or "form", key, detail=exc.message)
