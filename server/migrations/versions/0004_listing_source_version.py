"""listing source version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:31:17.373284
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = """
CREATE OR REPLACE FUNCTION opportunities_bump_rpde() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {keep}
    NEW.rpde_modified := nextval('opportunity_rpde_seq');
    RETURN NEW;
END $$
"""

# Only the source's version moved (the partner re-stamped a listing it did not change):
# nothing to republish, so the RPDE value stays.
_KEEP = """
    IF TG_OP = 'UPDATE'
       AND NEW.source_version IS DISTINCT FROM OLD.source_version
       AND NEW.content_hash IS NOT DISTINCT FROM OLD.content_hash
       AND NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
"""


def upgrade() -> None:
    op.add_column("opportunities", sa.Column("source_version", sa.String(length=40), nullable=True))
    op.execute(_BUMP.format(keep=_KEEP))


def downgrade() -> None:
    op.execute(_BUMP.format(keep=""))
    op.drop_column("opportunities", "source_version")
