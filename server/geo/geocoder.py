"""Turning a ZIP code or an address into a point, without any network.

`Geocoder` is the seam: a real geocoding service can implement it later.
The built-in one answers from ZIP-code centroids shipped in the `zipcodes`
package, so every answer is approximate (a centroid, not a door).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import zipcodes


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.latitude <= 90.0:
            raise ValueError("latitude must be between -90 and 90")
        if not -180.0 <= self.longitude <= 180.0:
            raise ValueError("longitude must be between -180 and 180")

    def wkt(self) -> str:
        return f"SRID=4326;POINT({self.longitude} {self.latitude})"


@dataclass(frozen=True)
class GeocodeResult:
    point: GeoPoint
    postal_code: str | None
    label: str
    approximate: bool


class Geocoder(Protocol):
    def geocode(self, query: str) -> GeocodeResult | None:
        """A point for a ZIP code or an address, or None when it is not known."""


_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


@lru_cache(maxsize=4096)
def _zip_centroid(zip5: str) -> GeocodeResult | None:
    try:
        matches = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError):
        return None
    for match in matches:
        lat, lng = match.get("lat"), match.get("long")
        if lat and lng:
            point = GeoPoint(float(lat), float(lng))
            label = f"{match['city']}, {match['state']} {zip5}"
            return GeocodeResult(point, zip5, label, approximate=True)
    return None


class ZipCentroidGeocoder:
    """Finds the ZIP code in the query (alone or at the end of an address)."""

    def geocode(self, query: str) -> GeocodeResult | None:
        found = _ZIP.findall(query or "")
        if not found:
            return None
        # In "123 Main St, Chicago, IL 60614" the ZIP is the last five-digit group.
        return _zip_centroid(found[-1])


_default: Geocoder = ZipCentroidGeocoder()


def default_geocoder() -> Geocoder:
    return _default
