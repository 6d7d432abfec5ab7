"""Every rule about what a search may ask for, in one place."""

from __future__ import annotations

from server.errors import InvalidInput
from server.geo.geocoder import GeoPoint, default_geocoder
from server.models.enums import Accessibility, Delivery, OpportunityKind
from server.search.query import NearInput, SearchFilter, SearchQuery, SortOrder, TimeOfDay
from server.settings import Settings

MAX_TEXT = 200
MAX_LIST = 20


def _members(
    values: list[str],
    enum: type[Delivery | OpportunityKind | Accessibility | TimeOfDay],
    field: str,
) -> None:
    allowed = {member.value for member in enum}
    if len(values) > MAX_LIST:
        raise InvalidInput(f"at most {MAX_LIST} values", field=field)
    for value in values:
        if value not in allowed:
            raise InvalidInput(
                f"unknown value {value!r}; expected one of {', '.join(sorted(allowed))}",
                field=field,
            )


def resolve_point(near: NearInput | None) -> GeoPoint | None:
    if near is None:
        return None
    has_coords = near.latitude is not None or near.longitude is not None
    if has_coords:
        if near.latitude is None or near.longitude is None:
            raise InvalidInput("give both latitude and longitude", field="near")
        try:
            return GeoPoint(near.latitude, near.longitude)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="near") from None
    if near.postal_code is not None:
        code = near.postal_code.strip()
        if not code:
            raise InvalidInput("the ZIP code is empty", field="near.postalCode")
        found = default_geocoder().geocode(code[:200])
        if found is None:
            raise InvalidInput(
                f"unknown ZIP code or address {code[:40]!r}", field="near.postalCode"
            )
        return found.point
    raise InvalidInput("give latitude and longitude, or a postalCode", field="near")


def validate_filter(f: SearchFilter) -> None:
    if f.text is not None and len(f.text) > MAX_TEXT:
        raise InvalidInput(f"search text is longer than {MAX_TEXT} characters", field="filter.text")
    if f.age is not None and not 0 <= f.age <= 120:
        raise InvalidInput("age must be between 0 and 120", field="filter.age")
    if f.grade is not None and not 0 <= f.grade <= 16:
        raise InvalidInput("grade must be between 0 (kindergarten) and 16", field="filter.grade")
    if f.max_cost is not None and not 0 <= f.max_cost <= 1_000_000:
        raise InvalidInput("maximum cost must be zero or more", field="filter.maxCost")
    _members(f.delivery, Delivery, "filter.delivery")
    _members(f.kinds, OpportunityKind, "filter.kinds")
    _members(f.accessibility, Accessibility, "filter.accessibility")
    _members(f.time_of_day, TimeOfDay, "filter.timeOfDay")
    for name, values in (("filter.topics", f.topics), ("filter.organizations", f.organizations)):
        if len(values) > MAX_LIST or any(len(v) > 120 for v in values):
            raise InvalidInput(f"at most {MAX_LIST} short slugs", field=name)
    if any(not 1 <= day <= 7 for day in f.days_of_week) or len(f.days_of_week) > 7:
        raise InvalidInput("days of week are 1 (Monday) to 7 (Sunday)", field="filter.daysOfWeek")
    if f.language is not None and not (2 <= len(f.language) <= 8 and f.language.isalpha()):
        raise InvalidInput("language is a code such as 'en' or 'es'", field="filter.language")
    if f.starts_after and f.starts_before and f.starts_after > f.starts_before:
        raise InvalidInput("the date window ends before it starts", field="filter.startsBefore")


def effective_sort(query: SearchQuery, point: GeoPoint | None) -> SortOrder:
    sort = query.sort or (SortOrder.DISTANCE if point else SortOrder.SOONEST)
    if sort is SortOrder.DISTANCE and point is None:
        raise InvalidInput("sorting by distance needs a location (near)", field="sort")
    if sort is SortOrder.RELEVANCE and not (query.filter.text or "").strip():
        raise InvalidInput("sorting by relevance needs search text", field="sort")
    return sort


def page_size(first: int | None, settings: Settings) -> int:
    if first is None:
        return settings.default_page_size
    if not 1 <= first <= settings.max_page_size:
        raise InvalidInput(f"first must be between 1 and {settings.max_page_size}", field="first")
    return first


def radius_km(value: float | None, point: GeoPoint | None, settings: Settings) -> float | None:
    if value is None:
        return settings.default_radius_km if point else None
    if point is None:
        raise InvalidInput("radiusKm needs a location (near)", field="radiusKm")
    if not 0 < value <= settings.max_radius_km:
        raise InvalidInput(
            f"radiusKm must be more than 0 and at most {settings.max_radius_km:g}", field="radiusKm"
        )
    return value
