from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Identity, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, Timestamped
from server.models.enums import OrganizationKind, OrganizationStatus, check_in


class Organization(Timestamped, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(check_in("kind", OrganizationKind), name="kind"),
        CheckConstraint(check_in("status", OrganizationStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    website: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=OrganizationStatus.APPROVED.value
    )
    postal_code: Mapped[str | None] = mapped_column(String(10))
    neighborhood: Mapped[str | None] = mapped_column(String(120))
    # What the organization does in the network: award badges, post gated opportunities.
    is_issuer: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    is_employer: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    # Who to contact about the badges it issues (published in its Open Badges profile;
    # the network's own address when unset).
    contact_email: Mapped[str | None] = mapped_column(String(320))
    # Why a network admin declined or suspended it (shown to its owner).
    status_reason: Mapped[str | None] = mapped_column(Text)
