"""Grid clusters of listings inside a map's bounding box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import InvalidInput
from server.search import validation
from server.search.query import SearchFilter
from server.search.sql import filter_where

MAX_ZOOM = 20
# Roughly 64 grid cells across the visible world width at any zoom level.
CELLS_PER_TILE = 64
MAX_CLUSTERS = 500


@dataclass(frozen=True)
class BBox:
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class Cluster:
    latitude: float
    longitude: float
    count: int
    opportunity_id: int | None  # set when the cluster holds one listing


def _validate(bbox: BBox, zoom: int) -> None:
    if not 0 <= zoom <= MAX_ZOOM:
        raise InvalidInput(f"zoom must be between 0 and {MAX_ZOOM}", field="zoom")
    if not (-90 <= bbox.south < bbox.north <= 90):
        raise InvalidInput("south must be below north, both within -90..90", field="bbox")
    if not (-180 <= bbox.west < bbox.east <= 180):
        raise InvalidInput(
            "west must be left of east, both within -180..180 (no antimeridian)", field="bbox"
        )


async def map_clusters(
    session: AsyncSession, bbox: BBox, zoom: int, search_filter: SearchFilter, *, now: datetime
) -> list[Cluster]:
    _validate(bbox, zoom)
    validation.validate_filter(search_filter)
    where = filter_where(search_filter, point=None, radius_m=None, now=now)
    cell = 360.0 / (2**zoom) / CELLS_PER_TILE
    sql = (
        "SELECT count(*) AS n, avg(ST_Y(o.location::geometry)) AS lat, "
        "avg(ST_X(o.location::geometry)) AS lng, min(o.id) AS first_id "
        "FROM opportunities o "
        f"WHERE {where.sql()} AND o.location && "
        "ST_MakeEnvelope(:west, :south, :east, :north, 4326)::geography "
        "GROUP BY ST_SnapToGrid(o.location::geometry, :cell) "
        "ORDER BY n DESC LIMIT :max_clusters"
    )
    params = dict(where.params)
    params.update(
        west=bbox.west,
        south=bbox.south,
        east=bbox.east,
        north=bbox.north,
        cell=cell,
        max_clusters=MAX_CLUSTERS,
    )
    rows = (await session.execute(text(sql), params)).all()
    return [
        Cluster(
            latitude=float(row.lat),
            longitude=float(row.lng),
            count=int(row.n),
            opportunity_id=int(row.first_id) if row.n == 1 else None,
        )
        for row in rows
    ]
