"""The migrations produce exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy.ext.asyncio import create_async_engine

from server.models import Base


async def test_models_and_migrations_agree(migrated_db_url: str) -> None:
    engine = create_async_engine(migrated_db_url.replace("postgresql://", "postgresql+asyncpg://"))

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": alembic_helpers.include_object, "compare_type": True},
        )
        return list(compare_metadata(context, Base.metadata))

    try:
        async with engine.connect() as connection:
            changes = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert changes == []
