from __future__ import annotations

from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import BigInteger, Boolean, ForeignKey, Identity, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped


class Place(Timestamped, Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    postal_code: Mapped[str | None] = mapped_column(String(10))
    neighborhood: Mapped[str | None] = mapped_column(String(120))
    # spatial_index=True gives the GiST index that ST_DWithin and <-> use.
    location: Mapped[Any] = mapped_column(
        Geography(geometry_type="POINT", srid=4326, spatial_index=True), nullable=False
    )
    # True when the point is a ZIP centroid rather than the street address.
    location_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    free_internet: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
