"""catalog

Revision ID: 0001
Revises:
Create Date: 2026-11-22 11:17:02.063053
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostGIS must exist before any geography column (managed services: enable it once).
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "competencies",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_es", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competencies")),
        sa.UniqueConstraint("slug", name=op.f("uq_competencies_slug")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("neighborhood", sa.String(length=120), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('museum', 'library', 'community_group', 'college', 'employer', 'park_district', 'nonprofit')",
            name=op.f("ck_organizations_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'suspended')", name=op.f("ck_organizations_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organizations_slug")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_es", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_geospatial_table(
        "places",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("neighborhood", sa.String(length=120), nullable=True),
        sa.Column(
            "location",
            Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("location_approximate", sa.Boolean(), nullable=False),
        sa.Column("wheelchair_accessible", sa.Boolean(), nullable=False),
        sa.Column("free_internet", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_places_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    op.create_geospatial_index(
        "idx_places_location",
        "places",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_places_organization_id"), "places", ["organization_id"], unique=False)
    op.create_geospatial_table(
        "opportunities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False),
        sa.Column(
            "competency_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False
        ),
        sa.Column("min_age", sa.SmallInteger(), nullable=False),
        sa.Column("max_age", sa.SmallInteger(), nullable=False),
        sa.Column("min_grade", sa.SmallInteger(), nullable=True),
        sa.Column("max_grade", sa.SmallInteger(), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("financial_aid", sa.Boolean(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column(
            "languages",
            postgresql.ARRAY(sa.String(length=8)),
            server_default="{en}",
            nullable=False,
        ),
        sa.Column(
            "accessibility",
            postgresql.ARRAY(sa.String(length=30)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("registration_url", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("schedule_rrule", sa.Text(), nullable=True),
        sa.Column("schedule_timezone", sa.String(length=64), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "location",
            Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("source_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(keywords, '')), 'B') || setweight(to_tsvector('english', coalesce(description, '')), 'C')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "delivery = 'online' OR location IS NOT NULL", name=op.f("ck_opportunities_located")
        ),
        sa.CheckConstraint(
            "delivery IN ('onsite', 'online', 'hybrid')", name=op.f("ck_opportunities_delivery")
        ),
        sa.CheckConstraint(
            "kind IN ('program', 'workshop', 'event', 'online_activity', 'drop_in', 'camp', 'course', 'volunteering', 'internship', 'job_shadow', 'apprenticeship')",
            name=op.f("ck_opportunities_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'archived')", name=op.f("ck_opportunities_status")
        ),
        sa.CheckConstraint("cost_cents >= 0", name=op.f("ck_opportunities_cost")),
        sa.CheckConstraint("min_age <= max_age", name=op.f("ck_opportunities_age_range")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_opportunities_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["places.id"],
            name=op.f("fk_opportunities_place_id_places"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    op.create_geospatial_index(
        "ix_opportunities_location",
        "opportunities",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_where=sa.text("status = 'published'"),
        postgresql_ops={},
    )
    op.create_index(
        "ix_opportunities_org_status", "opportunities", ["organization_id", "status"], unique=False
    )
    op.create_index(op.f("ix_opportunities_place_id"), "opportunities", ["place_id"], unique=False)
    op.create_index(
        "ix_opportunities_search_vector",
        "opportunities",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_opportunities_topic_ids",
        "opportunities",
        ["topic_ids"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "uq_opportunities_provenance",
        "opportunities",
        ["organization_id", "external_id"],
        unique=True,
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("opportunity_id", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_dow", sa.SmallInteger(), nullable=False),
        sa.Column("local_start_minute", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_sessions_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(
        "ix_sessions_opportunity_starts", "sessions", ["opportunity_id", "starts_at"], unique=False
    )
    op.create_index("ix_sessions_starts_at", "sessions", ["starts_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sessions_starts_at", table_name="sessions")
    op.drop_index("ix_sessions_opportunity_starts", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index(
        "uq_opportunities_provenance",
        table_name="opportunities",
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.drop_index("ix_opportunities_topic_ids", table_name="opportunities", postgresql_using="gin")
    op.drop_index(
        "ix_opportunities_search_vector", table_name="opportunities", postgresql_using="gin"
    )
    op.drop_index(op.f("ix_opportunities_place_id"), table_name="opportunities")
    op.drop_index("ix_opportunities_org_status", table_name="opportunities")
    op.drop_geospatial_index(
        "ix_opportunities_location",
        table_name="opportunities",
        postgresql_using="gist",
        postgresql_where=sa.text("status = 'published'"),
        column_name="location",
    )
    op.drop_geospatial_table("opportunities")
    op.drop_index(op.f("ix_places_organization_id"), table_name="places")
    op.drop_geospatial_index(
        "idx_places_location", table_name="places", postgresql_using="gist", column_name="location"
    )
    op.drop_geospatial_table("places")
    op.drop_table("topics")
    op.drop_table("organizations")
    op.drop_table("competencies")
